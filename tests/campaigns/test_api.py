import csv
import io
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import Client

from campaignhub import services as platform
from campaigns import services
from campaigns.models import Campaign, Lead, LeadSource
from notifications.models import Delivery
from tests.campaigns.factories import make_campaign
from tests.factories import bearer

pytestmark = pytest.mark.django_db


class Api:
    def __init__(self, raw_token):
        self.client = Client()
        self.headers = bearer(raw_token)

    def get(self, path):
        return self.client.get(path, **self.headers)

    def send(self, method, path, body):
        data = body if isinstance(body, str) else json.dumps(body)
        return getattr(self.client, method)(
            path, data, content_type="application/json", **self.headers
        )

    def post(self, path, body):
        return self.send("post", path, body)

    def put(self, path, body):
        return self.send("put", path, body)

    def delete(self, path):
        return self.client.delete(path, **self.headers)


@pytest.fixture
def api(tenant_a):
    return Api(tenant_a.token.raw)


@pytest.fixture
def member_api(tenant_a):
    return Api(platform.issue_token(account=tenant_a.account, user=tenant_a.member, name="m").raw)


FULL = {
    "campaign_name": "Roofing leads",
    "integration": "form",
    "page_id": "fb-123",
    "page_url": "https://example.com/roof//",
    "selected_user": [],
    "notification_type": "send_email_sms",
    "email_details": {
        "subject": "New lead {{lead_name}}",
        "message": "Call {{lead_phone}}",
        "from": "leads@acme.test",
        "reply_to": {"email": "desk@acme.test", "name": "Desk"},
        "attachments": [{"name": "Price list", "url": "https://example.com/prices.pdf"}],
    },
    "sms_details": {"message": "Lead {{lead_name}}", "from": "+15005550006"},
    "add_to_crm": False,
    "add_person_or_business": "business",
    "create_deal": True,
    "pipeline_id": "p1",
    "stage_id": "s1",
    "deal_value": 1500.5,
    "currency": "EUR",
    "status": True,
}


def test_create_returns_the_whole_campaign(api, tenant_a):
    # Deals start on a pipeline and open stage of the account's own (its default "Sales").
    pipeline = tenant_a.account.pipelines.get()
    body = {
        **FULL,
        "selected_user": [{"id": tenant_a.member.pk, "custom_number": "(415) 555-0100"}],
        "pipeline_id": str(pipeline.pk),
        "stage_id": str(pipeline.stages.get(name="Qualified").pk),
    }
    response = api.post("/v1/campaigns", {"campaigndata": body})
    assert response.status_code == 201, response.json()
    payload = response.json()
    assert payload["success"] is True and payload["message"] == "SUCCESS"
    data = payload["data"]
    campaign = Campaign.objects.get()
    assert data["id"] == campaign.pk
    assert data["owner"] == tenant_a.admin.pk
    assert data["page_url"] == "https://example.com/roof"
    assert data["selected_user"] == [
        {"id": tenant_a.member.pk, "name": "Acme Agency Member", "custom_number": "+14155550100"}
    ]
    assert data["email_details"] == FULL["email_details"]
    assert data["sms_details"] == FULL["sms_details"]
    for key in (
        "add_to_crm",
        "add_person_or_business",
        "create_deal",
        "pipeline_id",
        "stage_id",
        "deal_value",
        "currency",
        "status",
        "notification_type",
        "page_id",
        "integration",
    ):
        assert data[key] == body[key], key
    assert data["is_deleted"] is False
    assert data["form_secret_id"] == str(campaign.form_secret_id)
    assert data["form_url"] == f"http://testserver/f/{campaign.form_secret_id}/"
    # Where a landing page's own HTML form posts, as the campaign page shows it.
    assert data["form_send_url"] == f"http://testserver/f/{campaign.form_secret_id}/send/"
    assert "webhook_url" not in data


