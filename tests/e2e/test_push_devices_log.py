"""The delivery log names the devices a push went to, and still does after one is removed."""

import os
from datetime import UTC, datetime

from fcm_django.models import FCMDevice
from playwright.sync_api import expect

from tests.e2e.test_phone_tables import PHONE, assert_fits, assert_in_sight, cell
from tests.e2e.test_platform import log_in
from tests.factories import make_account

SHOTS = os.environ.get("PUSH_LOG_SCREENSHOTS")


def shoot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_test_push_is_logged_with_its_devices_after_one_is_removed(server, page):
    admin = make_account("Acme Agency", "admin@acme.test").memberships.get().user
    FCMDevice.objects.create(user=admin, registration_id="fcm-token-of-the-phone", type="android")
    FCMDevice.objects.filter(user=admin).update(date_created=datetime(2026, 3, 4, 12, tzinfo=UTC))
    log_in(page, server, "admin@acme.test")

    page.goto(f"{server}/notifications/devices/")
    page.get_by_label("Registration token").fill("fcm-token-of-the-laptop")
    page.get_by_label("Type").select_option("web")
    page.get_by_label("Name").fill("Work laptop")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("Device registered.")).to_be_visible()
    page.get_by_role("button", name="Send a test push").click()

    row = page.locator("#delivery-rows-live tr, #delivery-rows tr").filter(has_text="Push").first
    expect(cell(row, "Status")).to_contain_text("Sent")
    to = cell(row, "To")
    expect(to.locator(".push-device")).to_have_text(
        ["Android device, registered 4 Mar 2026", "Work laptop"]
    )
    shoot(page, "desktop")

    # The laptop is removed: the log still says the push went to it.
    page.goto(f"{server}/notifications/devices/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("tr", has_text="Work laptop").get_by_role("button", name="Remove").click()
    expect(page.get_by_text("The device “Work laptop” removed.")).to_be_visible()
    page.goto(f"{server}/notifications/?event=test_push")
    row = page.locator("tbody tr").filter(has_text="Push").first
    expect(cell(row, "To").locator(".push-device")).to_have_text(
        ["Android device, registered 4 Mar 2026", "Work laptop"]
    )
    row.get_by_role("link", name="Details").click()
    expect(page.locator("dd", has=page.locator(".push-device"))).to_have_text(
        "Android device, registered 4 Mar 2026Work laptop"
    )

    page.set_viewport_size(PHONE)
    page.goto(f"{server}/notifications/?event=test_push")
    table = page.locator("#delivery-table table")
    row = table.locator("tbody tr").filter(has_text="Push").first
    assert_fits(page, table)
    assert_in_sight(page, cell(row, "To"), "To", "Work laptop")
    shoot(page, "phone")
