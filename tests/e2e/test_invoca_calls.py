"""Invoca calls in the browser: an inbound campaign linked to an advertiser campaign in the
campaign form, a call simulated on the sandbox page arriving live as a lead, and the poll of the
same call making no second lead."""

import json
import urllib.request

from playwright.sync_api import expect

from campaignhub.models import InboundDelivery, Role
from campaigns.models import Lead
from invoca import transactions
from invoca.models import AdvertiserCampaign
from invoca.upstream import INVOCA
from invoca.webhooks import receiver_for
from notifications.models import Delivery
from tests.e2e.test_platform import log_in
from tests.factories import make_account

TOKEN = "sandbox-invoca-token"
NETWORK = "1001"


def test_a_simulated_invoca_call_becomes_a_live_lead_once(server, page, e2e_sandbox):
    account = make_account("Acme Agency", "admin@acme.test")
    assert account.memberships.get().role == Role.ADMIN
    connection = INVOCA.connect(
        account=account, secret=TOKEN, network_id=NETWORK, base_url=f"{e2e_sandbox.url}/invoca"
    )
    client = INVOCA.client_for(account)
    client.create_campaign(
        "ADV7", "roof-e2e", {"name": "Roofing Q4", "campaign_type": "DirectOnly"}
    )
    client.go_live("ADV7", "roof-e2e", timeout=5)
    AdvertiserCampaign.objects.create(
        account=account,
        advertiser_id_from_network="ADV7",
        id_from_network="roof-e2e",
        name="Roofing Q4",
        status="live",
    )
    webhook = f"{server}/webhooks/invoca/{receiver_for(account).webhook_token}/"
    request = urllib.request.Request(
        f"{e2e_sandbox.url}/_sandbox/invoca/webhooks",
        data=json.dumps({"network_id": NETWORK, "url": webhook, "format": "json"}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    urllib.request.urlopen(request, timeout=5).close()

    log_in(page, server, "admin@acme.test")
    page.get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name", exact=True).fill("Roof calls")
    page.get_by_label("Lead source").select_option("invoca")
    page.get_by_role("button", name="Create campaign").click()
    expect(
        page.locator("small.error", has_text="Choose the Invoca advertiser campaign")
    ).to_be_visible()
    page.get_by_label("Invoca advertiser campaign").select_option(
        label="Roofing Q4 (ADV7/roof-e2e)"
    )
    page.get_by_label("Email only").check()
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", name="Roof calls")).to_be_visible()
    expect(page.locator("#live-status")).to_have_class("live-status connected")

    sandbox_page = page.context.new_page()
    sandbox_page.goto(e2e_sandbox.url)
    row = sandbox_page.locator("#invoca-calls tr", has_text="roof-e2e")
    row.get_by_label("Caller name").fill("Jordan Miles")
    row.get_by_label("Caller number").fill("+14125550161")
    row.get_by_role("button", name="Simulate call").click()
    expect(sandbox_page.get_by_text("recorded")).to_be_visible()

    lead_row = page.locator("tbody tr", has_text="Jordan Miles")
    expect(lead_row).to_be_visible()
    expect(lead_row).to_contain_text("(412) 555-0161")

    # The server finishes the delivery and its alert before the poll writes (one SQLite writer).
    for _ in range(100):
        done = InboundDelivery.objects.filter(source="invoca", status="processed").exists()
        if done and not Delivery.objects.filter(status="queued").exists():
            break
        page.wait_for_timeout(100)
    transactions.poll(connection.pk)
    assert Lead.objects.count() == 1
    assert Lead.objects.get().payload["call_result_description_detail"] == "Connected"