def test_webhook_campaign_carries_its_url(api):
    data = api.post(
        "/v1/campaigns", {"campaigndata": {"campaign_name": "Chat", "integration": "webhook"}}
    ).json()["data"]
    token = Campaign.objects.get().webhook_token
    assert data["webhook_url"] == f"http://testserver/webhooks/leads/{token}/"
    assert "form_url" not in data and "form_send_url" not in data


def test_duplicate_tracking_number_is_409(api):
    first = {"campaign_name": "A", "integration": "callrail", "tracking_number": "+14155551234"}
    second = {"campaign_name": "B", "integration": "callrail", "tracking_number": "(415) 555-1234"}
    assert api.post("/v1/campaigns", {"campaigndata": first}).status_code == 201
    response = api.post("/v1/campaigns", {"campaigndata": second})
    assert response.status_code == 409
    assert response.json() == {
        "success": False,
        "errno": 409,
        "message": "Tracking number already added!",
    }
    assert Campaign.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "message", "errors"),
    [
        (
            {"campaigndata": {"campaign_name": "A", "integration": "form", "colour": "red"}},
            "Unknown field: colour.",
            {"colour": ["Unknown field."]},
        ),
        (
            {"campaigndata": {"campaign_name": "A", "integration": "form"}, "extra": 1},
            "Unknown field: extra.",
            {"extra": ["Unknown field."]},
        ),
        (
            {"campaigndata": "nope"},
            "campaigndata must be an object.",
            {"campaigndata": ["Must be an object."]},
        ),
        ({}, "campaigndata is required.", {"campaigndata": ["This field is required."]}),
        (
            {"campaigndata": {"integration": "form"}},
            "This field is required.",
            {"campaign_name": ["This field is required."]},
        ),
        (
            {"campaigndata": {"campaign_name": "A", "integration": "fax"}},
            "Select a valid choice. fax is not one of the available choices.",
            {"integration": ["Select a valid choice. fax is not one of the available choices."]},
        ),
        (
            {"campaigndata": {"campaign_name": "A", "integration": "callrail"}},
            "A tracking number is required for CallRail campaigns.",
            {"tracking_number": ["A tracking number is required for CallRail campaigns."]},
        ),
        (
            {"campaigndata": {"campaign_name": "A", "integration": "form", "status": "yes"}},
            "status must be true or false.",
            {"status": ["Must be true or false."]},
        ),
        (
            {
                "campaigndata": {
                    "campaign_name": "A",
                    "integration": "form",
                    "email_details": {"from": "x"},
                }
            },
            "from: Enter a valid email address.",
            {"email_details": ["from: Enter a valid email address."]},
        ),
        (
            {
                "campaigndata": {
                    "campaign_name": "A",
                    "integration": "form",
                    "email_details": {"cc": "x"},
                }
            },
            "Unknown field: cc.",
            {"email_details": ["Unknown field: cc."]},
        ),
        (
            {
                "campaigndata": {
                    "campaign_name": "A",
                    "integration": "form",
                    "selected_user": [{"id": 999999}],
                }
            },
            "Not members of the account: 999999.",
            {"selected_user": ["Not members of the account: 999999."]},
        ),
        (
            {"campaigndata": {"campaign_name": "A", "integration": "form", "deal_value": -5}},
            "Ensure this value is greater than or equal to 0.",
            {"deal_value": ["Ensure this value is greater than or equal to 0."]},
        ),
        (
            {"campaigndata": {"campaign_name": "A", "integration": "form", "is_deleted": True}},
            "A campaign cannot be created deleted.",
            {"is_deleted": ["A campaign cannot be created deleted."]},
        ),
    ],
)
def test_bad_input_is_400_and_creates_nothing(api, body, message, errors):
    response = api.post("/v1/campaigns", body)
    assert response.status_code == 400
    assert response.json() == {"success": False, "errno": 400, "message": message, "errors": errors}
    assert not Campaign.objects.exists()


def test_malformed_json_is_400(api):
    response = api.post("/v1/campaigns", '{"campaigndata": {')
    assert response.status_code == 400
    assert response.json()["message"].startswith("Malformed JSON")


