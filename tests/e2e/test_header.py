"""The page header: one row on a desktop screen (1240px and wider, where its links fit), a
stacked menu behind ☰ on a phone or a tablet."""

import os

import pytest
from playwright.sync_api import expect

from campaignhub.models import User
from tests.e2e.test_platform import log_in
from tests.factories import make_account

LONG_NAME = "Northwind Leads and Lettings of the Greater Metropolitan Area"
SHOTS = os.environ.get("HEADER_SCREENSHOTS")


def shoot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"))


def box(locator):
    return locator.bounding_box()


def test_the_header_is_one_row_at_desktop_width_with_a_long_account_name(server, page):
    make_account(LONG_NAME, "admin@northwind.test")
    page.set_viewport_size({"width": 1280, "height": 720})
    log_in(page, server, "admin@northwind.test")
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    shoot(page, "header-1280")

    header, nav = page.locator("header.topbar"), page.locator("nav.mainnav")
    links = nav.get_by_role("link")
    first, last = box(links.first), box(links.last)
    # Every link on the first one's line: the nav does not wrap, nor does the header.
    assert abs(last["y"] - first["y"]) < 2, (first, last)
    assert box(nav)["height"] < 2 * first["height"] + 4
    assert box(header)["height"] < 60
    name = page.locator(".account-name")
    assert name.get_attribute("title") == LONG_NAME
    # The name is cut short with an ellipsis rather than pushing the links aside.
    assert name.evaluate("e => e.scrollWidth > e.clientWidth")
    assert box(name)["y"] < box(header)["y"] + box(header)["height"]


def test_short_names_take_their_own_width_and_leave_the_rest_to_the_account(server, page):
    """A first name shorter than the 4rem names may shrink to takes only its own width, so an
    account name that fits beside the links at 1280 is shown whole."""
    account = make_account("Demo Agency", "dana@demo.test")
    User.objects.filter(pk=account.memberships.get().user_id).update(name="Dana Scully")
    page.set_viewport_size({"width": 1280, "height": 720})
    log_in(page, server, "dana@demo.test")
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    for name in (".account-name", ".profile-link"):
        whole = page.locator(name).evaluate("e => e.scrollWidth <= e.clientWidth")
        assert whole, name
    assert box(page.locator(".profile-link"))["width"] < 60


@pytest.mark.parametrize("width", [1240, 1280, 1366])
def test_the_header_is_one_row_at_every_desktop_width(server, page, width):
    email = "lettings.administrator@northwind-leads-and-lettings.test"
    make_account(LONG_NAME, email)
    page.set_viewport_size({"width": width, "height": 720})
    log_in(page, server, email)
    page.goto(f"{server}/settings/members/")
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    shoot(page, f"header-{width}")

    header, nav = page.locator("header.topbar"), page.locator("nav.mainnav")
    brand = box(page.locator(".brand"))
    line = brand["y"] + brand["height"] / 2
    parts = header.locator(".brand, .mainnav a, .who > *")
    for index in range(parts.count()):
        part = box(parts.nth(index))
        # Every part on the brand's line, and inside the screen.
        assert part["y"] < line < part["y"] + part["height"], (part, brand)
        assert part["x"] + part["width"] <= width, part
    assert box(header)["height"] < 60
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert box(page.locator(".account-name"))["width"] >= 63
    expect_whole_short_label(page, "lettings", email)
    # The links come first: they scroll sideways only when they cannot all be shown.
    scrolls = nav.evaluate("e => e.scrollWidth > e.clientWidth")
    assert scrolls == (width < 1280)
    # The page's own link (the last one here) is in sight, and the keyboard reaches every link.
    expect(nav.get_by_role("link", name="Settings")).to_have_attribute("aria-current", "page")
    expect(nav.get_by_role("link", name="Settings")).to_be_in_viewport(ratio=0.95)
    links = nav.get_by_role("link")
    links.first.focus()
    expect(links.first).to_be_in_viewport(ratio=0.95)
    for index in range(1, links.count()):
        page.keyboard.press("Tab")
        expect(links.nth(index)).to_be_focused()
        expect(links.nth(index)).to_be_in_viewport(ratio=0.95)


