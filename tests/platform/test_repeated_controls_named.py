"""Controls repeated down a page (a column of Details, Edit or Disable) are named for what they
act on, so a screen reader's list of links and buttons tells them apart."""

import re

import pytest

from campaignhub.models import User
from notifications.models import Status
from tests.factories import make_member
from tests.notifications.factories import make_delivery

pytestmark = pytest.mark.django_db


def named(html, text):
    """The aria-labels of the links and buttons of `html` that read `text`."""
    return re.findall(rf'aria-label="([^"]*)"[^>]*>{text}</(?:a|button)>', html)


def test_each_delivery_s_details_and_retry_name_the_delivery(tenant_a):
    make_delivery(tenant_a, tenant_a.admin, channel="sms", event="lead_created")
    make_delivery(tenant_a, tenant_a.admin, status=Status.FAILED)
    html = tenant_a.admin_client.get("/notifications/").content.decode()
    details = named(html, "Details")
    assert len(details) == 2 and len(set(details)) == 2
    assert details[-1].startswith("Details of the SMS for ")
    assert named(html, "Retry")[0].startswith("Retry the Email for ")


def test_send_the_link_again_names_the_person(tenant_a):
    make_member(tenant_a.account, "new@acme.test", name="New Person")
    User.objects.filter(email="new@acme.test").update(password="!")  # none chosen yet
    html = tenant_a.admin_client.get("/settings/members/").content.decode()
    assert named(html, "Send the link again") == ["Send the link again to new@acme.test"]


def test_the_new_token_s_copy_button_names_the_token(tenant_a):
    html = tenant_a.admin_client.post("/settings/tokens/", {"name": "Zapier"}).content.decode()
    assert named(html, "Copy") == ["Copy token Zapier"]