def test_list_search_filters_and_pages(api, tenant_a):
    make_campaign(tenant_a, campaign_name="Roofing North", integration="webhook")
    make_campaign(tenant_a, campaign_name="roofing South")
    paused = make_campaign(tenant_a, campaign_name="Gutters")
    services.update_campaign(campaign=paused, changes={"status": False})
    names = lambda r: [c["campaign_name"] for c in r.json()["data"]]  # noqa: E731
    assert names(api.get("/v1/campaigns?search=ROOF")) == ["roofing South", "Roofing North"]
    assert names(api.get("/v1/campaigns?integration=webhook")) == ["Roofing North"]
    assert names(api.get("/v1/campaigns?status=false")) == ["Gutters"]
    assert names(api.get("/v1/campaigns?status=active")) == ["roofing South", "Roofing North"]
    page = api.get("/v1/campaigns?per_page=2&page=2").json()
    assert page["pagination"] == {
        "page": 2,
        "per_page": 2,
        "total": 3,
        "total_pages": 2,
        "max_page": 500,
    }
    assert [c["campaign_name"] for c in page["data"]] == ["Roofing North"]
    first = api.get("/v1/campaigns?per_page=2&cursor=").json()
    second = api.get(f"/v1/campaigns?per_page=2&cursor={first['next_cursor']}").json()
    assert [c["campaign_name"] for c in first["data"] + second["data"]] == [
        "Gutters",
        "roofing South",
        "Roofing North",
    ]
    assert second["next_cursor"] is None
    assert api.get("/v1/campaigns?integration=fax").status_code == 400


def test_members_see_only_campaigns_they_own_or_represent(tenant_a, member_api):
    make_campaign(tenant_a, campaign_name="Admin's own")
    make_campaign(tenant_a, campaign_name="Represented", selected_user=[{"id": tenant_a.member.pk}])
    make_campaign(tenant_a, owner=tenant_a.member, campaign_name="Member's own")
    hidden = make_campaign(tenant_a, campaign_name="Hidden")
    names = [c["campaign_name"] for c in member_api.get("/v1/campaigns").json()["data"]]
    assert names == ["Member's own", "Represented"]
    assert member_api.get(f"/v1/campaigns/{hidden.pk}").status_code == 404
    assert member_api.get("/v1/campaigns/filters").json()["data"]["total"] == 2


def test_get_one_and_unknown_is_404(api, tenant_a):
    campaign = make_campaign(tenant_a)
    assert api.get(f"/v1/campaigns/{campaign.pk}").json()["data"]["campaign_name"] == "Roofing"
    response = api.get("/v1/campaigns/999999")
    assert response.status_code == 404
    assert response.json() == {"success": False, "errno": 404, "message": "Campaign not found"}


def test_put_changes_only_what_is_sent_and_answers_a_list(api, tenant_a):
    campaign = make_campaign(
        tenant_a, page_url="https://example.com", selected_user=[{"id": tenant_a.member.pk}]
    )
    response = api.put(
        f"/v1/campaigns/{campaign.pk}",
        {"campaigndata": {"campaign_name": "Renamed", "currency": "GBP"}},
    )
    assert response.status_code == 200
    [data] = response.json()["data"]
    assert (data["campaign_name"], data["currency"], data["page_url"]) == (
        "Renamed",
        "GBP",
        "https://example.com",
    )
    assert [rep["id"] for rep in data["selected_user"]] == [tenant_a.member.pk]


