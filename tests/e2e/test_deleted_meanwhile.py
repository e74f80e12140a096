"""Saving a campaign deleted meanwhile in another tab: the page says so and keeps what was
typed in sight, with a link back to the campaigns."""

from playwright.sync_api import expect

from campaigns import services
from tests.campaigns.factories import make_campaign
from tests.e2e.test_account_and_held_leads import _Tenant
from tests.e2e.test_platform import log_in
from tests.factories import make_account


def test_saving_a_campaign_deleted_in_another_tab_says_so_and_keeps_the_text(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    campaign = make_campaign(_Tenant(account), integration="form", campaign_name="Roofing")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/{campaign.pk}/edit/")
    page.get_by_label("Name", exact=True).fill("Summer roofing")
    services.delete_campaign(campaign=campaign)  # in another tab

    with page.expect_response(f"{server}/campaigns/{campaign.pk}/edit/") as saved:
        page.get_by_role("button", name="Save campaign").click()
    assert saved.value.status == 410
    expect(page.get_by_role("alert")).to_have_text(
        "This campaign was deleted: your changes were not saved."
    )
    expect(page.locator("#typed")).to_contain_text("Summer roofing")
    page.get_by_role("link", name="Campaigns", exact=True).last.click()
    expect(page).to_have_url(f"{server}/campaigns/")
