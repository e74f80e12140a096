"""Campaign and lead bodies take only the JSON types they declare; a wrong type changes nothing."""

import json

import pytest
from django.core.cache import cache
from django.test import Client

from campaignhub.models import DeliveryStatus, InboundDelivery
from campaigns import schemas
from campaigns.forms import (
    AttachmentForm,
    CampaignForm,
    EmailDetailsForm,
    PublicLeadForm,
    ReplyToForm,
    RepresentativeForm,
    SmsDetailsForm,
    WebhookLeadForm,
)
from campaigns.models import Campaign, Lead
from campaigns.serializers import WRITABLE, writable_data
from tests.campaigns.factories import make_campaign
from tests.campaigns.test_api import Api

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(tenant_a):
    return Api(tenant_a.token.raw)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


# (campaigndata, field named in `errors`, its message)
WRONG_TYPES = [
    ({"campaign_name": ["a"]}, "campaign_name", "Must be a string."),
    ({"campaign_name": {"text": "a"}}, "campaign_name", "Must be a string."),
    ({"campaign_name": 42}, "campaign_name", "Must be a string."),
    ({"integration": None}, "integration", "Must be a string."),
    ({"owner": "1"}, "owner", "Must be an integer."),
    ({"owner": True}, "owner", "Must be an integer."),
    ({"tracking_number": 4155551234}, "tracking_number", "Must be a string."),
    ({"page_url": ["https://example.com"]}, "page_url", "Must be a string."),
    ({"email_details": {"subject": ["x"]}}, "email_details", "subject: Must be a string."),
    ({"email_details": "hello"}, "email_details", "Must be an object."),
    (
        {"email_details": {"reply_to": {"email": 5}}},
        "email_details",
        "reply_to: email: Must be a string.",
    ),
    (
        {"email_details": {"attachments": ["https://example.com/a.pdf"]}},
        "email_details",
        "attachments: [0] Must be an object.",
    ),
    ({"sms_details": {"message": [1]}}, "sms_details", "message: Must be a string."),
    ({"sms_details": {"from": 15005550006}}, "sms_details", "from: Must be a string."),
    ({"selected_user": {"id": 1}}, "selected_user", "Must be a list."),
    ({"selected_user": [{"id": "1"}]}, "selected_user", "[0] id: Must be an integer."),
    (
        {"selected_user": [{"id": 1, "custom_number": ["+14155550100"]}]},
        "selected_user",
        "[0] custom_number: Must be a string.",
    ),
    ({"status": "false"}, "status", "Must be true or false."),
    ({"status": None}, "status", "Must be true or false."),
    ({"is_deleted": 1}, "is_deleted", "Must be true or false."),
    ({"add_to_crm": "yes"}, "add_to_crm", "Must be true or false."),
    ({"deal_value": "1500"}, "deal_value", "Must be a number."),
    ({"deal_value": [1500]}, "deal_value", "Must be a number."),
    ({"currency": ["USD"]}, "currency", "Must be a string."),
]


@pytest.mark.parametrize(("changes", "field", "message"), WRONG_TYPES)
def test_create_with_a_wrong_json_type_is_400_naming_the_field(api, changes, field, message):
    body = {"campaigndata": {"campaign_name": "A", "integration": "form", **changes}}
    response = api.post("/v1/campaigns", body)
    assert response.status_code == 400
    payload = response.json()
    assert (payload["success"], payload["errno"]) == (False, 400)
    assert payload["errors"] == {field: [message]}
    assert payload["message"].startswith(field)
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(("changes", "field", "message"), WRONG_TYPES)
def test_update_with_a_wrong_json_type_is_400_and_changes_nothing(
    api, tenant_a, changes, field, message
):
    campaign = make_campaign(tenant_a, campaign_name="Before")
    before = writable_data(campaign)
    response = api.put(f"/v1/campaigns/{campaign.pk}", {"campaigndata": changes})
    assert response.status_code == 400
    assert response.json()["errors"] == {field: [message]}
    campaign.refresh_from_db()
    assert writable_data(campaign) == before


def test_values_of_the_declared_types_still_save(api, tenant_a):
    campaign = make_campaign(tenant_a, campaign_name="Roofing")
    response = api.put(
        f"/v1/campaigns/{campaign.pk}",
        {
            "campaigndata": {
                "campaign_name": "Gutters",
                "owner": None,
                "deal_value": 99,
                "email_details": {"subject": "New lead"},
                "sms_details": {"message": "Call now"},
                "selected_user": [{"id": tenant_a.member.pk, "custom_number": None}],
            }
        },
    )
    assert response.status_code == 200, response.json()
    data = response.json()["data"][0]
    assert (data["campaign_name"], data["deal_value"]) == ("Gutters", 99.0)
    assert data["email_details"]["subject"] == "New lead"
    assert data["sms_details"]["message"] == "Call now"
    assert [rep["id"] for rep in data["selected_user"]] == [tenant_a.member.pk]


