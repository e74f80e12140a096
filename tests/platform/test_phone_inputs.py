"""Phone number inputs are `type="tel"` (a phone brings up its number pad); the person's own
number offers the browser's autofill (`autocomplete="tel"`), anyone else's refuses it
(`autocomplete="off"`), so a browser never fills in the person's own number there."""

import re

import pytest

from campaignhub.phones import PhoneNumberField
from tests.crm.conftest import capture, crm_campaign

pytestmark = pytest.mark.django_db


def _input(page, name):
    """The attributes of the input named `name` on `page` ({attribute: value})."""
    [tag] = re.findall(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    return dict(re.findall(r'([\w-]+)="([^"]*)"', tag))


def test_a_phone_field_is_drawn_as_a_tel_input():
    html = PhoneNumberField(required=False).widget.render("caller_id", "")
    assert 'type="tel"' in html and 'autocomplete="off"' in html


def test_the_profiles_phone_is_a_tel_input_with_the_browsers_own_number(tenant_a):
    page = tenant_a.member_client.get("/settings/profile/").content.decode()
    phone = _input(page, "phone")
    assert phone["type"] == "tel" and phone["autocomplete"] == "tel"


def test_a_contacts_phone_is_a_tel_input_the_browser_does_not_fill(tenant_a):
    campaign = crm_campaign(tenant_a)
    lead = capture(campaign, name="Ann Lee", phone="+14155550182")
    page = tenant_a.admin_client.get(f"/contacts/{lead.contact_id}/edit/").content.decode()
    phone = _input(page, "phone")
    assert phone["type"] == "tel" and phone["autocomplete"] == "off"


def test_a_campaigns_numbers_are_tel_inputs_the_browser_does_not_fill(tenant_a):
    page = tenant_a.admin_client.get("/campaigns/new/").content.decode()
    for name in (
        f"custom_number_{tenant_a.member.pk}",
        f"custom_number_{tenant_a.admin.pk}",
        "tracking_number",
        "sms_from",
    ):
        number = _input(page, name)
        assert number["type"] == "tel" and number["autocomplete"] == "off", name
