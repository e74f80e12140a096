"""A paused campaign's empty lead list says, live, that what reached it is held, pointing to
the held notice, rather than that no lead came."""

import json

import requests
from playwright.sync_api import expect

from campaigns import services
from tests.campaigns.factories import make_campaign
from tests.e2e.test_account_and_held_leads import _Tenant
from tests.e2e.test_platform import log_in
from tests.factories import make_account

HELD = "No leads here yet: what reached this campaign while it was paused is held, not lost"


def test_the_empty_lead_list_says_a_lead_is_held(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    campaign = make_campaign(_Tenant(account), integration="webhook", campaign_name="Chat")
    services.update_campaign(campaign=campaign, changes={"status": False})
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/{campaign.pk}/")
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    empty = page.locator(".empty-row")
    expect(empty).to_have_text("No leads yet. They appear here the moment they arrive.")

    response = requests.post(
        f"{server}/webhooks/leads/{campaign.webhook_token}/",
        data=json.dumps({"external_id": "held-1", "name": "Held Lead", "phone": "+14155550111"}),
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert response.status_code == 200
    expect(empty).to_contain_text(HELD, timeout=15000)
    expect(empty).to_contain_text("(see the notice above)")

    page.locator(".status-block").get_by_role("button", name="Activate").click()
    expect(empty).to_contain_text("once it is captured")
    page.get_by_role("button", name="Capture it now").click()
    expect(page.locator("tbody tr", has_text="Held Lead")).to_be_visible()
    page.reload()
    expect(page.locator(".empty-row")).not_to_be_visible()