def test_put_status_false_alerts_the_owner(api, tenant_a, django_capture_on_commit_callbacks):
    campaign = make_campaign(tenant_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.put(f"/v1/campaigns/{campaign.pk}", {"campaigndata": {"status": False}})
    assert response.json()["data"][0]["status"] is False
    assert Delivery.objects.filter(event="campaign_disconnected", channel="email").count() == 1


def test_put_that_breaks_a_rule_is_400_and_changes_nothing(api, tenant_a):
    campaign = make_campaign(tenant_a, campaign_name="Keep")
    response = api.put(
        f"/v1/campaigns/{campaign.pk}",
        {"campaigndata": {"campaign_name": "X", "integration": "callrail"}},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "tracking_number": ["A tracking number is required for CallRail campaigns."]
    }
    campaign.refresh_from_db()
    assert (campaign.campaign_name, campaign.integration) == ("Keep", "form")


@pytest.mark.parametrize(
    "written, message",
    [
        ("19.9900000000000001", "Ensure that there are no more than 2 decimal places."),
        ("-1e-400", "Ensure this value is greater than or equal to 0."),
        ("-0.0", "Ensure this value is greater than or equal to 0."),
        # JSON's integer -0: Python's json module reads it as 0, its sign lost.
        ("-0", "Ensure this value is greater than or equal to 0."),
    ],
)
def test_put_of_a_deal_value_a_float_would_round_is_400_and_changes_nothing(
    api, tenant_a, written, message
):
    campaign = make_campaign(tenant_a, deal_value=Decimal("10.00"))
    body = f'{{"campaigndata": {{"deal_value": {written}}}}}'
    response = api.put(f"/v1/campaigns/{campaign.pk}", body)
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "errno": 400,
        "message": message,
        "errors": {"deal_value": [message]},
    }
    campaign.refresh_from_db()
    assert campaign.deal_value == Decimal("10.00")


def test_put_of_a_deal_value_with_trailing_zeros_stores_its_value(api, tenant_a):
    campaign = make_campaign(tenant_a)
    body = '{"campaigndata": {"deal_value": 19.990}}'
    response = api.put(f"/v1/campaigns/{campaign.pk}", body)
    assert response.status_code == 200
    assert response.json()["data"][0]["deal_value"] == 19.99
    campaign.refresh_from_db()
    assert campaign.deal_value == Decimal("19.99")


def test_put_to_a_taken_number_is_409(api, tenant_a):
    make_campaign(tenant_a, integration="callrail", tracking_number="+14155551234")
    other = make_campaign(tenant_a, integration="webhook")
    response = api.put(
        f"/v1/campaigns/{other.pk}", {"campaigndata": {"tracking_number": "4155551234"}}
    )
    assert response.status_code == 409
    assert response.json()["message"] == "Tracking number already added!"


def test_delete_is_soft_and_then_not_found(api, tenant_a):
    campaign = make_campaign(tenant_a)
    response = api.delete(f"/v1/campaigns/{campaign.pk}")
    assert response.status_code == 200
    assert response.json()["data"]["is_deleted"] is True
    assert Campaign.objects.filter(pk=campaign.pk, is_deleted=True).exists()
    assert api.get(f"/v1/campaigns/{campaign.pk}").status_code == 404
    assert api.delete(f"/v1/campaigns/{campaign.pk}").status_code == 404


def test_filters(api, tenant_a):
    make_campaign(tenant_a, integration="webhook")
    services.update_campaign(campaign=make_campaign(tenant_a), changes={"status": False})
    services.delete_campaign(campaign=make_campaign(tenant_a))
    assert api.get("/v1/campaigns/filters").json()["data"] == {
        "total": 2,
        "active": 1,
        "inactive": 1,
        "by_integration": {"callrail": 0, "invoca": 0, "dialer": 0, "form": 1, "webhook": 1},
    }


def test_tracking_numbers(api, tenant_a):
    a = make_campaign(
        tenant_a, campaign_name="A", integration="callrail", tracking_number="+14155551234"
    )
    make_campaign(
        tenant_a, campaign_name="B", integration="webhook", tracking_number="+14155551235"
    )
    services.delete_campaign(
        campaign=make_campaign(tenant_a, integration="callrail", tracking_number="+14155551236")
    )
    assert api.get("/v1/campaigns/tracking-numbers?type=callrail").json()["data"] == [
        {"tracking_number": "+14155551234", "campaign_id": a.pk, "campaign_name": "A"}
    ]
    assert len(api.get("/v1/campaigns/tracking-numbers").json()["data"]) == 2
    assert api.get("/v1/campaigns/tracking-numbers?type=fax").status_code == 400


