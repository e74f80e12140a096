"""The Members page in the browser: removing someone hands their campaigns to the admin who
removed them; a removal that would be refused says why on its confirmation, with no button; a
role change says so, and a refused one says why; someone removed before choosing a password is
added again as someone new; a member's dashboard offers the members and the account as pages to
read."""

from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from campaignhub.models import Membership, User
from campaigns.models import Campaign
from tests.e2e.test_platform import log_in
from tests.factories import make_account, make_member


def test_a_removed_members_campaign_is_owned_by_the_admin_who_removed_them(server, page, browser):
    acme = make_account("Acme Agency", "admin@acme.test")
    admin = acme.memberships.get().user
    admin.name = "Dana Boss"
    admin.save()
    make_member(acme, "rep@acme.test", name="Riley Rep")

    rep = browser.new_context().new_page()
    log_in(rep, server, "rep@acme.test")
    rep.goto(f"{server}/campaigns/new/")
    rep.get_by_label("Name", exact=True).fill("Solar leads")
    rep.get_by_role("button", name="Create campaign").click()
    expect(rep.locator("#messages")).to_contain_text("Campaign “Solar leads” created.")
    campaign = Campaign.objects.get(campaign_name="Solar leads")

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/members/")
    page.locator("#members tr", has_text="rep@acme.test").get_by_role(
        "link", name="Remove rep@acme.test"
    ).click()
    # The confirmation names what the removal leaves behind before anything changes.
    confirmation = page.locator("#member-remove")
    expect(confirmation).to_contain_text("Remove Riley Rep (rep@acme.test) from Acme Agency?")
    expect(page.locator("#member-remove-consequences")).to_contain_text(
        "Their 1 campaign will be owned by you."
    )
    expect(page.locator("#member-remove-consequences")).to_contain_text(
        "The campaign “Solar leads” will be left with no representative"
    )
    confirmation.get_by_role("button", name="Remove Riley Rep").click()
    expect(page.locator("#messages")).to_contain_text(
        "Riley Rep removed from Acme Agency; their 1 campaign is now owned by you. "
        "The campaign “Solar leads” is left with no representative"
    )
    expect(page.locator("#members")).not_to_contain_text("rep@acme.test")

    page.goto(f"{server}/campaigns/{campaign.pk}/")
    expect(
        page.locator("dt", has_text="Owner").locator("xpath=following-sibling::dd[1]")
    ).to_have_text("Dana Boss")
    expect(page.get_by_text("is no longer a member of the account")).to_have_count(0)
    page.goto(f"{server}/campaigns/{campaign.pk}/edit/")
    expect(page.get_by_label("Owner")).to_have_value(str(admin.pk))


def _settled(page):
    """Wait until the swapped row is live again: htmx binds its new select as it settles, a
    moment after the swap (and the notice) that a person would never beat."""
    page.wait_for_function("() => !document.querySelector('.htmx-settling, .htmx-request')")


def test_a_role_change_says_so_and_a_refused_one_says_why(server, page):
    acme = make_account("Acme Agency", "admin@acme.test")
    admin_membership = acme.memberships.get()
    make_member(acme, "dana@acme.test", name="Dana Admin")
    dana = Membership.objects.get(account=acme, user__email="dana@acme.test")

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/members/")
    page.get_by_label("Role of dana@acme.test", exact=True).select_option("admin")
    # Choosing a role alone changes nothing: the button does.
    page.wait_for_timeout(300)
    assert not Membership.objects.get(account=acme, user__email="dana@acme.test").is_admin
    page.get_by_role("button", name="Save role of dana@acme.test").click()
    expect(
        page.get_by_role("status").filter(has_text="Dana Admin is now an admin.")
    ).to_be_visible()
    assert Membership.objects.get(account=acme, user__email="dana@acme.test").is_admin
    _settled(page)
    # Focus is back on the row's select, not at the top of the page.
    expect(page.locator(f"#member-{dana.pk}-role")).to_be_focused()

    page.get_by_label("Role of dana@acme.test", exact=True).select_option("member")
    page.get_by_role("button", name="Save role of dana@acme.test").click()
    expect(page.locator("#messages [data-htmx-notice]")).to_have_text(
        ["Dana Admin is now a member."]
    )

    _settled(page)
    page.get_by_label("Role of admin@acme.test", exact=True).select_option("member")
    page.get_by_role("button", name="Save role of admin@acme.test").click()
    row = page.locator(f"#member-{admin_membership.pk}")
    expect(row.locator(".error")).to_have_text("An account needs at least one admin.")
    expect(page.get_by_label("Role of admin@acme.test", exact=True)).to_have_value("admin")
    admin_membership.refresh_from_db()
    assert admin_membership.is_admin


