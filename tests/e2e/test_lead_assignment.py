"""Giving a lead to someone from its page: a lead that came while its campaign had no
representative is picked up by the admin, the new holder is alerted, and another tab on the
page follows."""

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
    expect(block.locator("[data-representative]")).to_have_text("Unassigned")
    other = page.context.new_page()
    other.goto(f"{server}/leads/{lead.pk}/")
    expect(other.locator("#live-status")).to_have_class("live-status connected")

    block.get_by_label("Give this lead to").select_option(label="Riley Rep")
    block.get_by_role("button", name="Assign").click()
    expect(page.locator("#messages")).to_contain_text("Lead given to Riley Rep; they were alerted.")
    expect(block.locator("[data-representative]")).to_have_text("Riley Rep")
    # The other tab follows live.
    expect(other.locator(f"#lead-{lead.pk}-representative [data-representative]")).to_have_text(
        "Riley Rep"
    )
    assert Lead.objects.get(pk=lead.pk).representative == rep
    assert Delivery.objects.filter(event="lead_arrived", user=rep).exists()
