"""Giving a lead to someone from its page: a lead that came while its campaign had no
representative is picked up by the admin, the new holder is alerted, and another tab on the
page follows."""

import pytest
from playwright.sync_api import expect

from campaigns import services as campaign_services
from campaigns.models import Lead, LeadSource
from notifications.models import Delivery
from tests.campaigns.factories import make_campaign
from tests.e2e.test_platform import log_in
from tests.factories import make_account, make_member


def test_the_admin_gives_an_unassigned_lead_to_a_representative(server, page):
    acme = make_account("Acme Agency", "admin@acme.test")
    admin = acme.memberships.get().user
    tenant = type("Tenant", (), {"account": acme, "admin": admin})
    campaign = make_campaign(tenant, campaign_name="Roofing", notification_type="only_send_email")
    lead, _ = campaign_services.capture_lead(
        campaign=campaign, source=LeadSource.FORM, external_id="x", name="Ann Lee"
    )
    rep = make_member(acme, "rep@acme.test", name="Riley Rep")
    campaign.assignments.create(user=rep, position=0)

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/{lead.pk}/")
    block = page.locator(f"#lead-{lead.pk}-representative")
    picker = block.get_by_label("Representative")
    expect(picker.locator("option:checked")).to_have_text("Unassigned")
    other = page.context.new_page()
    other.goto(f"{server}/leads/{lead.pk}/")
    expect(other.locator("#live-status")).to_have_class("live-status connected")

    block.get_by_label("Representative").select_option(label="Riley Rep")
    block.get_by_role("button", name="Assign").click()
    expect(page.locator("#messages")).to_contain_text("Lead given to Riley Rep; they were alerted.")
    expect(picker.locator("option:checked")).to_have_text("Riley Rep")
    # The other tab follows live.
    expect(other.locator(f"#lead-{lead.pk}-assign option:checked")).to_have_text("Riley Rep")
    assert Lead.objects.get(pk=lead.pk).representative == rep
    assert Delivery.objects.filter(event="lead_arrived", user=rep).exists()


@pytest.mark.parametrize(
    "size",
    [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
    ids=["desktop", "phone"],
)
def test_the_holder_whose_lead_is_given_away_is_told_on_its_page(server, page, browser, size):
    acme = make_account("Acme Agency", "admin@acme.test")
    admin = acme.memberships.get().user
    tenant = type("Tenant", (), {"account": acme, "admin": admin})
    campaign = make_campaign(tenant, campaign_name="Roofing", notification_type="only_send_email")
    rep = make_member(acme, "rep@acme.test", name="Riley Rep")
    other = make_member(acme, "olive@acme.test", name="Olive Other")
    campaign.assignments.create(user=other, position=0)
    lead, _ = campaign_services.capture_lead(
        campaign=campaign,
        source=LeadSource.FORM,
        external_id="x",
        name="Ann Lee",
        phone="+14155550186",
        email="ann@example.com",
        alert=False,
    )
    # Riley holds it without being on the campaign: the lead is all of it she sees.
    Lead.objects.filter(pk=lead.pk).update(representative=rep)

    riley = browser.new_context(viewport=size).new_page()
    log_in(riley, server, "rep@acme.test")
    riley.goto(f"{server}/leads/{lead.pk}/")
    expect(riley.get_by_role("button", name="Save outcome")).to_be_visible()
    expect(riley.locator("#live-status")).to_have_class("live-status connected")
    her_list = riley.context.new_page()
    her_list.goto(f"{server}/leads/")
    expect(her_list.locator(".pager")).to_contain_text("Page 1 of 1 · 1 in all")
    expect(her_list.locator("#live-status")).to_have_class("live-status connected")

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/{lead.pk}/")
    block = page.locator(f"#lead-{lead.pk}-representative")
    block.get_by_label("Representative").select_option(label="Olive Other")
    block.get_by_role("button", name="Assign").click()
    expect(page.locator("#messages")).to_contain_text("Lead given to Olive Other")

    notice = riley.get_by_role("status").filter(has_text="This lead was given to someone else.")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("It is no longer yours")
    # At the top of the page, in full, inside the screen's width.
    box = notice.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= size["width"]
    assert box["y"] < 200
    assert riley.evaluate("() => document.body.scrollWidth <= window.innerWidth")
    # Nothing of the lead is left to read or work.
    expect(riley.get_by_text("(415) 555-0186")).to_have_count(0)
    expect(riley.get_by_text("ann@example.com")).to_have_count(0)
    expect(riley.get_by_role("button", name="Save outcome")).to_have_count(0)
    expect(riley.locator("form[action*='/outcome/']")).to_have_count(0)
    expect(riley.locator(".payload")).to_have_count(0)
    # Her open list loses its row and counts it out.
    expect(her_list.locator(f"#lead-{lead.pk}")).to_have_count(0)
    expect(her_list.locator(".pager")).to_be_hidden()
    expect(her_list.get_by_text("No leads yet.")).to_be_visible()
    notice.get_by_role("link", name="Go to your leads").click()
    expect(riley).to_have_url(f"{server}/leads/")
    expect(riley.get_by_text("Ann Lee")).to_have_count(0)
    riley.context.close()


def test_a_refused_assignment_is_said_once_under_the_picker(server, page):
    acme = make_account("Acme Agency", "admin@acme.test")
    admin = acme.memberships.get().user
    tenant = type("Tenant", (), {"account": acme, "admin": admin})
    campaign = make_campaign(tenant, campaign_name="Roofing", notification_type="only_send_email")
    lead, _ = campaign_services.capture_lead(
        campaign=campaign, source=LeadSource.FORM, external_id="x", name="Ann Lee", alert=False
    )
    rep = make_member(acme, "rep@acme.test", name="Riley Rep")
    Lead.objects.filter(pk=lead.pk).update(representative=rep)
    acme.memberships.filter(user=rep).delete()

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/{lead.pk}/")
    block = page.locator(f"#lead-{lead.pk}-representative")
    block.get_by_label("Representative").select_option(value=str(rep.pk))
    block.get_by_role("button", name="Assign").click()
    said = "Riley Rep is no longer a member of this account: give the lead to someone else."
    expect(block.locator("p.error")).to_have_text(said)
    expect(page.get_by_text(said)).to_have_count(1)
    expect(page.locator("#messages")).not_to_contain_text(said)
    assert Lead.objects.get(pk=lead.pk).representative == rep


def test_an_admin_who_takes_a_lead_is_told_no_alert_was_sent(server, page):
    acme = make_account("Acme Agency", "admin@acme.test")
    admin = acme.memberships.get().user
    admin.name = "Dana Admin"
    admin.save()
    tenant = type("Tenant", (), {"account": acme, "admin": admin})
    campaign = make_campaign(tenant, campaign_name="Roofing", notification_type="only_send_email")
    lead, _ = campaign_services.capture_lead(
        campaign=campaign, source=LeadSource.FORM, external_id="x", name="Ann Lee", alert=False
    )
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/{lead.pk}/")
    block = page.locator(f"#lead-{lead.pk}-representative")
    block.get_by_label("Representative").select_option(label="Dana Admin")
    block.get_by_role("button", name="Assign").click()
    expect(page.locator("#messages")).to_have_text(
        "The lead is yours now; no alert was sent, since you gave it to yourself."
    )
    assert Lead.objects.get(pk=lead.pk).representative == admin
    assert not Delivery.objects.filter(event="lead_arrived", user=admin).exists()
