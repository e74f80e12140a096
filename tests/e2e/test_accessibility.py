"""Keyboard and screen-reader behaviour in the browser: the skip link, live announcements."""

import re
from types import SimpleNamespace

from django.urls import reverse
from playwright.sync_api import expect

from campaignhub import services
from tests.campaigns.factories import make_campaign
from tests.e2e.test_live_pages import send_public_form
from tests.e2e.test_platform import log_in
from tests.factories import make_account


def heard(page, text):
    """Wait until the page's live region says `text` (it says it for a moment, then is emptied:
    looked at on every frame, so the moment is not missed)."""
    page.wait_for_function(
        "text => document.getElementById('announcer').textContent === text",
        arg=text,
        polling="raf",
    )


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


def test_new_leads_and_filtered_results_are_announced_in_one_polite_region(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    campaign = make_campaign(
        SimpleNamespace(account=account, admin=admin), integration="form", campaign_name="Roof"
    )
    log_in(page, server, "admin@acme.test")
    expect(page.get_by_role("heading", name="Latest leads")).to_be_visible()
    expect(page.locator("#live-status")).to_have_class(re.compile(r"\bconnected\b"))
    announcer = page.locator("#announcer")
    expect(announcer).to_have_attribute("aria-live", "polite")
    expect(announcer).to_have_text("")

    form_url = server + reverse("public_form", args=[campaign.form_secret_id])
    send_public_form(page.context.new_page(), form_url)
    expect(page.locator("#lead-feed")).to_contain_text("Ann Visitor")
    heard(page, "New lead: Ann Visitor")

    page.goto(f"{server}/campaigns/")
    page.get_by_label("Search by name").fill("no such campaign")
    heard(page, "No campaigns match these filters.")
    page.get_by_label("Search by name").fill("Roof")
    heard(page, "Page 1 of 1 · 1 in all")
    # Once said, the region is emptied: no stale copy of the page's words stays there.
    expect(announcer).to_have_text("")

    page.goto(f"{server}/campaigns/{campaign.pk}/edit/")
    region = page.locator("[aria-live=polite]:has(#preview)")
    expect(region).to_have_count(1)
    page.get_by_role("button", name="Preview").click()
    expect(region).to_contain_text("Shown with a sample lead, Sam Sample.")


RING_INSIDE_ROW = """link => {
    const style = getComputedStyle(link);
    const ring = parseFloat(style.outlineOffset) + parseFloat(style.outlineWidth);
    const box = link.getBoundingClientRect();
    const row = link.closest(".mainnav").getBoundingClientRect();
    return style.outlineStyle !== "none" && ring > 0
      && box.top - ring >= row.top && box.bottom + ring <= row.bottom
      && box.left - ring >= row.left && box.right + ring <= row.right;
}"""


def test_a_focused_header_link_shows_its_whole_ring_at_desktop_width(server, page):
    make_account("Acme Agency", "admin@acme.test")
    page.set_viewport_size({"width": 1280, "height": 720})
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/")
    links = page.locator("nav.mainnav a")
    expect(links.first).to_be_visible()
    # Skip link, brand, then the header's links in order (the page's own among them).
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    for index in range(links.count()):
        page.keyboard.press("Tab")
        link = links.nth(index)
        expect(link).to_be_focused()
        assert link.evaluate(RING_INSIDE_ROW), link.inner_text()
    # The row's band for the ring takes no room: the links sit on the header's middle line.
    header = page.locator("header.topbar").bounding_box()
    assert round(header["height"]) == 44


def test_controls_are_named_for_what_they_act_on(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    state = page.locator("#live-status [data-live-state]")
    expect(state).to_have_text("Live updates connected")
    assert page.locator("#live-status [aria-hidden=true]").inner_text() == "●"

    page.goto(f"{server}/campaigns/new/")
    page.get_by_role("radio", name="Email and SMS").check()
    expect(page.get_by_role("textbox", name="Email message")).to_be_visible()
    expect(page.get_by_role("textbox", name="SMS message")).to_be_visible()

    services.issue_token(account=account, user=account.memberships.get().user, name="Zapier")
    page.goto(f"{server}/settings/tokens/")
    expect(page.get_by_role("button", name="Revoke Zapier", exact=True)).to_be_visible()
    expect(page.get_by_role("columnheader", name="Actions")).to_have_count(1)
