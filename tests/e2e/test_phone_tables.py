"""List tables at a phone's width (390px), and at a tablet's (820px, below the 1240px a desktop's
header and widest list need): each row is a card, a cell a line after its column's
name, so no table scrolls sideways and every column is in sight (leads, campaigns, the delivery
log, contacts, a contact's leads and deals, a campaign's representatives, campaigns that need
attention, dialer campaigns
and a dialer campaign's agents and call outcomes, the members' dialer extensions, CallRail's
trackers, accounts and companies and the calls to numbers no campaign uses, Invoca's
advertisers and an advertiser's campaigns, an account's members and invitations, one's own
invitations, push devices),
live rows included, a row's buttons last and from the left. The reports' grids of figures and an
Invoca campaign's quick stats are cards too, titled by their first column, the figures side by
side under it; so are an Invoca campaign's terms (a property a card, its current and future terms
under their names) and its form's week of hours and rows of regions, payouts and payins. A
desktop keeps its tables."""

from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils import timezone
from fcm_django.models import FCMDevice
from playwright.sync_api import expect

from campaignhub.models import Invitation, Role
from campaigns import services as campaign_services
from campaigns.models import Lead, LeadSource, LeadStatus
from crm.models import Contact, Deal, Pipeline
from dialer import services as dialer_services
from dialer.models import AgentExtension, DialerEvent, EventKind
from invoca import demo as invoca_demo
from invoca import services as invoca_services
from invoca.forms import clean_campaign
from invoca.models import AdvertiserCampaign, CampaignStatus
from notifications.models import Delivery, Status
from tests.callrail.conftest import fixture
from tests.campaigns.factories import make_campaign
from tests.e2e.test_callrail import _send_call, _working_in_demo_roofing
from tests.e2e.test_live_pages import send_public_form
from tests.e2e.test_platform import log_in
from tests.factories import make_account, make_member

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}
DESKTOP = {"width": 1280, "height": 900}


def _acme():
    """An account with a representative (Riley Rep) on a form campaign with one lead of hers,
    a contact and an SMS delivery to her; returns the campaign."""
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    rep = make_member(account, "riley@acme.test", name="Riley Rep")
    campaign = make_campaign(
        SimpleNamespace(account=account, admin=admin),
        integration="form",
        campaign_name="Spring roofing offer",
        selected_user=[{"id": rep.pk, "custom_number": "+14155550123"}],
    )
    campaign_services.capture_lead(
        campaign=campaign,
        source=LeadSource.FORM,
        external_id="f-1",
        name="Chloe Nguyen",
        phone="+14155550186",
        alert=False,
    )
    Contact.objects.create(
        account=account,
        name="Chloe Nguyen",
        company="Nguyen Roofing",
        phone="+14155550186",
        email="chloe.nguyen@example.com",
    )
    Delivery.objects.create(
        account=account,
        event="lead_arrived",
        channel="sms",
        user=rep,
        recipient="+14155550123",
        body="Roofing lead Chloe Nguyen",
        status=Status.DELIVERED,
        attempts=1,
    )
    return campaign


def open_live(page, url, refresh):
    """Open `url` and wait for the fragments its live connection fetches when it opens (the
    `refresh` URL path) to be swapped in: they replace the tables a test measures."""
    with page.expect_response(lambda response: response.url.endswith(refresh)):
        page.goto(url)
    settled(page)


def settled(page):
    """Wait until no htmx request, swap or settle is under way on `page`."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
    )


def assert_fits(page, table):
    """`table` and the card it sits in need no sideways scroll, nor does the page; every cell
    of a column with a visible header is labelled with it."""
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth")
    assert table.evaluate("t => t.closest('.card').scrollWidth <= t.closest('.card').clientWidth")
    assert page.evaluate("() => document.body.scrollWidth <= window.innerWidth")
    mismatched = table.evaluate(
        """t => {
          // A column named for screen readers only ("Actions") has no label to draw.
          const heads = [...t.tHead.rows[0].cells].map(th =>
            th.querySelector(".visually-hidden") ? "" : th.textContent.trim());
          const rows = [...t.tBodies[0].rows].filter(row => !row.querySelector(".empty"));
          return rows.flatMap(row => [...row.cells].filter(
            (td, i) => heads[i] && td.dataset.label !== heads[i]
          ).map(td => td.dataset.label));
        }"""
    )
    assert mismatched == []


def assert_in_sight(page, cell, label, text):
    """`cell` shows `text` inside the screen's width, after its label drawn before it."""
    cell.scroll_into_view_if_needed()
    expect(cell).to_be_in_viewport()
    expect(cell).to_contain_text(text)
    box = cell.bounding_box()
    width = cell.page.viewport_size["width"]
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
    assert cell.evaluate("td => getComputedStyle(td, '::before').content") == f'"{label}"'


