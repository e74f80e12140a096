"""A form a failed submit reloads starts with the summary of its errors, focused, linking to each
field; each field says its error to a screen reader (aria-invalid, aria-describedby)."""

from playwright.sync_api import expect

from tests.campaigns.factories import make_campaign
from tests.e2e.test_account_and_held_leads import _Tenant
from tests.e2e.test_platform import log_in
from tests.factories import make_account


def test_a_refused_campaign_form_focuses_its_summary_whose_links_reach_the_fields(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/new/")
    page.get_by_label("Lead source").select_option("callrail")
    page.get_by_label("Tracking number").fill("not a number")
    page.get_by_role("button", name="Create campaign").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please fix the highlighted fields.")
    name = page.get_by_label("Name", exact=True)
    expect(name).to_have_attribute("aria-invalid", "true")
    expect(name).to_have_accessible_description("This field is required.")
    expect(page.get_by_label("Tracking number")).to_have_attribute("aria-invalid", "true")

    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(name).to_be_focused()


def test_a_refused_public_form_focuses_its_summary(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    campaign = make_campaign(_Tenant(account), integration="form", campaign_name="Roofing")
    page.goto(f"{server}/f/{campaign.form_secret_id}/")
    page.get_by_label("Name").fill("Ann Visitor")
    page.get_by_label("Phone").fill("not a phone")
    page.get_by_role("button", name="Send").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    phone = page.get_by_label("Phone")
    expect(phone).to_have_attribute("aria-invalid", "true")
    link = summary.get_by_role("link", name="Phone:")
    expect(link).to_be_visible()
    link.click()
    expect(phone).to_be_focused()
