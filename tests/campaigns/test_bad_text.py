"""Bodies no column can hold, numbers no parser takes, pages past any end: 400, nothing stored."""

import json

import pytest
from django.core.cache import cache
from django.test import Client

from campaignhub.models import DeliveryStatus, InboundDelivery
from campaigns.models import Campaign, Lead
from tests.campaigns.factories import make_campaign
from tests.campaigns.test_api import Api

pytestmark = pytest.mark.django_db

VALID = {"campaign_name": "Roofing", "integration": "form", "notification_type": "only_send_email"}
DEEP = "[" * 5000 + "]" * 5000
HUGE_NUMBER = "9" * 5000


@pytest.fixture
def api(tenant_a):
    return Api(tenant_a.token.raw)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"campaigndata": {**VALID, "\ud800": 1}}, "campaigndata"),
        ({"campaigndata": {**VALID, "campaign_name": "A\ud800"}}, "campaigndata"),
        ({"campaigndata": {**VALID, "email_details": {"subject": "x\udc00"}}}, "campaigndata"),
        ({"campaigndata": {**VALID, "page_url": "https://a.example/\x00"}}, "campaigndata"),
    ],
)
def test_text_no_column_can_hold_is_400(api, body, field):
    response = api.post("/v1/campaigns", body)
    assert response.status_code == 400
    assert "valid Unicode" in response.json()["message"]
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    "raw, message",
    [
        (
            '{"campaigndata": {"campaign_name": "A", "deal_value": ' + HUGE_NUMBER + "}}",
            "deal_value: Enter a whole number of at most 4300 digits.",
        ),
        (
            '{"campaigndata": {"campaign_name": "A", "email_details": ' + DEEP + "}}",
            "Malformed JSON",
        ),
    ],
)
def test_json_no_parser_takes_is_400(api, raw, message):
    response = api.post("/v1/campaigns", raw)
    assert response.status_code == 400
    assert response.json()["message"].startswith(message)
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("path", ["/v1/campaigns", "/v1/leads"])
def test_a_page_past_any_end_is_400(api, path):
    response = api.get(f"{path}?page={10**26}")
    assert response.status_code == 400
    assert "page" in response.json()["errors"]


def test_a_campaign_filter_past_any_id_is_400(api):
    response = api.get(f"/v1/leads?campaign={10**26}")
    assert response.status_code == 400


class TestPublicForm:
    @pytest.fixture
    def path(self, tenant_a):
        campaign = make_campaign(tenant_a, campaign_name="Roofing")
        return f"/f/{campaign.form_secret_id}/"

    def send(self, path, body):
        data = body if isinstance(body, str) else json.dumps(body)
        return Client().post(path, data, content_type="application/json")

    def test_two_bodies_that_differ_only_in_an_extra_field_are_two_leads(self, path):
        self.send(path, {"phone": "+14155550123", "product": "roof"})
        self.send(path, {"phone": "+14155550123", "product": "windows"})
        assert sorted(lead.payload["product"] for lead in Lead.objects.all()) == [
            "roof",
            "windows",
        ]

    @pytest.mark.parametrize(
        "body",
        [
            {"name": "A\ud800", "phone": "+14155550123"},
            {"phone": "+14155550123", "\ud800": 1},
            '{"phone": "+14155550123", "extra": ' + DEEP + "}",
        ],
    )
    def test_bad_text_or_json_is_400_and_stores_nothing(self, path, body):
        assert self.send(path, body).status_code == 400
        assert not Lead.objects.exists()


class TestLeadWebhook:
    @pytest.fixture
    def path(self, tenant_a):
        campaign = make_campaign(tenant_a, integration="webhook", campaign_name="Chat")
        return f"/webhooks/leads/{campaign.webhook_token}/"

    @pytest.mark.parametrize(
        "raw",
        [
            json.dumps({"phone": "+14155550123", "\ud800": 1}),
            json.dumps({"name": "A\ud800", "phone": "+14155550123"}),
            '{"phone": "+14155550123", "external_id": ' + HUGE_NUMBER + "}",
            '{"phone": "+14155550123", "extra": ' + DEEP + "}",
        ],
    )
    def test_bad_text_or_json_is_400_and_stored_rejected(self, path, raw):
        response = Client().post(path, raw, content_type="application/json")
        assert response.status_code == 400
        assert InboundDelivery.objects.get().status == DeliveryStatus.REJECTED
        assert not Lead.objects.exists()


@pytest.mark.django_db(transaction=True)
class TestLeadWebhookKeepsWhatItCanHold:
    """The sending system cannot shorten what it sends: the lead is kept, cut to its columns,
    and the stored delivery keeps the original."""

    @pytest.fixture
    def path(self, tenant_a):
        campaign = make_campaign(tenant_a, integration="webhook", campaign_name="Chat")
        return f"/webhooks/leads/{campaign.webhook_token}/"

    def test_a_long_name_and_message_are_cut_and_kept_whole_in_the_delivery(self, path):
        body = {"name": "N" * 10_000, "message": "M" * 6000, "phone": "+14155550123"}
        response = Client().post(path, body, content_type="application/json")
        assert response.status_code == 200, response.content
        lead = Lead.objects.get()
        assert (len(lead.name), len(lead.message)) == (255, 5000)
        assert json.loads(InboundDelivery.objects.get().text)["name"] == "N" * 10_000

    def test_a_long_external_id_is_one_lead_by_its_digest(self, path):
        body = {"external_id": "e" * 1000, "phone": "+14155550123"}
        for _ in range(2):
            assert Client().post(path, body, content_type="application/json").status_code == 200
        assert Lead.objects.get().external_id != "e" * 255
