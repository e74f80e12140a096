"""Forms added by the hardening work, submitted in the browser: the account's country, and
capturing the leads a paused webhook campaign held."""

import json

import requests
from playwright.sync_api import expect

from campaignhub.models import Account
from campaigns import services
from campaigns.models import Lead
from tests.campaigns.factories import make_campaign
from tests.e2e.test_platform import log_in
from tests.factories import make_account


class _Tenant:
    def __init__(self, account):
        self.account = account
        self.admin = account.memberships.get().user


def test_the_accounts_country_changes_how_phones_read(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    campaign = make_campaign(_Tenant(account), campaign_name="London")
    services.capture_lead(
        campaign=campaign, source="form", external_id="gb-1", phone="+442079460018"
    )
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/")
    page.get_by_label("Country").fill("gb")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Account saved.")).to_be_visible()
    assert Account.objects.get(pk=account.pk).country == "GB"
    page.goto(f"{server}/leads/")
    expect(page.locator("span.phone[title='+442079460018']")).to_have_text("020 7946 0018")


def test_the_account_time_zone_takes_iana_names_only(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/")
    # `localtime` is a file of the server's zone directory (its own setting), not a time zone.
    page.get_by_label("Time zone").fill("localtime")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".field.has-error")).to_contain_text(
        "Choose a time zone such as America/New_York or UTC."
    )
    assert Account.objects.get(pk=account.pk).timezone == "UTC"
    page.get_by_label("Time zone").fill("Europe/Berlin")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Account saved.")).to_be_visible()
    assert Account.objects.get(pk=account.pk).timezone == "Europe/Berlin"


def test_leads_held_while_paused_are_captured_from_the_campaign_page(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    campaign = make_campaign(_Tenant(account), integration="webhook", campaign_name="Chat")
    services.update_campaign(campaign=campaign, changes={"status": False})
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/{campaign.pk}/")
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    expect(page.get_by_text("while it was paused")).to_have_count(0)

    response = requests.post(
        f"{server}/webhooks/leads/{campaign.webhook_token}/",
        data=json.dumps({"external_id": "held-1", "name": "Held Lead", "phone": "+14155550111"}),
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert response.status_code == 200
    # The open page counts the held lead as it comes.
    notice = page.get_by_text("reached this campaign's webhook while it was paused")
    expect(notice).to_be_visible(timeout=15000)
    activate_then_capture = "Activate the campaign, then capture it here with “Capture it now”."
    expect(page.get_by_text(activate_then_capture)).to_be_visible()
    status = page.locator(".status-block")
    status.get_by_role("button", name="Activate").click()
    # The notice below the status block comes with it, now offering the capture.
    expect(page.locator("#messages")).to_contain_text("Campaign activated.")
    expect(status).to_contain_text("Active")
    page.get_by_role("button", name="Capture it now").click()
    expect(page.locator("tbody tr", has_text="Held Lead")).to_be_visible()
    assert Lead.objects.get().external_id == "held-1"


def test_a_paused_forms_submissions_are_held_counted_live_and_captured(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    campaign = make_campaign(_Tenant(account), integration="form", campaign_name="Roofing")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/{campaign.pk}/")
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    page.locator(".status-block").get_by_role("button", name="Pause").click()
    # The page says, live, that the form still takes submissions and holds them.
    expect(page.get_by_text("Its public form still takes submissions")).to_be_visible()

    visitor = page.context.browser.new_context().new_page()
    visitor.goto(page.locator("#form-url").inner_text())
    visitor.get_by_label("Name").fill("Held Visitor")
    visitor.get_by_label("Phone").fill("(415) 555-0111")
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.get_by_text("Thank you!")).to_be_visible()
    # Back and Send again is the same submission: still one held lead.
    visitor.go_back()
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.get_by_text("Thank you!")).to_be_visible()

    notice = page.get_by_text("1 lead reached this campaign's public form while it was paused")
    expect(notice).to_be_visible(timeout=15000)
    page.locator(".status-block").get_by_role("button", name="Activate").click()
    expect(page.locator("#messages")).to_contain_text("Campaign activated.")
    page.get_by_role("button", name="Capture it now").click()
    expect(page.locator("tbody tr", has_text="Held Visitor")).to_be_visible()
    assert Lead.objects.get().name == "Held Visitor"
    visitor.context.close()


def test_a_deleted_forms_link_says_it_is_no_longer_available(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    campaign = make_campaign(_Tenant(account), integration="form", campaign_name="Roofing")
    services.delete_campaign(campaign=campaign)
    response = page.goto(f"{server}/f/{campaign.form_secret_id}/")
    assert response.status == 410
    expect(page.get_by_role("heading", name="This form is no longer available.")).to_be_visible()
