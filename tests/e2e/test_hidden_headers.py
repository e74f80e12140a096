"""A table's header read by screen readers only (an "Actions" column's, `.visually-hidden`)
stays inside the table's scrolling card: at a phone's width (390px) the page is never wider
than the screen because of it."""

import pytest
from fcm_django.models import FCMDevice

from campaignhub import services as platform
from tests.e2e.test_platform import log_in
from tests.factories import make_account


@pytest.mark.parametrize(
    "path",
    ["/settings/tokens/", "/settings/members/", "/notifications/", "/notifications/devices/"],
)
def test_a_visually_hidden_header_never_widens_a_phones_page(server, page, path):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    platform.issue_token(account=account, user=admin, name="Zapier export")
    FCMDevice.objects.create(user=admin, registration_id="fcm-token", type="web", name="Laptop")
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}{path}")
    assert page.locator("th .visually-hidden").count()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
