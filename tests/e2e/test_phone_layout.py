"""Pages at a phone's width (390px): a dialer upload's refused rows wrap their reasons inside
the screen, a dialer campaign's ref stays whole in its heading, and a pipeline's stages keep a
full-width name with their buttons in one row. Lists say their count even on one page. What a
finger taps (☰, buttons, a card's links, a phone number) is 44px tall."""

from types import SimpleNamespace

from django.conf import settings
from fcm_django.models import FCMDevice
from playwright.sync_api import expect

from campaignhub.models import Invitation, Role
from campaigns import services as campaign_services
from campaigns.models import LeadSource
from dialer import services
from dialer.demo import DEMO_CSV
from tests.campaigns.factories import make_campaign
from tests.e2e.test_platform import log_in
from tests.factories import make_account

PHONE = {"width": 390, "height": 844}


def _box(locator):
    box = locator.bounding_box()
    assert box is not None
    return box


def test_a_dialer_campaign_at_phone_width_keeps_its_ref_whole_and_wraps_refused_rows(
    server, page, e2e_sandbox
):
    account = make_account("Acme Agency", "admin@acme.test")
    services.connect(
        account=account, base_url=settings.DIALER_API_BASE, api_key="sandbox-dialer-key"
    )
    campaign = services.create_campaign(
        account=account,
        name="Spring policy renewals",
        aggression="1.5",
        max_attempts=3,
        retry_delay_s=3600,
    )
    page.set_viewport_size(PHONE)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/dialer/campaigns/{campaign.ref}/")
    page.locator("input[type=file]").set_input_files(str(DEMO_CSV))
    page.get_by_role("button", name="Upload").click()
    refused = page.locator("#dialer-upload-errors")
    expect(refused).to_contain_text("is not a valid phone number")

    # The ref is one box on one line, not split between two.
    ref = page.locator(".page-head h1 code")
    expect(ref).to_have_text(campaign.ref)
    assert ref.evaluate("code => code.getClientRects().length") == 1

    # The table fits its card: nothing scrolls sideways, each reason wraps inside the screen,
    # and the row and column cells stay narrow beside it.
    assert refused.evaluate("table => table.scrollWidth <= table.clientWidth")
    card = _box(page.locator("section.card", has=refused))
    for row in refused.locator("tbody tr").all():
        number, column, reason = row.locator("td").all()
        assert _box(reason)["x"] + _box(reason)["width"] <= card["x"] + card["width"]
        assert _box(number)["width"] < 60 and _box(column)["width"] < 90
    long_reason = refused.locator("td", has_text="is not a valid phone number")
    assert long_reason.evaluate("td => td.scrollWidth <= td.clientWidth")
    assert long_reason.evaluate("td => td.getClientRects()[0].height") > 40


def test_pipeline_stages_at_phone_width_have_a_full_width_name_and_a_row_of_buttons(server, page):
    make_account("Acme Agency", "admin@acme.test")
    page.set_viewport_size(PHONE)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/pipelines/")
    name = page.get_by_label("Name of stage Contacted in Sales")
    expect(name).to_have_value("Contacted")
    card = _box(page.locator("section.pipeline").first)
    assert _box(name)["width"] > card["width"] - 80
    # Its buttons sit side by side on one line below the name.
    buttons = [
        page.get_by_role("button", name=f"{label} stage Contacted in Sales")
        for label in ("Save", "Delete")
    ] + [
        page.get_by_role("button", name=f"Move stage Contacted in Sales {way}")
        for way in ("up", "down")
    ]
    tops = {round(_box(button)["y"]) for button in buttons}
    assert len(tops) == 1
    assert tops.pop() > _box(name)["y"] + _box(name)["height"]
    assert page.locator("body").evaluate("body => body.scrollWidth <= window.innerWidth")
    # Each stage says its deals, its column header being out of sight.
    expect(page.locator("tr", has=name).locator("td.stage-deals")).to_have_text("Deals 0")