def cell(row, label):
    return row.locator(f'td[data-label="{label}"]')


def assert_from_the_left(row, button):
    """`button`, in the row's unlabelled buttons cell, starts at the card's left edge."""
    button.scroll_into_view_if_needed()
    expect(button).to_be_in_viewport()
    assert abs(button.bounding_box()["x"] - row.bounding_box()["x"]) < 1


@pytest.mark.parametrize("screen", [PHONE, TABLET], ids=["phone", "tablet"])
def test_lists_at_phone_and_tablet_width_show_each_row_as_a_card_with_every_column(
    server, page, screen
):
    campaign = _acme()
    page.set_viewport_size(screen)
    log_in(page, server, "admin@acme.test")

    page.goto(f"{server}/leads/")
    row = page.locator("#lead-rows-live tr", has_text="Chloe Nguyen")
    assert_fits(page, page.locator("#lead-table table"))
    assert_in_sight(page, cell(row, "Campaign"), "Campaign", "Spring roofing offer")
    assert_in_sight(page, cell(row, "Status"), "Status", "New")
    assert_in_sight(page, cell(row, "Representative"), "Representative", "Riley Rep")

    page.goto(f"{server}/notifications/")
    row = page.locator("#delivery-rows-live tr").first
    assert_fits(page, page.locator("#delivery-table table"))
    assert_in_sight(page, cell(row, "Channel"), "Channel", "SMS")
    assert_in_sight(page, cell(row, "To"), "To", "(415) 555-0123")
    assert_in_sight(page, cell(row, "Status"), "Status", "Delivered")
    expect(row.get_by_role("link", name="Details")).to_be_in_viewport()

    page.goto(f"{server}/campaigns/")
    row = page.locator(f"#campaign-{campaign.pk}")
    assert_fits(page, page.locator("#campaign-table table"))
    assert_in_sight(page, cell(row, "Owner"), "Owner", "")
    assert_in_sight(page, cell(row, "Status"), "Status", "Active")
    assert_in_sight(page, cell(row, "Created"), "Created", "20")

    # A campaign's own leads, from the same rows.
    page.goto(f"{server}/campaigns/{campaign.pk}/")
    leads = page.locator(f"#campaign-{campaign.pk}-leads")
    assert_fits(page, page.locator("table", has=leads))
    assert_in_sight(
        page, cell(leads.locator("tr").first, "Representative"), "Representative", "Riley"
    )

    page.goto(f"{server}/contacts/")
    row = page.locator("#contact-rows tr", has_text="Nguyen Roofing")
    assert_fits(page, page.locator("#contact-table table"))
    assert_in_sight(page, cell(row, "Email"), "Email", "chloe.nguyen@example.com")
    assert_in_sight(page, cell(row, "Added"), "Added", "20")

    page.goto(f"{server}/campaigns/{campaign.pk}/edit/")
    reps = page.locator("table.reps")
    assert_fits(page, reps)
    custom = page.get_by_label("Custom SMS number for riley@acme.test")
    custom.scroll_into_view_if_needed()
    expect(custom).to_be_in_viewport()
    expect(custom).to_have_value("+14155550123")
    box = custom.bounding_box()
    assert box is not None and box["x"] + box["width"] <= screen["width"]


