"""Incoming deliveries in the browser, at a desktop's and a phone's width: an admin goes from
Settings to the list, sees a refused lead webhook post with its campaign and reason, opens a
failed one, reads its body, and replays it into a lead."""

import json
import re
from types import SimpleNamespace

import pytest
import requests
from playwright.sync_api import expect

from campaignhub import inbound
from campaignhub.models import DeliveryStatus, InboundDelivery
from campaigns.models import Lead
from tests.campaigns.factories import make_campaign
from tests.e2e.test_platform import log_in
from tests.factories import make_account

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _post_lead(server, campaign, payload):
    return requests.post(
        f"{server}/webhooks/leads/{campaign.webhook_token}/",
        data=json.dumps(payload),
        headers={"Content-Type": "application/json", "X-Webhook-Token": "sk_live_never_shown"},
        timeout=10,
    )


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_an_admin_reads_a_refused_post_and_replays_a_failed_one(server, page, viewport, tmp_path):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    campaign = make_campaign(
        SimpleNamespace(account=account, admin=admin),
        integration="webhook",
        campaign_name="Spring roofing offer",
    )
    make_campaign(
        SimpleNamespace(account=account, admin=admin),
        integration="webhook",
        campaign_name="Other offer",
    )
    assert _post_lead(server, campaign, {"name": "No Way To Call"}).status_code == 400
    assert _post_lead(server, campaign, {"name": "Ann Lee", "phone": "+14155550134"}).ok
    failed = InboundDelivery.objects.get(status=DeliveryStatus.PROCESSED)
    # As if the database had refused the lead for good: no lead, a failed delivery.
    Lead.objects.all().delete()
    InboundDelivery.objects.filter(pk=failed.pk).update(
        status=DeliveryStatus.FAILED, error="OperationalError: database is locked"
    )

    page.set_viewport_size(viewport)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/")
    page.get_by_role("link", name="Incoming deliveries").click()
    expect(page.get_by_role("heading", name="Incoming deliveries")).to_be_visible()
    expect(page.locator("body")).to_contain_text("the public form submissions held while")
    rows = page.locator("#inbound-delivery-rows tr:not(.empty-row)")
    expect(rows).to_have_count(2)
    refused = rows.nth(1)
    expect(refused).to_contain_text("Lead webhook")
    expect(refused).to_contain_text("Spring roofing offer")
    expect(refused).to_contain_text("Rejected")
    expect(refused).to_contain_text("phone")
    # Times read to the second, so deliveries of one minute differ.
    expect(refused.locator('td[data-label="Received"] time')).to_have_text(
        re.compile(r"^\d{1,2} \w{3} \d{4}, \d{2}:\d{2}:\d{2}$")
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    if viewport is PHONE:
        # A card per row: each cell on its own line after its column's name.
        label = refused.locator('td[data-label="Status"]').evaluate(
            "cell => getComputedStyle(cell, '::before').content"
        )
        assert label == '"Status"'

    page.screenshot(path=tmp_path / "list.png", full_page=True)
    page.get_by_label("Status").select_option("failed")
    expect(rows).to_have_count(1)
    expect(page).to_have_url(f"{server}/settings/deliveries/?source=&status=failed&campaign=")
    rows.first.get_by_role("link", name="Details").click()

    expect(page.locator("#delivery-error")).to_contain_text("OperationalError: database is locked")
    expect(page.locator("#delivery-body")).to_contain_text('"name": "Ann Lee"')
    expect(page.locator("#delivery-headers")).to_contain_text("(hidden)")
    expect(page.locator("body")).not_to_contain_text("sk_live_never_shown")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.screenshot(path=tmp_path / "delivery.png", full_page=True)

    expect(
        page.get_by_role("heading", name=f"Lead webhook · Lead · delivery #{failed.pk}")
    ).to_be_visible()
    page.get_by_role("button", name="Replay").click()
    expect(page.locator("#messages")).to_contain_text("1 delivery queued for processing again.")
    expect(page.locator("#inbound-delivery")).to_contain_text("Processed")
    assert Lead.objects.filter(campaign=campaign, name="Ann Lee").count() == 1
    # The page links the lead the delivery made.
    page.locator("#delivery-lead").get_by_role("link", name="Ann Lee").click()
    expect(page.get_by_role("heading", name="Ann Lee")).to_be_visible()
    page.go_back()

    page.get_by_role("link", name="Spring roofing offer").click()
    expect(page.get_by_role("heading", name="Spring roofing offer")).to_be_visible()
    page.get_by_role("link", name="Deliveries to this campaign").click()
    expect(page.get_by_label("Campaign")).to_have_value(str(campaign.pk))
    expect(rows).to_have_count(2)
    page.get_by_label("Campaign").select_option(label="Other offer · Webhook")
    expect(rows).to_have_count(0)
    expect(page.locator("#delivery-table")).to_contain_text("No deliveries match these filters.")
    page.get_by_label("Campaign").select_option("")
    expect(rows).to_have_count(2)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_delivery_held_for_its_paused_campaign_is_not_offered_replay(
    server, page, viewport, tmp_path
):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    campaign = make_campaign(
        SimpleNamespace(account=account, admin=admin),
        integration="webhook",
        campaign_name="Spring roofing offer",
        status=False,
    )
    assert _post_lead(server, campaign, {"name": "Ann Lee", "phone": "+14155550134"}).ok
    held = InboundDelivery.objects.get()

    page.set_viewport_size(viewport)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/deliveries/{held.pk}/")
    expect(
        page.get_by_role("heading", name=f"Lead webhook · delivery #{held.pk}", exact=True)
    ).to_be_visible()
    note = page.locator("#delivery-held")
    expect(note).to_contain_text("Held, not lost: Spring roofing offer is paused.")
    expect(note).to_contain_text("captured with “Capture it now” on the campaign's page")
    expect(note).to_contain_text("The campaign is paused; the lead is stored")
    expect(page.locator("#delivery-error")).to_have_count(0)
    expect(page.get_by_role("button", name="Replay")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.screenshot(path=tmp_path / "held.png", full_page=True)
    note.get_by_role("link", name="the campaign's page").click()
    expect(page.get_by_role("heading", name="Spring roofing offer")).to_be_visible()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_processed_delivery_of_a_paused_campaign_is_not_offered_replay(
    server, page, viewport, tmp_path
):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    campaign = make_campaign(
        SimpleNamespace(account=account, admin=admin),
        integration="webhook",
        campaign_name="Spring roofing offer",
    )
    assert _post_lead(server, campaign, {"name": "Ann Lee", "phone": "+14155550134"}).ok
    processed = InboundDelivery.objects.get()
    campaign.status = False
    campaign.save(update_fields=["status"])

    page.set_viewport_size(viewport)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/deliveries/{processed.pk}/")
    expect(page.locator("#replay-note")).to_have_text(inbound.PAUSED_NOT_REPLAYED)
    expect(page.get_by_role("button", name="Replay")).to_have_count(0)
    expect(page.locator("#delivery-held")).to_have_count(0)
    expect(page.locator("#delivery-lead")).to_contain_text("Ann Lee")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.screenshot(path=tmp_path / "paused.png", full_page=True)