def test_leads_list_and_detail(api, member_api, tenant_a):
    mine = make_campaign(tenant_a, campaign_name="Mine", selected_user=[{"id": tenant_a.member.pk}])
    other = make_campaign(tenant_a, campaign_name="Other")
    services.capture_lead(
        campaign=mine, source=LeadSource.FORM, external_id="1", name="Ann", phone="+14155550111"
    )
    hidden, _ = services.capture_lead(
        campaign=other, source=LeadSource.FORM, external_id="2", name="Bob"
    )
    data = api.get(f"/v1/leads?campaign={mine.pk}").json()
    assert data["pagination"]["total"] == 1
    item = data["data"][0]
    assert item["campaign"] == {"id": mine.pk, "campaign_name": "Mine"}
    assert item["representative"] == {"id": tenant_a.member.pk, "name": "Acme Agency Member"}
    assert (item["name"], item["phone"], item["source"], item["external_id"]) == (
        "Ann",
        "+14155550111",
        "form",
        "1",
    )
    assert [row["name"] for row in member_api.get("/v1/leads").json()["data"]] == ["Ann"]
    assert member_api.get(f"/v1/leads/{hidden.pk}").status_code == 404
    assert api.get(f"/v1/leads/{hidden.pk}").json()["data"]["name"] == "Bob"
    assert api.get("/v1/leads/999999").json()["message"] == "Lead not found"


def test_a_lead_filter_on_a_campaign_the_caller_cannot_see_is_a_400(api, member_api, tenant_a):
    other = make_campaign(tenant_a, campaign_name="Other")
    for client, query in ((api, "campaign=99999"), (member_api, f"campaign={other.pk}")):
        for path in ("/v1/leads", "/v1/leads/export"):
            refused = client.get(f"{path}?{query}")
            assert refused.status_code == 400, (path, query)
            assert refused.json()["errors"] == {"campaign": ["Choose one of your campaigns."]}


@pytest.mark.parametrize("url", ["brochure.pdf", "www.example.com/brochure.pdf", "ftp://x.test/a"])
def test_an_attachment_link_without_http_or_https_is_refused_not_guessed(api, tenant_a, url):
    campaign = make_campaign(tenant_a)
    details = {"attachments": [{"name": "Brochure", "url": url}]}
    response = api.put(f"/v1/campaigns/{campaign.pk}", {"campaigndata": {"email_details": details}})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "email_details": [
            "attachments: [0] url: Enter a full URL, starting with https:// or http://."
        ]
    }
    campaign.refresh_from_db()
    assert campaign.email_details.get("attachments", []) == []


def test_a_campaign_name_with_control_characters_is_refused(api):
    body = {"campaign_name": "Evil\u001b[31mRED\u001b[0m\u0007\nLine two", "integration": "form"}

    response = api.post("/v1/campaigns", {"campaigndata": body})

    assert response.status_code == 400, response.content
    assert "Control characters are not allowed." in response.content.decode()
    assert not Campaign.objects.exists()


def test_a_campaign_names_line_break_is_a_space(api):
    body = {"campaign_name": "Line one\nLine two", "integration": "form"}

    response = api.post("/v1/campaigns", {"campaigndata": body})

    assert response.status_code == 201, response.content
    assert Campaign.objects.get().campaign_name == "Line one Line two"


