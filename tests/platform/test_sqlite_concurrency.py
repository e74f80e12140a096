"""The embedded SQLite default takes concurrent deliveries: every one stored and processed."""

import json
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client

from campaignhub.models import DeliveryStatus, InboundDelivery
from campaigns.models import Lead
from tests.campaigns.factories import make_campaign

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's locking is the subject")
def test_twenty_deliveries_at_once_are_all_processed(tenant_a):
    url = f"/webhooks/leads/{make_campaign(tenant_a, integration='webhook').webhook_token}/"

    def post(n):
        try:
            body = json.dumps({"external_id": f"conc-{n}", "phone": f"+1415555{1000 + n}"})
            return Client().post(url, body, content_type="application/json").status_code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(post, range(20)))

    assert statuses == [200] * 20
    assert set(InboundDelivery.objects.values_list("status", flat=True)) == {
        DeliveryStatus.PROCESSED
    }
    assert Lead.objects.filter(external_id__startswith="conc-").count() == 20
