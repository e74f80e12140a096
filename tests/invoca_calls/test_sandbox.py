"""Our Invoca client against the sandbox's call data: the two must agree, or the demo and the
end-to-end tests lie. Also the sandbox's own semantics (cursor, corrections, signals, webhooks)."""

import json
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from campaignhub.http import ApiError
from invoca.client import InvocaClient

TOKEN = "sandbox-invoca-token"
NETWORK = "1001"


@pytest.fixture
def client(sandbox):
    return InvocaClient(
        TOKEN, network_id=NETWORK, base_url=f"{sandbox.url}/invoca", sleep=lambda s: None
    )


def control(sandbox, path, body):
    request = urllib.request.Request(
        f"{sandbox.url}/_sandbox/invoca/{path}",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


@pytest.fixture
def live_campaign(client):
    """A live advertiser campaign of its own (the sandbox is shared by the session)."""
    campaign_id = f"c-{uuid.uuid4().hex[:8]}"
    client.create_campaign(
        "ADV1", campaign_id, {"name": "Sandbox roofing", "campaign_type": "DirectOnly"}
    )
    client.go_live("ADV1", campaign_id, timeout=5)
    return campaign_id


def simulate(sandbox, campaign_id, **fields):
    status, answer = control(
        sandbox,
        "simulate-call",
        {
            "network_id": NETWORK,
            "advertiser_id": "ADV1",
            "campaign_id": campaign_id,
            "webhook": False,
            **fields,
        },
    )
    assert status == 202, answer
    return answer["transaction_id"]


def latest_cursor(client):
    rows, cursor = client.transactions(limit=4000), ""
    while rows:
        cursor = rows[-1]["transaction_id"]
        rows = client.transactions(start_after_transaction_id=cursor, limit=4000)
    return cursor


def test_the_transactions_api_reads_after_the_cursor_page_by_page(sandbox, client, live_campaign):
    cursor = latest_cursor(client)
    made = [simulate(sandbox, live_campaign) for _ in range(3)]

    first = client.transactions(start_after_transaction_id=cursor, limit=2)
    second = client.transactions(start_after_transaction_id=first[-1]["transaction_id"], limit=2)
    done = client.transactions(start_after_transaction_id=second[-1]["transaction_id"], limit=2)

    assert [row["transaction_id"] for row in first + second] == made
    assert done == []
    row = first[0]
    assert row["transaction_type"] == "Call"
    assert row["advertiser_campaign_id_from_network"] == live_campaign
    assert row["calling_phone_number"] == "415-555-0199"
    assert row["corrects_transaction_id"] is None
    assert "_network_id" not in row and "custom_data" not in row


def test_transaction_ids_sort_in_the_order_they_were_made(sandbox, live_campaign):
    made = [simulate(sandbox, live_campaign) for _ in range(3)]
    assert made == sorted(made)


def test_a_correction_is_a_new_row_naming_the_original(sandbox, client, live_campaign):
    original = simulate(sandbox, live_campaign)
    cursor = original
    status, first = control(
        sandbox, "correct-call", {"transaction_id": original, "changes": {"duration": 131}}
    )
    assert status == 201
    status, again = control(
        sandbox, "correct-call", {"transaction_id": first["transaction_id"], "duration": 140}
    )
    assert (status, again["corrects_transaction_id"]) == (201, original)

    rows = client.transactions(start_after_transaction_id=cursor)
    assert [(r["corrects_transaction_id"], r["duration"]) for r in rows] == [
        (original, 131),
        (original, 140),
    ]
    assert rows[0]["corrected_at"]
    assert control(sandbox, "correct-call", {"transaction_id": "nope"})[0] == 404


def test_a_wrong_token_is_401_and_another_network_403(sandbox):
    stranger = InvocaClient("wrong", network_id=NETWORK, base_url=f"{sandbox.url}/invoca")
    with pytest.raises(ApiError) as caught:
        stranger.transactions()
    assert caught.value.status == 401
    elsewhere = InvocaClient(TOKEN, network_id="9999", base_url=f"{sandbox.url}/invoca")
    with pytest.raises(ApiError) as caught:
        elsewhere.transactions()
    assert caught.value.status == 403


def test_the_token_may_come_as_a_query_parameter(sandbox):
    url = f"{sandbox.url}/invoca/api/2020-10-01/networks/transactions/{NETWORK}.json"
    with urllib.request.urlopen(f"{url}?limit=1&oauth_token={TOKEN}", timeout=5) as response:
        assert isinstance(json.loads(response.read()), list)


def test_filters_narrow_the_feed(sandbox, client, live_campaign):
    made = simulate(sandbox, live_campaign)
    assert [r["transaction_id"] for r in client.get(_feed(), transaction_id=made)] == [made]
    assert client.get(_feed(), transaction_id=made, transaction_type="Sale") == []
    narrow = client.get(_feed(), transaction_id=made, include_columns="transaction_id,duration")
    assert narrow == [{"transaction_id": made, "duration": 94}]
    with pytest.raises(ApiError) as caught:
        client.get(_feed(), limit="many")
    assert caught.value.status == 403


def _feed():
    return f"api/2020-10-01/networks/transactions/{NETWORK}.json"


def test_the_signal_api_is_idempotent_on_name_and_partner_unique_id(sandbox, client, live_campaign):
    call = simulate(sandbox, live_campaign)
    signal = {
        "name": "sale",
        "partner_unique_id": "42",
        "occurred_at_time": "1796060000",
        "revenue": "250.00",
        "value": "true",
    }
    first = client.send_signal(transaction_id=call, signals=[signal])
    same = client.send_signal(transaction_id=call, signals=[{**signal, "name": "Sale"}])
    changed = client.send_signal(transaction_id=call, signals=[{**signal, "revenue": "300"}])

    assert first["call"]["transaction_id"] == call
    assert same["signals"][0]["transaction_id"] == first["signals"][0]["transaction_id"]
    assert changed["signals"][0]["corrects_transaction_id"] == first["signals"][0]["transaction_id"]
    assert changed["signals"][0]["revenue"] == "300.00"
    with urllib.request.urlopen(f"{sandbox.url}/_sandbox/invoca/signals", timeout=5) as response:
        recorded = [s for s in json.loads(response.read()) if s["call_transaction_id"] == call]
    assert len(recorded) == 1 and recorded[0]["revenue"] == "300.00"


def test_the_signal_api_refuses_bad_input_and_unknown_calls(client):
    with pytest.raises(ApiError) as caught:
        client.send_signal(transaction_id="", signals=[{"revenue": "1,000"}])
    assert caught.value.status == 403
    assert caught.value.payload["errors"]["class"] == "InvalidInput"
    assert "signals[0] 'name' is required" in caught.value.payload["errors"]["invalid_data"]
    with pytest.raises(ApiError) as caught:
        client.send_signal(transaction_id="00000000-00000000", signals=[{"name": "sale"}])
    assert caught.value.status == 404
    assert caught.value.payload["errors"]["class"] == "RecordNotFound"


class Catcher(BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        Catcher.received.append((self.path, self.headers.get("Content-Type"), body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def catcher():
    Catcher.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Catcher)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def wait_for(condition, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.parametrize("fmt", ["json", "form"])
def test_a_simulated_call_posts_the_post_call_webhook_and_joins_the_feed(
    sandbox, client, live_campaign, catcher, fmt
):
    path = f"/webhooks/invoca/{uuid.uuid4().hex}/"
    status, _ = control(
        sandbox, "webhooks", {"network_id": NETWORK, "url": catcher + path, "format": fmt}
    )
    assert status == 201
    made = simulate(sandbox, live_campaign, webhook=True, gap=0, caller_name="Ana Lima")

    assert wait_for(lambda: any(p == path for p, _, _ in Catcher.received))
    _, content_type, body = next(r for r in Catcher.received if r[0] == path)
    if fmt == "json":
        assert content_type == "application/json"
        sent = json.loads(body)
    else:
        assert content_type == "application/x-www-form-urlencoded"
        sent = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
    assert sent["transaction_id"] == made
    assert sent["advertiser_campaign_id_from_network"] == live_campaign
    assert sent["display_name_data_append"] == "Ana Lima"
    assert [r["transaction_id"] for r in client.get(_feed(), transaction_id=made)] == [made]


def test_only_live_campaigns_take_calls(sandbox, client):
    campaign_id = f"c-{uuid.uuid4().hex[:8]}"
    client.create_campaign("ADV1", campaign_id, {"name": "Draft", "campaign_type": "DirectOnly"})
    status, answer = control(
        sandbox,
        "simulate-call",
        {"network_id": NETWORK, "advertiser_id": "ADV1", "campaign_id": campaign_id},
    )
    assert status == 404
    assert "No live advertiser campaign" in answer["error"]


def test_a_simulated_call_counts_in_the_campaign_s_quick_stats(sandbox, client, live_campaign):
    before = client.quick_stats("ADV1", live_campaign)["today"]["call_count"]
    simulate(sandbox, live_campaign)
    assert client.quick_stats("ADV1", live_campaign)["today"]["call_count"] == before + 1


def test_the_sandbox_page_offers_simulated_calls_and_corrections(sandbox, live_campaign):
    made = simulate(sandbox, live_campaign)
    with urllib.request.urlopen(f"{sandbox.url}/?invoca_call={made}", timeout=5) as response:
        page = response.read().decode()
    assert "Invoca calls" in page
    assert f"Invoca transaction {made} recorded." in page
    assert "Simulate call" in page and "Correct duration" in page
    assert "/_sandbox/invoca/webhooks" in page
