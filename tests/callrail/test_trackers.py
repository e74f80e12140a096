"""Tracker rules the page and the API share (callrail.services), and how both reach CallRail."""

import json

import pytest
import requests
from django.test import Client

from tests.callrail.conftest import ACC, API, connect, tracker_record
from tests.campaigns.factories import make_campaign
from tests.factories import bearer

pytestmark = pytest.mark.django_db

SOURCE_HAS_ONE_NUMBER = (
    "Source trackers have one number; pool size and swap targets are for session trackers."
)
TRACKER = f"{API}/a/{ACC}/trackers/TRK1.json"


@pytest.fixture
def api(tenant_a):
    client = Client()

    def call(method, path, body=None):
        kwargs = bearer(tenant_a.token.raw)
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(client, method)(f"/v1/e/callrail/{path}", **kwargs)

    return call


def sent(upstream, method):
    return [call for call in upstream.calls if call.request.method == method]


def session_record(**overrides):
    numbers = [f"+1415555{n:04d}" for n in range(140, 146)]
    return tracker_record(id="TRK1", type="session", tracking_numbers=numbers, **overrides)


class TestPoolFields:
    def test_api_refuses_a_pool_size_on_a_source_tracker(self, api, tenant_a, upstream):
        connect(tenant_a)
        upstream.get(TRACKER, json=tracker_record(id="TRK1"))
        response = api("put", "trackers/TRK1", {"name": "X", "pool_size": 6})
        assert response.status_code == 400
        assert response.json()["message"] == SOURCE_HAS_ONE_NUMBER
        assert response.json()["errors"] == {"pool_size": [SOURCE_HAS_ONE_NUMBER]}
        assert sent(upstream, "PUT") == []

    def test_page_refuses_a_pool_size_on_a_source_tracker(self, tenant_a, upstream):
        connect(tenant_a)
        upstream.get(TRACKER, json=tracker_record(id="TRK1"))
        response = tenant_a.admin_client.post(
            "/callrail/trackers/TRK1/edit/", {"name": "X", "pool_size": "6"}
        )
        assert response.status_code == 400
        assert SOURCE_HAS_ONE_NUMBER in response.content.decode()
        assert sent(upstream, "PUT") == []

    def test_an_empty_name_is_refused_as_on_create(self, api, tenant_a, upstream):
        connect(tenant_a)
        upstream.get(TRACKER, json=tracker_record(id="TRK1"))
        response = api("put", "trackers/TRK1", {"name": ""})
        assert response.status_code == 400
        assert response.json()["message"] == "Tracker name is required."
        assert sent(upstream, "PUT") == []

    def test_a_source_trackers_own_shape_sent_back_is_no_change(self, api, tenant_a, upstream):
        connect(tenant_a)
        upstream.get(TRACKER, json=tracker_record(id="TRK1"))
        upstream.put(TRACKER, json=tracker_record(id="TRK1", name="Renamed"))
        response = api(
            "put", "trackers/TRK1", {"name": "Renamed", "pool_size": 1, "swap_targets": []}
        )
        assert response.status_code == 200
        assert json.loads(sent(upstream, "PUT")[0].request.body) == {"name": "Renamed"}

    def test_page_and_api_send_the_same_update_for_a_source_tracker(self, api, tenant_a, upstream):
        connect(tenant_a)
        upstream.get(TRACKER, json=tracker_record(id="TRK1"))
        upstream.put(TRACKER, json=tracker_record(id="TRK1"))
        api(
            "put",
            "trackers/TRK1",
            {"name": "Renamed", "destination_number": "+14155550100", "record_calls": True},
        )
        page = tenant_a.admin_client.post(
            "/callrail/trackers/TRK1/edit/",
            {
                "type": "source",
                "name": "Renamed",
                "destination_number": "+14155550100",
                "record_calls": "on",
            },
        )
        assert page.status_code == 302
        from_api, from_page = (json.loads(c.request.body) for c in sent(upstream, "PUT"))
        # The page's unticked "Text messages" box is a change the API call did not ask for.
        assert from_page == {**from_api, "sms_enabled": False}
        assert "pool_size" not in from_page and "swap_targets" not in from_page

    def test_session_pool_below_five_is_refused_on_page_and_api(self, api, tenant_a, upstream):
        connect(tenant_a)
        upstream.get(TRACKER, json=session_record())
        response = api("put", "trackers/TRK1", {"pool_size": 4})
        assert (response.status_code, response.json()["message"]) == (
            400,
            "Pool size must be at least 5 for session trackers",
        )
        page = tenant_a.admin_client.post(
            "/callrail/trackers/TRK1/edit/",
            {"type": "session", "name": "Website", "pool_size": "4", "swap_targets": "+1412"},
        )
        assert page.status_code == 400
        assert "Pool size must be at least 5" in page.content.decode()
        assert sent(upstream, "PUT") == []

    def test_session_pool_is_sent_from_the_page(self, tenant_a, upstream):
        connect(tenant_a)
        upstream.get(TRACKER, json=session_record())
        upstream.put(TRACKER, json=session_record())
        response = tenant_a.admin_client.post(
            "/callrail/trackers/TRK1/edit/",
            {
                "type": "session",
                "name": "Website",
                "destination_number": "+14155550100",
                "pool_size": "8",
                "swap_targets": "+14125551234",
                "record_calls": "on",
            },
        )
        assert response.status_code == 302
        body = json.loads(sent(upstream, "PUT")[0].request.body)
        assert body["pool_size"] == 8 and body["swap_targets"] == ["+14125551234"]


