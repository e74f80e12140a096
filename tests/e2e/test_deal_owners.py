"""A deal's owner in the browser: a deal whose owner left keeps them when its page is saved,
and the board finds their deals; a member who owns a deal of a campaign they do not work sees
its lead and campaign named without links."""

from playwright.sync_api import expect

from campaignhub import services as platform
from crm import deals
from crm.models import Deal
from tests.deals.conftest import capture, deal_campaign
from tests.e2e.test_deals import _tenant
from tests.e2e.test_platform import log_in
from tests.factories import make_member


def test_a_deal_whose_owner_left_keeps_them_when_saved_and_the_board_finds_it(server, page):
    tenant = _tenant()
    theo = make_member(tenant.account, "theo@acme.test", name="Theo Temp")
    deal = Deal.objects.get(lead=capture(deal_campaign(tenant), name="Jordan Miles"))
    deals.update_deal(deal=deal, changes={"owner": theo}, actor=tenant.admin)
    platform.remove_member(
        membership=tenant.account.memberships.get(user=theo), removed_by=tenant.admin
    )

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/deals/{deal.pk}/")
    owner = page.get_by_label("Owner")
    expect(owner.locator("option:checked")).to_have_text("Theo Temp (no longer a member)")
    page.get_by_label("Value").fill("1800")
    page.get_by_role("button", name="Save deal").click()
    expect(page.get_by_text("Deal saved.")).to_be_visible()
    expect(page.locator(f"#deal-{deal.pk}-facts")).to_contain_text("USD 1,800.00")
    expect(page.locator(f"#deal-{deal.pk}-facts")).to_contain_text("Theo Temp")
    deal.refresh_from_db()
    assert deal.owner == theo

    page.get_by_role("link", name="Sales board").click()
    page.locator("#board-owner").select_option(label="Theo Temp (no longer a member)")
    expect(page).to_have_url(f"{server}/deals/?pipeline={deal.pipeline_id}&owner={theo.pk}")
    expect(page.locator(f"#deal-{deal.pk}")).to_be_visible()


def test_a_deal_owner_sees_what_they_cannot_open_named_without_links(server, page):
    tenant = _tenant()
    nina = make_member(tenant.account, "nina@acme.test", name="Nina New")
    deal = Deal.objects.get(
        lead=capture(deal_campaign(tenant, name="Roofing"), name="Jordan Miles")
    )
    deals.update_deal(deal=deal, changes={"owner": nina}, actor=tenant.admin)

    log_in(page, server, "nina@acme.test")
    page.goto(f"{server}/deals/{deal.pk}/")
    facts = page.locator(f"#deal-{deal.pk}-facts")
    expect(facts).to_contain_text("Jordan Miles")
    expect(facts).to_contain_text("Roofing")
    lead_link = facts.locator(f'a[href="/leads/{deal.lead_id}/"]')
    expect(lead_link).to_have_count(0)
    expect(facts.get_by_role("link", name="Roofing")).to_have_count(0)
    # Theirs to move all the same: a lost stage loses the lead.
    page.get_by_label("Stage").select_option(label="Lost")
    page.get_by_role("button", name="Save deal").click()
    expect(page.get_by_text("Deal saved.")).to_be_visible()
    expect(facts).to_contain_text("Lost")
    expect(lead_link).to_have_count(0)
    deal.lead.refresh_from_db()
    assert deal.lead.status == "lost"
