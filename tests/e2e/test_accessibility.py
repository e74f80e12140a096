"""Keyboard and screen-reader behaviour in the browser: the skip link, live announcements."""

from playwright.sync_api import expect

from tests.e2e.test_platform import log_in
from tests.factories import make_account


def test_the_first_tab_stop_is_the_skip_link_and_enter_moves_focus_into_the_page(server, page):
    make_account("Acme Agency", "admin@acme.test")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 720})
        log_in(page, server, "admin@acme.test")
        page.goto(f"{server}/leads/")
        skip = page.get_by_role("link", name="Skip to content")
        expect(skip).not_to_be_in_viewport()
        page.keyboard.press("Tab")
        expect(skip).to_be_focused()
        expect(skip).to_be_in_viewport()
        assert skip.bounding_box()["width"] > 50
        page.keyboard.press("Enter")
        expect(page.locator("main#content")).to_be_focused()
        # The next stop is the page's first control, not the header's first link.
        page.keyboard.press("Tab")
        expect(page.get_by_label("Search leads")).to_be_focused()
        page.context.clear_cookies()
