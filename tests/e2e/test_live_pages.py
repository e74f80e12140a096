"""Live pages in a second tab: campaign rows, the delivery log, members, filters on Back."""

import re
from datetime import timedelta
from types import SimpleNamespace

from django.utils import timezone
from playwright.sync_api import expect

from campaignhub import services as platform
from campaignhub.models import Role
from campaigns import services as campaign_services
from campaigns.models import Campaign, LeadSource
from notifications.models import Delivery, Status
from tests.campaigns.factories import make_campaign
from tests.e2e.test_platform import log_in
from tests.factories import PASSWORD, make_account, make_member


def make_form_campaign(page, server, name, rep_id=None):
    page.goto(f"{server}/campaigns/new/")
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Lead source").select_option("form")
    if rep_id is not None:
        page.locator(f"#rep-{rep_id}").check()
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.locator("#live-status")).to_have_class("live-status connected")


def send_public_form(visitor, form_url, phone="(415) 555-0111"):
    """A visitor sends the campaign's public form as "Ann Visitor" from the page `visitor`."""
    visitor.goto(form_url)
    visitor.get_by_label("Name").fill("Ann Visitor")
    visitor.get_by_label("Phone").fill(phone)
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.get_by_text("Thank you!")).to_be_visible()


def leads_open_elsewhere(page, server):
    """The leads page, live, in another tab of `page`'s browser and in another browser of the
    same person (admin@acme.test): (tab, elsewhere)."""
    tab = page.context.new_page()
    tab.goto(f"{server}/leads/")
    elsewhere = page.context.browser.new_context().new_page()
    log_in(elsewhere, server, "admin@acme.test")
    elsewhere.goto(f"{server}/leads/")
    for other in (tab, elsewhere):
        expect(other.locator("#live-status")).to_have_class("live-status connected")
    return tab, elsewhere


def test_campaign_rows_change_appear_and_disappear_live_in_another_tab(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    member = make_member(account, "rep@acme.test", name="Riley Rep")
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))

    log_in(page, server, "admin@acme.test")
    make_form_campaign(page, server, "Spring roofing", rep_id=member.pk)

    # The member's own browser shows only what the member may see.
    member_page = page.context.browser.new_context().new_page()
    member_page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    log_in(member_page, server, "rep@acme.test")
    member_page.goto(f"{server}/campaigns/")
    expect(member_page.locator("#live-status")).to_have_class("live-status connected")

    listing = page.context.new_page()
    listing.on("console", lambda m: m.type == "error" and errors.append(m.text))
    listing.goto(f"{server}/campaigns/")
    expect(listing.locator("#live-status")).to_have_class("live-status connected")
    row = listing.locator("tbody tr", has_text="Spring roofing")
    expect(row).to_contain_text("Active")

    # Paused in the first tab: the row in the second tab says so, and the counts follow.
    page.get_by_role("button", name="Pause").click()
    expect(page.locator(".status-block")).to_contain_text("Inactive")
    expect(row).to_contain_text("Inactive")
    expect(listing.locator("#campaign-counts")).to_contain_text(re.compile(r"1\s*Inactive"))
    expect(member_page.locator("tbody tr", has_text="Spring roofing")).to_contain_text("Inactive")

    # A lead raises the lead count in the row.
    visitor = page.context.new_page()
    page.get_by_role("button", name="Activate").click()
    expect(page.get_by_role("button", name="Pause")).to_be_visible()
    expect(row).not_to_contain_text("Inactive")
    send_public_form(visitor, page.locator("#form-url").inner_text())
    expect(row.locator("td").nth(4)).to_have_text("1")

    # A new campaign appears at the top for the admin, not for a member who may not see it.
    make_form_campaign(page, server, "Autumn gutters")
    new_row = listing.locator("tbody tr", has_text="Autumn gutters")
    expect(new_row).to_be_visible()
    expect(listing.locator("tbody tr").first).to_contain_text("Autumn gutters")
    expect(listing.locator("tbody tr", has_text="Autumn gutters")).to_have_count(1)

    # Deleted: the row leaves the list.
    page.goto(f"{page.url}delete/")
    page.get_by_role("button", name=re.compile("Delete")).click()
    expect(new_row).to_have_count(0)
    expect(listing.locator("tbody tr", has_text="Spring roofing")).to_have_count(1)

    member_page.reload()
    expect(member_page.locator("tbody tr", has_text="Spring roofing")).to_be_visible()
    expect(member_page.locator("tbody tr", has_text="Autumn gutters")).to_have_count(0)
    assert not [e for e in errors if "oobErrorNoTarget" in e or "htmx" in e.lower()], errors


