"""Deals in the browser: the board shows a lead's deal, a button moves it to Won (and a second
tab follows live), drag-and-drop moves another, the moves survive a reload and the lead page
shows the outcome; the pipeline settings, a deal's page and the campaign form's pipeline and
stage selects are submitted as people submit them."""

import re
from datetime import timedelta
from types import SimpleNamespace

from playwright.sync_api import expect

from campaigns import outcomes
from campaigns.models import Campaign, Lead
from crm import deals
from crm.models import Deal, Pipeline
from tests.deals.conftest import capture, deal_campaign
from tests.e2e.test_platform import log_in
from tests.factories import make_account, make_member


def _tenant():
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    member = make_member(account, "rep@acme.test", name="Riley Rep")
    return SimpleNamespace(account=account, admin=admin, member=member)


def _stage_id(tenant, name):
    return Pipeline.objects.get(account=tenant.account, name="Sales").stages.get(name=name).pk


def test_move_a_deal_to_won_by_button_and_by_drag_and_drop(server, page):
    tenant = _tenant()
    campaign = deal_campaign(tenant)
    jordan = capture(campaign, name="Jordan Miles", phone="+14155550181")
    priya = capture(campaign, name="Priya Shah", phone="+14155550182")
    jordan_deal, priya_deal = (Deal.objects.get(lead=lead) for lead in (jordan, priya))
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))

    log_in(page, server, "admin@acme.test")
    page.get_by_role("link", name="Deals").click()
    expect(page.get_by_role("heading", name="Deals", exact=True)).to_be_visible()
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    new_column = page.locator(f"#stage-{_stage_id(tenant, 'New')}")
    won_column = page.locator(f"#stage-{_stage_id(tenant, 'Won')}")
    qualified_column = page.locator(f"#stage-{_stage_id(tenant, 'Qualified')}")
    expect(new_column.locator(f"#deal-{jordan_deal.pk}")).to_contain_text("USD 1,500.00")
    expect(new_column).to_contain_text("2 deals · USD 3,000.00")

    # A second tab watches the same board.
    watcher = page.context.new_page()
    watcher.on("console", lambda m: m.type == "error" and errors.append(m.text))
    watcher.goto(f"{server}/deals/")
    expect(watcher.locator("#live-status")).to_have_class("live-status connected")
    expect(
        watcher.locator(f"#stage-{_stage_id(tenant, 'New')} #deal-{jordan_deal.pk}")
    ).to_be_visible()

    card = page.locator(f"#deal-{jordan_deal.pk}")
    card.get_by_text("Move", exact=True).click()
    card.get_by_role("button", name="Move Jordan Miles to Won").click()
    expect(won_column.locator(f"#deal-{jordan_deal.pk}")).to_be_visible()
    expect(won_column).to_contain_text("1 deal · USD 1,500.00")
    expect(new_column.locator(f"#deal-{jordan_deal.pk}")).to_have_count(0)
    # The other tab follows without a reload.
    expect(
        watcher.locator(f"#stage-{_stage_id(tenant, 'Won')} #deal-{jordan_deal.pk}")
    ).to_be_visible(timeout=10000)

    # Drag-and-drop posts the same move.
    page.locator(f"#deal-{priya_deal.pk}").drag_to(qualified_column)
    expect(qualified_column.locator(f"#deal-{priya_deal.pk}")).to_be_visible()

    page.reload()
    expect(won_column.locator(f"#deal-{jordan_deal.pk}")).to_be_visible()
    expect(qualified_column.locator(f"#deal-{priya_deal.pk}")).to_be_visible()
    assert Deal.objects.get(pk=priya_deal.pk).stage.name == "Qualified"

    # The deal's lead is won, with the deal's value as revenue.
    won_column.get_by_role("link", name="Jordan Miles").click()
    expect(page.locator(f"#deal-{jordan_deal.pk}-facts")).to_contain_text("Won")
    page.locator(f"#deal-{jordan_deal.pk}-facts a[href='/leads/{jordan.pk}/']").click()
    outcome = page.locator(f"#lead-{jordan.pk}-outcome")
    expect(outcome.locator("[data-status]")).to_have_text("Won")
    expect(outcome.locator("[data-revenue]")).to_contain_text("1,500.00")
    lead = Lead.objects.get(pk=jordan.pk)
    assert (lead.status, str(lead.revenue)) == ("won", "1500.00")
    assert errors == []


