"""Deliveries stored before their campaign was recorded with them get it from their endpoint:
a lead webhook post or a held form submission names its campaign in `target_id`."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("campaignhub", "0010_inbounddelivery_lead_id")]
RECORD = [("campaignhub", "0011_inbounddelivery_campaign_from_endpoint")]


def _migrate(targets):
    MigrationExecutor(connection).migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_a_campaign_endpoints_deliveries_record_their_campaign_and_no_other_does():
    try:
        old = _migrate(BEFORE)
        Account = old.get_model("campaignhub", "Account")
        InboundDelivery = old.get_model("campaignhub", "InboundDelivery")
        acme = Account.objects.create(name="Acme")

        def stored(source, target_id, campaign_id=None):
            return InboundDelivery.objects.create(
                account=acme,
                source=source,
                target_id=target_id,
                campaign_id=campaign_id,
                body=b"{}",
            ).pk

        webhook = stored("leads", "41")
        held = stored("lead_form", "42")
        found = stored("leads", "41", campaign_id=7)
        dialer = stored("dialer", "43")
        odd = stored("leads", "not-an-id")

        new = _migrate(RECORD)

        recorded = dict(
            new.get_model("campaignhub", "InboundDelivery").objects.values_list("pk", "campaign_id")
        )
        assert recorded == {webhook: 41, held: 42, found: 7, dialer: None, odd: None}
    finally:
        MigrationExecutor(connection).migrate(
            MigrationExecutor(connection).loader.graph.leaf_nodes()
        )
