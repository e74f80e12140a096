"""A representative whose lead page lost its live updates saves an outcome after the lead was
given to someone else: the refusal is shown where they are, in the outcome block (scrolled to
and focused, on a phone too), the page says who has the lead now, and nothing changes."""

import os

import pytest
from playwright.sync_api import expect

from campaignhub.models import Membership
from campaigns import assignment, events
from campaigns import services as campaign_services
from campaigns.models import Lead, LeadSource
from tests.campaigns.factories import make_campaign
from tests.e2e.test_platform import log_in
from tests.factories import make_account, make_member

# Set to a folder to keep the screenshots of the refusal.
SHOTS = os.environ.get("REFUSAL_SCREENSHOTS")


def _lead_held_by_riley():
    acme = make_account("Acme Agency", "admin@acme.test")
    admin = acme.memberships.get().user
    admin.name = "Dana Admin"
    admin.save()
    tenant = type("Tenant", (), {"account": acme, "admin": admin})
    campaign = make_campaign(tenant, campaign_name="Roofing", notification_type="only_send_email")
    rep = make_member(acme, "rep@acme.test", name="Riley Rep")
    # On the campaign, so the lead stays hers to see once it is given to someone else.
    campaign.assignments.create(user=rep, position=0)
    lead, _ = campaign_services.capture_lead(
        campaign=campaign,
        source=LeadSource.FORM,
        external_id="x",
        name="Ann Lee",
        phone="+14155550186",
        message="Roof leaks over the kitchen.\nBest after 5 pm.\nSide gate is open.",
        alert=False,
    )
    Lead.objects.filter(pk=lead.pk).update(representative=rep)
    return acme, admin, lead


def _given_to_dana_unseen(monkeypatch, acme, admin, lead):
    """The admin gives the lead to herself while Riley's page hears nothing of it (its live
    connection dropped)."""
    monkeypatch.setattr(events, "lead_reassigned", lambda *args, **kwargs: None)
    actor = Membership.objects.get(account=acme, user=admin)
    assignment.assign_lead(lead=lead, user_id=admin.pk, actor=actor)


@pytest.mark.parametrize(
    "size",
    [{"width": 390, "height": 844}, {"width": 1280, "height": 900}],
    ids=["phone", "desktop"],
)
def test_a_save_after_the_lead_was_given_away_is_refused_in_view(
    server, browser, monkeypatch, size
):
    acme, admin, lead = _lead_held_by_riley()
    riley = browser.new_context(viewport=size).new_page()
    log_in(riley, server, "rep@acme.test")
    riley.goto(f"{server}/leads/{lead.pk}/")
    outcome = riley.locator(f"#lead-{lead.pk}-outcome")
    outcome.get_by_label("Status").select_option(label="Won")
    outcome.get_by_label("Revenue (USD)").fill("1200")
    save = outcome.get_by_role("button", name="Save outcome")
    # Scrolled down the page as far as it goes, the button still on screen (its top is not).
    riley.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
    save.scroll_into_view_if_needed()
    expect(save).to_be_in_viewport()
    if size["width"] == 390:
        assert riley.evaluate("() => window.scrollY") > 400
    expect(riley.locator("#messages")).not_to_be_in_viewport()

    _given_to_dana_unseen(monkeypatch, acme, admin, lead)
    save.click()

    refusal = outcome.get_by_role("alert")
    expect(refusal).to_have_text(
        "This lead was given to Dana Admin: your change was not saved. You chose Won, USD 1,200.00."
    )
    expect(refusal).to_be_in_viewport()
    expect(refusal).to_be_focused()
    # The page says who works the lead now, and no longer offers the form.
    expect(riley.locator("[data-representative]")).to_have_text("Dana Admin")
    expect(riley.get_by_role("button", name="Save outcome")).to_have_count(0)
    # Said once, where she is: nothing at the top of the page.
    expect(riley.locator("#messages .message")).to_have_count(0)
    box = refusal.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
    assert riley.evaluate("() => document.body.scrollWidth <= window.innerWidth")
    if SHOTS:
        riley.screenshot(path=os.path.join(SHOTS, f"refused-{size['width']}.png"))
    held = Lead.objects.get(pk=lead.pk)
    assert (held.status, held.revenue, held.representative_id) == ("new", None, admin.pk)
    riley.context.close()


def test_without_scripts_the_refusal_is_shown_in_view(server, browser, monkeypatch):
    acme, admin, lead = _lead_held_by_riley()
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    riley = context.new_page()
    log_in(riley, server, "rep@acme.test")
    riley.goto(f"{server}/leads/{lead.pk}/")
    outcome = riley.locator(f"#lead-{lead.pk}-outcome")
    outcome.get_by_label("Status").select_option(label="Lost")
    save = outcome.get_by_role("button", name="Save outcome")
    save.scroll_into_view_if_needed()

    _given_to_dana_unseen(monkeypatch, acme, admin, lead)
    save.click()

    refusal = riley.locator(f"#lead-{lead.pk}-outcome").get_by_role("alert")
    expect(refusal).to_have_text(
        "This lead was given to Dana Admin: your change was not saved. You chose Lost."
    )
    expect(refusal).to_be_in_viewport()
    expect(riley.locator("[data-representative]")).to_have_text("Dana Admin")
    if SHOTS:
        riley.screenshot(path=os.path.join(SHOTS, "refused-no-js-390.png"))
    held = Lead.objects.get(pk=lead.pk)
    assert (held.status, held.representative_id) == ("new", admin.pk)
    context.close()