def test_a_deleted_campaign_the_caller_saw_still_filters_its_leads(api, member_api, tenant_a):
    gone = make_campaign(tenant_a, campaign_name="Gone", owner=tenant_a.member)
    kept = make_campaign(tenant_a, campaign_name="Kept", owner=tenant_a.member)
    lead, _ = services.capture_lead(
        campaign=gone, source=LeadSource.FORM, external_id="1", name="Ann", phone="+14155550111"
    )
    services.capture_lead(campaign=kept, source=LeadSource.FORM, external_id="2", name="Bob")
    services.delete_campaign(campaign=gone)
    for client in (api, member_api):
        listed = client.get(f"/v1/leads?campaign={gone.pk}")
        assert listed.status_code == 200, listed.json()
        assert [row["id"] for row in listed.json()["data"]] == [lead.pk]
        export = client.get(f"/v1/leads/export?campaign={gone.pk}")
        assert export.status_code == 200
        text = b"".join(export.streaming_content).decode("utf-8-sig")
        assert [row[0] for row in list(csv.reader(io.StringIO(text)))[1:]] == [str(lead.pk)]
    # Someone who never saw it is still refused, deleted or not.
    other = make_campaign(tenant_a, campaign_name="Other")
    services.delete_campaign(campaign=other)
    refused = member_api.get(f"/v1/leads?campaign={other.pk}")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {"campaign": ["Choose one of your campaigns."]}


def test_a_campaign_read_can_be_sent_back_as_it_is(api, tenant_a):
    campaign = make_campaign(
        tenant_a,
        selected_user=[{"id": tenant_a.member.pk, "custom_number": "(415) 555-0100"}],
        email_details={"attachments": [{"name": "Prices", "url": "https://example.com/p.pdf"}]},
    )
    read = api.get(f"/v1/campaigns/{campaign.pk}").json()["data"]
    assert read["selected_user"][0]["name"] == "Acme Agency Member"
    read_only = {
        "id",
        "created_at",
        "updated_at",
        "warnings",
        "held",
        "form_secret_id",
        "form_url",
        "form_send_url",
    }
    sent = {key: value for key, value in read.items() if key not in read_only}
    response = api.put(f"/v1/campaigns/{campaign.pk}", {"campaigndata": sent})
    assert response.status_code == 200, response.json()
    [answer] = response.json()["data"]
    assert answer["selected_user"] == read["selected_user"]
    assert answer["updated_at"] == read["updated_at"]  # nothing changed, nothing written
    # The name is ignored, never a way to rename anyone; it is still a string or null.
    renamed = [{"id": tenant_a.member.pk, "name": "Someone Else"}]
    response = api.put(f"/v1/campaigns/{campaign.pk}", {"campaigndata": {"selected_user": renamed}})
    assert response.status_code == 200
    assert response.json()["data"][0]["selected_user"][0]["name"] == "Acme Agency Member"
    wrong = [{"id": tenant_a.member.pk, "name": 5}]
    response = api.put(f"/v1/campaigns/{campaign.pk}", {"campaigndata": {"selected_user": wrong}})
    assert response.status_code == 400
    assert response.json()["errors"] == {"selected_user": ["[0] name: Must be a string."]}


def test_alert_details_stored_with_some_keys_read_back_as_unchanged(api, tenant_a):
    """Details stored with only some keys (older rows, the demo, imports) read as the whole
    shape; sent back, that shape is the same value: nothing is written."""
    campaign = make_campaign(tenant_a)
    Campaign.objects.filter(pk=campaign.pk).update(
        email_details={"subject": "New lead"}, sms_details={}
    )
    read = api.get(f"/v1/campaigns/{campaign.pk}").json()["data"]
    assert read["email_details"]["reply_to"] == {"email": "", "name": ""}
    sent = {key: read[key] for key in ("campaign_name", "email_details", "sms_details")}
    response = api.put(f"/v1/campaigns/{campaign.pk}", {"campaigndata": sent})
    assert response.status_code == 200, response.json()
    assert response.json()["data"][0]["updated_at"] == read["updated_at"]
    sent["email_details"]["subject"] = "Newer lead"
    response = api.put(f"/v1/campaigns/{campaign.pk}", {"campaigndata": sent})
    assert response.json()["data"][0]["updated_at"] > read["updated_at"]
    assert Campaign.objects.get(pk=campaign.pk).email_details["subject"] == "Newer lead"


