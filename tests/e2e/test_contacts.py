"""Contacts in the browser: a lead from a campaign's public form becomes a contact; staff edit
it, find it, merge another into it, and download the contacts and leads as CSV."""

import csv
import io
import re
from types import SimpleNamespace

from playwright.sync_api import expect

from campaignhub.models import Role
from campaigns.models import Lead
from crm.models import Contact
from tests.campaigns.factories import make_campaign
from tests.e2e.test_platform import log_in
from tests.factories import make_account


def _send_form(page, server, campaign, *, name, phone, email):
    visitor = page.context.new_page()
    visitor.goto(f"{server}/f/{campaign.form_secret_id}/")
    visitor.get_by_label("Name").fill(name)
    visitor.get_by_label("Phone").fill(phone)
    visitor.get_by_label("Email").fill(email)
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.get_by_text("Thank you!")).to_be_visible()
    visitor.close()


def _download(page, link):
    with page.expect_download() as started:
        link.click()
    download = started.value
    with open(download.path(), encoding="utf-8", newline="") as file:
        text = file.read()
    assert text.startswith("\ufeff")
    return download.suggested_filename, list(csv.reader(io.StringIO(text[1:], newline="")))


def test_a_form_lead_becomes_a_contact_staff_edit_find_merge_and_export(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get(role=Role.ADMIN).user
    campaign = make_campaign(
        SimpleNamespace(account=account, admin=admin),
        campaign_name="Spring roofing",
        integration="form",
        add_to_crm=True,
        add_person_or_business="person",
    )
    _send_form(
        page, server, campaign, name="Ann Visitor", phone="(415) 555-0111", email="ann@example.com"
    )
    _send_form(page, server, campaign, name="A. Visitor", phone="", email="ann.v@example.org")
    assert Contact.objects.filter(account=account).count() == 2

    log_in(page, server, "admin@acme.test")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    expect(page.get_by_role("heading", name="Contacts")).to_be_visible()
    row = page.locator("#contact-rows tr", has_text="Ann Visitor")
    expect(row).to_contain_text("(415) 555-0111")
    row.get_by_role("link", name="Ann Visitor").click()

    # The contact's page lists its lead, linking to the lead's page.
    expect(page.get_by_role("heading", name="Ann Visitor")).to_be_visible()
    lead = Lead.objects.get(phone="+14155550111")
    expect(page.locator(f"#contact-lead-{lead.pk}")).to_contain_text("Spring roofing")

    page.get_by_role("link", name="Edit").click()
    # The phone reads as on every page, and a save without edits changes nothing.
    expect(page.get_by_label("Phone")).to_have_value("(415) 555-0111")
    untouched = Contact.objects.values().get(phone="+14155550111")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("Contact saved.")).to_be_visible()
    assert Contact.objects.values().get(phone="+14155550111") == untouched
    page.get_by_role("link", name="Edit").click()
    page.get_by_label("Email").fill("not-an-email")
    page.get_by_label("Phone").fill("(415) 555-0111 ext. 12")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_text("Enter a valid email address.")).to_be_visible()
    expect(page.get_by_text("Enter the number without an extension")).to_be_visible()
    page.get_by_label("Phone").fill("(415) 555-0111")
    page.get_by_label("Name", exact=True).fill("Ann Visitor-Lee")
    page.get_by_label("Email").fill("ann@example.com")
    page.get_by_label("Notes").fill("Prefers a call after 5pm")
    page.get_by_role("button", name="Save contact").click()
    expect(page.get_by_role("heading", name="Ann Visitor-Lee")).to_be_visible()
    expect(page.get_by_text("Contact saved.")).to_be_visible()
    expect(page.locator("#contact-facts")).to_contain_text("Prefers a call after 5pm")
    kept = Contact.objects.get(phone="+14155550111")
    assert kept.edited_fields == ["name", "notes"]

    # Merge the second contact into the edited one, found by a search on the merge page.
    other = Contact.objects.get(email="ann.v@example.org")
    page.goto(f"{server}/contacts/{other.pk}/")
    page.get_by_role("link", name="Merge into…").click()
    page.get_by_label("Find a contact").fill("555-0111")
    # The search's answer has replaced the candidates (and the address) before one is chosen.
    expect(page).to_have_url(re.compile(r"search=555-0111"))
    candidate = page.get_by_role("radio", name="Ann Visitor-Lee")
    expect(candidate).to_be_visible()
    candidate.check()
    page.get_by_role("button", name="Merge into the chosen contact").click()
    expect(page.get_by_role("heading", name="Ann Visitor-Lee")).to_be_visible()
    expect(page.locator("#contact-leads tbody tr:not(.empty-row)")).to_have_count(2)
    other.refresh_from_db()
    assert other.merged_into_id == kept.pk

    # Search finds the contact by a phone written the national way; the export follows it.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Contacts").click()
    search = page.get_by_label("Search contacts")
    search.fill("zzz nobody")
    expect(page.locator("td.empty")).to_have_text("No contacts match “zzz nobody”.")
    search.fill("(415) 555-0111")
    expect(page.locator("#contact-rows tr", has_text="Ann Visitor-Lee")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/contacts/\?search=.*555-0111$"))
    name, rows = _download(page, page.get_by_role("link", name="Export CSV"))
    assert name.startswith("contacts-") and name.endswith(".csv")
    header, *data = rows
    assert header[:7] == ["ID", "Kind", "Name", "Company", "Phone", "Email", "Leads"]
    assert [row[:7] for row in data] == [
        [str(kept.pk), "Person", "Ann Visitor-Lee", "", "'+14155550111", "ann@example.com", "2"]
    ]

    # The leads page links its own CSV, with its filters.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Leads").click()
    page.get_by_label("Search leads").fill("ann.v@")
    expect(page.locator("#lead-table tbody tr:not(.empty-row)")).to_have_count(1)
    name, rows = _download(page, page.get_by_role("link", name="Export CSV"))
    assert name.startswith("leads-")
    header, *data = rows
    assert header == [
        "ID",
        "Created at",
        "Campaign",
        "Source",
        "Name",
        "Phone",
        "Email",
        "Status",
        "Revenue",
        "Representative",
        "Message",
        "Representative is a member",
    ]
    assert [(row[2], row[3], row[4], row[6]) for row in data] == [
        ("Spring roofing", "Form", "A. Visitor", "ann.v@example.org")
    ]
