"""Invitations in the browser: an admin invites someone who has a login, they accept; an admin
cancels one."""

from playwright.sync_api import expect

from campaignhub.models import Membership
from tests.e2e.test_platform import log_in
from tests.factories import make_account


def _invite(page, server, email, role="member"):
    page.goto(f"{server}/settings/members/")
    page.get_by_label("Email", exact=True).fill(email)
    page.get_by_label("Role", exact=True).select_option(role)
    page.get_by_role("button", name="Add member").click()


def test_an_existing_user_accepts_an_invitation(server, page, browser):
    acme = make_account("Acme Agency", "admin@acme.test")
    make_account("Bolt Media", "admin@bolt.test")

    log_in(page, server, "admin@acme.test")
    _invite(page, server, "Admin@Bolt.test", role="admin")
    expect(page.locator("#messages")).to_contain_text("Invitation sent to Admin@Bolt.test")
    expect(page.locator("#invitations")).to_contain_text("Admin@Bolt.test")
    expect(page.locator("#members")).not_to_contain_text("bolt.test")

    invitee = browser.new_context().new_page()
    log_in(invitee, server, "admin@bolt.test")
    invitee.get_by_role("link", name="see your invitations").click()
    row = invitee.locator("#my-invitations tr", has_text="Acme Agency")
    row.get_by_role("button", name="Accept").click()
    expect(invitee.locator("#messages")).to_contain_text("You joined Acme Agency.")
    expect(invitee.get_by_label("Account")).to_have_value(str(acme.pk))
    assert Membership.objects.get(account=acme, user__email="admin@bolt.test").is_admin

    page.reload()
    expect(page.locator("#members")).to_contain_text("admin@bolt.test")
    expect(page.locator("#invitations")).to_have_count(0)


def test_an_admin_cancels_a_pending_invitation(server, page):
    make_account("Acme Agency", "admin@acme.test")
    make_account("Bolt Media", "admin@bolt.test")

    log_in(page, server, "admin@acme.test")
    _invite(page, server, "admin@bolt.test")
    page.locator("#invitations tr", has_text="admin@bolt.test").get_by_role(
        "button", name="Cancel invitation"
    ).click()

    expect(page.locator("#messages")).to_contain_text("Invitation to admin@bolt.test cancelled.")
    expect(page.locator("#invitations")).to_have_count(0)
