"""Our CallRail client against the sandbox: the two must agree, or the demo and e2e lie."""

import json
import time
import urllib.request

import pytest

from callrail import client as callrail
from callrail.client import CallRailClient
from campaignhub.http import ApiError

DEMO_KEY = "sandbox-demo-key"


@pytest.fixture
def client(sandbox):
    return CallRailClient(DEMO_KEY, base_url=f"{sandbox.url}/v3", sleep=lambda seconds: None)


@pytest.fixture
def company(client):
    account = client.accounts().items[0]
    return account["id"], client.companies(account["id"]).items[0]["id"]


def control(sandbox, path, body):
    request = urllib.request.Request(
        f"{sandbox.url}/_sandbox/{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_demo_data(client):
    accounts = client.accounts()
    assert accounts.total_records == 1
    account_id = accounts.items[0]["id"]
    assert [c["name"] for c in client.companies(account_id).items] == [
        "Demo Roofing",
        "Demo Dental",
    ]
    assert client.companies(account_id, include_disabled=True).total_records == 3
    assert [c["name"] for c in client.companies(account_id, search="dent").items] == ["Demo Dental"]


def test_both_token_forms_work_and_a_wrong_key_is_401(sandbox):
    for header in ('Token token="sandbox-demo-key"', "Token token=sandbox-demo-key"):
        request = urllib.request.Request(
            f"{sandbox.url}/v3/a.json", headers={"Authorization": header}
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
    with pytest.raises(ApiError) as caught:
        CallRailClient("wrong", base_url=f"{sandbox.url}/v3").accounts()
    assert caught.value.status == 401
    assert caught.value.message == "HTTP Token: Access denied."


def test_source_and_session_trackers(client, company):
    account_id, company_id = company
    source = client.create_tracker(
        account_id,
        callrail.tracker_payload(
            {
                "type": "source",
                "name": "Radio",
                "destination_number": "+14125551234",
                "source": "offline",
                "record_calls": False,
                "area_code": "412",
            },
            company_id=company_id,
        ),
    )
    out = callrail.tracker_out(source)
    assert out["tracking_number"].startswith("+1412")
    assert out["record_calls"] is False
    session = client.create_tracker(
        account_id,
        callrail.tracker_payload(
            {
                "type": "session",
                "name": "Site",
                "destination_number": "+14125551234",
                "source": "all",
                "pool_size": 6,
                "swap_targets": ["+14125551234"],
            },
            company_id=company_id,
        ),
    )
    assert callrail.tracker_out(session)["pool_size"] == 6
    with pytest.raises(ApiError, match="missing required parameter 'pool_size'"):
        client.create_tracker(
            account_id,
            {
                "type": "session",
                "name": "S",
                "company_id": company_id,
                "destination_number": "+14125551234",
                "source": {"type": "all"},
                "swap_targets": ["+1"],
            },
        )
    with pytest.raises(ApiError, match="Source Unknown tracking source type"):
        client.create_tracker(
            account_id,
            {
                "type": "source",
                "name": "S",
                "company_id": company_id,
                "destination_number": "+1",
                "source": {"type": "google_paid"},
            },
        )


def test_put_replaces_call_flow_and_ignores_status_delete_disables(client, company):
    account_id, company_id = company
    tracker = client.all_trackers(account_id, company_id=company_id).__next__()
    payload = callrail.tracker_payload({"record_calls": False, "name": "Renamed"}, current=tracker)
    updated = client.update_tracker(account_id, tracker["id"], {**payload, "status": "disabled"})
    assert updated["call_flow"] == {
        "type": "basic",
        "destination_number": tracker["destination_number"],
        "recording_enabled": False,
    }
    assert updated["status"] == "active"
    disabled = client.disable_tracker(account_id, tracker["id"])
    assert disabled["status"] == "disabled" and disabled["disabled_at"]
    with pytest.raises(ApiError) as caught:
        client.tracker(account_id, "TRKmissing")
    assert caught.value.status == 404


def test_pages_are_capped_at_250(client, company):
    account_id, company_id = company
    page = client.page(
        f"a/{account_id}/trackers.json", "trackers", per_page=250, company_id=company_id
    )
    assert page.per_page == 250


def test_injected_429s_are_retried_by_the_client(client, sandbox):
    control(sandbox, "callrail/rate-limit", {"count": 2, "retry_after": 0})
    assert client.accounts().total_records == 1


def test_webhook_registration_and_a_signed_simulated_call(client, company, sandbox, live_receiver):
    account_id, company_id = company
    record = client.create_webhook(account_id, company_id, live_receiver.url)
    assert record["status"] == "enabled" and record["signing_key"]
    with pytest.raises(ApiError, match="Url has already been taken"):
        client.create_webhook(account_id, company_id, live_receiver.url)
    listed = [w for w in client.all_webhooks(account_id, company_id) if w["id"] == record["id"]]
    assert [w["url"] for w in listed] == [live_receiver.url]
    tracker = next(client.all_trackers(account_id, company_id=company_id))
    control(sandbox, "callrail/simulate-call", {"tracker_id": tracker["id"], "gap": 0})
    deadline = time.monotonic() + 5
    while len(live_receiver.received) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    (pre_body, pre_sig), (post_body, _) = live_receiver.received[:2]
    pre, post = json.loads(pre_body), json.loads(post_body)
    assert callrail.classify(pre) == "pre_call" and callrail.classify(post) == "post_call"
    assert pre["resource_id"] == post["resource_id"]
    assert pre["tracking_phone_number"] == tracker["tracking_numbers"][0]
    from callrail.client import signature

    assert pre_sig == signature(record["signing_key"], pre_body)


@pytest.fixture
def live_receiver():
    """A plain HTTP endpoint that keeps what the sandbox posts to it."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from types import SimpleNamespace

    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers.get("Signature")))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}/hook/", received=received)
    server.shutdown()
