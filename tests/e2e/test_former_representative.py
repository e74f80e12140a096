"""A lead already alerted to someone who is then removed stays with them: the removal's
confirmation and message say so, the lead list and the lead's page name them "(no longer a
member)", and the admin gives the lead to someone else from its page, at a desktop's and a
phone's width."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns import services as campaign_services
from campaigns.models import Lead, LeadSource
from tests.campaigns.factories import make_campaign
from tests.e2e.test_platform import log_in
from tests.factories import make_account, make_member

FORMER = "Max Doe (no longer a member)"


@pytest.mark.parametrize(
    "size",
    [{"width": 1280, "height": 900}, {"width": 390, "height": 844}],
    ids=["desktop", "phone"],
)
def test_a_lead_held_by_someone_removed_is_marked_until_given_to_someone_else(server, page, size):
    acme = make_account("Acme Agency", "admin@acme.test")
    admin = acme.memberships.get().user
    tenant = type("Tenant", (), {"account": acme, "admin": admin})
    max_doe = make_member(acme, "max@acme.test", name="Max Doe")
    riley = make_member(acme, "rep@acme.test", name="Riley Rep")
    campaign = make_campaign(
        tenant,
        campaign_name="Roofing",
        notification_type="only_send_email",
        selected_user=[{"id": max_doe.pk}, {"id": riley.pk}],
    )
    lead, _ = campaign_services.capture_lead(
        campaign=campaign, source=LeadSource.FORM, external_id="x", name="Ann Lee"
    )
    Lead.objects.filter(pk=lead.pk).update(alerted_at=timezone.now())

    page.set_viewport_size(size)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/members/")
    page.locator("#members tr", has_text="max@acme.test").get_by_role(
        "link", name="Remove max@acme.test"
    ).click()
    # The confirmation says the lead already alerted to him stays with him, and who can move it.
    expect(page.locator("#member-remove-consequences")).to_contain_text(
        "1 lead already alerted to them will stay with their name, marked “no longer a member”: "
        "an admin or the campaign's owner can give it to someone else from the lead's page."
    )
    page.locator("#member-remove").get_by_role("button", name="Remove Max Doe").click()
    expect(page.locator("#messages")).to_contain_text("Max Doe removed from Acme Agency.")
    expect(page.locator("#messages")).to_contain_text(
        "1 lead already alerted to them stays with their name"
    )

    page.goto(f"{server}/leads/")
    row = page.locator(f"#lead-{lead.pk}")
    expect(row.locator('[data-label="Representative"]')).to_have_text(FORMER)
    expect(row.locator('[data-label="Representative"]')).to_be_visible()

    page.goto(f"{server}/leads/{lead.pk}/")
    block = page.locator(f"#lead-{lead.pk}-representative")
    expect(block.get_by_label("Representative").locator("option:checked")).to_have_text(FORMER)
    expect(block.locator("[data-representative-left]")).to_have_text(
        "Max Doe is no longer a member of this account: give the lead to someone else."
    )
    expect(block.get_by_label("Representative")).to_have_value(str(max_doe.pk))

    block.get_by_label("Representative").select_option(label="Riley Rep")
    block.get_by_role("button", name="Assign").click()
    expect(page.locator("#messages")).to_contain_text("Lead given to Riley Rep; they were alerted.")
    expect(block.get_by_label("Representative").locator("option:checked")).to_have_text("Riley Rep")
    expect(block.locator("[data-representative-left]")).to_have_count(0)
    assert Lead.objects.get(pk=lead.pk).representative == riley