def test_an_outcome_saved_on_the_lead_page_moves_its_deal_line_at_once(server, page):
    """The save's answer and the live frame both carry the page's facts; whichever comes
    first, the Deal line and the Updated time follow without a reload or a console error."""
    tenant = _tenant()
    jordan = capture(deal_campaign(tenant), name="Jordan Miles", phone="+14155550181")
    # Arrived a while ago: "Updated" shows once a save moves the time past the arrival's second.
    earlier = jordan.created_at - timedelta(minutes=5)
    Lead.objects.filter(pk=jordan.pk).update(created_at=earlier, updated_at=earlier)
    deal = Deal.objects.get(lead=jordan)
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/{jordan.pk}/")
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    facts = page.locator(f"#lead-{jordan.pk}-changing-facts")
    expect(facts.locator("[data-deal-stage]")).to_have_text("New")
    outcome = page.locator(f"#lead-{jordan.pk}-outcome")
    for status, stage in (("won", "Won"), ("qualified", "Qualified"), ("won", "Won")):
        outcome.get_by_label("Status").select_option(status)
        outcome.get_by_role("button", name="Save outcome").click()
        expect(outcome.locator("[data-status]")).to_have_attribute("data-status", status)
        expect(facts.locator("[data-deal-stage]")).to_have_text(stage)
        assert Deal.objects.get(pk=deal.pk).stage.name == stage
    # Each save says so, once: the live frame that redrew the form does not swallow it.
    expect(page.locator("#messages [data-htmx-notice]")).to_have_text(["Outcome saved."])
    expect(facts.locator("[data-updated]")).to_be_visible()
    page.wait_for_timeout(500)
    assert errors == []


def test_the_board_names_its_pipeline_and_a_long_name_keeps_its_buttons_reachable(server, page):
    tenant = _tenant()
    # No break opportunity: the card must wrap it rather than spill over the next column.
    long_name = "Bartholomew_Fitzwilliam_Montgomery_Worthington_Smythe"
    deal = Deal.objects.get(lead=capture(deal_campaign(tenant), name=long_name))
    sales = Pipeline.objects.get(account=tenant.account, name="Sales")
    log_in(page, server, "admin@acme.test")

    page.get_by_role("link", name="Deals").click()
    expect(page).to_have_url(re.compile(rf"/deals/\?pipeline={sales.pk}$"))
    expect(page.get_by_label("Pipeline", exact=True)).to_have_value(str(sales.pk))
    card = page.locator(f"#deal-{deal.pk}")
    card.get_by_text("Move", exact=True).click()
    card.get_by_role("button", name=f"Move {long_name} to Lost").click()
    lost = page.locator(f"#stage-{_stage_id(tenant, 'Lost')}")
    expect(lost.locator(f"#deal-{deal.pk}")).to_be_visible()
    assert Deal.objects.get(pk=deal.pk).stage.name == "Lost"
    # Back to the board as it was: the pipeline select still names the pipeline shown.
    page.get_by_label("Owner").select_option(str(tenant.admin.pk))
    expect(page.locator("#board-empty")).to_contain_text("No deal in Sales is owned by")
    expect(page).to_have_url(re.compile(rf"owner={tenant.admin.pk}"))
    page.go_back()
    expect(page.get_by_label("Pipeline", exact=True)).to_have_value(str(sales.pk))
    expect(page.get_by_label("Owner")).to_have_value("")


