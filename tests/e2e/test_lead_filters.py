"""The leads page on a phone: a representative narrows the list to their own leads, and a
filtered list says when a new lead arrived, offering to reload."""

import re
from types import SimpleNamespace

from playwright.sync_api import expect

from campaigns import services as campaign_services
from campaigns.models import LeadSource
from tests.campaigns.factories import make_campaign
from tests.e2e.test_live_pages import send_public_form
from tests.e2e.test_platform import log_in
from tests.factories import make_account, make_member

PHONE = {"width": 390, "height": 844}


def test_a_representative_filters_to_their_own_leads_at_phone_width(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    riley = make_member(account, "riley@acme.test", name="Riley Rep")
    sam = make_member(account, "sam@acme.test", name="Sam Rep")
    campaign = make_campaign(
        SimpleNamespace(account=account, admin=admin),
        integration="form",
        campaign_name="Roofing",
        selected_user=[{"id": riley.pk}, {"id": sam.pk}],
    )
    # Round robin: Ann and Cy go to Riley, Bob and Dee to Sam.
    for name in ("Ann", "Bob", "Cy", "Dee"):
        campaign_services.capture_lead(
            campaign=campaign, source=LeadSource.FORM, external_id=name, name=name
        )
    page.set_viewport_size(PHONE)
    log_in(page, server, "riley@acme.test")
    page.goto(f"{server}/leads/")
    names = page.locator("#lead-table tbody tr:not(.empty-row) td[data-label=Name]")
    expect(names).to_have_text(["Dee", "Cy", "Bob", "Ann"])

    representative = page.get_by_label("Representative", exact=True)
    expect(representative).to_be_in_viewport()
    representative.select_option(label="Me")
    expect(names).to_have_text(["Cy", "Ann"])
    expect(page).to_have_url(re.compile(rf"/leads/\?.*\brepresentative={riley.pk}(&|$)"))
    expect(page.locator("#lead-table .pager")).to_contain_text("Page 1 of 1 · 2 in all")

    representative.select_option(label="Sam Rep")
    expect(names).to_have_text(["Dee", "Bob"])
    representative.select_option(label="Nobody (unassigned)")
    expect(page.locator("#lead-table .empty-row")).to_contain_text("No leads match these filters.")
    representative.select_option(label="Anyone")
    expect(names).to_have_count(4)


def test_a_filtered_lead_list_says_when_a_new_lead_arrives_and_reloads(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    campaign = make_campaign(
        SimpleNamespace(account=account, admin=admin), integration="form", campaign_name="Roof"
    )
    campaign_services.capture_lead(
        campaign=campaign, source=LeadSource.FORM, external_id="old", name="Old Lead"
    )
    page.set_viewport_size(PHONE)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/{campaign.pk}/")
    form_url = page.locator("#form-url").inner_text()
    page.goto(f"{server}/leads/?status=new")
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    names = page.locator("#lead-table tbody tr:not(.empty-row) td[data-label=Name]")
    expect(names).to_have_text(["Old Lead"])
    note = page.locator("#lead-list-changed")
    expect(note).to_be_hidden()

    send_public_form(page.context.new_page(), form_url)

    # The filtered list takes no live row; it says a lead arrived and offers to reload.
    expect(note).to_be_visible()
    expect(note).to_be_in_viewport()
    expect(note).to_have_text(
        "New leads arrived since this list was loaded: reload the page for the current list "
        "and count."
    )
    expect(names).to_have_text(["Old Lead"])
    note.get_by_role("link", name="reload the page").click()
    expect(names).to_have_text(["Ann Visitor", "Old Lead"])
    expect(page).to_have_url(f"{server}/leads/?status=new")
    expect(note).to_be_hidden()
