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


def test_pending_invitations_name_their_sender_and_go_when_the_sender_is_removed(
    server, page, browser
):
    from campaignhub.models import Invitation, InvitationStatus
    from tests.factories import make_member

    acme = make_account("Acme Agency", "admin@acme.test")
    make_account("Bolt Media", "admin@bolt.test")
    make_member(acme, "sam@acme.test", role="admin", name="Sam Second")

    sender = browser.new_context().new_page()
    log_in(sender, server, "sam@acme.test")
    _invite(sender, server, "admin@bolt.test", role="admin")
    expect(sender.locator("#messages")).to_contain_text("Invitation sent to admin@bolt.test")
    invitation = Invitation.objects.get()

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/members/")
    row = page.locator(f"#invitation-{invitation.pk}")
    expect(row).to_contain_text("Sam Second")
    expires = invitation.expires_at
    expect(row.locator("td").nth(4)).to_have_text(f"{expires.day} {expires:%b %Y, %H:%M}")

    page.locator("#members tr", has_text="sam@acme.test").get_by_role(
        "link", name="Remove sam@acme.test"
    ).click()
    page.locator("#member-remove").get_by_role("button", name="Remove Sam Second").click()
    expect(page.locator("#messages")).to_contain_text(
        "Sam Second removed from Acme Agency, and 1 invitation they sent was cancelled."
    )
    expect(page.locator("#invitations")).to_have_count(0)
    assert Invitation.objects.get().status == InvitationStatus.CANCELLED

    invitee = browser.new_context().new_page()
    log_in(invitee, server, "admin@bolt.test")
    invitee.goto(f"{server}/invitations/")
    expect(invitee.get_by_text("You have no open invitations.")).to_be_visible()
    assert not Membership.objects.filter(account=acme, user__email="admin@bolt.test").exists()


def test_demoting_the_sender_takes_their_invitations_off_the_page(server, page, browser):
    """The role changes in its row; the invitations it cancelled leave the list at once."""
    from campaignhub.models import Invitation, InvitationStatus
    from tests.factories import make_member

    acme = make_account("Acme Agency", "admin@acme.test")
    make_account("Bolt Media", "admin@bolt.test")
    make_member(acme, "sam@acme.test", role="admin", name="Sam Second")
    sender = browser.new_context().new_page()
    log_in(sender, server, "sam@acme.test")
    _invite(sender, server, "admin@bolt.test", role="admin")
    expect(sender.locator("#messages")).to_contain_text("Invitation sent to admin@bolt.test")

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/members/")
    expect(page.locator("#invitations")).to_contain_text("admin@bolt.test")
    page.get_by_label("Role of sam@acme.test", exact=True).select_option("member")
    page.get_by_role("button", name="Save role of sam@acme.test").click()
    expect(page.locator("#messages")).to_contain_text(
        "Sam Second is now a member, and 1 invitation they sent was cancelled."
    )
    expect(page.locator("#invitations")).to_have_count(0)
    expect(page.get_by_label("Role of sam@acme.test", exact=True)).to_have_value("member")
    assert Invitation.objects.get().status == InvitationStatus.CANCELLED