def test_a_board_filter_it_cannot_use_is_named_and_choosing_another_shows_the_deals(server, page):
    """`/deals/?pipeline=<id>&owner=999999` named nothing and showed everyone's deals."""
    tenant = _tenant()
    deal = Deal.objects.get(lead=capture(deal_campaign(tenant), name="Jordan Miles"))
    sales = Pipeline.objects.get(account=tenant.account, name="Sales")
    log_in(page, server, "admin@acme.test")

    answer = page.goto(f"{server}/deals/?pipeline={sales.pk}&owner=999999")
    assert answer.status == 400
    expect(page.locator("#filter-errors")).to_have_text(
        "These filters cannot be used: Owner: Choose a member of this account. Choose others above."
    )
    expect(page.locator(f"#deal-{deal.pk}")).to_have_count(0)
    # Choosing an owner above shows their deals.
    page.get_by_label("Owner").select_option(str(deal.owner_id))
    expect(page.locator(f"#deal-{deal.pk}")).to_be_visible()
    expect(page.locator("#filter-errors")).to_have_count(0)

    page.goto(f"{server}/deals/?pipeline=abc")
    expect(page.locator("#filter-errors")).to_contain_text(
        "Pipeline: Enter a whole number in digits 0-9."
    )
    page.get_by_role("link", name="Back to the board").click()
    expect(page).to_have_url(re.compile(rf"/deals/\?pipeline={sales.pk}$"))
    expect(page.locator(f"#deal-{deal.pk}")).to_be_visible()


def test_pipeline_settings_deal_page_and_campaign_form(server, page):
    tenant = _tenant()
    deal = Deal.objects.get(lead=capture(deal_campaign(tenant, name="Roofing")))
    log_in(page, server, "admin@acme.test")

    # Settings → Pipelines: add a pipeline and a stage; a stage holding deals stays.
    page.goto(f"{server}/settings/")
    page.get_by_role("link", name="Pipelines").click()
    page.get_by_label("New pipeline").fill("Renewals")
    page.get_by_role("button", name="Add pipeline").click()
    expect(page.get_by_text("Pipeline “Renewals” added.")).to_be_visible()
    page.get_by_label("New stage in Renewals", exact=True).fill("Quote sent")
    page.get_by_role("button", name="Add stage").last.click()
    expect(page.get_by_text("Stage “Quote sent” added to Renewals.")).to_be_visible()
    page.get_by_role("button", name="Delete stage New in Sales").click()
    expect(page.get_by_role("alert")).to_contain_text("This stage holds 1 deal and cannot")
    page.get_by_label("Name of stage Quote sent in Renewals").fill("Proposal")
    page.get_by_role("button", name="Save stage Quote sent in Renewals").click()
    expect(page.get_by_text("Stage “Proposal” saved.")).to_be_visible()

    # A deal's page changes value and owner.
    page.goto(f"{server}/deals/{deal.pk}/")
    page.get_by_label("Value").fill("2100.50")
    page.get_by_label("Owner").select_option(label="Riley Rep")
    page.get_by_role("button", name="Save deal").click()
    expect(page.get_by_text("Deal saved.")).to_be_visible()
    expect(page.locator(f"#deal-{deal.pk}-facts")).to_contain_text("USD 2,100.50")
    expect(page.locator(f"#deal-{deal.pk}-facts")).to_contain_text("Riley Rep")
    # Spaces alone are no amount: the value is cleared, as when the field is left empty.
    page.get_by_label("Value").fill("   ")
    page.get_by_role("button", name="Save deal").click()
    expect(page.get_by_text("Deal saved.")).to_be_visible()
    expect(page.locator(f"#deal-{deal.pk}-facts")).not_to_contain_text("USD 2,100.50")
    assert Deal.objects.get(pk=deal.pk).value is None

    # The campaign form offers the account's pipelines; the stages follow the pipeline.
    page.goto(f"{server}/campaigns/new/")
    page.get_by_label("Name", exact=True).fill("Renewal offers")
    page.get_by_label("Lead source").select_option("form")
    page.get_by_label("Create a deal for each lead").check()
    page.get_by_label("Pipeline", exact=True).select_option(label="Renewals")
    stages = page.get_by_label("First stage of each deal")
    expect(stages.locator("option", has_text="Proposal")).to_have_count(1)
    expect(stages.locator("option", has_text="Won")).to_have_count(0)
    stages.select_option(label="Proposal")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", name="Renewal offers")).to_be_visible()
    campaign = Campaign.objects.get(campaign_name="Renewal offers")
    renewals = Pipeline.objects.get(account=tenant.account, name="Renewals")
    assert campaign.create_deal is True
    assert campaign.pipeline_id == str(renewals.pk)
    assert campaign.stage_id == str(renewals.stages.get(name="Proposal").pk)
    assert re.fullmatch(r"\d+", campaign.stage_id)


