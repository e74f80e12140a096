"""The campaign form shows the fields of the chosen lead source only, and saves either way."""

import pytest
from playwright.sync_api import expect

from campaigns.models import Campaign
from tests.e2e.test_platform import log_in
from tests.factories import make_account

# lead source -> which of the source-specific fields its campaigns use
SHOWN = {
    "callrail": {"Tracking number", "Landing page URL"},
    "invoca": {"Invoca advertiser campaign"},
    "dialer": set(),
    "form": {"Tracking number", "Landing page URL", "Page or form id (optional)"},
    "webhook": {"Tracking number", "Landing page URL", "Page or form id (optional)"},
}
FIELDS = set().union(*SHOWN.values())


def expect_fields_of(page, source):
    for label in FIELDS:
        field = page.get_by_label(label, exact=True)
        if label in SHOWN[source]:
            expect(field, f"{label} for {source}").to_be_visible()
        else:
            expect(field, f"{label} for {source}").to_be_hidden()


@pytest.fixture
def acme(server):
    return make_account("Acme Agency", "admin@acme.test")


def test_choosing_each_lead_source_shows_its_fields_and_hides_the_others(server, acme, page):
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/new/")
    expect_fields_of(page, "form")  # the default
    for source in ["callrail", "invoca", "dialer", "webhook", "form", "callrail"]:
        page.get_by_label("Lead source").select_option(source)
        expect_fields_of(page, source)


def test_a_value_typed_before_the_source_changed_does_not_block_the_save(server, acme, page):
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/new/")
    page.get_by_label("Name", exact=True).fill("Outbound roofing")
    page.get_by_label("Lead source").select_option("callrail")
    page.get_by_label("Tracking number", exact=True).fill("not a number")
    page.get_by_label("Landing page URL").fill("brochure")
    page.get_by_label("Lead source").select_option("dialer")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", name="Outbound roofing")).to_be_visible()
    campaign = Campaign.objects.get(campaign_name="Outbound roofing")
    assert (campaign.integration, campaign.tracking_number, campaign.page_url) == ("dialer", "", "")


def test_editing_a_campaign_opens_with_its_sources_fields_and_keeps_the_hidden_ones(
    server, acme, page
):
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/new/")
    page.get_by_label("Name", exact=True).fill("Web leads")
    page.get_by_label("Lead source").select_option("webhook")
    page.get_by_label("Tracking number", exact=True).fill("(415) 555-0190")
    page.get_by_label("Landing page URL").fill("https://example.com/roof/")
    page.get_by_label("Page or form id").fill("fb-42")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", name="Web leads")).to_be_visible()
    details = page.locator(".facts")
    expect(details).to_contain_text("Landing page")
    expect(details).to_contain_text("example.com/roof")

    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Lead source")).to_have_value("webhook")
    expect_fields_of(page, "webhook")
    expect(page.get_by_label("Landing page URL")).to_have_value("https://example.com/roof")
    page.get_by_label("Lead source").select_option("dialer")
    expect_fields_of(page, "dialer")
    page.get_by_role("button", name="Save campaign").click()
    expect(page.get_by_text("Campaign saved.")).to_be_visible()
    # The kept values route nothing now: the details list only the dialer's.
    expect(details).to_contain_text("Dialer")
    expect(details).not_to_contain_text("Landing page")
    expect(details).not_to_contain_text("Tracking number")
    expect(details).not_to_contain_text("example.com/roof")

    page.get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Lead source")).to_have_value("dialer")
    expect_fields_of(page, "dialer")
    campaign = Campaign.objects.get(campaign_name="Web leads")
    assert (campaign.tracking_number, campaign.page_url, campaign.page_id) == (
        "+14155550190",
        "https://example.com/roof",
        "fb-42",
    )


def test_without_scripts_every_field_shows_and_says_which_sources_use_it(server, acme, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/new/")
    for label in FIELDS:
        expect(page.get_by_label(label, exact=True)).to_be_visible()
    expect(page.get_by_text("Used by Lead form and Webhook campaigns.")).to_be_visible()
    context.close()


def test_deal_fields_show_only_for_a_campaign_that_creates_deals(server, acme, page):
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/new/")
    deal_fields = [page.get_by_label(label) for label in ("Pipeline", "Deal value", "Currency")]
    for field in deal_fields:
        expect(field).to_be_hidden()
    page.get_by_label("Create a deal for each lead").check()
    for field in deal_fields:
        expect(field).to_be_visible()
    page.get_by_label("Add leads to the CRM").uncheck()
    expect(page.get_by_label("Add each lead as a")).to_be_hidden()
    page.get_by_label("Add leads to the CRM").check()
    expect(page.get_by_label("Add each lead as a")).to_be_visible()

    page.get_by_label("Name", exact=True).fill("Spring roofing")
    page.get_by_label("Deal value").fill("1500")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", name="Spring roofing")).to_be_visible()
    campaign = Campaign.objects.get()
    assert campaign.create_deal and str(campaign.deal_value) == "1500.00"


def test_a_deal_value_typed_before_unticking_create_deal_does_not_block_the_save(
    server, acme, page
):
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/new/")
    page.get_by_label("Name", exact=True).fill("Summer roofing")
    page.get_by_label("Create a deal for each lead").check()
    page.get_by_label("Deal value").fill("-5")
    page.get_by_label("Create a deal for each lead").uncheck()
    expect(page.get_by_label("Deal value")).to_be_hidden()
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", name="Summer roofing")).to_be_visible()
    campaign = Campaign.objects.get()
    assert (campaign.create_deal, campaign.deal_value) == (False, None)

    # Editing: the stored deal settings stay while the box is unticked.
    Campaign.objects.filter(pk=campaign.pk).update(deal_value=1500)
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Create a deal for each lead").check()
    page.get_by_label("Deal value").fill("-5")
    page.get_by_label("Create a deal for each lead").uncheck()
    page.get_by_role("button", name="Save campaign").click()
    expect(page.get_by_text("Campaign saved.")).to_be_visible()
    campaign.refresh_from_db()
    assert (campaign.create_deal, str(campaign.deal_value)) == (False, "1500.00")
