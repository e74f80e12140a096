"""`/v1/contacts`: list with search and pagination, one contact with its leads and deals, PATCH."""

import json

import pytest
from django.test import Client

from crm.models import Contact
from tests.crm.conftest import capture, crm_campaign, make_deal
from tests.factories import bearer

pytestmark = pytest.mark.django_db


def _get(tenant, path, **params):
    return Client().get(path, params, **bearer(tenant.token.raw))


def _patch(tenant, path, body):
    return Client().patch(
        path,
        body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
        **bearer(tenant.token.raw),
    )


@pytest.fixture
def ann(tenant_a):
    lead = capture(crm_campaign(tenant_a), name="Ann Lee", phone="+14155550182")
    return lead.contact


def test_list_pages_like_the_lead_list(tenant_a):
    campaign = crm_campaign(tenant_a)
    made = [capture(campaign, name=f"P{i}", phone=f"+1415555010{i}").contact for i in range(3)]
    body = _get(tenant_a, "/v1/contacts", per_page=2).json()
    assert body["success"] is True
    assert [row["id"] for row in body["data"]] == [made[2].pk, made[1].pk]
    assert body["pagination"] == {"page": 1, "per_page": 2, "total": 3, "total_pages": 2}
    assert body["data"][0]["lead_count"] == 1
    by_cursor = _get(tenant_a, "/v1/contacts", per_page=2, cursor="").json()
    following = _get(tenant_a, "/v1/contacts", per_page=2, cursor=by_cursor["next_cursor"])
    assert [row["id"] for row in following.json()["data"]] == [made[0].pk]


def test_list_searches_phone_as_people_write_it(tenant_a, ann):
    capture(crm_campaign(tenant_a), name="Bob", phone="+14155550199")
    body = _get(tenant_a, "/v1/contacts", search="(415) 555-0182").json()
    assert [row["id"] for row in body["data"]] == [ann.pk]


@pytest.mark.parametrize(
    "params, field",
    [({"search": "x" * 201}, "search"), ({"page": "0"}, "page"), ({"cursor": "junk"}, "cursor")],
)
def test_bad_list_parameters_are_400(tenant_a, params, field):
    response = _get(tenant_a, "/v1/contacts", **params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_get_one_has_its_leads_and_deals(tenant_a, ann):
    call = capture(crm_campaign(tenant_a, name="Calls"), phone="+14155550182", source="call")
    deal = make_deal(tenant_a, ann, title="New roof", lead=call)
    data = _get(tenant_a, f"/v1/contacts/{ann.pk}").json()["data"]
    assert data["id"] == ann.pk and data["name"] == "Ann Lee" and data["phone"] == "+14155550182"
    assert data["lead_count"] == 2
    assert [lead["source"] for lead in data["leads"]] == ["call", "form"]
    assert data["leads"][0]["campaign"]["campaign_name"] == "Calls"
    assert data["deals"] == [
        {
            "id": deal.pk,
            "title": "New roof",
            "pipeline": {"id": deal.pipeline_id, "name": deal.pipeline.name},
            "stage": {"id": deal.stage_id, "name": deal.stage.name, "kind": deal.stage.kind},
            "value": 1200.0,
            "currency": "USD",
            "owner": None,
            "lead_id": call.pk,
        }
    ]
    assert data["merged_into"] is None and data["edited_fields"] == []


def test_the_lead_api_names_the_contact(tenant_a, ann):
    lead = ann.leads.get()
    assert _get(tenant_a, f"/v1/leads/{lead.pk}").json()["data"]["contact_id"] == ann.pk


def test_patch_changes_the_fields_sent_and_records_them(tenant_a, ann):
    response = _patch(
        tenant_a, f"/v1/contacts/{ann.pk}", {"phone": "(415) 555-0100", "notes": "VIP"}
    )
    assert response.status_code == 200, response.content
    data = response.json()["data"]
    assert (data["phone"], data["notes"], data["name"]) == ("+14155550100", "VIP", "Ann Lee")
    assert data["edited_fields"] == ["notes", "phone"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"nickname": "Annie"}, "nickname"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12345"}, "phone"),
        ({"phone": 4155550182}, "phone"),
        ({"phone": "+1 415 555 0182 ext 9999"}, "phone"),  # E.164 has no place for it
        ({"name": ["Ann"]}, "name"),
        ({"name": None}, "name"),
        ({"kind": "robot"}, "kind"),
        ({"name": "", "phone": ""}, "non_field_errors"),
        ({"name": "x" * 256}, "name"),
        ({"notes": "nul\u0000"}, "notes"),
        ({"notes": "x" * 10_001}, "notes"),
    ],
)
def test_bad_patches_are_400_and_change_nothing(tenant_a, ann, body, field):
    response = _patch(tenant_a, f"/v1/contacts/{ann.pk}", body)
    assert response.status_code == 400, response.content
    payload = response.json()
    assert payload["success"] is False and payload["errno"] == 400
    assert field in payload["errors"]
    fresh = Contact.objects.get(pk=ann.pk)
    assert (fresh.name, fresh.phone, fresh.edited_fields) == ("Ann Lee", "+14155550182", [])


def test_a_phone_with_an_extension_is_refused_saying_so(tenant_a, ann):
    response = _patch(tenant_a, f"/v1/contacts/{ann.pk}", {"phone": "(415) 555-0199 x12"})
    assert response.json()["errors"]["phone"] == [
        "Enter the number without an extension: extensions cannot be stored."
    ]


def test_malformed_json_is_400(tenant_a, ann):
    response = _patch(tenant_a, f"/v1/contacts/{ann.pk}", "{not json")
    assert response.status_code == 400
    assert Contact.objects.get(pk=ann.pk).edited_fields == []


def test_a_merged_contact_reads_but_does_not_change(tenant_a, ann):
    from crm import contacts

    other = capture(crm_campaign(tenant_a), name="Bob", phone="+14155550199").contact
    contacts.merge_contacts(keep=other, other=ann)
    assert _get(tenant_a, f"/v1/contacts/{ann.pk}").json()["data"]["merged_into"] == other.pk
    response = _patch(tenant_a, f"/v1/contacts/{ann.pk}", {"name": "Changed"})
    assert response.status_code == 409
    assert Contact.objects.get(pk=ann.pk).name == "Ann Lee"


def test_unknown_contact_is_404(tenant_a):
    response = _get(tenant_a, "/v1/contacts/999999")
    assert response.status_code == 404
    assert response.json()["message"] == "Contact not found"


def test_methods_other_than_get_and_patch_are_405(tenant_a, ann):
    response = Client().delete(f"/v1/contacts/{ann.pk}", **bearer(tenant_a.token.raw))
    assert response.status_code == 405
    assert Contact.objects.filter(pk=ann.pk).exists()
