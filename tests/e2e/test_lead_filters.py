"""The leads page's filters on a phone: a representative narrows the list to their own leads."""

import re
from types import SimpleNamespace

from playwright.sync_api import expect

from campaigns import services as campaign_services
from campaigns.models import LeadSource
from tests.campaigns.factories import make_campaign
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