def test_a_live_change_keeps_what_someone_is_typing_in_the_outcome_form(server, page):
    """The representative is filling in the outcome when an admin saves another one: their
    page shows the admin's change, keeps their entries with a note, and saves them on purpose."""
    tenant = _tenant()
    jordan = capture(deal_campaign(tenant), name="Jordan Miles", phone="+14155550181")
    rep = page.context.browser.new_context().new_page()
    log_in(rep, server, "rep@acme.test")
    rep.goto(f"{server}/leads/{jordan.pk}/")
    expect(rep.locator("#live-status")).to_have_class("live-status connected")
    mine = rep.locator(f"#lead-{jordan.pk}-outcome")
    mine.get_by_label("Status").select_option("won")
    mine.get_by_label("Revenue (USD)").fill("1234.56")

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/{jordan.pk}/")
    theirs = page.locator(f"#lead-{jordan.pk}-outcome")
    theirs.get_by_label("Status").select_option("contacted")
    theirs.get_by_role("button", name="Save outcome").click()
    expect(theirs.locator("[data-status]")).to_have_attribute("data-status", "contacted")

    expect(mine.locator("[data-status]")).to_have_attribute("data-status", "contacted")
    # Both changed the status: the note names theirs, and saving asks once before undoing it.
    expect(mine.get_by_role("status")).to_contain_text(
        "While you were editing, someone else changed Status to Contacted."
    )
    expect(mine.get_by_label("Status")).to_have_value("won")
    expect(mine.get_by_label("Revenue (USD)")).to_have_value("1234.56")
    mine.get_by_role("button", name="Save outcome").click()
    expect(mine.get_by_text("(now Status: Contacted)")).to_be_visible()
    assert Lead.objects.get(pk=jordan.pk).status == "contacted"
    expect(mine.get_by_label("Revenue (USD)")).to_have_value("1234.56")
    mine.get_by_role("button", name="Save outcome").click()
    expect(mine.locator("[data-status]")).to_have_attribute("data-status", "won")
    expect(mine.locator("[data-revenue]")).to_have_text("USD 1,234.56")
    assert str(Lead.objects.get(pk=jordan.pk).revenue) == "1234.56"
    expect(theirs.locator(".message.warning")).to_have_count(0)  # their own save is no surprise


def test_a_revenue_with_a_minus_sign_or_too_many_decimals_is_refused_never_rounded(server, page):
    tenant = _tenant()
    jordan = capture(deal_campaign(tenant), name="Jordan Miles", phone="+14155550181")
    errors = []
    # Each refusal is a 400, which the browser logs as a failed load: not a script error.
    page.on(
        "console",
        lambda m: m.type == "error" and "status of 400" not in m.text and errors.append(m.text),
    )

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/{jordan.pk}/")
    outcome = page.locator(f"#lead-{jordan.pk}-outcome")
    outcome.get_by_label("Status").select_option("won")
    for typed, message in (
        ("-0", "Ensure this value is greater than or equal to 0."),
        ("12.3400000000000001", "Ensure that there are no more than 2 decimal places."),
        ("-0.00", "Ensure this value is greater than or equal to 0."),
    ):
        outcome.get_by_label("Revenue (USD)").fill(typed)
        # Each answer is waited for, and says other than the one before.
        with page.expect_response(lambda r: r.request.method == "POST"):
            outcome.get_by_role("button", name="Save outcome").click()
        expect(outcome).to_contain_text(message)
        expect(outcome.get_by_label("Revenue (USD)")).to_have_value(typed)
        lead = Lead.objects.get(pk=jordan.pk)
        assert (lead.status, lead.revenue) == ("new", None)
    outcome.get_by_label("Revenue (USD)").fill("12.34")
    outcome.get_by_role("button", name="Save outcome").click()
    expect(outcome.locator("[data-revenue]")).to_have_text("USD 12.34")
    lead = Lead.objects.get(pk=jordan.pk)
    assert (lead.status, str(lead.revenue)) == ("won", "12.34")
    assert errors == []