def test_arrow_keys_on_a_role_select_change_nothing_until_the_button_is_pressed(server, page):
    acme = make_account("Acme Agency", "admin@acme.test")
    rep = make_member(acme, "rep@acme.test", name="Riley Rep")
    membership = Membership.objects.get(account=acme, user=rep)

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/members/")
    select = page.get_by_label("Role of rep@acme.test", exact=True)
    select.focus()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(select).to_have_value("admin")
    page.wait_for_timeout(300)
    membership.refresh_from_db()
    assert membership.role == "member"
    expect(page.locator("#messages [data-htmx-notice]")).to_have_count(0)

    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Save role of rep@acme.test")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#messages [data-htmx-notice]")).to_have_text(
        ["Riley Rep is now an admin."]
    )
    membership.refresh_from_db()
    assert membership.role == "admin"
    _settled(page)
    expect(page.locator(f"#member-{membership.pk}-role")).to_be_focused()


def test_an_admin_sends_the_password_link_again_to_someone_who_never_chose_one(server, page):
    make_account("Acme Agency", "admin@acme.test")

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/members/")
    page.get_by_label("Email", exact=True).fill("nia@acme.test")
    page.get_by_role("button", name="Add member").click()
    expect(page.locator("#messages")).to_contain_text("nia@acme.test added as a member.")

    row = page.locator("#members tr", has_text="nia@acme.test")
    expect(row).to_contain_text("has not chosen a password yet")
    expect(
        page.locator("#members tr", has_text="admin@acme.test").get_by_role(
            "button", name="Send the link again"
        )
    ).to_have_count(0)
    row.get_by_role("button", name="Send the link again").click()
    expect(page.locator("#messages")).to_contain_text(
        "The link to choose a password was sent again to nia@acme.test."
    )
    expect(page.locator("#members tr", has_text="nia@acme.test")).to_contain_text(
        "has not chosen a password yet"
    )


def test_the_only_admin_opening_their_own_removal_is_told_why_and_offered_no_button(server, page):
    acme = make_account("Acme Agency", "admin@acme.test")
    admin = acme.memberships.get().user
    admin.name = "Dana Boss"
    admin.save()
    make_member(acme, "rep@acme.test", name="Riley Rep")

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/members/")
    page.locator("#members tr", has_text="admin@acme.test").get_by_role(
        "link", name="Remove admin@acme.test"
    ).click()
    confirmation = page.locator("#member-remove")
    expect(confirmation.get_by_role("heading")).to_have_text(
        "Dana Boss (admin@acme.test) cannot be removed from Acme Agency"
    )
    expect(confirmation.get_by_role("alert")).to_have_text("An account needs at least one admin.")
    expect(confirmation.get_by_role("button")).to_have_count(0)
    expect(page.locator("#member-remove-consequences")).to_have_count(0)
    expect(confirmation).not_to_contain_text("lose access")
    confirmation.get_by_role("link", name="Back to Members").click()
    expect(page).to_have_url(f"{server}/settings/members/")
    assert Membership.objects.get(account=acme, user=admin).is_admin


