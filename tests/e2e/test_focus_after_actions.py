"""After an in-page action, focus stays where the keyboard user was (the control used, or the
field to fix) instead of falling to the top of the page, and what happened is announced in
the page's polite live region."""

from playwright.sync_api import expect

from campaigns import services
from campaigns.models import LeadSource
from crm.models import Deal
from tests.deals.conftest import deal_campaign
from tests.e2e.test_account_and_held_leads import _Tenant
from tests.e2e.test_platform import log_in
from tests.factories import make_account, make_member

ACTIVE_IS_BODY = "() => document.activeElement === document.body"


def _settled(page):
    page.wait_for_function("() => !document.querySelector('.htmx-settling, .htmx-request')")


def _lead(account):
    tenant = _Tenant(account)
    tenant.member = make_member(account, "rep@acme.test", name="Riley Rep")
    campaign = deal_campaign(tenant)
    lead, _ = services.capture_lead(
        campaign=campaign, source=LeadSource.FORM, external_id="one", name="Live Tester"
    )
    return campaign, lead


def test_save_outcome_keeps_focus_and_announces_it(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    _, lead = _lead(account)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/{lead.pk}/")
    live = page.locator("#messages")
    expect(live).to_have_attribute("aria-live", "polite")

    page.get_by_label("Status").select_option("contacted")
    page.get_by_role("button", name="Save outcome").focus()
    page.keyboard.press("Enter")
    expect(live.get_by_role("status")).to_have_text("Outcome saved.")
    _settled(page)
    assert not page.evaluate(ACTIVE_IS_BODY)
    expect(page.get_by_role("button", name="Save outcome")).to_be_focused()

    page.get_by_label("Status").select_option("won")
    page.get_by_label("Revenue").fill("abc")
    page.get_by_role("button", name="Save outcome").focus()
    page.keyboard.press("Enter")
    revenue = page.get_by_label("Revenue")
    expect(revenue).to_have_attribute("aria-invalid", "true")
    _settled(page)
    expect(revenue).to_be_focused()


def test_assign_keeps_focus_on_its_button(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    _, lead = _lead(account)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/{lead.pk}/")
    page.get_by_label("Representative").select_option(label="Unassigned")
    page.get_by_role("button", name="Assign").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#messages").get_by_role("status")).to_be_visible()
    _settled(page)
    expect(page.get_by_role("button", name="Assign")).to_be_focused()


def test_pause_moves_focus_to_activate(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    campaign, _ = _lead(account)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/{campaign.pk}/")
    page.get_by_role("button", name="Pause").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#messages").get_by_role("status")).to_have_text("Campaign paused.")
    _settled(page)
    expect(page.get_by_role("button", name="Activate")).to_be_focused()


def test_a_deal_move_is_announced_and_focus_returns_to_its_card(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    _, lead = _lead(account)
    deal = Deal.objects.get(lead=lead)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/deals/")
    card = page.locator(f"#deal-{deal.pk}")
    card.locator("summary").focus()
    page.keyboard.press("Enter")
    button = card.get_by_role("button", name=f"Move {deal.title} to Contacted")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#messages").get_by_role("status")).to_have_text(
        f"Moved {deal.title} to Contacted."
    )
    _settled(page)
    expect(page.locator(f"#deal-{deal.pk} summary")).to_be_focused()


def test_a_live_update_that_redraws_the_focused_control_gives_focus_to_its_twin(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    campaign, _ = _lead(account)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/{campaign.pk}/")
    page.wait_for_function(
        "() => document.getElementById('live-status')?.classList.contains('connected')"
    )
    _settled(page)
    page.get_by_role("button", name="Pause").focus()
    # The campaign is paused in another tab: this page's live update redraws its buttons.
    other = page.context.new_page()
    other.goto(f"{server}/campaigns/{campaign.pk}/")
    other.get_by_role("button", name="Pause").click()
    expect(page.get_by_role("button", name="Activate")).to_be_visible()
    _settled(page)
    expect(page.get_by_role("button", name="Activate")).to_be_focused()
