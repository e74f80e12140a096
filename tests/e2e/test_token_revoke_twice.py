"""A token revoked in one tab and again from another tab's stale page: the second says it was
already revoked."""

from playwright.sync_api import expect

from campaignhub import services as platform
from tests.e2e.test_platform import log_in
from tests.factories import make_account


def test_revoking_from_a_stale_tab_says_the_token_was_already_revoked(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    platform.issue_token(account=account, user=account.memberships.get().user, name="Zapier")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/tokens/")
    other = page.context.new_page()
    other.goto(f"{server}/settings/tokens/")

    for tab in (page, other):
        tab.once("dialog", lambda dialog: dialog.accept())
        tab.locator("#tokens tr", has_text="Zapier").get_by_role("button", name="Revoke").click()
        expect(tab.locator("#tokens tr", has_text="Zapier").get_by_text("revoked")).to_be_visible()
    expect(other.locator("#messages")).to_contain_text("Token “Zapier” was already revoked.")