@pytest.mark.parametrize("screen", [PHONE, TABLET], ids=["phone", "tablet"])
def test_a_contacts_leads_and_deals_at_phone_and_tablet_width_are_cards(server, page, screen):
    """They scrolled sideways, hiding Status and Value past the screen's edge."""
    campaign = _acme()
    contact = Contact.objects.get(company="Nguyen Roofing")
    lead = Lead.objects.get(campaign=campaign)
    Lead.objects.filter(pk=lead.pk).update(contact=contact)
    pipeline = Pipeline.objects.get(account=campaign.account, name="Sales")
    Deal.objects.create(
        account=campaign.account,
        pipeline=pipeline,
        stage=pipeline.stages.get(name="Qualified"),
        contact=contact,
        lead=lead,
        title="Chloe Nguyen",
        value=Decimal("4500"),
        currency="USD",
    )
    page.set_viewport_size(screen)
    log_in(page, server, "admin@acme.test")

    page.goto(f"{server}/contacts/{contact.pk}/")
    assert_fits(page, page.locator("#contact-leads table"))
    row = page.locator(f"#contact-lead-{lead.pk}")
    assert_in_sight(page, cell(row, "Status"), "Status", "New")
    assert_in_sight(page, cell(row, "Received"), "Received", "")
    assert_fits(page, page.locator("#contact-deals table"))
    row = page.locator("#contact-deals tbody tr").first
    assert_in_sight(page, cell(row, "Value"), "Value", "USD 4,500.00")
    assert_in_sight(page, cell(row, "Stage"), "Stage", "Qualified")


def test_a_lead_arriving_live_at_phone_width_is_a_card_too(server, page):
    campaign = _acme()
    page.set_viewport_size(PHONE)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/{campaign.pk}/")
    form_url = page.locator("#form-url").inner_text()
    page.goto(f"{server}/leads/")
    expect(page.locator("#live-status")).to_have_class("live-status connected")

    send_public_form(page.context.new_page(), form_url)

    row = page.locator("#lead-rows-live tr", has_text="Ann Visitor")
    expect(row).to_be_visible()
    assert_fits(page, page.locator("#lead-table table"))
    # Its cells are lines one below the other, not columns side by side.
    tops = [c.bounding_box()["y"] for c in row.locator("td").all()]
    assert tops == sorted(tops) and len(set(tops)) == 8
    assert_in_sight(page, cell(row, "Status"), "Status", "New")
    assert_in_sight(page, cell(row, "Representative"), "Representative", "Riley Rep")


def test_lists_on_a_desktop_keep_their_columns(server, page):
    _acme()
    page.set_viewport_size(DESKTOP)
    log_in(page, server, "admin@acme.test")
    for path, table in (
        ("/leads/", "#lead-table table"),
        ("/notifications/", "#delivery-table table"),
    ):
        page.goto(f"{server}{path}")
        expect(page.locator(table).locator("thead th").first).to_be_visible()
        row = page.locator(table).locator("tbody tr").first
        tops = {round(c.bounding_box()["y"]) for c in row.locator("td").all()}
        assert len(tops) == 1
        assert (
            row.locator("td").first.evaluate("td => getComputedStyle(td).display") == "table-cell"
        )


@pytest.mark.parametrize("screen", [PHONE, TABLET], ids=["phone", "tablet"])
def test_the_dialer_overview_at_phone_and_tablet_width_shows_each_campaign_as_a_card(
    server, page, e2e_sandbox, screen
):
    account = make_account("Acme Agency", "admin@acme.test")
    dialer_services.connect(
        account=account, base_url=settings.DIALER_API_BASE, api_key="sandbox-dialer-key"
    )
    campaign = dialer_services.create_campaign(
        account=account,
        name="Spring policy renewals",
        aggression="1.5",
        max_attempts=3,
        retry_delay_s=3600,
    )
    page.set_viewport_size(screen)
    log_in(page, server, "admin@acme.test")
    open_live(page, f"{server}/dialer/", "/dialer/live/")
    # Its own row: the shared sandbox dialer may list campaigns of the same name to adopt.
    row = page.locator(f"#dialer-campaign-{campaign.pk}")
    assert_fits(page, page.locator("#dialer-overview table"))
    assert_in_sight(page, cell(row, "Agents"), "Agents", "0")
    assert_in_sight(page, cell(row, "On the dialer"), "On the dialer", "yes")
    # Its buttons start on the left, as on every other card.
    assert_from_the_left(row, row.get_by_role("link", name="Edit"))
    for name in ("Start", "Stop", "Remove"):
        button = row.get_by_role("button", name=name)
        expect(button).to_be_in_viewport(ratio=1)
        # Whole: not cut to "Sta…" by the edge of a card that scrolls.
        assert button.evaluate("b => b.scrollWidth <= b.clientWidth")


