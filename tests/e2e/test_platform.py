from types import SimpleNamespace

import pytest
import requests
from fcm_django.models import FCMDevice
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from campaignhub import services
from campaignhub.models import ApiToken, Membership, Role
from notifications.services import register_device
from tests.factories import PASSWORD, make_account, make_member


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


def test_a_form_left_open_in_an_account_the_person_was_removed_from_changes_nothing(server, page):
    """Tab 1 holds the token form of account A; the person is removed from A and tab 2 moves
    the session to account B. Creating the token in tab 1 is refused, not done in B."""
    acme = make_account("Acme Agency", "admin@acme.test")
    bolt = make_account("Bolt Media", "admin@bolt.test")
    person = make_member(acme, "rep@acme.test", name="Riley Rep")
    services.add_member(account=bolt, email="rep@acme.test", role=Role.MEMBER)

    log_in(page, server, "rep@acme.test")
    expect(page.get_by_role("heading", name="Acme Agency")).to_be_visible()
    page.goto(f"{server}/settings/tokens/")
    page.get_by_label("Name").fill("Zapier")
    services.remove_member(
        membership=Membership.objects.get(account=acme, user=person),
        removed_by=acme.memberships.get(role=Role.ADMIN).user,
    )
    other_tab = page.context.new_page()
    other_tab.goto(f"{server}/leads/")
    expect(other_tab.get_by_text('You are no longer a member of "Acme Agency"')).to_be_visible()

    page.get_by_role("button", name="Create token").click()

    expect(
        page.get_by_text("This page was for an account you are no longer a member of.")
    ).to_be_visible()
    expect(page.get_by_text("Nothing was changed.")).to_be_visible()
    assert not ApiToken.objects.filter(name="Zapier").exists()


def test_a_currency_change_with_revenue_recorded_is_confirmed_first(server, page):
    from decimal import Decimal

    from campaigns.models import Lead
    from tests.campaigns.factories import make_campaign

    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    campaign = make_campaign(SimpleNamespace(account=account, admin=admin))
    Lead.objects.create(
        account=account, campaign=campaign, name="Ann", status="won", revenue=Decimal("2000")
    )
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("1 lead has revenue recorded in USD")).to_be_visible()
    page.get_by_label("Change the currency anyway").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Account saved.")).to_be_visible()
    account.refresh_from_db()
    assert account.currency == "EUR"


def test_a_double_click_on_create_token_makes_one_token_and_a_reload_none(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/tokens/")
    page.get_by_label("Name").fill("Zapier")
    page.get_by_role("button", name="Create token").dblclick()
    expect(page.locator("#new-token-value")).to_be_visible()
    assert ApiToken.objects.filter(name="Zapier").count() == 1
    # Reloading the answer sends the page again: no second token, and the secret is not shown.
    page.once("dialog", lambda dialog: dialog.accept())
    page.reload()
    expect(page.get_by_text("its secret, shown once, cannot be shown again")).to_be_visible()
    expect(page.locator("#new-token-value")).to_have_count(0)
    assert ApiToken.objects.filter(name="Zapier").count() == 1


def test_back_to_a_new_tokens_page_never_shows_its_secret_again(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/settings/tokens/")
    page.get_by_label("Name").fill("Zapier")
    page.get_by_role("button", name="Create token").click()
    expect(page.locator("#new-token-value")).to_be_visible()
    page.get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", name="Acme Agency")).to_be_visible()
    # The browser has no copy to show: it would have to send the form again, and says so.
    with pytest.raises(PlaywrightError, match="ERR_CACHE_MISS"):
        page.go_back()
    expect(page.locator("#new-token-value")).to_have_count(0)
    assert "chub_" not in page.content()
    assert ApiToken.objects.filter(name="Zapier").count() == 1


def test_removing_an_unnamed_push_device_says_so_in_product_words(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    device = register_device(user=admin, registration_id="tok-browser", type="android")

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/notifications/devices/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator(f"#device-{device.pk}").get_by_role("button", name="Remove").click()
    expect(page.locator("#messages")).to_contain_text("The unnamed Android device removed.")
    expect(page.locator("#messages")).not_to_contain_text("FCMDevice")
    assert not FCMDevice.objects.filter(pk=device.pk).exists()


def test_a_page_number_in_other_digits_shows_the_first_page_and_the_pager_goes_on(server, page):
    from campaigns.models import Lead, LeadSource
    from tests.campaigns.factories import make_campaign

    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    campaign = make_campaign(SimpleNamespace(account=account, admin=admin))
    Lead.objects.bulk_create(
        Lead(
            account=account,
            campaign=campaign,
            source=LeadSource.WEBHOOK,
            external_id=f"lead-{n}",
            name=f"Lead {n:02}",
        )
        for n in range(30)
    )
    log_in(page, server, "admin@acme.test")
    # "٢" is 2 to int(): it must not be read as page 2.
    page.goto(f"{server}/leads/?page=٢")
    summary = page.locator("[data-pager-summary]")
    expect(summary).to_have_text("Page 1 of 2 · 30 in all")
    page.get_by_role("link", name="Next →").click()
    expect(summary).to_have_text("Page 2 of 2 · 30 in all")
    expect(page.get_by_role("link", name="← Previous")).to_be_visible()