def test_a_list_on_one_page_says_its_count(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    tenant = SimpleNamespace(account=account, admin=account.memberships.get().user)
    campaign = make_campaign(tenant, integration="form", campaign_name="Roof")
    for number in range(3):
        campaign_services.capture_lead(
            campaign=campaign, source=LeadSource.FORM, external_id=f"f-{number}", name="Ann"
        )
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/?status=new")
    expect(page.locator("#lead-rows tr:not(.empty-row)")).to_have_count(3)
    expect(page.locator("#lead-table .pager")).to_have_text("Page 1 of 1 · 3 in all")
    # The live list (unfiltered) says it too, with no next page to offer.
    page.goto(f"{server}/leads/")
    pager = page.locator("#lead-table .pager")
    expect(pager.locator("[data-pager-summary]")).to_have_text("Page 1 of 1 · 3 in all")
    expect(pager.get_by_role("link", name="Next")).to_be_hidden()
    # No count for a list with nothing in it: its table says so.
    page.goto(f"{server}/leads/?search=nobody")
    expect(page.locator("#lead-table td.empty")).to_have_text("No leads match these filters.")
    expect(page.locator("#lead-table .pager")).to_have_count(0)
    # The campaign list says its count the same way.
    page.goto(f"{server}/campaigns/?integration=form")
    expect(page.locator("#campaign-table .pager")).to_have_text("Page 1 of 1 · 1 in all")


TAP = 44  # px: the least height (and the ☰ button's width) a finger taps on a phone or tablet


def _tap_sized(locator, *, width=False):
    box = _box(locator)
    assert box["height"] >= TAP - 0.5, box
    if width:
        assert box["width"] >= TAP - 0.5, box


def test_what_a_finger_taps_at_phone_width_is_44px_and_the_menu_is_a_named_button(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    campaign = make_campaign(
        SimpleNamespace(account=account, admin=admin), integration="form", campaign_name="Roof"
    )
    lead, _ = campaign_services.capture_lead(
        campaign=campaign,
        source=LeadSource.FORM,
        external_id="ann",
        name="Ann Lee",
        phone="+14155550111",
        email="ann@example.com",
    )
    invited = make_account("Bolt Media", "admin@bolt.test")
    Invitation.objects.create(
        account=invited,
        user=admin,
        email=admin.email,
        role=Role.MEMBER,
        invited_by=invited.memberships.get().user,
    )
    FCMDevice.objects.create(user=admin, registration_id="fcm-token", type="web", name="Laptop")
    page.set_viewport_size(PHONE)
    log_in(page, server, "admin@acme.test")

    # ☰ is a button in the accessibility tree, named, saying whether the menu is open.
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    _tap_sized(menu, width=True)
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(page.locator("nav.mainnav")).to_be_visible()
    _tap_sized(page.locator("nav.mainnav").get_by_role("link", name="Leads"))
    menu.click()
    expect(page.locator("nav.mainnav")).to_be_hidden()

    page.goto(f"{server}/invitations/")
    row = page.locator("#my-invitations tbody tr", has_text="Bolt Media")
    for name in ("Accept", "Decline"):
        _tap_sized(row.get_by_role("button", name=name))

    page.goto(f"{server}/notifications/devices/")
    _tap_sized(page.locator("tr", has_text="Laptop").get_by_role("button", name="Remove"))

    page.goto(f"{server}/leads/")
    card = page.locator("#lead-table tbody tr", has_text="Ann Lee")
    _tap_sized(card.get_by_role("link", name="Ann Lee"))
    _tap_sized(card.get_by_role("link", name="Roof"))
    _tap_sized(page.get_by_role("link", name="Export CSV"))

    page.goto(f"{server}/campaigns/")
    _tap_sized(page.locator("#campaign-table tbody tr").get_by_role("link", name="Roof"))

    page.goto(f"{server}/leads/{lead.pk}/")
    _tap_sized(page.locator("a[href^='tel:']"))
    _tap_sized(page.locator("a[href^='mailto:']"))

    # A desktop keeps its compact buttons and links.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{server}/invitations/")
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    assert _box(page.get_by_role("button", name="Accept"))["height"] < TAP - 10
    page.goto(f"{server}/leads/{lead.pk}/")
    assert _box(page.locator("a[href^='tel:']"))["height"] < TAP - 10