def test_a_revenue_being_typed_stays_in_sight_when_the_status_changes_meanwhile(server, page):
    tenant = _tenant()
    jordan = capture(deal_campaign(tenant), name="Jordan Miles", phone="+14155550181")
    outcomes.set_outcome(lead=jordan, status="won", revenue="1000")
    rep = page.context.browser.new_context().new_page()
    log_in(rep, server, "rep@acme.test")
    rep.goto(f"{server}/leads/{jordan.pk}/")
    expect(rep.locator("#live-status")).to_have_class("live-status connected")
    mine = rep.locator(f"#lead-{jordan.pk}-outcome")
    mine.get_by_label("Revenue (USD)").fill("1100")

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/{jordan.pk}/")
    page.get_by_label("Status").select_option("lost")
    page.get_by_role("button", name="Save outcome").click()

    expect(mine.locator("[data-status]")).to_have_attribute("data-status", "lost")
    expect(mine.get_by_role("status")).to_contain_text(
        "someone else changed Revenue (USD) to none; Status to Lost."
    )
    expect(mine.get_by_label("Status")).to_have_value("won")
    expect(mine.get_by_label("Revenue (USD)")).to_be_visible()
    expect(mine.get_by_label("Revenue (USD)")).to_have_value("1100")


def _deal_in_two_tabs(server, page):
    """A deal's page open live in `page`, and in another tab of the same admin: (tenant, deal,
    the other tab)."""
    tenant = _tenant()
    deal = Deal.objects.get(lead=capture(deal_campaign(tenant), name="Jordan Miles"))
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/deals/{deal.pk}/")
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    other = page.context.new_page()
    other.goto(f"{server}/deals/{deal.pk}/")
    return tenant, deal, other


def _save_deal(tab):
    tab.get_by_role("button", name="Save deal").click()
    expect(tab.get_by_text("Deal saved.")).to_be_visible()


def test_a_value_both_people_changed_is_confirmed_before_it_replaces_the_other(server, page):
    _, deal, other = _deal_in_two_tabs(server, page)
    page.get_by_label("Value").fill("6000")
    other.get_by_label("Value").fill("7000")
    _save_deal(other)

    expect(page.get_by_role("status")).to_contain_text("someone else changed Value to 7000.00.")
    expect(page.get_by_label("Value")).to_have_value("6000")
    page.get_by_role("button", name="Save deal").click()
    expect(page.get_by_role("alert")).to_contain_text("(now Value: 7,000.00)")
    deal.refresh_from_db()
    assert str(deal.value) == "7000.00"
    _save_deal(page)
    deal.refresh_from_db()
    assert str(deal.value) == "6000.00"


def test_a_deal_page_follows_a_change_made_elsewhere_and_keeps_what_is_typed(server, page):
    """Someone moves the deal while its page is open here with a value typed: the form shows
    their stage at once, keeps the value with a note, and saving keeps both changes."""
    tenant, deal, other = _deal_in_two_tabs(server, page)
    page.get_by_label("Value").fill("1,900")
    other.get_by_label("Stage").select_option(label="Contacted")
    _save_deal(other)

    contacted = str(_stage_id(tenant, "Contacted"))
    expect(page.locator(f"#deal-{deal.pk}-facts")).to_contain_text("Contacted")
    expect(page.get_by_label("Stage")).to_have_value(contacted)
    expect(page.get_by_label("Value")).to_have_value("1,900")
    expect(page.get_by_role("status")).to_contain_text("Your entries are kept")
    _save_deal(page)
    deal.refresh_from_db()
    assert (deal.stage.name, str(deal.value)) == ("Contacted", "1900.00")