def test_the_confirmation_drawn_again_after_the_removal_says_they_are_gone(server, page):
    acme = make_account("Acme Agency", "admin@acme.test")
    make_member(acme, "rep@acme.test", name="Riley Rep")
    gone = "rep@acme.test is no longer a member of Acme Agency."

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/members/")
    page.locator("#members tr", has_text="rep@acme.test").get_by_role(
        "link", name="Remove rep@acme.test"
    ).click()
    # The same confirmation open in a second tab.
    other = page.context.new_page()
    other.goto(page.url)
    expect(other.locator("#member-remove")).to_contain_text("Remove Riley Rep")
    page.locator("#member-remove").get_by_role("button", name="Remove Riley Rep").click()
    expect(page.locator("#messages")).to_contain_text("Riley Rep removed from Acme Agency.")

    # Back to the confirmation: the Members page says they are gone.
    page.go_back()
    expect(page).to_have_url(f"{server}/settings/members/")
    expect(page.locator("#messages")).to_contain_text(gone)
    expect(page.locator("#members")).not_to_contain_text("rep@acme.test")
    # The other tab reloaded: the same.
    other.reload()
    expect(other).to_have_url(f"{server}/settings/members/")
    expect(other.locator("#messages")).to_contain_text(gone)


def _choose_password_link(server, email):
    """The link the "choose your password" email carries for `email` now (the email itself is
    sent by the server's own process)."""
    user = User.objects.get(email=email)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"{server}/password-reset/{uid}/{default_token_generator.make_token(user)}/"


def test_someone_removed_before_choosing_a_password_is_added_again_as_someone_new(
    server, page, browser
):
    make_account("Acme Agency", "admin@acme.test")

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/members/")
    page.get_by_label("Email", exact=True).fill("nia@example.com")
    page.get_by_role("button", name="Add member").click()
    expect(page.locator("#messages")).to_contain_text("nia@example.com added as a member.")
    first_link = _choose_password_link(server, "nia@example.com")
    page.locator("#members tr", has_text="nia@example.com").get_by_role(
        "link", name="Remove nia@example.com"
    ).click()
    page.locator("#member-remove").get_by_role("button", name="Remove nia@example.com").click()
    expect(page.locator("#messages")).to_contain_text("nia@example.com removed from Acme Agency.")

    nia = browser.new_context().new_page()
    nia.goto(first_link)
    expect(nia.get_by_role("heading", name="This link no longer works")).to_be_visible()

    page.get_by_label("Email", exact=True).fill("nia@example.com")
    page.get_by_role("button", name="Add member").click()
    expect(page.locator("#messages")).to_contain_text("nia@example.com added as a member.")
    expect(page.locator("#invitations")).to_have_count(0)
    expect(page.locator("#members tr", has_text="nia@example.com")).to_contain_text(
        "has not chosen a password yet"
    )

    nia.goto(_choose_password_link(server, "nia@example.com"))
    expect(nia.get_by_role("heading", name="Choose your password")).to_be_visible()
    nia.get_by_label("New password", exact=True).fill("a-fresh-long-password")
    nia.get_by_label("New password confirmation").fill("a-fresh-long-password")
    nia.get_by_role("button", name="Set password").click()
    nia.get_by_role("link", name="Log in").click()
    nia.get_by_label("Email").fill("nia@example.com")
    nia.get_by_label("Password").fill("a-fresh-long-password")
    nia.get_by_role("button", name="Log in").click()
    expect(nia.locator(".account-name")).to_have_text("Acme Agency")


def test_a_member_s_dashboard_links_say_they_lead_to_pages_to_read(server, page):
    acme = make_account("Acme Agency", "admin@acme.test")
    make_member(acme, "rep@acme.test", name="Riley Rep")

    log_in(page, server, "rep@acme.test")
    expect(page.get_by_role("link", name="Manage members")).to_have_count(0)
    expect(page.get_by_role("link", name="Account settings")).to_have_count(0)
    page.get_by_role("link", name="See members").click()
    expect(page.locator("#members")).to_contain_text("admin@acme.test")
    expect(page.get_by_role("button", name="Add member")).to_have_count(0)
    page.goto(f"{server}/")
    page.get_by_role("link", name="Account details").click()
    expect(page.get_by_text("Only account admins can change these.")).to_be_visible()