@pytest.mark.parametrize("width", [390, 820, 1239])
def test_the_phone_and_tablet_menu_stacks_full_width_links_under_the_bar(server, page, width):
    """Below 1240px the links do not all fit beside the names: rather than showing a few and
    hiding the rest past the edge, the bar keeps the brand and ☰, which opens every link."""
    make_account(LONG_NAME, "admin@northwind.test")
    page.set_viewport_size({"width": width, "height": 844})
    log_in(page, server, "admin@northwind.test")
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    nav = page.locator("nav.mainnav")
    expect(nav).to_be_hidden()
    expect(page.locator(".who")).to_be_hidden()
    assert box(page.locator("header.topbar"))["height"] < 60
    shoot(page, f"header-{width}-closed")

    page.get_by_role("button", name="Menu").click()
    expect(nav).to_be_visible()
    shoot(page, f"header-{width}-open")

    brand, toggle = box(page.locator(".brand")), box(page.locator(".nav-toggle"))
    # The bar stays a bar: brand at the left, ☰ at the right, on the same line, at the top.
    assert abs(brand["y"] - toggle["y"]) < 12 and brand["y"] < 30, (brand, toggle)
    assert toggle["x"] + toggle["width"] > width - 40
    header = box(page.locator("header.topbar"))
    links = nav.get_by_role("link")
    assert links.count() == 11
    previous = None
    for index in range(links.count()):
        link = box(links.nth(index))
        # Each link spans the menu's width (less the bar's padding) under the bar, one per row.
        assert link["width"] > width - 2 * 24, link
        assert nav.evaluate("n => n.scrollWidth <= n.clientWidth")
        assert link["y"] > brand["y"] + brand["height"]
        if previous is not None:
            assert link["y"] >= previous["y"] + previous["height"] - 1
        previous = link
    assert header["width"] == width
    expect(page.locator(".who .profile-link")).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_the_phone_menu_opens_from_the_keyboard(server, page):
    make_account(LONG_NAME, "admin@northwind.test")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, server, "admin@northwind.test")
    nav = page.locator("nav.mainnav")
    expect(nav).to_be_hidden()
    page.locator(".brand").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Menu")).to_be_focused()
    page.keyboard.press("Space")
    expect(nav).to_be_visible()
    page.keyboard.press("Tab")
    expect(nav.get_by_role("link").first).to_be_focused()
    # Escape closes it again and gives ☰ the focus back.
    page.keyboard.press("Escape")
    expect(nav).to_be_hidden()
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_be_focused()
    expect(menu).to_have_attribute("aria-expanded", "false")


def expect_whole_short_label(page, label, email):
    """The header calls a person with no name by their address's first word, shown whole, with
    the whole address as its title."""
    link = page.locator(".profile-link")
    expect(link).to_have_text(label)
    expect(link).to_have_attribute("title", email)
    assert link.evaluate("e => e.scrollWidth <= e.clientWidth"), link.bounding_box()


@pytest.mark.parametrize("width", [390, 820, 1280])
def test_a_person_with_no_name_is_called_by_their_address_s_first_word(server, page, width):
    email = "lettings.administrator@northwind-leads-and-lettings.test"
    make_account(LONG_NAME, email)
    page.set_viewport_size({"width": width, "height": 720})
    log_in(page, server, email)
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    if width < 1240:
        page.get_by_role("button", name="Menu").click()
    shoot(page, f"header-no-name-{width}")
    expect_whole_short_label(page, "lettings", email)
    assert (
        box(page.locator(".profile-link"))["x"] + box(page.locator(".profile-link"))["width"]
        <= width
    )


def test_a_lost_live_connection_shows_outside_the_menu_on_a_phone_until_it_reconnects(server, page):
    """At 390 px the indicator is inside ☰: a dropped socket shows a bar at the foot of the
    screen ("reconnecting…"), gone once the socket is open again; at 1280 px the header's own
    indicator says it, and no bar shows."""
    make_account("Demo Agency", "dana@demo.test")
    sockets = []

    def through(ws):
        ws.connect_to_server()
        sockets.append(ws)

    page.route_web_socket("**/ws/live/", through)
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, server, "dana@demo.test")
    lost = page.locator("#live-lost")
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    expect(lost).to_be_hidden()

    sockets[-1].close(code=1012, reason="Service restart")
    expect(lost).to_be_visible()
    expect(lost).to_have_text("Live updates paused — reconnecting…")
    assert box(lost)["y"] + box(lost)["height"] <= 844
    shoot(page, "live-lost-390")
    expect(page.locator("#live-status")).to_have_class("live-status connected", timeout=15000)
    expect(lost).to_be_hidden()
    assert len(sockets) == 2

    page.set_viewport_size({"width": 1280, "height": 720})
    sockets[-1].close(code=1012, reason="Service restart")
    expect(page.locator("#live-status")).not_to_have_class("live-status connected")
    expect(lost).to_be_hidden()
