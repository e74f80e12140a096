import json

import pytest
import requests
from django.test import Client

from callrail.models import CallRailKey, CallRailSettings
from campaignhub import services as platform
from tests.callrail.conftest import ACC, API, COM, KEY, connect, page, tracker_record
from tests.factories import bearer

pytestmark = pytest.mark.django_db

NO_KEY = "API key not found. Please add your CallRail API key first."


@pytest.fixture
def api(tenant_a):
    client = Client()
    auth = bearer(tenant_a.token.raw)

    def call(method, path, body=None, **headers):
        kwargs = {**auth, **headers}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method)(f"/v1/e/callrail/{path}", **kwargs)

    return call


def envelope_error(response, status, message):
    assert response.status_code == status, response.json()
    assert response.json()["success"] is False
    assert response.json()["errno"] == status
    assert response.json()["message"] == message


class TestKey:
    def test_connect_checks_the_key_with_callrail_and_shows_only_last4(
        self, api, tenant_a, upstream
    ):
        upstream.get(f"{API}/a.json", json=page("accounts", []))
        response = api("post", "key", {"api_key": "  abcdef-9876  "})
        assert response.status_code == 201
        data = response.json()["data"]
        token = CallRailSettings.objects.get(account=tenant_a.account).webhook_token
        assert data == {
            "connected": True,
            "last4": "9876",
            "webhook_url": f"http://testserver/webhooks/callrail/{token}/",
            "rejected": False,
        }
        assert upstream.calls[0].request.headers["Authorization"] == 'Token token="abcdef-9876"'
        assert "abcdef" not in json.dumps(api("get", "key").json())

    def test_the_key_is_encrypted_at_rest(self, api, tenant_a, upstream):
        upstream.get(f"{API}/a.json", json=page("accounts", []))
        api("post", "key", {"api_key": "abcdef-9876"})
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT secret FROM callrail_callrailkey")
            stored = cursor.fetchone()[0]
        assert "abcdef" not in stored
        assert CallRailKey.objects.get().secret == "abcdef-9876"

    def test_a_key_callrail_refuses_is_not_saved(self, api, upstream):
        upstream.get(f"{API}/a.json", status=401, json={"error": "HTTP Token: Access denied."})
        envelope_error(
            api("post", "key", {"api_key": "wrong"}), 400, "CallRail did not accept this API key."
        )
        assert not CallRailKey.objects.exists()

    def test_missing_key_field_is_400(self, api):
        envelope_error(api("post", "key", {}), 400, "Enter your CallRail API key.")

    def test_remove_is_a_soft_delete(self, api, tenant_a):
        connect(tenant_a)
        response = api("delete", "key")
        assert response.json()["data"]["connected"] is False
        key = CallRailKey.objects.get()
        assert key.deleted_at is not None and key.secret == ""
        envelope_error(api("delete", "key"), 400, NO_KEY)

    def test_members_cannot_change_the_key(self, tenant_a):
        raw = platform.issue_token(account=tenant_a.account, user=tenant_a.member, name="m").raw
        response = Client().post(
            "/v1/e/callrail/key",
            json.dumps({"api_key": "x"}),
            content_type="application/json",
            **bearer(raw),
        )
        assert response.status_code == 403


@pytest.mark.parametrize(
    "path", ["accounts", "companies?account_id=1", "trackers", "trackers/TRK1"]
)
def test_every_endpoint_needs_a_key_first(api, path):
    envelope_error(api("get", path), 400, NO_KEY)


def test_accounts(api, tenant_a, upstream):
    connect(tenant_a)
    upstream.get(
        f"{API}/a.json",
        json=page(
            "accounts",
            [
                {
                    "id": ACC,
                    "name": "Acme",
                    "outbound_recording_enabled": True,
                    "hipaa_account": False,
                    "numeric_id": 470306151,
                }
            ],
            per_page=10,
        ),
    )
    response = api("get", "accounts?page=1&per_page=10&sort=name")
    assert response.json() == {
        "success": True,
        "message": "SUCCESS",
        "data": {
            "accounts": [
                {
                    "id": ACC,
                    "name": "Acme",
                    "numeric_id": 470306151,
                    "outbound_recording_enabled": True,
                    "hipaa_account": False,
                }
            ],
            "page": 1,
            "per_page": 10,
            "total_pages": 1,
            "total_records": 1,
        },
    }
    assert upstream.calls[0].request.params == {
        "page": "1",
        "per_page": "10",
        "sort": "name",
        "order": "asc",
    }