def test_an_older_delivery_frame_never_replaces_a_newer_row(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/notifications/")
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    page.evaluate(
        """() => document.querySelector("#delivery-rows-live").insertAdjacentHTML("afterbegin",
            '<tr id="delivery-999" data-version="3"><td>Sent</td></tr>')"""
    )
    older = '<tr id="delivery-999" data-version="1"><td>Queued</td></tr>'
    newer = '<tr id="delivery-999" data-version="4"><td>Delivered</td></tr>'
    inserted_again = (
        '<tbody hx-swap-oob="afterbegin:#delivery-rows-live">'
        '<tr id="delivery-999" data-version="2"><td>Queued</td></tr></tbody>'
    )
    elsewhere = '<tr id="delivery-1000" data-version="9"><td>Sent</td></tr>'
    prepared = page.evaluate(
        "(frames) => frames.map((frame) => prepareLiveFrame(frame))",
        [older, newer, inserted_again, elsewhere],
    )
    assert prepared[0] == ""
    assert 'data-version="4"' in prepared[1]
    assert prepared[2] == ""
    assert prepared[3] == ""


def test_retrying_a_failed_delivery_shows_the_new_attempt_to_the_current_address(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get(role=Role.ADMIN).user
    failed = Delivery.objects.create(
        account=account,
        event="lead_arrived",
        channel="email",
        user=admin,
        recipient="old@acme.test",
        recipient_from_profile=True,
        subject="New lead Ann",
        body="Ann called",
        status=Status.FAILED,
        attempts=5,
        error="Mailbox unavailable",
    )

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/notifications/")
    row = page.locator(f"#delivery-{failed.pk}")
    expect(row).to_contain_text("Failed")
    expect(row).to_contain_text("New lead")
    expect(row).not_to_contain_text("lead_arrived")

    row.get_by_role("button", name="Retry").click()
    expect(row).to_contain_text("Sent")
    expect(row).to_contain_text("admin@acme.test")
    # Its tries keep counting: the five that failed, then the retry's own.
    expect(row.locator("td").nth(6)).to_have_text("6 retried")
    failed.refresh_from_db()
    assert (failed.status, failed.attempts, failed.recipient) == ("sent", 6, "admin@acme.test")
    assert row.get_attribute("data-version") == str(failed.version)


def test_a_failed_delivery_for_someone_removed_offers_no_retry(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get(role=Role.ADMIN).user
    rep = make_member(account, "rep@acme.test", name="Riley Rep")
    failed = Delivery.objects.create(
        account=account,
        event="lead_arrived",
        channel="email",
        user=rep,
        recipient="rep@acme.test",
        subject="New lead Ann",
        body="Ann called",
        status=Status.FAILED,
        attempts=1,
        error="Mailbox unavailable",
    )
    platform.remove_member(membership=rep.memberships.get(), removed_by=admin)

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/notifications/")
    row = page.locator(f"#delivery-{failed.pk}")
    expect(row).to_contain_text("Failed")
    expect(row.get_by_role("button", name="Retry")).to_have_count(0)
    row.get_by_role("link", name="Details").click()
    expect(page.get_by_text("Not sent again: the person it was for was removed")).to_be_visible()
    expect(page.get_by_role("button", name="Retry")).to_have_count(0)
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == ("failed", 1)


def test_demoting_the_last_admin_shows_the_error_in_the_row_once(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    make_member(account, "rep@acme.test", name="Riley Rep")
    admin_membership = account.memberships.get(role=Role.ADMIN)

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/members/")
    row = page.locator(f"#member-{admin_membership.pk}")
    row.get_by_label("Role of admin@acme.test", exact=True).select_option("member")
    row.get_by_role("button", name="Save role of admin@acme.test").click()

    expect(row.locator(".error")).to_contain_text("admin")
    expect(page.get_by_role("heading", name="Members of Acme Agency")).to_be_visible()
    expect(page.locator("header.topbar")).to_be_visible()
    expect(row.get_by_label("Role of admin@acme.test", exact=True)).to_have_value("admin")
    admin_membership.refresh_from_db()
    assert admin_membership.role == Role.ADMIN

    page.reload()
    expect(page.locator(".error, .message.error")).to_have_count(0)


def test_filters_keep_their_values_on_back(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    platform.update_profile(
        user=account.memberships.get().user, name="Dana Admin", phone="+14155550101"
    )
    log_in(page, server, "admin@acme.test")
    make_form_campaign(page, server, "Spring roofing")
    make_form_campaign(page, server, "Autumn gutters")

    page.goto(f"{server}/campaigns/")
    page.get_by_label("Search by name").fill("roof")
    expect(page).to_have_url(re.compile(r"search=roof"))
    expect(page.locator("tbody tr", has_text="Autumn gutters")).to_have_count(0)
    page.get_by_label("Status").select_option("active")
    expect(page).to_have_url(re.compile(r"status=active"))
    page.get_by_role("link", name="Spring roofing").click()
    expect(page.get_by_role("heading", name="Spring roofing")).to_be_visible()

    page.go_back()
    expect(page).to_have_url(re.compile(r"search=roof.*status=active"))
    expect(page.get_by_label("Search by name")).to_have_value("roof")
    expect(page.get_by_label("Status")).to_have_value("active")
    page.go_back()
    expect(page.get_by_label("Search by name")).to_have_value("roof")
    expect(page.get_by_label("Status")).to_have_value("")

    page.goto(f"{server}/notifications/")
    page.get_by_label("Channel").select_option("sms")
    expect(page).to_have_url(re.compile(r"channel=sms"))
    page.get_by_role("link", name="Campaigns").click()
    page.go_back()
    expect(page.get_by_label("Channel")).to_have_value("sms")
    # A value the list does not take is named above it; the select shows "all", not nothing.
    page.goto(f"{server}/notifications/?channel=fax")
    expect(page.get_by_text("These filters cannot be used: Channel:")).to_be_visible()
    expect(page.get_by_label("Channel").locator("option:checked")).to_have_text("All channels")

    page.goto(f"{server}/reports/")
    default_from = page.get_by_label("From").input_value()
    page.get_by_label("Source").select_option("form")
    expect(page).to_have_url(re.compile(r"source=form"))
    page.get_by_label("Campaign").select_option(label="Spring roofing · Lead form")
    expect(page).to_have_url(re.compile(r"campaign=\d+"))
    page.go_back()
    expect(page).to_have_url(re.compile(r"source=form"))
    expect(page.get_by_label("Source")).to_have_value("form")
    expect(page.get_by_label("Campaign")).to_have_value("")
    # Absent from the address, the period shows its default, not blank.
    expect(page.get_by_label("From")).to_have_value(default_from)


def test_tables_show_national_phone_numbers_and_pages_have_a_favicon(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    make_form_campaign(page, server, "Spring roofing")
    send_public_form(
        page.context.new_page(), page.locator("#form-url").inner_text(), "+1 415 555 0111"
    )

    page.goto(f"{server}/leads/")
    phone = page.locator("tbody tr", has_text="Ann Visitor").locator("span.phone")
    expect(phone).to_have_text("(415) 555-0111")
    expect(phone).to_have_attribute("title", "+14155550111")
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(f"{server}{icon}").ok


def test_signing_out_ends_live_updates_in_that_browser_only(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    make_form_campaign(page, server, "Spring roofing")
    form_url = page.locator("#form-url").inner_text()

    tab, elsewhere = leads_open_elsewhere(page, server)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in")).to_be_visible()

    expect(tab.locator("#live-status")).to_have_class("live-status")
    expect(elsewhere.locator("#live-status")).to_have_class("live-status connected")

    send_public_form(page.context.browser.new_context().new_page(), form_url)

    expect(elsewhere.locator("#lead-rows-live tr", has_text="Ann Visitor")).to_be_visible()
    expect(tab.locator("tbody tr", has_text="Ann Visitor")).to_have_count(0)


def test_a_password_change_ends_live_updates_in_other_browsers_only(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    make_form_campaign(page, server, "Spring roofing")
    form_url = page.locator("#form-url").inner_text()
    tab, elsewhere = leads_open_elsewhere(page, server)

    page.goto(f"{server}/password-change/")
    page.get_by_label("Old password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("a-new-long-password")
    page.get_by_label("New password confirmation").fill("a-new-long-password")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password was changed")).to_be_visible()

    expect(elsewhere.locator("#live-status")).to_have_class("live-status")
    expect(tab.locator("#live-status")).to_have_class("live-status connected")

    send_public_form(page.context.browser.new_context().new_page(), form_url)

    expect(tab.locator("#lead-rows-live tr", has_text="Ann Visitor")).to_be_visible()
    expect(elsewhere.locator("tbody tr", has_text="Ann Visitor")).to_have_count(0)


def test_the_campaign_page_follows_a_pause_and_a_rename_made_elsewhere(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    rep = make_member(account, "rep@acme.test", name="Riley Rep")
    admin = account.memberships.get(role=Role.ADMIN).user
    token = platform.issue_token(account=account, user=admin, name="script").raw
    errors = []
    log_in(page, server, "admin@acme.test")
    make_form_campaign(page, server, "Spring roofing", rep_id=rep.pk)
    campaign_url = page.url

    other_tab = page.context.new_page()
    other_tab.goto(campaign_url)
    rep_page = page.context.browser.new_context().new_page()
    log_in(rep_page, server, "rep@acme.test")
    rep_page.goto(campaign_url)
    for shown in (page, other_tab, rep_page):
        shown.on("console", lambda m: m.type == "error" and errors.append(m.text))
        expect(shown.locator("#live-status")).to_have_class("live-status connected")
    expect(rep_page.locator(".status-block")).to_contain_text("Active")
    expect(rep_page.locator(".status-block").get_by_role("button")).to_have_count(0)

    # Paused from the other tab: this tab and the representative's page say so at once.
    other_tab.locator(".status-block").get_by_role("button", name="Pause").click()
    expect(page.locator(".status-block .badge")).to_have_text("Inactive")
    expect(page.locator(".status-block").get_by_role("button", name="Activate")).to_be_visible()
    expect(rep_page.locator(".status-block .badge")).to_have_text("Inactive")
    expect(rep_page.locator(".status-block").get_by_role("button")).to_have_count(0)
    expect(rep_page.get_by_role("link", name="Edit")).to_have_count(0)

    # Renamed and activated through the API: the title and status follow, the buttons work.
    response = page.request.put(
        f"{server}/v1/campaigns/{campaign_url.rstrip('/').rsplit('/', 1)[1]}",
        headers={"Authorization": f"Bearer {token}"},
        data={"campaigndata": {"campaign_name": "Autumn gutters", "status": True}},
    )
    assert response.status == 200, response.text()
    for shown in (page, rep_page):
        expect(shown.get_by_role("heading", level=1)).to_have_text("Autumn gutters")
        expect(shown.locator(".status-block .badge")).to_have_text("Active")
    expect(page.get_by_role("link", name="Edit")).to_be_visible()
    page.locator(".status-block").get_by_role("button", name="Pause").click()
    expect(other_tab.locator(".status-block .badge")).to_have_text("Inactive")
    expect(other_tab.get_by_role("heading", level=1)).to_have_text("Autumn gutters")
    assert not [e for e in errors if "htmx" in e.lower()], errors


def test_live_leads_keep_each_page_its_size_and_the_count_follows(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    campaign = make_campaign(
        SimpleNamespace(account=account, admin=admin), integration="form", campaign_name="Roof"
    )
    for number in range(25):
        campaign_services.capture_lead(
            campaign=campaign, source=LeadSource.FORM, external_id=f"old-{number}", name="Old"
        )
    log_in(page, server, "admin@acme.test")
    dashboard = page.context.new_page()
    dashboard.goto(f"{server}/")
    campaign_page = page.context.new_page()
    campaign_page.goto(f"{server}/campaigns/{campaign.pk}/")
    page.goto(f"{server}/leads/")
    for shown in (page, dashboard, campaign_page):
        expect(shown.locator("#live-status")).to_have_class("live-status connected")
    rows = page.locator("#lead-rows-live tr:not(.empty-row)")
    expect(rows).to_have_count(25)
    expect(page.locator(".pager")).to_contain_text("Page 1 of 1 · 25 in all")
    expect(page.locator(".pager").get_by_role("link", name="Next")).to_be_hidden()
    expect(dashboard.locator("#lead-feed .feed-item")).to_have_count(10)

    visitor = page.context.new_page()
    send_public_form(visitor, campaign_page.locator("#form-url").inner_text())

    # The new lead tops the page, the oldest moves to page 2, which the pager now offers.
    expect(rows.first).to_contain_text("Ann Visitor")
    expect(rows).to_have_count(25)
    expect(page.locator(".pager")).to_contain_text("Page 1 of 2 · 26 in all")
    expect(page.locator(".pager").get_by_role("link", name="Next")).to_be_visible()
    campaign_rows = campaign_page.locator(f"#campaign-{campaign.pk}-leads tr:not(.empty-row)")
    expect(campaign_rows.first).to_contain_text("Ann Visitor")
    expect(campaign_rows).to_have_count(25)
    expect(campaign_page.locator(".pager")).to_contain_text("Page 1 of 2 · 26 in all")
    expect(dashboard.locator("#lead-feed .feed-item").first).to_contain_text("Ann Visitor")
    expect(dashboard.locator("#lead-feed .feed-item")).to_have_count(10)

    send_public_form(visitor, campaign_page.locator("#form-url").inner_text(), "(415) 555-0112")
    expect(page.locator(".pager")).to_contain_text("Page 1 of 2 · 27 in all")
    expect(rows).to_have_count(25)
    expect(dashboard.locator("#lead-feed .feed-item")).to_have_count(10)
    page.locator(".pager").get_by_role("link", name="Next").click()
    expect(page.locator("#lead-rows tr:not(.empty-row)")).to_have_count(2)


def test_a_rename_made_elsewhere_renames_the_tab_and_the_campaign_of_each_lead(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    token = platform.issue_token(account=account, user=admin, name="script").raw
    tenant = SimpleNamespace(account=account, admin=admin)
    campaign = make_campaign(tenant, integration="form", campaign_name="Spring roofing")
    other = make_campaign(tenant, integration="form", campaign_name="Autumn gutters")
    for shown, external_id in ((campaign, "ann"), (other, "bob")):
        campaign_services.capture_lead(
            campaign=shown, source=LeadSource.FORM, external_id=external_id, name=external_id
        )
    errors = []
    log_in(page, server, "admin@acme.test")
    leads = page.context.new_page()
    leads.goto(f"{server}/leads/")
    dashboard = page.context.new_page()
    dashboard.goto(f"{server}/")
    page.goto(f"{server}/campaigns/{campaign.pk}/")
    for shown in (page, leads, dashboard):
        shown.on("console", lambda m: m.type == "error" and errors.append(m.text))
        expect(shown.locator("#live-status")).to_have_class("live-status connected")
    expect(page).to_have_title("Spring roofing · CampaignHub")

    response = page.request.put(
        f"{server}/v1/campaigns/{campaign.pk}",
        headers={"Authorization": f"Bearer {token}"},
        data={"campaigndata": {"campaign_name": "Summer siding"}},
    )
    assert response.status == 200, response.text()

    expect(page.get_by_role("heading", level=1)).to_have_text("Summer siding")
    expect(page).to_have_title("Summer siding · CampaignHub")
    expect(page.locator(f"#campaign-{campaign.pk}-leads tr", has_text="ann")).to_contain_text(
        "Summer siding"
    )
    # The lead list and the dashboard rename that campaign's leads, and only theirs.
    expect(leads.locator("tbody tr", has_text="ann").locator("td").nth(3)).to_have_text(
        "Summer siding"
    )
    expect(leads.locator("tbody tr", has_text="bob").locator("td").nth(3)).to_have_text(
        "Autumn gutters"
    )
    expect(leads).to_have_title("Leads · CampaignHub")
    expect(dashboard.locator(".feed-item", has_text="ann")).to_contain_text("via Summer siding")
    expect(dashboard.locator(".feed-item", has_text="bob")).to_contain_text("via Autumn gutters")
    assert not [e for e in errors if "htmx" in e.lower()], errors


def test_the_campaign_list_counts_campaigns_made_and_deleted_elsewhere(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    tenant = SimpleNamespace(account=account, admin=account.memberships.get().user)
    oldest = make_campaign(tenant, integration="form", campaign_name="Campaign 0")
    for number in range(1, 25):
        make_campaign(tenant, integration="form", campaign_name=f"Campaign {number}")
    log_in(page, server, "admin@acme.test")
    listing = page.context.new_page()
    listing.goto(f"{server}/campaigns/")
    filtered = page.context.new_page()
    filtered.goto(f"{server}/campaigns/?integration=form")
    changed = filtered.get_by_text("since this list was loaded: reload the page")
    for shown in (listing, filtered):
        expect(shown.locator("#live-status")).to_have_class("live-status connected")
    rows = listing.locator("#campaign-rows-live tr:not(.empty-row)")
    expect(rows).to_have_count(25)
    pager = listing.locator("#campaign-table .pager")
    expect(pager).to_have_text("Page 1 of 1 · 25 in all")
    expect(changed).to_be_hidden()

    # The 26th campaign tops the list, the oldest moves to page 2, which the pager offers.
    make_form_campaign(page, server, "Spring roofing")
    expect(rows.first).to_contain_text("Spring roofing")
    expect(rows).to_have_count(25)
    expect(pager).to_contain_text("Page 1 of 2 · 26 in all")
    make_form_campaign(page, server, "Autumn gutters")
    expect(pager).to_contain_text("Page 1 of 2 · 27 in all")

    # Deleting one no longer listed here still counts.
    page.goto(f"{server}/campaigns/{oldest.pk}/delete/")
    page.get_by_role("button", name=re.compile("Delete")).click()
    expect(listing.locator("#campaign-counts")).to_contain_text(re.compile(r"26\s*Total"))
    expect(pager).to_contain_text("Page 1 of 2 · 26 in all")
    pager.get_by_role("link", name="Next").click()
    expect(listing.locator("#campaign-rows tr:not(.empty-row)")).to_have_count(1)

    # A list that takes no new rows (filtered, or a later page) says its count is as loaded.
    expect(changed).to_be_visible()


def test_a_campaign_deleted_elsewhere_leaves_its_place_to_the_next_one(server, page):
    """Page 1 of the live list keeps its 25 rows: the row that was first on page 2 moves up."""
    account = make_account("Acme Agency", "admin@acme.test")
    tenant = SimpleNamespace(account=account, admin=account.memberships.get().user)
    campaigns = [
        make_campaign(tenant, integration="form", campaign_name=f"Campaign {number}")
        for number in range(26)
    ]
    log_in(page, server, "admin@acme.test")
    listing = page.context.new_page()
    listing.goto(f"{server}/campaigns/")
    expect(listing.locator("#live-status")).to_have_class("live-status connected")
    rows = listing.locator("#campaign-rows-live tr:not(.empty-row)")
    expect(rows).to_have_count(25)
    expect(rows.last).to_contain_text("Campaign 1")

    page.goto(f"{server}/campaigns/{campaigns[10].pk}/delete/")
    page.get_by_role("button", name=re.compile("Delete")).click()
    expect(listing.locator(f"#campaign-{campaigns[10].pk}")).to_have_count(0)
    expect(rows).to_have_count(25)
    expect(rows.last).to_contain_text("Campaign 0")

    # With no page 2 left, a deletion shortens the page.
    page.goto(f"{server}/campaigns/{campaigns[20].pk}/delete/")
    page.get_by_role("button", name=re.compile("Delete")).click()
    expect(rows).to_have_count(24)
    expect(rows.last).to_contain_text("Campaign 0")
    expect(listing.locator("#campaign-counts")).to_contain_text(re.compile(r"24\s*Total"))


def test_a_campaign_that_becomes_ones_own_again_takes_its_place_in_the_list(server, page):
    """Rows are newest first: one that comes back goes where a reload would put it, and one
    whose place is on page 2 is counted there, not shown at the top."""
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    rep = make_member(account, "rep@acme.test", name="Riley Rep")
    tenant = SimpleNamespace(account=account, admin=admin)
    campaigns = [
        make_campaign(
            tenant,
            integration="form",
            campaign_name=f"Campaign {n}",
            selected_user=[{"id": rep.pk}],
        )
        for n in range(26)
    ]
    log_in(page, server, "rep@acme.test")
    page.goto(f"{server}/campaigns/")
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    rows = page.locator("#campaign-rows-live tr:not(.empty-row)")
    pager = page.locator("#campaign-table .pager")
    expect(rows).to_have_count(25)

    token = platform.issue_token(account=account, user=admin, name="script").raw

    def represent(campaign, reps):
        response = page.request.put(
            f"{server}/v1/campaigns/{campaign.pk}",
            headers={"Authorization": f"Bearer {token}"},
            data={"campaigndata": {"selected_user": [{"id": pk} for pk in reps]}},
        )
        assert response.status == 200, response.text()

    for campaign in (campaigns[0], campaigns[12]):
        represent(campaign, [admin.pk])
        expect(page.locator(f"#campaign-{campaign.pk}")).to_have_count(0)
    expect(rows).to_have_count(24)
    expect(pager).to_have_text("Page 1 of 1 · 24 in all")
    for campaign in (campaigns[12], campaigns[0]):
        represent(campaign, [admin.pk, rep.pk])
    expect(pager).to_contain_text("Page 1 of 2 · 26 in all")
    # As a reload shows it: Campaign 25 down to Campaign 1, Campaign 12 in its place.
    expect(rows).to_have_count(25)
    names = [f"Campaign {n}" for n in range(25, 0, -1)]
    expect(rows.locator("td:first-child")).to_have_text(names)
    page.reload()
    expect(rows.locator("td:first-child")).to_have_text(names)


def test_a_campaign_moved_in_with_an_old_creation_date_comes_back_in_its_place_by_that_date(
    server, page
):
    """The list is newest created first, not by id: a campaign moved in from the old service
    (made here last, created long ago) that becomes one's own again goes back below the
    campaigns created since, where a reload puts it."""
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    rep = make_member(account, "rep@acme.test", name="Riley Rep")
    tenant = SimpleNamespace(account=account, admin=admin)
    made = [
        make_campaign(
            tenant, integration="form", campaign_name=name, selected_user=[{"id": rep.pk}]
        )
        for name in ("Made here", "Made here too", "Moved in")
    ]
    Campaign.objects.filter(pk=made[2].pk).update(created_at=timezone.now() - timedelta(days=400))
    log_in(page, server, "rep@acme.test")
    page.goto(f"{server}/campaigns/")
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    names = page.locator("#campaign-rows-live tr:not(.empty-row) td:first-child")
    in_order = ["Made here too", "Made here", "Moved in"]
    expect(names).to_have_text(in_order)

    token = platform.issue_token(account=account, user=admin, name="script").raw

    def represent(campaign, reps):
        response = page.request.put(
            f"{server}/v1/campaigns/{campaign.pk}",
            headers={"Authorization": f"Bearer {token}"},
            data={"campaigndata": {"selected_user": [{"id": pk} for pk in reps]}},
        )
        assert response.status == 200, response.text()

    represent(made[2], [admin.pk])
    expect(names).to_have_text(in_order[:2])
    represent(made[2], [admin.pk, rep.pk])
    expect(names).to_have_text(in_order)
    page.reload()
    expect(names).to_have_text(in_order)
