"""Email addresses longer than the 254 characters their columns hold are a form error or a 400,
never a database error (Django's email check alone allows 320)."""

import json

import pytest
from django.test import Client

from campaignhub.models import Invitation, Membership
from campaigns.models import Lead
from campaigns.services import clean_lead_details
from tests.campaigns.factories import make_campaign
from tests.factories import bearer

pytestmark = pytest.mark.django_db

TOO_LONG = "a" * 250 + "@x.test"  # 257 characters, valid to `validate_email`
TOO_LONG_MESSAGE = "Ensure this value has at most 254 characters (it has 257)."


def test_adding_a_member_with_a_too_long_email_is_400(tenant_a):
    api = Client(**bearer(tenant_a.token.raw))
    body = json.dumps({"email": TOO_LONG, "role": "member"})
    response = api.post("/v1/members", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"]["email"] == [TOO_LONG_MESSAGE]
    page = tenant_a.admin_client.post(
        "/settings/members/add/", {"email": TOO_LONG, "role": "member"}
    )
    assert page.status_code == 400
    assert TOO_LONG_MESSAGE in page.content.decode()
    assert Membership.objects.filter(account=tenant_a.account).count() == 2
    assert not Invitation.objects.exists()


def test_a_lead_with_a_too_long_email_is_refused_at_the_door(tenant_a):
    form = make_campaign(tenant_a, campaign_name="Roofing")
    hook = make_campaign(tenant_a, campaign_name="Chat", integration="webhook")
    lead = {"name": "Lee", "phone": "+14155550111", "email": TOO_LONG}
    for path in (f"/f/{form.form_secret_id}/", f"/webhooks/leads/{hook.webhook_token}/"):
        response = Client().post(path, json.dumps(lead), content_type="application/json")
        assert response.status_code == 400, path
        assert response.json()["errors"]["email"] == [TOO_LONG_MESSAGE], path
    assert not Lead.objects.exists()


def test_a_too_long_email_from_an_upstream_is_left_blank_on_the_lead():
    assert clean_lead_details(email=TOO_LONG)["email"] == ""
    assert clean_lead_details(email="lee@x.test")["email"] == "lee@x.test"