def test_per_page_over_250_is_refused_before_calling_callrail(api, tenant_a, upstream):
    connect(tenant_a)
    envelope_error(
        api("get", "accounts?per_page=251"), 400, "Ensure this value is less than or equal to 250."
    )
    envelope_error(
        api("get", "accounts?page=100000000000000000000"),
        400,
        "Ensure this value is less than or equal to 1000000000.",
    )
    assert len(upstream.calls) == 0


class TestCompanies:
    def test_account_id_is_required(self, api, tenant_a):
        connect(tenant_a)
        CallRailSettings.objects.filter(account=tenant_a.account).update(callrail_account_id="")
        envelope_error(api("get", "companies"), 400, "Callrail account id is required.")

    def test_list_with_search_and_disabled(self, api, tenant_a, upstream):
        connect(tenant_a)
        company = {
            "id": COM,
            "name": "Acme Corp",
            "status": "active",
            "script_url": "https://cdn.callrail.com/x/swap.js",
            "extra": "dropped",
        }
        upstream.get(f"{API}/a/470306151/companies.json", json=page("companies", [company]))
        response = api("get", "companies?account_id=470306151&search=Acme&disabled=true")
        data = response.json()["data"]
        assert data["companies"][0]["name"] == "Acme Corp"
        assert data["companies"][0]["script_url"] == "https://cdn.callrail.com/x/swap.js"
        assert "extra" not in data["companies"][0]
        assert data["total_records"] == 1
        assert upstream.calls[0].request.params == {"page": "1", "per_page": "10", "search": "Acme"}

    def test_saved_account_is_used_without_the_parameter(self, api, tenant_a, upstream):
        connect(tenant_a)
        upstream.get(f"{API}/a/{ACC}/companies.json", json=page("companies", []))
        assert api("get", "companies").status_code == 200

    def test_header_wins(self, api, tenant_a, upstream):
        connect(tenant_a)
        upstream.get(f"{API}/a/ACCfromheader/companies.json", json=page("companies", []))
        assert (
            api("get", "companies", HTTP_X_CALLRAIL_ACCOUNT_ID="ACCfromheader").status_code == 200
        )

    @pytest.mark.parametrize(
        ("header", "value"),
        [
            ("HTTP_X_CALLRAIL_ACCOUNT_ID", f"{ACC}/companies/{COM}.json?"),
            ("HTTP_X_CALLRAIL_ACCOUNT_ID", ".."),
            ("HTTP_X_CALLRAIL_COMPANY_ID", "COM1&status=disabled"),
        ],
    )
    def test_an_id_that_is_not_a_callrail_id_is_400_and_calls_nothing(
        self, api, tenant_a, upstream, header, value
    ):
        connect(tenant_a)
        response = api("get", "trackers", **{header: value})
        kind = "account" if "ACCOUNT" in header else "company"
        envelope_error(response, 400, f"X-CallRail-{kind.title()}-Id is not a CallRail {kind} id.")
        assert len(upstream.calls) == 0

    def test_the_client_escapes_every_id_in_a_path(self, tenant_a, upstream):
        from callrail.client import CallRailClient

        upstream.get(f"{API}/a/A%2FB/trackers/T%3F1.json", json={"id": "T?1"})
        assert CallRailClient("key").tracker("A/B", "T?1") == {"id": "T?1"}


