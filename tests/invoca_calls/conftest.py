import json
import re
from pathlib import Path

import pytest
import responses
from django.test import Client

from invoca.client import InvocaClient
from invoca.models import AdvertiserCampaign, InvocaConnection
from invoca.webhooks import receiver_for
from tests.campaigns.factories import make_campaign

BASE = "https://acme.invoca.test"
NETWORK = "1001"
TOKEN = "invoca-test-token-5678"
TRANSACTIONS_URL = f"{BASE}/api/2020-10-01/networks/transactions/{NETWORK}.json"
SIGNAL_URL = f"{BASE}/api/2018-02-01/transactions.json"
FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name):
    return json.loads((FIXTURES / f"{name}.json").read_text())


def raw_fixture(name):
    return (FIXTURES / name).read_bytes()


def connect(tenant, *, token=TOKEN, network=NETWORK, base_url=BASE, cursor=""):
    return InvocaConnection.objects.create(
        account=tenant.account,
        secret=token,
        last4=token[-4:],
        network_id=network,
        base_url=base_url,
        transactions_cursor=cursor,
    )


def advertiser_campaign(tenant, *, advertiser="ADV7", campaign_id="roof-2026", name="Roofing Q4"):
    return AdvertiserCampaign.objects.create(
        account=tenant.account,
        advertiser_id_from_network=advertiser,
        id_from_network=campaign_id,
        name=name,
        status="live",
    )


def invoca_campaign(tenant, advertiser, **overrides):
    """An inbound campaign fed by `advertiser` (an AdvertiserCampaign)."""
    data = {
        "campaign_name": "Roof calls",
        "integration": "invoca",
        "invoca_campaign_id": str(advertiser.pk),
        "selected_user": [{"id": tenant.member.pk}],
    }
    data.update(overrides)
    return make_campaign(tenant, **data)


@pytest.fixture(autouse=True)
def _no_backoff_sleep(monkeypatch):
    """The client's retries on 429/5xx wait no time here."""
    monkeypatch.setattr(InvocaClient, "backoff_base", 0.0)


@pytest.fixture
def connection(tenant_a):
    return connect(tenant_a)


@pytest.fixture
def roofing(tenant_a):
    return advertiser_campaign(tenant_a)


@pytest.fixture
def campaign(tenant_a, roofing):
    return invoca_campaign(tenant_a, roofing)


@pytest.fixture
def receiver(tenant_a):
    return receiver_for(tenant_a.account)


@pytest.fixture
def upstream():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def post_json(receiver, payload, *, content_type="application/json"):
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return Client().post(
        f"/webhooks/invoca/{receiver.webhook_token}/", body, content_type=content_type
    )


def post_form(receiver, body: bytes):
    return Client().post(
        f"/webhooks/invoca/{receiver.webhook_token}/",
        body,
        content_type="application/x-www-form-urlencoded",
    )


def pages(upstream, *answers):
    """Invoca answers the Transactions API with `answers` in turn (lists of rows, or
    `(status, body)` for a failure); returns the mock's calls to read the cursors sent."""
    for answer in answers:
        if isinstance(answer, tuple):
            status, body = answer
            upstream.get(re.compile(re.escape(TRANSACTIONS_URL)), status=status, json=body)
        else:
            upstream.get(re.compile(re.escape(TRANSACTIONS_URL)), json=answer)
    return upstream.calls