def test_a_campaign_read_from_the_api_can_be_sent_back_unchanged(api, tenant_a):
    campaign = make_campaign(tenant_a, selected_user=[{"id": tenant_a.member.pk}])
    sent_back = writable_data(campaign)
    response = api.put(f"/v1/campaigns/{campaign.pk}", {"campaigndata": sent_back})
    assert response.status_code == 200, response.json()


def test_delete_takes_no_fields(api, tenant_a):
    campaign = make_campaign(tenant_a)
    response = api.send("delete", f"/v1/campaigns/{campaign.pk}", {"hard": True})
    assert response.status_code == 400
    assert response.json()["errors"] == {"hard": ["Unknown field."]}
    campaign.refresh_from_db()
    assert campaign.is_deleted is False


@pytest.mark.parametrize(
    ("schema", "form"),
    [
        (schemas.CampaignData, CampaignForm),
        (schemas.EmailDetails, EmailDetailsForm),
        (schemas.SmsDetails, SmsDetailsForm),
        (schemas.ReplyTo, ReplyToForm),
        (schemas.Attachment, AttachmentForm),
        (schemas.Representative, RepresentativeForm),
        (schemas.WebhookLeadBody, WebhookLeadForm),
        (schemas.PublicLeadBody, PublicLeadForm),
    ],
)
def test_each_schema_declares_exactly_the_fields_of_its_form(schema, form):
    assert set(schema.model_fields) == set(form.base_fields)


def test_campaigndata_declares_every_writable_field():
    assert set(schemas.CampaignData.model_fields) == set(WRITABLE)


@pytest.mark.django_db(transaction=True)
class TestLeadWebhookTypes:
    @pytest.fixture
    def path(self, tenant_a):
        campaign = make_campaign(tenant_a, integration="webhook", campaign_name="Chat")
        return f"/webhooks/leads/{campaign.webhook_token}/"

    def post(self, path, body):
        return Client().post(path, json.dumps(body), content_type="application/json")

    @pytest.mark.parametrize(
        ("body", "field", "message"),
        [
            (
                {"external_id": ["a"], "phone": "+14155550111"},
                "external_id",
                "Must be a string or an integer.",
            ),
            (
                {"external_id": True, "phone": "+14155550111"},
                "external_id",
                "Must be a string or an integer.",
            ),
            ({"name": ["Ann", "Lee"], "phone": "+14155550111"}, "name", "Must be a string."),
            ({"phone": 4155550111}, "phone", "Must be a string."),
            ({"email": {"work": "ann@example.test"}}, "email", "Must be a string."),
            ({"phone": "+14155550111", "message": ["hi"]}, "message", "Must be a string."),
        ],
    )
    def test_a_wrong_json_type_is_400_naming_the_field_and_makes_no_lead(
        self, path, body, field, message
    ):
        response = self.post(path, body)
        assert response.status_code == 400
        assert response.json()["errors"] == {field: [message]}
        assert response.json()["message"] == message
        assert InboundDelivery.objects.get().status == DeliveryStatus.REJECTED
        assert not Lead.objects.exists()

    def test_nulls_numeric_ids_and_extra_fields_make_a_lead(self, path):
        body = {
            "external_id": 1234,
            "name": None,
            "email": None,
            "phone": "+14155550111",
            "tags": ["roof", "urgent"],
        }
        assert self.post(path, body).status_code == 200
        lead = Lead.objects.get()
        assert (lead.external_id, lead.name, lead.phone) == ("1234", "", "+14155550111")
        assert lead.payload["tags"] == ["roof", "urgent"]


class TestPublicFormTypes:
    @pytest.fixture
    def path(self, tenant_a):
        return f"/f/{make_campaign(tenant_a).form_secret_id}/"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"name": ["Ann"], "phone": "+14155550111"}, "name"),
            ({"phone": 4155550111}, "phone"),
            ({"email": ["ann@example.test"]}, "email"),
            ({"phone": "+14155550111", "submission_id": 7}, "submission_id"),
        ],
    )
    def test_a_wrong_json_type_is_400_naming_the_field_and_makes_no_lead(self, path, body, field):
        response = Client().post(path, json.dumps(body), content_type="application/json")
        assert response.status_code == 400
        assert response.json()["errors"] == {field: ["Must be a string."]}
        assert not Lead.objects.exists()

    def test_a_json_submission_of_strings_still_makes_a_lead(self, path):
        body = {"name": "Ann", "phone": "+14155550111", "email": None}
        response = Client().post(path, json.dumps(body), content_type="application/json")
        assert response.status_code == 200
        assert Lead.objects.get().name == "Ann"