class TestWebhook:
    def test_create_registers_on_the_company_and_keeps_our_signing_key(
        self, api, tenant_a, upstream
    ):
        settings = connect(tenant_a)
        ours = f"http://testserver/webhooks/callrail/{settings.webhook_token}/"
        upstream.post(
            f"{API}/a/{ACC}/companies/{COM}/webhooks.json",
            status=201,
            json={
                "id": "WHK1",
                "url": ours,
                "status": "enabled",
                "events": ["post_call"],
                "created_at": "2026-01-01",
                "signing_key": "s3cret",
            },
        )
        response = api(
            "post", "companies/webhook", {"account_id": ACC, "company_id": COM, "webhook_url": ours}
        )
        assert response.json()["data"] == {
            "id": "WHK1",
            "account_id": ACC,
            "company_id": COM,
            "url": ours,
            "status": "enabled",
            "events": ["post_call"],
            "created_at": "2026-01-01",
            "updated_at": None,
        }
        assert json.loads(upstream.calls[0].request.body) == {"url": ours}
        settings.refresh_from_db()
        assert (settings.webhook_id, settings.signing_key) == ("WHK1", "s3cret")

    def test_missing_fields(self, api, tenant_a):
        connect(tenant_a, company=False)
        CallRailSettings.objects.filter(account=tenant_a.account).update(callrail_account_id="")
        envelope_error(
            api("post", "companies/webhook", {"account_id": ACC, "company_id": COM}),
            400,
            "Callrail account id, company id and webhook url are required.",
        )

    def test_update_needs_ids_and_a_change(self, api, tenant_a):
        connect(tenant_a)
        envelope_error(
            api(
                "put",
                "companies/webhook",
                {"account_id": ACC, "company_id": COM, "webhook_id": "WHK1"},
            ),
            400,
            "Callrail account id, company id, webhook id and webhook url or status are required.",
        )

    def test_update_status(self, api, tenant_a, upstream):
        connect(tenant_a)
        upstream.put(
            f"{API}/a/{ACC}/companies/{COM}/webhooks/WHK1.json",
            json={"id": "WHK1", "status": "disabled", "updated_at": "2026-01-02"},
        )
        response = api(
            "put",
            "companies/webhook",
            {"account_id": ACC, "company_id": COM, "webhook_id": "WHK1", "status": "disabled"},
        )
        assert response.json()["data"]["status"] == "disabled"
        assert json.loads(upstream.calls[0].request.body) == {"status": "disabled"}