def test_advertisers_members_and_devices_at_phone_width_are_cards_too(server, page):
    campaign = _acme()
    account = campaign.account
    admin = account.memberships.get(role=Role.ADMIN).user
    AdvertiserCampaign.objects.create(
        account=account,
        advertiser_id_from_network="acme-adv",
        id_from_network="spring-1",
        name="Spring promotion",
        status=CampaignStatus.LIVE,
    )
    sam = make_account("Elsewhere", "sam@elsewhere.test").memberships.get().user
    Invitation.objects.create(
        account=account, user=sam, email=sam.email, role=Role.MEMBER, invited_by=admin
    )
    FCMDevice.objects.create(
        user=admin, registration_id="fcm-token-of-the-office-laptop", type="web", name="Laptop"
    )
    page.set_viewport_size(PHONE)
    log_in(page, server, "admin@acme.test")

    page.goto(f"{server}/invoca/")
    table = page.locator("table", has_text="Advertiser id")
    row = table.locator("tbody tr", has_text="acme-adv")
    assert_fits(page, table)
    assert_in_sight(page, cell(row, "Campaigns"), "Campaigns", "1")
    assert_in_sight(page, cell(row, "Live"), "Live", "1")
    assert_in_sight(page, cell(row, "Archived"), "Archived", "0")

    page.goto(f"{server}/settings/members/")
    table = page.locator("#members")
    row = table.locator("tbody tr", has_text="riley@acme.test")
    assert_fits(page, table)
    assert_in_sight(page, cell(row, "Email"), "Email", "riley@acme.test")
    assert_in_sight(page, cell(row, "Role"), "Role", "")
    expect(row.get_by_label("Role of riley@acme.test", exact=True)).to_have_value("member")
    assert_from_the_left(row, row.get_by_role("link", name="Remove riley@acme.test"))
    table = page.locator("#invitations")
    row = table.locator("tbody tr", has_text="sam@elsewhere.test")
    assert_fits(page, table)
    assert_in_sight(page, cell(row, "Invited by"), "Invited by", "")
    assert_in_sight(page, cell(row, "Expires"), "Expires", "20")
    assert_from_the_left(row, row.get_by_role("button", name="Cancel invitation"))

    page.goto(f"{server}/notifications/devices/")
    table = page.locator("table", has_text="Registered")
    row = table.locator("tbody tr", has_text="Laptop")
    assert_fits(page, table)
    assert_in_sight(page, cell(row, "Token"), "Token", "fcm-token-of-the-office")
    assert_in_sight(page, cell(row, "Registered"), "Registered", "20")
    assert_in_sight(page, cell(row, "Status"), "Status", "active")
    assert_from_the_left(row, row.get_by_role("button", name="Remove"))