def test_the_last_won_or_lost_stage_of_a_pipeline_stays(server, page):
    _tenant()
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/pipelines/")
    page.get_by_label("New pipeline").fill("Renewals")
    page.get_by_role("button", name="Add pipeline").click()
    expect(page.get_by_text("Pipeline “Renewals” added.")).to_be_visible()

    page.get_by_role("button", name="Delete stage Won in Renewals").click()
    expect(page.get_by_role("alert")).to_contain_text("A pipeline needs at least one won stage")
    page.get_by_label("Kind of stage Lost in Renewals").select_option("open")
    page.get_by_role("button", name="Save stage Lost in Renewals").click()
    expect(page.get_by_role("alert")).to_contain_text("A pipeline needs at least one lost stage")
    renewals = Pipeline.objects.get(name="Renewals")
    kinds = list(renewals.stages.order_by("position").values_list("kind", flat=True))
    assert kinds == ["open", "open", "open", "won", "lost"]


def test_a_confirmation_to_clear_a_revenue_that_changed_since_asks_again(server, page):
    tenant = _tenant()
    lead = capture(deal_campaign(tenant, currency="EUR"), name="Ana Ruiz")
    deal = Deal.objects.get(lead=lead)
    deals.move_deal(deal=deal, stage=deal.pipeline.stages.get(name="Won"))
    outcomes.set_outcome(lead=lead, revenue="300")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/deals/")
    won = page.locator(f"#stage-{_stage_id(tenant, 'Won')}")
    contacted = page.locator(f"#stage-{_stage_id(tenant, 'Contacted')}")

    page.locator(f"#deal-{deal.pk}").drag_to(contacted)
    confirm = page.locator("#board-confirm")
    expect(confirm).to_contain_text("clears its lead's revenue of USD 300.00")
    # Someone sets the lead's revenue while the question is on screen.
    outcomes.set_outcome(lead=Lead.objects.get(pk=lead.pk), revenue="900")
    confirm.get_by_role(
        "button", name="Move to Contacted and clear the revenue of USD 300.00"
    ).click()
    expect(confirm).to_contain_text("The lead's revenue changed since you were asked.")
    expect(confirm).to_contain_text("clears its lead's revenue of USD 900.00")
    expect(won.locator(f"#deal-{deal.pk}")).to_be_visible()
    assert str(Lead.objects.get(pk=lead.pk).revenue) == "900.00"
    confirm.get_by_role(
        "button", name="Move to Contacted and clear the revenue of USD 900.00"
    ).click()
    expect(contacted.locator(f"#deal-{deal.pk}")).to_be_visible()
    expect(page.locator("#board-confirm")).to_have_count(0)
    assert Lead.objects.get(pk=lead.pk).revenue is None

    # The deal's page: saving again after the revenue changed asks again, naming it.
    deals.move_deal(deal=deal, stage=deal.pipeline.stages.get(name="Won"))
    outcomes.set_outcome(lead=Lead.objects.get(pk=lead.pk), revenue="300")
    page.goto(f"{server}/deals/{deal.pk}/")
    page.get_by_label("Stage").select_option(label="Qualified")
    page.get_by_role("button", name="Save deal").click()
    expect(page.get_by_text("clears its lead's revenue of USD 300.00")).to_be_visible()
    outcomes.set_outcome(lead=Lead.objects.get(pk=lead.pk), revenue="900")
    page.get_by_role("button", name="Save deal").click()
    expect(page.get_by_text("The lead's revenue changed since you were asked.")).to_be_visible()
    expect(page.get_by_text("clears its lead's revenue of USD 900.00")).to_be_visible()
    assert Deal.objects.get(pk=deal.pk).stage.name == "Won"
    assert str(Lead.objects.get(pk=lead.pk).revenue) == "900.00"
    page.get_by_role("button", name="Save deal").click()
    expect(page.get_by_text("Deal saved.")).to_be_visible()
    assert Deal.objects.get(pk=deal.pk).stage.name == "Qualified"
    assert Lead.objects.get(pk=lead.pk).revenue is None