class TestDisabling:
    def test_status_disabled_is_a_delete_from_the_api(self, api, tenant_a, upstream):
        connect(tenant_a)
        upstream.get(TRACKER, json=tracker_record(id="TRK1"))
        upstream.delete(TRACKER, json=tracker_record(id="TRK1", status="disabled"))
        response = api("put", "trackers/TRK1", {"status": "disabled"})
        assert response.json()["data"]["status"] == "disabled"
        assert sent(upstream, "PUT") == [] and len(sent(upstream, "DELETE")) == 1

    def test_status_disabled_is_a_delete_from_the_page(self, tenant_a, upstream):
        connect(tenant_a)
        upstream.get(TRACKER, json=tracker_record(id="TRK1"))
        upstream.put(TRACKER, json=tracker_record(id="TRK1"))
        upstream.delete(TRACKER, json=tracker_record(id="TRK1", status="disabled"))
        response = tenant_a.admin_client.post(
            "/callrail/trackers/TRK1/edit/",
            {"type": "source", "name": "Google Ads", "status": "disabled"},
        )
        assert response.status_code == 302
        assert len(sent(upstream, "DELETE")) == 1

    def test_a_disabled_tracker_cannot_be_enabled_again(self, api, tenant_a, upstream):
        connect(tenant_a)
        upstream.get(TRACKER, json=tracker_record(id="TRK1", status="disabled"))
        response = api("put", "trackers/TRK1", {"status": "active"})
        assert response.status_code == 400
        assert "cannot be enabled again" in response.json()["message"]
        assert [c.request.method for c in upstream.calls] == ["GET"]

    def test_disabling_a_tracker_an_active_campaign_uses_is_refused_everywhere(
        self, api, tenant_a, upstream
    ):
        connect(tenant_a)
        make_campaign(
            tenant_a,
            campaign_name="Roof calls",
            integration="callrail",
            tracking_number="+14155550134",
        )
        upstream.get(TRACKER, json=tracker_record(id="TRK1"))
        upstream.delete(TRACKER, json=tracker_record(id="TRK1", status="disabled"))

        deleted = api("delete", "trackers/TRK1")
        assert deleted.status_code == 409
        message = deleted.json()["message"]
        assert "“Roof calls” on (415) 555-0134" in message and "Pause the campaign" in message
        assert api("put", "trackers/TRK1", {"name": "X", "status": "disabled"}).status_code == 409
        page = tenant_a.admin_client.post("/callrail/trackers/TRK1/disable/", follow=True)
        assert "used by the active campaign “Roof calls”" in page.content.decode()
        assert sent(upstream, "DELETE") == [] and sent(upstream, "PUT") == []

    def test_a_paused_campaigns_number_does_not_block_disabling(self, api, tenant_a, upstream):
        connect(tenant_a)
        make_campaign(
            tenant_a,
            campaign_name="Roof calls",
            integration="callrail",
            tracking_number="+14155550134",
            status=False,
        )
        upstream.get(TRACKER, json=tracker_record(id="TRK1"))
        upstream.delete(TRACKER, json=tracker_record(id="TRK1", status="disabled"))
        assert api("delete", "trackers/TRK1").status_code == 200
        assert len(sent(upstream, "DELETE")) == 1

    def test_another_accounts_campaign_does_not_block_disabling(
        self, api, tenant_a, tenant_b, upstream
    ):
        connect(tenant_a)
        make_campaign(
            tenant_b, campaign_name="Theirs", integration="callrail", tracking_number="+14155550134"
        )
        upstream.get(TRACKER, json=tracker_record(id="TRK1"))
        upstream.delete(TRACKER, json=tracker_record(id="TRK1", status="disabled"))
        assert api("delete", "trackers/TRK1").status_code == 200


class TestWebRequests:
    def test_a_failing_callrail_is_asked_once_from_the_api(self, api, tenant_a, upstream):
        connect(tenant_a)
        upstream.get(f"{API}/a.json", status=503, json={"error": "Service unavailable"})
        response = api("get", "accounts")
        assert response.status_code == 502
        assert response.json()["message"] == "CallRail could not answer: Service unavailable"
        assert len(upstream.calls) == 1

    def test_an_unreachable_callrail_is_asked_once_from_a_page(self, tenant_a, upstream):
        connect(tenant_a)
        upstream.get(f"{API}/a.json", body=requests.ConnectionError("reset by peer"))
        response = tenant_a.admin_client.get("/callrail/accounts/")
        assert response.status_code == 502
        assert "Could not reach CallRail" in response.content.decode()
        assert len(upstream.calls) == 1

    def test_callrails_retry_after_is_passed_through(self, api, tenant_a, upstream):
        connect(tenant_a)
        upstream.get(
            f"{API}/a.json", status=429, headers={"Retry-After": "20"}, json={"error": "Slow"}
        )
        response = api("get", "accounts")
        assert response.status_code == 429
        assert response["Retry-After"] == "20"
        assert response.json()["message"] == "CallRail is busy; please try again in 20 seconds."
        page = tenant_a.admin_client.get("/callrail/accounts/")
        assert (page.status_code, page["Retry-After"]) == (429, "20")
        assert len(upstream.calls) == 2
