"""CallRail API bodies take only the JSON types they declare; a wrong type calls nobody."""

import json

import pytest
from django.test import Client

from callrail import schemas
from callrail.forms import (
    KeyForm,
    TrackerCreateForm,
    TrackerUpdateForm,
    WebhookCreateForm,
    WebhookUpdateForm,
)
from callrail.models import CallRailKey, CallRailSettings
from tests.callrail.conftest import ACC, COM, connect
from tests.factories import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(tenant_a):
    def call(method, path, body):
        return getattr(Client(), method)(
            f"/v1/e/callrail/{path}",
            json.dumps(body),
            content_type="application/json",
            **bearer(tenant_a.token.raw),
        )

    return call


SOURCE = {"type": "source", "name": "Google", "destination_number": "+14125551234"}
SESSION = {
    "type": "session",
    "name": "Site",
    "destination_number": "+14125551234",
    "pool_size": 6,
    "swap_targets": ["+14125551234"],
}


def assert_names(response, field, message):
    assert response.status_code == 400, response.json()
    payload = response.json()
    assert (payload["success"], payload["errno"]) == (False, 400)
    assert payload["errors"] == {field: [message]}
    assert payload["message"].startswith(field)


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"api_key": ["abcdef-9876"]}, "api_key", "Must be a string."),
        ({"api_key": 98765}, "api_key", "Must be a string."),
        ({"api_key": None}, "api_key", "Must be a string."),
    ],
)
def test_key_of_a_wrong_type_is_400_and_nothing_is_saved(api, upstream, body, field, message):
    assert_names(api("post", "key", body), field, message)
    assert not CallRailKey.objects.exists()
    assert len(upstream.calls) == 0


@pytest.mark.parametrize(
    ("method", "body", "field", "message"),
    [
        ("post", {"account_id": [ACC], "company_id": COM}, "account_id", "Must be a string."),
        ("post", {"company_id": {"id": COM}}, "company_id", "Must be a string."),
        ("post", {"webhook_url": ["https://example.com/hook"]}, "webhook_url", "Must be a string."),
        ("put", {"webhook_id": 12345, "status": "disabled"}, "webhook_id", "Must be a string."),
        ("put", {"webhook_id": "WHK1", "status": False}, "status", "Must be a string."),
    ],
)
def test_webhook_of_a_wrong_type_is_400_and_calls_nobody(
    api,
    tenant_a,
    upstream,
    method,
    body,
    field,
    message,
):
    connect(tenant_a)
    assert_names(api(method, "companies/webhook", body), field, message)
    assert len(upstream.calls) == 0
    assert CallRailSettings.objects.get(account=tenant_a.account).webhook_id == ""


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({**SOURCE, "name": ["Google"]}, "name", "Must be a string."),
        ({**SOURCE, "type": ["source"]}, "type", "Must be a string."),
        ({**SOURCE, "destination_number": 4125551234}, "destination_number", "Must be a string."),
        ({**SOURCE, "record_calls": "true"}, "record_calls", "Must be true or false."),
        ({**SOURCE, "sms_enabled": 1}, "sms_enabled", "Must be true or false."),
        ({**SOURCE, "toll_free": "no"}, "toll_free", "Must be true or false."),
        ({**SOURCE, "area_code": 412}, "area_code", "Must be a string."),
        ({**SESSION, "pool_size": "6"}, "pool_size", "Must be an integer."),
        ({**SESSION, "pool_size": 6.5}, "pool_size", "Must be an integer."),
        ({**SESSION, "swap_targets": "+14125551234"}, "swap_targets", "Must be a list."),
        (
            {**SESSION, "swap_targets": [14125551234]},
            "swap_targets",
            "[0] Must be a string or an object.",
        ),
    ],
)
def test_tracker_create_of_a_wrong_type_is_400_and_calls_nobody(
    api,
    tenant_a,
    upstream,
    body,
    field,
    message,
):
    connect(tenant_a)
    assert_names(api("post", "trackers", body), field, message)
    assert len(upstream.calls) == 0


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": ["New"]}, "name", "Must be a string."),
        ({"status": ["disabled"]}, "status", "Must be a string."),
        ({"pool_size": "10"}, "pool_size", "Must be an integer."),
        ({"whisper_message": {"text": "hi"}}, "whisper_message", "Must be a string."),
    ],
)
def test_tracker_update_of_a_wrong_type_is_400_and_calls_nobody(
    api,
    tenant_a,
    upstream,
    body,
    field,
    message,
):
    connect(tenant_a)
    assert_names(api("put", "trackers/TRK1", body), field, message)
    assert len(upstream.calls) == 0


def test_tracker_delete_takes_no_fields(api, tenant_a, upstream):
    connect(tenant_a)
    response = api("delete", "trackers/TRK1", {"hard": True})
    assert response.status_code == 400
    assert response.json()["errors"] == {"hard": ["Unknown field."]}
    assert len(upstream.calls) == 0


@pytest.mark.parametrize(
    ("schema", "form"),
    [
        (schemas.KeyBody, KeyForm),
        (schemas.WebhookCreateBody, WebhookCreateForm),
        (schemas.WebhookUpdateBody, WebhookUpdateForm),
        (schemas.TrackerCreateBody, TrackerCreateForm),
        (schemas.TrackerUpdateBody, TrackerUpdateForm),
    ],
)
def test_each_schema_declares_exactly_the_fields_of_its_form(schema, form):
    assert set(schema.model_fields) == set(form.base_fields)