def test_moving_a_won_deal_out_asks_before_clearing_a_revenue_typed_on_its_lead(server, page):
    tenant = _tenant()
    lead = capture(deal_campaign(tenant, currency="EUR"), name="Ana Ruiz")
    deal = Deal.objects.get(lead=lead)
    deals.move_deal(deal=deal, stage=deal.pipeline.stages.get(name="Won"))
    outcomes.set_outcome(lead=lead, revenue="300")
    errors = []
    # The question is a 409 answer, which the browser logs; anything else is a fault.
    page.on(
        "console",
        lambda m: m.type == "error" and "409 (Conflict)" not in m.text and errors.append(m.text),
    )
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/deals/")
    won = page.locator(f"#stage-{_stage_id(tenant, 'Won')}")
    contacted = page.locator(f"#stage-{_stage_id(tenant, 'Contacted')}")
    expect(page.locator("#board")).to_contain_text("becomes the lead's revenue")

    page.locator(f"#deal-{deal.pk}").drag_to(contacted)
    confirm = page.locator("#board-confirm")
    expect(confirm).to_contain_text("clears its lead's revenue of USD 300.00")
    confirm.get_by_role("link", name="Keep it in Won").click()
    expect(page.locator("#board-confirm")).to_have_count(0)
    expect(won.locator(f"#deal-{deal.pk}")).to_be_visible()
    assert str(Lead.objects.get(pk=lead.pk).revenue) == "300.00"

    page.locator(f"#deal-{deal.pk}").drag_to(contacted)
    page.get_by_role("button", name="Move to Contacted and clear the revenue").click()
    expect(contacted.locator(f"#deal-{deal.pk}")).to_be_visible()
    expect(page.locator("#board-confirm")).to_have_count(0)
    moved = Lead.objects.get(pk=lead.pk)
    assert (moved.status, moved.revenue) == ("contacted", None)

    # The deal's page says where its value goes, and asks too.
    deals.move_deal(deal=deal, stage=deal.pipeline.stages.get(name="Won"))
    outcomes.set_outcome(lead=lead, revenue="300")
    page.goto(f"{server}/deals/{deal.pk}/")
    expect(page.get_by_text("this value is not its revenue")).to_be_visible()
    page.get_by_label("Stage").select_option(label="Qualified")
    page.get_by_role("button", name="Save deal").click()
    expect(page.get_by_text("Save again to move the deal and clear the revenue.")).to_be_visible()
    assert Deal.objects.get(pk=deal.pk).stage.name == "Won"
    page.get_by_role("button", name="Save deal").click()
    expect(page.get_by_text("Deal saved.")).to_be_visible()
    assert Deal.objects.get(pk=deal.pk).stage.name == "Qualified"
    assert Lead.objects.get(pk=lead.pk).revenue is None
    assert errors == []


def test_a_move_carrying_a_spoilt_confirmation_shows_why_and_moves_nothing(server, page):
    tenant = _tenant()
    deal = Deal.objects.get(lead=capture(deal_campaign(tenant), name="Jordan Miles"))
    errors = []
    # The refusal is a 400 answer, which the browser logs; anything else is a fault.
    page.on(
        "console",
        lambda m: m.type == "error" and "400 (Bad Request)" not in m.text and errors.append(m.text),
    )
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/deals/")
    card = page.locator(f"#deal-{deal.pk}")
    card.get_by_text("Move", exact=True).click()
    # A confirmation no page draws (41 characters) rides along with the move.
    card.locator("form").evaluate(
        """form => form.insertAdjacentHTML(
            "beforeend", '<input type="hidden" name="clear_revenue" value="' + "U".repeat(41) + '">'
        )"""
    )
    card.get_by_role("button", name="Move Jordan Miles to Won").click()
    expect(page.locator("#board [role=alert]")).to_have_text(
        "This move's confirmation to clear the lead's revenue is not one we asked for. "
        "Move the deal again."
    )
    expect(page.locator(f"#stage-{_stage_id(tenant, 'New')} #deal-{deal.pk}")).to_be_visible()
    assert Deal.objects.get(pk=deal.pk).stage.name == "New"
    assert errors == []
