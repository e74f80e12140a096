"""The whole calls loop over real HTTP: the sandbox posts a call's webhook to the running app,
the poll reads the same call from the sandbox's Transactions API, and a won lead's sale goes
back to the sandbox's Signal API."""

import json
import time
import urllib.request
import uuid
from decimal import Decimal

import pytest

from campaignhub.models import InboundDelivery
from campaigns import outcomes
from campaigns.models import Lead
from invoca import transactions
from invoca.models import AdvertiserCampaign, SaleSignal, SaleSignalStatus
from invoca.upstream import INVOCA
from invoca.webhooks import receiver_for
from notifications.models import Delivery
from tests.invoca_calls.conftest import invoca_campaign

TOKEN = "sandbox-invoca-token"
NETWORK = "1001"


def control(sandbox, path, body=None):
    request = urllib.request.Request(
        f"{sandbox.url}/_sandbox/invoca/{path}",
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json"},
        method="POST" if body is not None else "GET",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_sandbox_call_is_one_lead_by_webhook_and_poll_and_its_sale_goes_back(
    live_server, sandbox, tenant_a
):
    connection = INVOCA.connect(
        account=tenant_a.account,
        secret=TOKEN,
        network_id=NETWORK,
        base_url=f"{sandbox.url}/invoca",
    )
    client = INVOCA.client_for(tenant_a.account)
    campaign_id = f"live-{uuid.uuid4().hex[:8]}"
    terms = {"name": "Live roofing", "campaign_type": "DirectOnly"}
    client.create_campaign("ADV1", campaign_id, terms)
    client.go_live("ADV1", campaign_id, timeout=5)
    advertiser = AdvertiserCampaign.objects.create(
        account=tenant_a.account,
        advertiser_id_from_network="ADV1",
        id_from_network=campaign_id,
        name="Live roofing",
        status="live",
    )
    campaign = invoca_campaign(tenant_a, advertiser)
    # Start the poll at the end of the shared sandbox's feed.
    transactions.poll(connection.pk)
    token = receiver_for(tenant_a.account).webhook_token
    control(
        sandbox,
        "webhooks",
        {
            "network_id": NETWORK,
            "url": f"{live_server.url}/webhooks/invoca/{token}/",
            "format": "form",
        },
    )

    made = control(
        sandbox,
        "simulate-call",
        {
            "network_id": NETWORK,
            "advertiser_id": "ADV1",
            "campaign_id": campaign_id,
            "caller_name": "Jordan Miles",
            "calling_phone_number": "+14125550161",
            "gap": 0,
        },
    )["transaction_id"]

    assert wait_for(lambda: Lead.objects.filter(external_id=made).exists())
    # The server finishes the delivery and its alert before the poll writes (SQLite has one
    # writer at a time).
    assert wait_for(
        lambda: (
            InboundDelivery.objects.filter(source="invoca", status="processed").exists()
            and not Delivery.objects.filter(status="queued").exists()
        )
    )
    lead = Lead.objects.get()
    assert (lead.campaign, lead.name, lead.phone) == (campaign, "Jordan Miles", "+14125550161")

    result = transactions.poll(connection.pk)
    assert result.rows >= 1 and result.finished
    lead = Lead.objects.get()
    assert lead.payload["call_result_description_detail"] == "Connected"

    outcomes.set_outcome(lead=lead, status="won", revenue=Decimal("480"))
    assert SaleSignal.objects.get(lead=lead).status == SaleSignalStatus.SENT
    signals = [s for s in control(sandbox, "signals") if s["call_transaction_id"] == made]
    assert [(s["name"], s["partner_unique_id"], s["revenue"], s["value"]) for s in signals] == [
        ("sale", str(lead.pk), "480.00", "true")
    ]
