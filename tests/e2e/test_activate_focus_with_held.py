"""Activating a paused campaign that holds leads keeps the keyboard user's place: focus moves
from Activate to the Pause button that replaced it, and the held notice below offers the
capture, without the page being drawn again (which dropped focus to the page itself)."""

import json

import requests
from playwright.sync_api import expect

from campaigns import services
from tests.campaigns.factories import make_campaign
from tests.e2e.test_account_and_held_leads import _Tenant
from tests.e2e.test_platform import log_in
from tests.factories import make_account


def test_activate_with_a_held_lead_moves_focus_to_pause(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    campaign = make_campaign(_Tenant(account), integration="webhook", campaign_name="Chat")
    services.update_campaign(campaign=campaign, changes={"status": False})
    response = requests.post(
        f"{server}/webhooks/leads/{campaign.webhook_token}/",
        data=json.dumps({"external_id": "held-1", "name": "Held Lead", "phone": "+14155550111"}),
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert response.status_code == 200
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/{campaign.pk}/")
    expect(page.get_by_text("Activate the campaign, then capture it here")).to_be_visible()
    page.evaluate("() => { window.stillThisPage = true; }")

    page.locator(".status-block").get_by_role("button", name="Activate").focus()
    page.keyboard.press("Enter")

    expect(page.locator("#messages").get_by_role("status")).to_have_text("Campaign activated.")
    expect(page.locator(".status-block").get_by_role("button", name="Pause")).to_be_focused()
    expect(page.get_by_role("button", name="Capture it now")).to_be_visible()
    expect(page.get_by_text("Activate the campaign, then capture it here")).to_have_count(0)
    assert page.evaluate("() => window.stillThisPage === true")