def test_ones_own_invitations_at_phone_width_are_cards_with_accept_in_sight(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    sam = make_account("Elsewhere", "sam@elsewhere.test").memberships.get().user
    for name in ("Bolt Media", "Northwind Roofing"):
        other = make_account(name, f"admin@{name.split()[0].lower()}.test")
        Invitation.objects.create(
            account=other,
            user=sam,
            email=sam.email,
            role=Role.MEMBER,
            invited_by=other.memberships.get().user,
        )
    Invitation.objects.create(
        account=account, user=sam, email=sam.email, role=Role.ADMIN, invited_by=admin
    )
    page.set_viewport_size(PHONE)
    log_in(page, server, "sam@elsewhere.test")
    page.goto(f"{server}/invitations/")
    table = page.locator("#my-invitations")
    row = table.locator("tbody tr", has_text="Acme Agency")
    assert_fits(page, table)
    assert_in_sight(page, cell(row, "Account"), "Account", "Acme Agency")
    assert_in_sight(page, cell(row, "Role"), "Role", "Admin")
    assert_in_sight(page, cell(row, "Expires"), "Expires", "20")
    assert_from_the_left(row, row.get_by_role("button", name="Accept"))
    for name in ("Accept", "Decline"):
        button = row.get_by_role("button", name=name)
        expect(button).to_be_in_viewport(ratio=1)
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    row.get_by_role("button", name="Accept").click()
    expect(page.locator("#messages")).to_contain_text("You joined Acme Agency.")
    assert account.memberships.get(user=sam).role == Role.ADMIN


def test_campaigns_needing_attention_at_phone_width_are_cards(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    make_campaign(
        SimpleNamespace(account=account, admin=admin),
        integration="form",
        campaign_name="Autumn gutter cleaning",
        notification_type="send_email_sms",
    )
    page.set_viewport_size(PHONE)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/attention/")
    table = page.locator("table", has_text="What is wrong")
    row = table.locator("tbody tr", has_text="Autumn gutter cleaning")
    assert_fits(page, table)
    assert_in_sight(page, cell(row, "Lead source"), "Lead source", "")
    # The reason, the column that was cut off, is whole on screen.
    assert_in_sight(page, cell(row, "What is wrong"), "What is wrong", "No representatives")


def test_a_dialer_campaigns_agents_and_call_outcomes_at_phone_width_are_cards(
    server, page, e2e_sandbox
):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    dialer_services.connect(
        account=account, base_url=settings.DIALER_API_BASE, api_key="sandbox-dialer-key"
    )
    campaign = dialer_services.create_campaign(
        account=account,
        name="Spring policy renewals",
        aggression="1.5",
        max_attempts=3,
        retry_delay_s=3600,
    )
    AgentExtension.objects.create(
        account=account, membership=account.memberships.get(user=admin), extension="100"
    )
    dialer_services.add_agent(campaign=campaign, user=admin)
    DialerEvent.objects.create(
        account=account,
        campaign=campaign,
        kind=EventKind.CDR,
        campaign_ref=campaign.ref,
        call_ref="call-1",
        contact_ref="contact-of-a-very-long-reference-0001",
        extension="100",
        end_reason="hungup",
        call_time=42,
        dialed_at="2026-03-02T15:04:05Z",
    )
    page.set_viewport_size(PHONE)
    log_in(page, server, "admin@acme.test")
    open_live(
        page,
        f"{server}/dialer/campaigns/{campaign.ref}/",
        f"/dialer/campaigns/{campaign.ref}/live/",
    )

    board = page.locator(f"#dialer-board-{campaign.pk} table")
    row = board.locator("tbody tr").first
    assert_fits(page, board)
    assert_in_sight(page, cell(row, "Extension"), "Extension", "100")
    assert_in_sight(page, cell(row, "Status on the dialer"), "Status on the dialer", "offline")
    assert_in_sight(page, cell(row, "Since"), "Since", "—")
    assert_from_the_left(row, row.get_by_role("button", name="Remove"))

    outcomes = page.locator(f"#dialer-outcomes-{campaign.pk} table")
    row = outcomes.locator("tbody tr").first
    assert_fits(page, outcomes)
    assert_in_sight(page, cell(row, "Dialled"), "Dialled", "2026")
    assert_in_sight(page, cell(row, "Contact"), "Contact", "contact-of-a-very-long-reference")
    assert_in_sight(page, cell(row, "Outcome"), "Outcome", "")
    assert_in_sight(page, cell(row, "Talk time"), "Talk time", "42 s")


def test_callrail_trackers_and_dialer_extensions_at_phone_width_are_cards(server, page):
    campaign = _acme()
    account = campaign.account
    _working_in_demo_roofing(account)
    admin = account.memberships.get(role=Role.ADMIN).user
    AgentExtension.objects.create(
        account=account, membership=account.memberships.get(user=admin), extension="100"
    )
    page.set_viewport_size(PHONE)
    log_in(page, server, "admin@acme.test")

    # The demo company's own tracker (other tests rename or add some).
    page.goto(f"{server}/callrail/trackers/?search=Google+Ads")
    table = page.locator("table", has_text="Forwards to")
    row = table.locator("tbody tr", has_text="Google Ads")
    assert_fits(page, table)
    assert_in_sight(page, cell(row, "Number"), "Number", "(415) 555-0134")
    assert_in_sight(page, cell(row, "Forwards to"), "Forwards to", "(415) 555-0100")
    assert_in_sight(page, cell(row, "Source"), "Source", "Google Ads extension")
    assert_in_sight(page, cell(row, "Status"), "Status", "Active")
    assert_from_the_left(row, row.get_by_role("link", name="Edit"))
    expect(row.get_by_role("button", name="Disable")).to_be_in_viewport()

    page.goto(f"{server}/dialer/extensions/")
    table = page.locator("table", has_text="Extension")
    row = table.locator("tbody tr", has_text="riley@acme.test")
    assert_fits(page, table)
    assert_in_sight(page, cell(row, "Member"), "Member", "Riley Rep")
    assert_in_sight(page, cell(row, "Email"), "Email", "riley@acme.test")
    assert_in_sight(page, cell(row, "Extension"), "Extension", "")
    mine = table.locator("tbody tr", has_text="admin@acme.test")
    field = mine.get_by_label(f"Extension of {admin.get_full_name()}")
    expect(field).to_have_value("100")
    save = mine.get_by_role("button", name="Save")
    save.scroll_into_view_if_needed()
    expect(save).to_be_in_viewport()
    box = save.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]


def test_callrail_accounts_companies_and_unused_numbers_at_phone_width_are_cards(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    _working_in_demo_roofing(account)
    # A call to the Google Ads tracker, a number no campaign of the account uses.
    assert _send_call(server, account, fixture("pre_call__inbound")).status_code == 200
    page.set_viewport_size(PHONE)
    log_in(page, server, "admin@acme.test")

    # The card is swapped in again when the live connection opens.
    open_live(page, f"{server}/callrail/", "/callrail/live/")
    table = page.locator("#unused-numbers table")
    row = table.locator("tbody tr", has_text="(415) 555-0134")
    assert_fits(page, table)
    assert_in_sight(page, cell(row, "Tracking number"), "Tracking number", "(415) 555-0134")
    assert_in_sight(page, cell(row, "Calls"), "Calls", "1")
    assert_in_sight(page, cell(row, "Latest"), "Latest", "20")

    page.goto(f"{server}/callrail/accounts/")
    table = page.locator("table", has_text="HIPAA")
    row = table.locator("tbody tr", has_text="Demo Agency")
    assert_fits(page, table)
    assert_in_sight(page, cell(row, "Name"), "Name", "current")
    assert_in_sight(page, cell(row, "Id"), "Id", "ACC")
    assert_in_sight(page, cell(row, "HIPAA"), "HIPAA", "no")
    assert_from_the_left(row, row.get_by_text("Working in this account"))

    page.goto(f"{server}/callrail/companies/")
    table = page.locator("table", has_text="Time zone")
    row = table.locator("tbody tr", has_text="Demo Dental")
    assert_fits(page, table)
    assert_in_sight(page, cell(row, "Status"), "Status", "Active")
    assert_in_sight(page, cell(row, "Time zone"), "Time zone", "America/New_York")
    assert_in_sight(page, cell(row, "DNI"), "DNI", "on")
    assert_from_the_left(row, row.get_by_role("button", name="Work with this company"))


def _invoca_campaign(advertiser_id):
    """An account (admin@agency.test) connected to the sandbox's Invoca network, with the demo's
    campaign (its terms staged: hours, a region, a payout, a payin, an IVR) created under
    `advertiser_id` (one of the test's own: the sandbox keeps campaigns between tests); returns
    the campaign's path."""
    account = make_account("Agency", "admin@agency.test")
    invoca_services.connect(
        account=account,
        network_id=invoca_demo.DEMO_NETWORK,
        api_token="sandbox-invoca-token",
        base_url=settings.INVOCA_API_BASE,
    )
    invoca_services.create_campaign(
        account=account,
        advertiser_id=advertiser_id,
        id_from_network=invoca_demo.DEMO_CAMPAIGN,
        clean=clean_campaign(
            name="Spring promotion", terms=invoca_demo.DEMO_TERMS, custom_data={"channel": "Radio"}
        ),
    )
    return f"/invoca/advertisers/{advertiser_id}/campaigns/{invoca_demo.DEMO_CAMPAIGN}/"


def test_invoca_campaigns_terms_stats_and_form_rows_at_phone_width_are_cards(server, page):
    campaign_path = _invoca_campaign("phone-cards")
    page.set_viewport_size(PHONE)
    log_in(page, server, "admin@agency.test")

    page.goto(f"{server}/invoca/advertisers/phone-cards/")
    table = page.locator("#invoca-campaigns table")
    row = table.locator("tbody tr", has_text="Spring promotion")
    assert_fits(page, table)
    assert_in_sight(page, cell(row, "Id"), "Id", invoca_demo.DEMO_CAMPAIGN)
    assert_in_sight(page, cell(row, "Staged changes"), "Staged changes", "waiting for go live")
    assert_in_sight(page, cell(row, "Leads go to"), "Leads go to", "no inbound campaign")

    page.goto(f"{server}{campaign_path}")
    stats = page.locator("[data-invoca-stats] table")
    expect(stats.locator('[data-stat="today-calls"]')).to_have_text("0")
    assert_fits(page, stats)
    row = stats.locator("tbody tr", has_text="Calls")
    heading = row.locator("th")
    assert abs(heading.bounding_box()["width"] - row.bounding_box()["width"]) < 1
    for label in ("Today", "7 days", "30 days"):
        assert_in_sight(page, cell(row, label), label, "0")
    tops = {round(c.bounding_box()["y"]) for c in row.locator("td").all()}
    assert len(tops) == 1

    terms = page.locator("#invoca-terms")
    assert_fits(page, terms)
    flow = terms.locator('tr[data-term="ivr_tree"]')
    expect(flow).to_have_class("changed")
    assert_in_sight(page, flow.locator("td.current"), "Current terms", "—")
    future = flow.locator("td.future")
    assert_in_sight(page, future, "Future terms", "Key 1 → Connect to (800) 437-7950")
    # The property titles the card; its terms are as wide as it, under their column's name.
    title = flow.locator("th")
    assert title.evaluate("th => getComputedStyle(th).display") == "block"
    assert abs(future.bounding_box()["width"] - flow.bounding_box()["width"]) < 1

    page.goto(f"{server}{campaign_path}edit/")
    hours = page.locator("table.hours")
    saturday = hours.locator('tr[data-day="saturday"]')
    assert_fits(page, hours)
    assert_in_sight(page, cell(saturday, "Opens"), "Opens", "")
    assert_in_sight(page, cell(saturday, "Closed all day"), "Closed all day", "")
    payouts = page.locator('table[data-formset="payout"]')
    payout = payouts.locator("tbody tr").first
    assert_fits(page, payouts)
    condition = cell(payout, "Condition")
    assert_in_sight(page, condition, "Condition", "")
    expect(condition.locator("input")).to_have_value("duration >= 1 min 30 sec")
    # Saturday's hours, typed on the card, are staged.
    # Each control is named by itself, as a screen reader says it.
    page.get_by_label("Closed on Saturday").uncheck()
    page.get_by_label("Saturday opens").fill("10:00")
    page.get_by_label("Saturday closes").fill("14:00")
    page.get_by_role("button", name="Stage changes").click()
    expect(page.locator('#invoca-terms tr[data-term="hours_saturday"] td.future')).to_have_text(
        "10:00 to 14:00"
    )


def test_invoca_terms_on_a_tablet_are_cards_their_terms_as_wide_as_the_card(server, page):
    campaign_path = _invoca_campaign("tablet-cards")
    page.set_viewport_size(TABLET)
    log_in(page, server, "admin@agency.test")
    page.goto(f"{server}{campaign_path}")
    terms = page.locator("#invoca-terms")
    assert_fits(page, terms)
    flow = terms.locator('tr[data-term="ivr_tree"]')
    future = flow.locator("td.future")
    assert_in_sight(page, future, "Future terms", "Key 1 → Connect to (800) 437-7950")
    # Not a desktop's column widths squeezed into a card: the terms span it.
    assert abs(future.bounding_box()["width"] - flow.bounding_box()["width"]) < 1


def test_callrail_and_invoca_tables_on_a_desktop_keep_their_columns(server, page):
    campaign_path = _invoca_campaign("desktop-columns")
    _working_in_demo_roofing(AdvertiserCampaign.objects.get().account)
    page.set_viewport_size(DESKTOP)
    log_in(page, server, "admin@agency.test")
    for path, table in (
        ("/callrail/accounts/", "table"),
        ("/callrail/companies/", "table"),
        ("/invoca/advertisers/desktop-columns/", "#invoca-campaigns table"),
        (campaign_path, "[data-invoca-stats] table"),
        (campaign_path, "#invoca-terms"),
        (f"{campaign_path}edit/", 'table[data-formset="payout"]'),
    ):
        page.goto(f"{server}{path}")
        table = page.locator(table)
        expect(table.locator("thead th").last).to_be_visible()
        settled(page)  # The quick stats come by a request of their own, once the page loads.
        row = table.locator("tbody tr").first
        tops = {round(c.bounding_box()["y"]) for c in row.locator("td").all()}
        assert len(tops) == 1, path
        first = row.locator("td").first
        assert first.evaluate("td => getComputedStyle(td).display") == "table-cell"
        assert first.evaluate("td => getComputedStyle(td, '::before').content") == "none"


def _reported(campaign):
    """Riley's lead on `campaign`, won yesterday for 28,876.82 after 4 min 48 s."""
    lead = Lead.objects.get(campaign=campaign)
    yesterday = timezone.now() - timedelta(days=1)
    Lead.objects.filter(pk=lead.pk).update(
        status=LeadStatus.WON,
        revenue=Decimal("28876.82"),
        first_response_s=288,
        created_at=yesterday,
        updated_at=yesterday,
    )
    return lead


REPORT_GRIDS = (
    # (section, its title column, the title, {figure column: text})
    ("report-leads-per-day", "Day", None, {"Leads": "1", "Won": "1", "Revenue (USD)": "28,876.82"}),
    ("report-leads-by-source", "Source", "Form", {"Leads": "1", "Won": "1", "Conversion": "100"}),
    ("report-leads-by-campaign", "Campaign", "Spring roofing offer", {"Leads": "1", "Won": "1"}),
    (
        "report-revenue-by-campaign",
        "Campaign",
        "Spring roofing offer",
        {"Leads": "1", "Conversion": "100", "Revenue (USD)": "28,876.82"},
    ),
    (
        "report-response-by-representative",
        "Representative",
        "Riley Rep",
        {"Leads": "1", "Won": "1", "Median first response": "4 min 48 s"},
    ),
)


def test_report_grids_at_phone_width_are_cards_titled_by_their_first_column(server, page):
    _reported(_acme())
    page.set_viewport_size(PHONE)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/reports/")
    for section, title_column, title, figures in REPORT_GRIDS:
        table = page.locator(f"#{section} table")
        row = table.locator("tbody tr", has=page.locator(f'td[data-label="{title_column}"]'))
        if title:
            row = row.filter(has_text=title)
        else:  # The day with the lead: the one that has one.
            row = row.filter(has=page.locator('td[data-label="Leads"]', has_text="1"))
        assert_fits(page, table)
        # The first column is the card's title, bold and unlabelled, across the card.
        heading = cell(row, title_column)
        heading.scroll_into_view_if_needed()
        expect(heading).to_be_in_viewport()
        if title:
            expect(heading).to_have_text(title)
        assert heading.evaluate("td => getComputedStyle(td, '::before').content") == "none"
        assert int(heading.evaluate("td => getComputedStyle(td).fontWeight")) >= 600
        below = heading.bounding_box()
        assert abs(below["width"] - row.bounding_box()["width"]) < 1
        # Its figures, each under its column's name, side by side on one line below it.
        for label, text in figures.items():
            assert_in_sight(page, cell(row, label), label, text)
            # Whole: a figure is not broken across lines.
            value = cell(row, label).evaluate("td => getComputedStyle(td).whiteSpace")
            assert value == "nowrap"
        boxes = [c.bounding_box() for c in row.locator("td").all()[1:]]
        assert all(box["y"] >= below["y"] + below["height"] - 1 for box in boxes)
        assert len({round(box["y"] + box["height"]) for box in boxes}) == 1
        assert [box["x"] for box in boxes] == sorted(box["x"] for box in boxes)


def test_report_grids_on_a_desktop_keep_their_columns(server, page):
    _reported(_acme())
    page.set_viewport_size(DESKTOP)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/reports/")
    for section, *_ in REPORT_GRIDS:
        table = page.locator(f"#{section} table")
        expect(table.locator("thead th").first).to_be_visible()
        row = table.locator("tbody tr").first
        tops = {round(c.bounding_box()["y"]) for c in row.locator("td").all()}
        assert len(tops) == 1
        first = row.locator("td").first
        assert first.evaluate("td => getComputedStyle(td).display") == "table-cell"
        assert first.evaluate("td => getComputedStyle(td, '::before').content") == "none"