class TestTrackers:
    def test_a_query_key_the_list_does_not_take_is_a_400_and_callrail_is_not_asked(
        self, api, tenant_a, upstream
    ):
        connect(tenant_a)
        response = api("get", "trackers?status=active&search=Google")
        assert response.status_code == 400
        assert response.json()["errors"] == {"status": ["Unknown query parameter."]}
        response = api("get", f"companies?account_id={ACC}&company_id={COM}")
        assert response.json()["errors"] == {"company_id": ["Unknown query parameter."]}
        assert len(upstream.calls) == 0

    def test_list_shape_and_pagination(self, api, tenant_a, upstream):
        connect(tenant_a)
        upstream.get(
            f"{API}/a/{ACC}/trackers.json",
            json=page(
                "trackers", [tracker_record()], page=1, per_page=20, total_pages=2, total_records=25
            ),
        )
        response = api("get", "trackers?page=1&per_page=20&sort=name&search=Google&fields=id,name")
        payload = response.json()
        assert payload["data"]["total_records"] == 25
        assert payload["data"]["page"] == 1 and payload["data"]["per_page"] == 20
        assert payload["data"]["trackers"][0]["tracking_number"] == "+14155550134"
        assert payload["pagination"] == {
            "current_page": 1,
            "total_pages": 2,
            "per_page": 20,
            "total_items": 25,
        }
        assert upstream.calls[0].request.params == {
            "page": "1",
            "per_page": "20",
            "company_id": COM,
            "fields": "id,name",
            "search": "Google",
            "sort": "name",
            "order": "asc",
        }

    @pytest.mark.parametrize(
        ("body", "message"),
        [
            (
                {"type": "pool", "name": "X", "destination_number": "+14125551234"},
                "Tracker type must be source or session.",
            ),
            ({"type": "source", "destination_number": "+14125551234"}, "Tracker name is required."),
            ({"type": "source", "name": "X"}, "Destination number is required."),
            (
                {
                    "type": "session",
                    "name": "X",
                    "destination_number": "+14125551234",
                    "pool_size": 4,
                    "swap_targets": ["+14125551234"],
                },
                "Pool size must be at least 5 for session trackers",
            ),
            (
                {
                    "type": "session",
                    "name": "X",
                    "destination_number": "+14125551234",
                    "swap_targets": ["+14125551234"],
                },
                "Pool size must be at least 5 for session trackers",
            ),
            (
                {
                    "type": "session",
                    "name": "X",
                    "destination_number": "+14125551234",
                    "pool_size": 10,
                },
                "Swap targets are required for session trackers",
            ),
            (
                {"type": "source", "name": "X", "destination_number": "12"},
                "Enter a valid phone number, e.g. +14155551234 or (415) 555-1234.",
            ),
            (
                {
                    "type": "source",
                    "name": "X",
                    "destination_number": "+14125551234",
                    "source": "google_paid",
                },
                "Select a valid choice. google_paid is not one of the available choices.",
            ),
            (
                {
                    "type": "source",
                    "name": "X",
                    "destination_number": "+14125551234",
                    "colour": "red",
                },
                "Unknown field: colour.",
            ),
        ],
    )
    def test_create_is_validated_before_calling_callrail(
        self, api, tenant_a, upstream, body, message
    ):
        connect(tenant_a)
        envelope_error(api("post", "trackers", body), 400, message)
        assert len(upstream.calls) == 0

    def test_create_source_tracker(self, api, tenant_a, upstream):
        connect(tenant_a)
        upstream.post(
            f"{API}/a/{ACC}/trackers.json", status=201, json=tracker_record(name="LinkedIn")
        )
        response = api(
            "post",
            "trackers",
            {
                "type": "source",
                "name": "LinkedIn",
                "destination_number": "(412) 555-1234",
                "whisper_message": "Call from LinkedIn",
                "record_calls": True,
            },
        )
        assert response.status_code == 201
        assert response.json()["data"]["name"] == "LinkedIn"
        sent = json.loads(upstream.calls[0].request.body)
        assert sent["company_id"] == COM and sent["destination_number"] == "+14125551234"
        assert sent["source"] == {"type": "all"}

    def test_create_session_tracker(self, api, tenant_a, upstream):
        connect(tenant_a)
        upstream.post(
            f"{API}/a/{ACC}/trackers.json",
            status=201,
            json=tracker_record(
                type="session", tracking_numbers=[f"+1415555{n:04d}" for n in range(10)]
            ),
        )
        response = api(
            "post",
            "trackers",
            {
                "type": "session",
                "name": "Website",
                "destination_number": "+14125551234",
                "pool_size": 10,
                "swap_targets": [{"target": "+14125551234", "match_type": "exact"}],
            },
        )
        assert response.json()["data"]["pool_size"] == 10
        sent = json.loads(upstream.calls[0].request.body)
        assert sent["pool_size"] == 10
        assert sent["swap_targets"] == [{"target": "+14125551234", "match_type": "exact"}]

    def test_company_is_required_to_create(self, api, tenant_a):
        connect(tenant_a, company=False)
        envelope_error(
            api("post", "trackers", {"type": "source"}), 400, "Callrail company id is required."
        )

    def test_get_one_and_not_found(self, api, tenant_a, upstream):
        connect(tenant_a)
        upstream.get(f"{API}/a/{ACC}/trackers/TRK1.json", json=tracker_record(id="TRK1"))
        upstream.get(f"{API}/a/{ACC}/trackers/TRK404.json", status=404, json={"error": "Not found"})
        assert api("get", "trackers/TRK1").json()["data"]["id"] == "TRK1"
        envelope_error(api("get", "trackers/TRK404"), 404, "Tracker not found")

    def test_update_sends_a_complete_call_flow(self, api, tenant_a, upstream):
        connect(tenant_a)
        upstream.get(f"{API}/a/{ACC}/trackers/TRK1.json", json=tracker_record(id="TRK1"))
        upstream.put(
            f"{API}/a/{ACC}/trackers/TRK1.json", json=tracker_record(id="TRK1", name="Renamed")
        )
        response = api(
            "put", "trackers/TRK1", {"name": "Renamed", "destination_number": "+14125559999"}
        )
        assert response.json()["data"]["name"] == "Renamed"
        sent = json.loads(upstream.calls[1].request.body)
        assert sent == {
            "name": "Renamed",
            "destination_number": "+14125559999",
            "call_flow": {
                "type": "basic",
                "destination_number": "+14125559999",
                "recording_enabled": True,
            },
        }

    def test_update_to_disabled_uses_delete(self, api, tenant_a, upstream):
        connect(tenant_a)
        upstream.get(f"{API}/a/{ACC}/trackers/TRK1.json", json=tracker_record(id="TRK1"))
        upstream.delete(
            f"{API}/a/{ACC}/trackers/TRK1.json",
            json=tracker_record(id="TRK1", status="disabled", disabled_at="2026-01-01"),
        )
        response = api("put", "trackers/TRK1", {"status": "disabled"})
        assert response.json()["data"]["status"] == "disabled"

    def test_update_validation(self, api, tenant_a, upstream):
        connect(tenant_a)
        upstream.get(
            f"{API}/a/{ACC}/trackers/TRK1.json",
            json=tracker_record(id="TRK1", type="session", tracking_numbers=["+14155550134"] * 5),
        )
        envelope_error(
            api("put", "trackers/TRK1", {"pool_size": 3}),
            400,
            "Pool size must be at least 5 for session trackers",
        )
        assert [call.request.method for call in upstream.calls] == ["GET"]

    def test_delete(self, api, tenant_a, upstream):
        connect(tenant_a)
        upstream.delete(
            f"{API}/a/{ACC}/trackers/TRK1.json", json=tracker_record(id="TRK1", status="disabled")
        )
        upstream.delete(
            f"{API}/a/{ACC}/trackers/TRK404.json", status=404, json={"error": "Not found"}
        )
        upstream.get(f"{API}/a/{ACC}/trackers/TRK1.json", json=tracker_record(id="TRK1"))
        upstream.get(f"{API}/a/{ACC}/trackers/TRK404.json", status=404, json={"error": "Not found"})
        assert api("delete", "trackers/TRK1").json()["data"] == {}
        envelope_error(api("delete", "trackers/TRK404"), 404, "Tracker not found")


