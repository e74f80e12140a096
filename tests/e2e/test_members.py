"""The Members page in the browser: removing someone hands their campaigns to the admin who
removed them."""

from playwright.sync_api import expect

from campaigns.models import Campaign
from tests.e2e.test_platform import log_in
from tests.factories import make_account, make_member


def test_a_removed_members_campaign_is_owned_by_the_admin_who_removed_them(server, page, browser):
    acme = make_account("Acme Agency", "admin@acme.test")
    admin = acme.memberships.get().user
    admin.name = "Dana Boss"
    admin.save()
    make_member(acme, "rep@acme.test", name="Riley Rep")

    rep = browser.new_context().new_page()
    log_in(rep, server, "rep@acme.test")
    rep.goto(f"{server}/campaigns/new/")
    rep.get_by_label("Name", exact=True).fill("Solar leads")
    rep.get_by_role("button", name="Create campaign").click()
    expect(rep.locator("#messages")).to_contain_text("Campaign “Solar leads” created.")
    campaign = Campaign.objects.get(campaign_name="Solar leads")

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/members/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#members tr", has_text="rep@acme.test").get_by_role(
        "button", name="Remove"
    ).click()
    expect(page.locator("#messages")).to_contain_text(
        "Riley Rep removed from Acme Agency; their 1 campaign is now owned by you."
    )
    expect(page.locator("#members")).not_to_contain_text("rep@acme.test")

    page.goto(f"{server}/campaigns/{campaign.pk}/")
    expect(
        page.locator("dt", has_text="Owner").locator("xpath=following-sibling::dd[1]")
    ).to_have_text("Dana Boss")
    expect(page.get_by_text("is no longer a member of the account")).to_have_count(0)
    page.goto(f"{server}/campaigns/{campaign.pk}/edit/")
    expect(page.get_by_label("Owner")).to_have_value(str(admin.pk))
