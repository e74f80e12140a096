import requests
from playwright.sync_api import expect

from tests.factories import PASSWORD, make_account


def log_in(page, server, email):
    page.goto(f"{server}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_token_lifecycle_in_the_browser(server, page):
    make_account("Acme Agency", "admin@acme.test")

    log_in(page, server, "admin@acme.test")
    expect(page.get_by_role("heading", name="Acme Agency")).to_be_visible()
    expect(page.locator("#live-status")).to_have_class("live-status connected")

    page.get_by_role("link", name="API tokens").first.click()
    page.get_by_label("Name").fill("Zapier")
    page.get_by_role("button", name="Create token").click()
    raw = page.locator("#new-token-value").inner_text()
    assert raw.startswith("chub_")

    me = requests.get(f"{server}/v1/me", headers={"Authorization": f"Bearer {raw}"}, timeout=10)
    assert me.status_code == 200
    assert me.json()["data"]["account"]["name"] == "Acme Agency"
    assert me.json()["data"]["role"] == "admin"

    page.once("dialog", lambda dialog: dialog.accept())
    row = page.locator("#tokens tr", has_text="Zapier")
    row.get_by_role("button", name="Revoke").click()
    expect(row.get_by_text("revoked")).to_be_visible()

    after = requests.get(f"{server}/v1/me", headers={"Authorization": f"Bearer {raw}"}, timeout=10)
    assert after.status_code == 401
    assert after.json() == {
        "success": False,
        "errno": 401,
        "message": "Invalid or revoked API token.",
    }