def test_upstream_401_flags_the_key_and_asks_to_reconnect(api, tenant_a, upstream):
    connect(tenant_a)
    upstream.get(f"{API}/a.json", status=401, json={"error": "HTTP Token: Access denied."})
    envelope_error(
        api("get", "accounts"),
        400,
        "CallRail rejected the API key. Please reconnect CallRail with a valid key.",
    )
    assert CallRailKey.objects.get().rejected_at is not None
    assert api("get", "key").json()["data"]["rejected"] is True


def test_other_upstream_errors_are_400_with_callrails_message(api, tenant_a, upstream):
    connect(tenant_a)
    upstream.post(
        f"{API}/a/{ACC}/trackers.json",
        status=400,
        json={"error": "missing required parameter 'pool_size'"},
    )
    response = api(
        "post", "trackers", {"type": "source", "name": "X", "destination_number": "+14125551234"}
    )
    envelope_error(response, 400, "missing required parameter 'pool_size'")


def test_unreachable_callrail_is_502(api, tenant_a, upstream):
    connect(tenant_a)
    upstream.get(f"{API}/a.json", body=requests.ConnectionError("no route to host"))
    response = api("get", "accounts")
    assert response.status_code == 502
    assert response.json()["message"].startswith("Could not reach CallRail")


def test_the_stored_key_is_what_callrail_receives(api, tenant_a, upstream):
    connect(tenant_a)
    upstream.get(f"{API}/a.json", json=page("accounts", []))
    api("get", "accounts")
    assert upstream.calls[0].request.headers["Authorization"] == f'Token token="{KEY}"'
