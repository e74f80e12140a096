"""The campaign permission matrix in the browser: the admin hands a campaign over with the owner
picker; a representative is offered no way to change the campaign."""

from playwright.sync_api import expect

from campaignhub.models import Role
from campaigns.models import Campaign
from tests.campaigns.factories import make_campaign
from tests.e2e.test_platform import log_in
from tests.factories import make_account, make_member


def _roofing():
    account = make_account("Acme Agency", "admin@acme.test")
    tenant = type("Tenant", (), {"account": account, "admin": account.memberships.get().user})
    owner = make_member(account, "owner@acme.test", Role.MEMBER, name="Olive Owner")
    rep = make_member(account, "rep@acme.test", Role.MEMBER, name="Rey Rep")
    spare = make_member(account, "spare@acme.test", Role.MEMBER, name="Sam Spare")
    campaign = make_campaign(
        tenant, owner=owner, campaign_name="Roofing", selected_user=[{"id": rep.pk}]
    )
    return campaign, spare


def test_the_admin_hands_a_campaign_to_another_owner(server, page):
    campaign, spare = _roofing()
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/{campaign.pk}/edit/")
    expect(page.get_by_label("Owner", exact=True)).to_have_value(str(campaign.owner_id))
    page.get_by_label("Owner", exact=True).select_option(str(spare.pk))
    page.get_by_role("button", name="Save campaign").click()
    expect(page.get_by_text("Campaign saved.")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("Sam Spare")
    assert Campaign.objects.get(pk=campaign.pk).owner_id == spare.pk


def test_a_representative_sees_the_campaign_but_no_way_to_change_it(server, page):
    campaign, _spare = _roofing()
    log_in(page, server, "rep@acme.test")
    page.goto(f"{server}/campaigns/{campaign.pk}/")
    expect(page.get_by_role("heading", name="Roofing")).to_be_visible()
    expect(page.get_by_role("link", name="Edit")).to_have_count(0)
    expect(page.get_by_role("link", name="Delete")).to_have_count(0)
    expect(page.get_by_role("button", name="Pause")).to_have_count(0)
    page.goto(f"{server}/campaigns/{campaign.pk}/edit/")
    expect(page.locator("#refusal")).to_have_text(
        "Only the campaign's owner or an account admin can change this campaign."
    )