def test_leads_held_while_paused_are_counted_and_captured_through_the_api(
    api, tenant_a, member_api, committed
):
    campaign = make_campaign(tenant_a, integration="webhook")
    api.put(f"/v1/campaigns/{campaign.pk}", {"campaigndata": {"status": False}})
    url = f"/webhooks/leads/{Campaign.objects.get(pk=campaign.pk).webhook_token}/"
    for n in range(2):
        body = {"external_id": f"held-{n}", "phone": "+14155550111"}
        assert Client().post(url, body, content_type="application/json").status_code == 200
    path = f"/v1/campaigns/{campaign.pk}/held-leads"
    paused = api.post(path, "")
    assert paused.status_code == 409
    assert paused.json()["message"] == "Activate the campaign first, then capture its held leads."
    activated = api.put(f"/v1/campaigns/{campaign.pk}", {"campaigndata": {"status": True}})
    assert activated.json()["data"][0]["held"] == {"count": 2, "noun": "lead"}
    # Only who may edit the campaign captures them.
    assert member_api.post(path, "").status_code in (403, 404)
    assert not Lead.objects.exists()
    with committed():
        captured = api.post(path, "")
    assert captured.status_code == 202
    assert captured.json()["data"] == {"queued": 2}
    assert sorted(Lead.objects.values_list("external_id", flat=True)) == ["held-0", "held-1"]
    assert api.get(f"/v1/campaigns/{campaign.pk}").json()["data"]["held"]["count"] == 0
    assert api.post(path, "").json()["data"] == {"queued": 0}


def test_a_lead_says_when_it_was_first_alerted_in_utc(api, tenant_a):
    campaign = make_campaign(tenant_a)
    lead, _ = services.capture_lead(campaign=campaign, source=LeadSource.FORM, external_id="1")
    assert api.get(f"/v1/leads/{lead.pk}").json()["data"]["alerted_at"] is None
    sent = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    Lead.objects.filter(pk=lead.pk).update(alerted_at=sent)
    assert api.get(f"/v1/leads/{lead.pk}").json()["data"]["alerted_at"] == "2025-03-04T05:06:07Z"
    assert api.get("/v1/leads").json()["data"][0]["alerted_at"] == "2025-03-04T05:06:07Z"


@pytest.mark.parametrize(
    "path, unknown",
    [
        ("/v1/leads?source=form&owner=3", ["owner", "source"]),
        ("/v1/leads?sort=name&page=1", ["sort"]),
        ("/v1/leads?from=2025-01-01", ["from"]),
        ("/v1/leads/export?page=2", ["page"]),
        ("/v1/campaigns?owner=2&cursor=", ["owner"]),
        ("/v1/campaigns/tracking-numbers?integration=form", ["integration"]),
        ("/v1/campaigns/filters?status=active", ["status"]),
    ],
)
def test_a_query_key_a_list_does_not_take_is_a_400_naming_it(api, tenant_a, path, unknown):
    lead_campaign = make_campaign(tenant_a)
    services.capture_lead(campaign=lead_campaign, source=LeadSource.FORM, external_id="1")
    response = api.get(path)
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False and body["errno"] == 400
    assert body["errors"] == {key: ["Unknown query parameter."] for key in unknown}
    assert body["message"].startswith(f"Unknown query parameter{'s' if len(unknown) > 1 else ''}: ")


def test_lists_take_their_filters_and_paging(api, tenant_a):
    for path in (
        "/v1/leads?campaign=&search=&status=&page=1&per_page=5",
        "/v1/leads?cursor=",
        "/v1/leads/export?campaign=&search=&status=",
        "/v1/campaigns?search=&integration=&status=&page=1&per_page=5",
        "/v1/campaigns/tracking-numbers?type=form&page=1&per_page=5",
    ):
        assert api.get(path).status_code == 200, path
