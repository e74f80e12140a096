"""The sandbox dialer keeps the dialer HTTP contract and its rules, and notifies asynchronously.

Everything goes over real HTTP to the running sandbox; notifications are caught by a small HTTP
receiver registered as the key's webhook.
"""

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
import requests

from sandbox.__main__ import main as sandbox_cli

KEY = "sandbox-dialer-key"
OTHER_KEY = "other-dialer-key"


@pytest.fixture
def dialer(sandbox):
    """The sandbox's dialer with quick timing and no faults; restored afterwards."""
    state = sandbox.app.dialer
    state.api_keys.add(OTHER_KEY)
    requests.post(
        f"{sandbox.url}/_sandbox/dialer/timing",
        json={"delay": 0.2, "dial_interval": 0.2, "stopping_s": 0.5},
        timeout=5,
    )
    yield SimpleNamespace(url=f"{sandbox.url}/dialer", root=sandbox.url, state=state)
    requests.post(f"{sandbox.url}/_sandbox/dialer/faults", json={"count": 0}, timeout=5)
    requests.post(
        f"{sandbox.url}/_sandbox/dialer/timing",
        json={"delay": 0.3, "dial_interval": 3.0, "stopping_s": 1.0},
        timeout=5,
    )
    state.api_keys.discard(OTHER_KEY)


@pytest.fixture
def receiver(dialer):
    """An HTTP endpoint registered as the demo key's webhook; keeps each notification."""
    received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append(json.loads(body))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/webhooks/dialer/abc/"
    answer = call("PUT", dialer, "/webhook", {"url": url})
    assert answer.status_code == 200
    assert answer.json() == {"url": url}

    def of(ref):
        return [
            n
            for n in received
            if ref in (n["payload"].get("ref"), n["payload"].get("campaign_ref"))
        ]

    def wait_for(ref, predicate, timeout=8.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(of(ref)):
                return of(ref)
            time.sleep(0.05)
        raise AssertionError(f"Notifications for {ref} never matched: {of(ref)}")

    yield SimpleNamespace(url=url, of=of, wait_for=wait_for)
    server.shutdown()


def call(method, dialer, path, body=None, *, key=KEY, timeout=5):
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    return requests.request(method, dialer.url + path, json=body, headers=headers, timeout=timeout)


def new_ref():
    return "cmp-" + uuid.uuid4().hex[:12]


def create(dialer, ref, *, agents=(), key=KEY, **settings):
    answer = call(
        "POST",
        dialer,
        "/campaigns",
        {"ref": ref, "name": f"Campaign {ref}", "settings": settings, "agents": list(agents)},
        key=key,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def contacts(ref, start, count):
    return [
        {"ref": f"{ref}-{n}", "number": f"+1415555{n:04d}", "alt_numbers": [], "data": {"n": n}}
        for n in range(start, start + count)
    ]


def upload(dialer, ref, start, count):
    return call(
        "POST", dialer, f"/campaigns/{ref}/contacts", {"contacts": contacts(ref, start, count)}
    )


def statuses(notifications):
    """Campaign status values in order (agent status notifications carry a campaign_ref)."""
    return [
        n["payload"]["status"]
        for n in notifications
        if n["type"] == "status" and "campaign_ref" not in n["payload"]
    ]


def agent_statuses(notifications, extension):
    return [
        n["payload"]["status"]
        for n in notifications
        if n["type"] == "status"
        and n["payload"].get("campaign_ref")
        and n["payload"]["ref"] == extension
    ]


def test_bearer_key_is_required(dialer):
    assert call("GET", dialer, "/campaigns", key=None).status_code == 401
    wrong = call("GET", dialer, "/campaigns", key="nope")
    assert wrong.status_code == 401
    assert wrong.json() == {"error": "Invalid or missing API key"}
    token_form = requests.get(
        dialer.url + "/campaigns", headers={"Authorization": f"Token token={KEY}"}, timeout=5
    )
    assert token_form.status_code == 401
    assert call("GET", dialer, "/campaigns").status_code == 200


def test_create_list_show_and_unique_refs(dialer):
    ref = new_ref()
    created = create(
        dialer,
        ref,
        agents=[{"extension": "101", "default_state": "available"}],
        aggression=2.5,
        caller_id="+14155550100",
    )
    assert created == {
        "ref": ref,
        "name": f"Campaign {ref}",
        "status": "stopped",
        "settings": {
            "aggression": 2.5,
            "max_attempts": 3,
            "retry_delay_s": 3600,
            "caller_id": "+14155550100",
            "record_calls": False,
        },
        "agents": [{"extension": "101", "default_state": "available", "status": "offline"}],
        "contacts": 0,
    }
    assert created in call("GET", dialer, "/campaigns").json()
    assert call("GET", dialer, f"/campaigns/{ref}").json() == created

    # Another key is another dialer account: it neither sees nor reaches the campaign.
    assert ref not in [c["ref"] for c in call("GET", dialer, "/campaigns", key=OTHER_KEY).json()]
    assert call("GET", dialer, f"/campaigns/{ref}", key=OTHER_KEY).status_code == 404

    again = call("POST", dialer, "/campaigns", {"ref": ref, "name": "Again"})
    assert again.status_code == 409
    assert again.json() == {"error": f"Campaign ref {ref} already exists"}
    assert (
        call("POST", dialer, "/campaigns", {"ref": ref, "name": "X"}, key=OTHER_KEY).status_code
        == 409
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"name": "No ref"}, "ref must be 1 to 230 letters, digits or . - _ ~ :"),
        ({"ref": "has space", "name": "X"}, "ref must be 1 to 230 letters, digits or . - _ ~ :"),
        ({"ref": "x" * 231, "name": "X"}, "ref must be 1 to 230 letters, digits or . - _ ~ :"),
        ({"ref": "{ref}", "name": ""}, "name must be text of 1 to 200 characters"),
        (
            {"ref": "{ref}", "name": "X", "settings": {"aggression": 10.5}},
            "settings.aggression must be a number from 1.0 to 10.0",
        ),
        (
            {"ref": "{ref}", "name": "X", "settings": {"max_attempts": 1.5}},
            "settings.max_attempts must be a whole number from 1 to 10",
        ),
        (
            {"ref": "{ref}", "name": "X", "settings": {"retry_delay_s": 30}},
            "settings.retry_delay_s must be a whole number from 60 to 604800",
        ),
        (
            {"ref": "{ref}", "name": "X", "settings": {"pace": 2}},
            "Unknown field(s) in settings: pace",
        ),
        (
            {
                "ref": "{ref}",
                "name": "X",
                "agents": [{"extension": "12", "default_state": "offline"}],
            },
            "agents[0].extension must be a string of 3 or 4 digits",
        ),
        (
            {
                "ref": "{ref}",
                "name": "X",
                "agents": [{"extension": "101", "default_state": "busy"}],
            },
            "agents[0].default_state must be offline or available",
        ),
        (
            {"ref": "{ref}", "name": "X", "state": "started"},
            "Unknown field(s) in the campaign: state",
        ),
    ],
)
def test_create_refuses_bad_fields_and_stores_nothing(dialer, body, message):
    ref = new_ref()
    body = {k: (ref if v == "{ref}" else v) for k, v in body.items()}
    answer = call("POST", dialer, "/campaigns", body)
    assert answer.status_code == 400
    assert answer.json() == {"error": message}
    assert call("GET", dialer, f"/campaigns/{ref}").status_code == 404


def test_contacts_go_up_in_batches_of_at_most_100_with_unique_refs(dialer):
    ref, other = new_ref(), new_ref()
    create(dialer, ref)
    create(dialer, other)

    first = upload(dialer, ref, 0, 100)
    assert first.status_code == 201
    assert first.json() == {"accepted": 100}

    too_many = upload(dialer, ref, 100, 101)
    assert too_many.status_code == 413
    assert too_many.json() == {"error": "At most 100 contacts per request, got 101"}

    # A batch naming a known ref is refused whole, naming it, wherever the ref was used.
    overlapping = upload(dialer, ref, 99, 3)
    assert overlapping.status_code == 409
    assert overlapping.json() == {
        "error": f"Contact refs already exist: {ref}-99",
        "refs": [f"{ref}-99"],
    }
    elsewhere = call(
        "POST", dialer, f"/campaigns/{other}/contacts", {"contacts": contacts(ref, 0, 2)}
    )
    assert elsewhere.status_code == 409
    assert elsewhere.json()["refs"] == [f"{ref}-0", f"{ref}-1"]
    assert call("GET", dialer, f"/campaigns/{ref}").json()["contacts"] == 100
    assert call("GET", dialer, f"/campaigns/{other}").json()["contacts"] == 0
    assert upload(dialer, ref, 100, 2).json() == {"accepted": 2}

    repeated = contacts(ref, 200, 1) * 2
    answer = call("POST", dialer, f"/campaigns/{ref}/contacts", {"contacts": repeated})
    assert answer.status_code == 400
    assert answer.json() == {"error": f"Contact refs repeated in this request: {ref}-200"}

    for bad, message in [
        ([], "contacts must not be empty"),
        (
            [{"ref": f"{ref}-x", "number": "call me"}],
            "contacts[0]: 'call me' is not a phone number",
        ),
        (
            [{"ref": f"{ref}-x", "number": "+1415", "alt_numbers": "+1416"}],
            "contacts[0].alt_numbers",
        ),
        ([{"ref": "bad ref", "number": "+14155550100"}], "contacts[0].ref must be 1 to 230"),
        ([{"ref": f"{ref}-x", "number": "+14155550100", "name": "X"}], "Unknown field(s)"),
    ]:
        answer = call("POST", dialer, f"/campaigns/{ref}/contacts", {"contacts": bad})
        assert answer.status_code == 400
        assert answer.json()["error"].startswith(message)
    assert call("GET", dialer, f"/campaigns/{ref}").json()["contacts"] == 102
    assert upload(dialer, "no-such-campaign", 0, 1).status_code == 404


def test_settings_change_at_once_and_modify_takes_settings_or_state(dialer, receiver):
    ref = new_ref()
    create(dialer, ref, max_attempts=5)
    answer = call("PUT", dialer, f"/campaigns/{ref}", {"ref": ref, "settings": {"aggression": 3.2}})
    assert answer.status_code == 202
    assert answer.json()["settings"]["aggression"] == 3.2
    assert call("GET", dialer, f"/campaigns/{ref}").json()["settings"] == {
        "aggression": 3.2,
        "max_attempts": 5,
        "retry_delay_s": 3600,
        "caller_id": None,
        "record_calls": False,
    }
    for body, message in [
        ({"ref": "other", "settings": {}}, "ref in the body must be the campaign's ref"),
        ({"settings": {"aggression": 2}}, "ref in the body must be the campaign's ref"),
        (
            {"ref": ref, "settings": {"aggression": 2}, "state": "started"},
            "Send either settings or state, with ref",
        ),
        ({"ref": ref}, "Send either settings or state, with ref"),
        ({"ref": ref, "state": "paused"}, "state must be started or stopped"),
        ({"ref": ref, "settings": {"aggression": 0.5}}, "settings.aggression must be a number"),
    ]:
        answer = call("PUT", dialer, f"/campaigns/{ref}", body)
        assert answer.status_code == 400
        assert answer.json()["error"].startswith(message)
    assert call("GET", dialer, f"/campaigns/{ref}").json()["settings"]["aggression"] == 3.2
    time.sleep(0.5)
    assert receiver.of(ref) == []  # settings are not notified


def test_start_dial_stop_and_delete_only_when_stopped(dialer, receiver):
    ref = new_ref()
    create(
        dialer,
        ref,
        agents=[
            {"extension": "101", "default_state": "available"},
            {"extension": "102", "default_state": "offline"},
        ],
        aggression=2.0,
    )
    assert upload(dialer, ref, 0, 50).status_code == 201

    answer = call("PUT", dialer, f"/campaigns/{ref}", {"ref": ref, "state": "started"})
    assert answer.status_code == 202
    assert answer.json()["status"] == "stopped"  # state changes only by notification
    assert call("GET", dialer, f"/campaigns/{ref}").json()["status"] == "stopped"
    assert receiver.of(ref) == []

    sent = receiver.wait_for(ref, lambda ns: len(agent_statuses(ns, "101")) >= 2)
    assert sent[0] == {"type": "status", "payload": {"status": "started", "ref": ref}}
    assert sent[1:3] == [
        {"type": "status", "payload": {"status": "logging_in", "campaign_ref": ref, "ref": "101"}},
        {"type": "status", "payload": {"status": "available", "campaign_ref": ref, "ref": "101"}},
    ]
    assert agent_statuses(sent, "102") == []  # default offline: not logged in
    assert call("GET", dialer, f"/campaigns/{ref}").json()["status"] == "started"

    # While started it dials: call records, some connected to the available agent.
    sent = receiver.wait_for(
        ref, lambda ns: sum(1 for n in ns if n["type"] == "cdr" and n["payload"]["extension"]) >= 2
    )
    cdrs = [n["payload"] for n in sent if n["type"] == "cdr"]
    assert set(cdrs[0]) == {
        "extension",
        "call_ref",
        "contact_ref",
        "dialed_at",
        "end_reason",
        "end_code",
        "call_time",
        "call_dir",
        "recording_url",
        "ref",
    }
    connected = [c for c in cdrs if c["extension"]]
    assert {c["extension"] for c in connected} == {"101"}
    assert all(c["end_reason"] in ("hungup", "callee_hungup", "agent_hungup") for c in connected)
    assert all(c["call_time"] > 0 and c["end_code"] == 16 for c in connected)
    unanswered = [c for c in cdrs if not c["extension"]]
    assert unanswered
    assert all(c["call_time"] == 0 for c in unanswered)
    assert all(c["ref"] == ref and c["contact_ref"].startswith(f"{ref}-") for c in cdrs)
    assert all(c["call_dir"] == "outbound" and c["recording_url"] is None for c in cdrs)
    first_busy = agent_statuses(sent, "101").index("busy")
    assert agent_statuses(sent, "101")[first_busy : first_busy + 3] == [
        "busy",
        "wrapup",
        "available",
    ]

    refused = call("DELETE", dialer, f"/campaigns/{ref}")
    assert refused.status_code == 409
    assert refused.json() == {"error": f"Campaign {ref} is started; stop it before deleting"}

    assert (
        call("PUT", dialer, f"/campaigns/{ref}", {"ref": ref, "state": "stopped"}).status_code
        == 202
    )
    receiver.wait_for(ref, lambda ns: statuses(ns) == ["started", "stopping"])
    assert call("GET", dialer, f"/campaigns/{ref}").json()["status"] == "stopping"
    assert call("DELETE", dialer, f"/campaigns/{ref}").status_code == 409

    sent = receiver.wait_for(ref, lambda ns: statuses(ns) == ["started", "stopping", "stopped"])
    stopping_at = sent.index({"type": "status", "payload": {"status": "stopping", "ref": ref}})
    assert agent_statuses(sent[stopping_at:], "101") == ["logging_out", "offline"]
    assert sent[-1] == {"type": "status", "payload": {"status": "stopped", "ref": ref}}
    time.sleep(0.6)
    assert len(receiver.of(ref)) == len(sent)  # no dialing once stopped

    assert call("DELETE", dialer, f"/campaigns/{ref}").status_code == 204
    assert call("GET", dialer, f"/campaigns/{ref}").status_code == 404
    assert ref not in [c["ref"] for c in call("GET", dialer, "/campaigns").json()]
    # Deleted references stay taken: the campaign ref and its contact refs.
    reused = call("POST", dialer, "/campaigns", {"ref": ref, "name": "Reused"})
    assert reused.status_code == 409
    assert reused.json() == {"error": f"Campaign ref {ref} was used by a deleted campaign"}
    fresh = new_ref()
    create(dialer, fresh)
    again = call("POST", dialer, f"/campaigns/{fresh}/contacts", {"contacts": contacts(ref, 0, 1)})
    assert again.status_code == 409


def test_start_and_stop_are_idempotent_and_a_start_while_stopping_restarts(dialer, receiver):
    ref = new_ref()
    create(dialer, ref)
    # Stopping a stopped campaign changes nothing and sends nothing.
    assert (
        call("PUT", dialer, f"/campaigns/{ref}", {"ref": ref, "state": "stopped"}).status_code
        == 202
    )
    for _ in range(2):
        assert (
            call("PUT", dialer, f"/campaigns/{ref}", {"ref": ref, "state": "started"}).status_code
            == 202
        )
    receiver.wait_for(ref, lambda ns: statuses(ns) == ["started"])
    time.sleep(0.5)
    assert statuses(receiver.of(ref)) == ["started"]

    call("PUT", dialer, f"/campaigns/{ref}", {"ref": ref, "state": "stopped"})
    receiver.wait_for(ref, lambda ns: statuses(ns)[-1:] == ["stopping"])
    call("PUT", dialer, f"/campaigns/{ref}", {"ref": ref, "state": "started"})
    receiver.wait_for(ref, lambda ns: statuses(ns) == ["started", "stopping", "stopped", "started"])
    assert call("GET", dialer, f"/campaigns/{ref}").json()["status"] == "started"
    call("PUT", dialer, f"/campaigns/{ref}", {"ref": ref, "state": "stopped"})


def test_a_campaign_completes_when_every_contact_is_used_up(dialer, receiver):
    ref = new_ref()
    create(
        dialer,
        ref,
        agents=[{"extension": "4001", "default_state": "available"}],
        aggression=1.0,
        max_attempts=1,
    )
    upload(dialer, ref, 0, 3)
    call("PUT", dialer, f"/campaigns/{ref}", {"ref": ref, "state": "started"})
    sent = receiver.wait_for(ref, lambda ns: "completed" in statuses(ns))
    assert statuses(sent) == ["started", "completed"]
    cdrs = [n["payload"] for n in sent if n["type"] == "cdr"]
    assert sorted(c["contact_ref"] for c in cdrs) == [f"{ref}-0", f"{ref}-1", f"{ref}-2"]
    assert agent_statuses(sent, "4001")[-1] == "offline"
    assert (
        sent.index(
            {"type": "status", "payload": {"status": "offline", "campaign_ref": ref, "ref": "4001"}}
        )
        < len(sent) - 1
    )
    assert call("GET", dialer, f"/campaigns/{ref}").json()["status"] == "completed"
    assert call("DELETE", dialer, f"/campaigns/{ref}").status_code == 204


def test_agents_are_added_changed_and_removed(dialer, receiver):
    ref = new_ref()
    create(dialer, ref)
    added = call("PUT", dialer, f"/campaigns/{ref}/agents/101", {"default_state": "offline"})
    assert added.status_code == 200
    assert added.json() == {"extension": "101", "default_state": "offline", "status": "offline"}
    changed = call("PUT", dialer, f"/campaigns/{ref}/agents/101", {"default_state": "available"})
    assert changed.json()["default_state"] == "available"
    assert call("GET", dialer, f"/campaigns/{ref}").json()["agents"] == [changed.json()]

    for path, body, status, message in [
        ("/agents/102", {}, 400, "default_state is required for a new agent"),
        ("/agents/12", {"default_state": "offline"}, 400, "extension must be 3 or 4 digits"),
        (
            "/agents/102",
            {"default_state": "busy"},
            400,
            "default_state must be offline or available",
        ),
        (
            "/agents/101",
            {"status": "available"},
            409,
            "An agent's status can be set only while the campaign is started",
        ),
    ]:
        answer = call("PUT", dialer, f"/campaigns/{ref}{path}", body)
        assert (answer.status_code, answer.json()) == (status, {"error": message})
    missing = call("DELETE", dialer, f"/campaigns/{ref}/agents/555")
    assert (missing.status_code, missing.json()) == (
        404,
        {"error": f"No agent 555 in campaign {ref}"},
    )

    call("PUT", dialer, f"/campaigns/{ref}", {"ref": ref, "state": "started"})
    receiver.wait_for(ref, lambda ns: agent_statuses(ns, "101") == ["logging_in", "available"])
    # Agents set themselves available or offline only while the campaign runs.
    call("PUT", dialer, f"/campaigns/{ref}/agents/202", {"default_state": "offline"})
    assert (
        call("PUT", dialer, f"/campaigns/{ref}/agents/202", {"status": "available"}).status_code
        == 200
    )
    receiver.wait_for(ref, lambda ns: agent_statuses(ns, "202") == ["logging_in", "available"])
    bad = call("PUT", dialer, f"/campaigns/{ref}/agents/202", {"status": "busy"})
    assert bad.json() == {"error": "status can be set to available or offline only"}

    assert call("DELETE", dialer, f"/campaigns/{ref}/agents/202").status_code == 204
    receiver.wait_for(ref, lambda ns: agent_statuses(ns, "202")[-1] == "offline")
    assert [a["extension"] for a in call("GET", dialer, f"/campaigns/{ref}").json()["agents"]] == [
        "101"
    ]

    # An agent already on in another started campaign cannot join this one as well.
    second = new_ref()
    create(dialer, second, agents=[{"extension": "101", "default_state": "available"}])
    call("PUT", dialer, f"/campaigns/{second}", {"ref": second, "state": "started"})
    sent = receiver.wait_for(second, lambda ns: len(agent_statuses(ns, "101")) == 2)
    assert agent_statuses(sent, "101") == ["logging_in", "offline"]
    for campaign in (ref, second):
        call("PUT", dialer, f"/campaigns/{campaign}", {"ref": campaign, "state": "stopped"})


def test_simulated_call_records_from_the_control_endpoint_and_the_cli(dialer, receiver, capsys):
    ref = new_ref()
    create(
        dialer, ref, agents=[{"extension": "301", "default_state": "available"}], record_calls=True
    )
    upload(dialer, ref, 0, 100)
    requests.post(f"{dialer.root}/_sandbox/dialer/timing", json={"dial_interval": 60}, timeout=5)

    refused = requests.post(
        f"{dialer.root}/_sandbox/dialer/simulate-cdr", json={"campaign_ref": ref}, timeout=5
    )
    assert refused.status_code == 409
    assert refused.json() == {"error": f"Campaign {ref} is stopped, not started"}

    call("PUT", dialer, f"/campaigns/{ref}", {"ref": ref, "state": "started"})
    receiver.wait_for(ref, lambda ns: agent_statuses(ns, "301") == ["logging_in", "available"])

    answer = requests.post(
        f"{dialer.root}/_sandbox/dialer/simulate-cdr",
        json={"campaign_ref": ref, "contact_ref": f"{ref}-7", "end_reason": "agent_hungup"},
        timeout=5,
    )
    assert answer.status_code == 202
    call_ref = answer.json()["call_ref"]
    sent = receiver.wait_for(
        ref, lambda ns: any(n["payload"].get("call_ref") == call_ref for n in ns)
    )
    cdr = next(n["payload"] for n in sent if n["payload"].get("call_ref") == call_ref)
    assert (cdr["contact_ref"], cdr["extension"], cdr["end_reason"]) == (
        f"{ref}-7",
        "301",
        "agent_hungup",
    )
    recording = requests.get(cdr["recording_url"], timeout=5)
    assert recording.status_code == 200
    assert recording.headers["Content-Type"] == "audio/wav"
    assert recording.content[:4] == b"RIFF"

    sandbox_cli(["simulate-cdr", "--campaign", ref, "--end-reason", "busy", "--url", dialer.root])
    call_ref = capsys.readouterr().out.strip()
    sent = receiver.wait_for(
        ref, lambda ns: any(n["payload"].get("call_ref") == call_ref for n in ns)
    )
    cdr = next(n["payload"] for n in sent if n["payload"].get("call_ref") == call_ref)
    assert (cdr["extension"], cdr["end_reason"], cdr["end_code"], cdr["call_time"]) == (
        None,
        "busy",
        17,
        0,
    )
    with pytest.raises(SystemExit, match="end_reason must be one of"):
        sandbox_cli(
            ["simulate-cdr", "--campaign", ref, "--end-reason", "lost", "--url", dialer.root]
        )
    call("PUT", dialer, f"/campaigns/{ref}", {"ref": ref, "state": "stopped"})


def fault(dialer, **spec):
    answer = requests.post(f"{dialer.root}/_sandbox/dialer/faults", json=spec, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_injected_429_and_5xx_answer_the_next_requests(dialer):
    fault(dialer, status=429, count=1, retry_after=2)
    limited = call("GET", dialer, "/campaigns")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "2"
    assert limited.json() == {"error": "Too many requests"}
    assert call("GET", dialer, "/campaigns").status_code == 200

    fault(dialer, status=503, count=2)
    assert [call("GET", dialer, "/campaigns").status_code for _ in range(3)] == [503, 503, 200]

    # Narrowed: only the second contacts upload fails, and it stores nothing.
    ref = new_ref()
    create(dialer, ref)
    fault(dialer, status=500, method="POST", path_contains="/contacts", skip=1)
    assert upload(dialer, ref, 0, 100).status_code == 201
    failed = upload(dialer, ref, 100, 100)
    assert (failed.status_code, failed.json()) == (500, {"error": "Internal server error"})
    assert call("GET", dialer, f"/campaigns/{ref}").json()["contacts"] == 100
    assert upload(dialer, ref, 100, 100).status_code == 201

    timing = requests.post(f"{dialer.root}/_sandbox/dialer/timing", json={"delay": "x"}, timeout=5)
    assert (timing.status_code, timing.json()) == (
        400,
        {"error": "delay must be a number of seconds"},
    )
    bad = requests.post(f"{dialer.root}/_sandbox/dialer/faults", json={"status": 418}, timeout=5)
    assert (bad.status_code, bad.json()) == (
        400,
        {"error": "status must be 429, 500, 502, 503, 504 or timeout"},
    )


def test_injected_timeouts_with_and_without_the_change_applied(dialer):
    ref = new_ref()
    create(dialer, ref)
    fault(dialer, status="timeout", delay_s=1.0, path_contains=ref)
    with pytest.raises(requests.exceptions.ReadTimeout):
        upload_with_timeout(dialer, ref, 0)
    assert call("GET", dialer, f"/campaigns/{ref}").json()["contacts"] == 0

    # The batch lands but the answer is lost: sending it again is a 409 naming every ref.
    fault(dialer, status="timeout", delay_s=1.0, path_contains=ref, apply=True)
    with pytest.raises(requests.exceptions.ReadTimeout):
        upload_with_timeout(dialer, ref, 0)
    assert call("GET", dialer, f"/campaigns/{ref}").json()["contacts"] == 100
    again = upload(dialer, ref, 0, 100)
    assert again.status_code == 409
    assert again.json()["refs"] == [f"{ref}-{n}" for n in range(100)]


def upload_with_timeout(dialer, ref, start):
    return requests.post(
        f"{dialer.url}/campaigns/{ref}/contacts",
        json={"contacts": contacts(ref, start, 100)},
        headers={"Authorization": f"Bearer {KEY}"},
        timeout=0.3,
    )


def test_webhook_registration_and_the_notification_log(dialer):
    assert call("PUT", dialer, "/webhook", {"url": "not a url"}, key=OTHER_KEY).status_code == 400
    assert call("GET", dialer, "/webhook", key=OTHER_KEY).json() == {"url": None}
    ref = new_ref()
    create(dialer, ref, key=OTHER_KEY)
    call("PUT", dialer, f"/campaigns/{ref}", {"ref": ref, "state": "started"}, key=OTHER_KEY)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        log = requests.get(
            f"{dialer.root}/_sandbox/dialer/notifications", params={"ref": ref}, timeout=5
        ).json()
        if log:
            break
        time.sleep(0.05)
    assert [(n["url"], n["status"], n["notification"]) for n in log] == [
        (
            None,
            "no webhook registered",
            {"type": "status", "payload": {"status": "started", "ref": ref}},
        )
    ]

    # The page form registers a key's webhook as a person would paste it in.
    form = requests.post(
        f"{dialer.root}/_sandbox/dialer/webhook",
        data={"api_key": OTHER_KEY, "url": "http://127.0.0.1:9/hook/"},
        allow_redirects=False,
        timeout=5,
    )
    assert form.status_code == 302
    assert call("GET", dialer, "/webhook", key=OTHER_KEY).json() == {
        "url": "http://127.0.0.1:9/hook/"
    }
    call("PUT", dialer, f"/campaigns/{ref}", {"ref": ref, "state": "stopped"}, key=OTHER_KEY)
    unknown = requests.post(
        f"{dialer.root}/_sandbox/dialer/webhook", json={"api_key": "nope", "url": "x"}, timeout=5
    )
    assert unknown.status_code == 404


def test_the_sandbox_page_lists_dialer_campaigns(dialer, receiver):
    ref = new_ref()
    create(dialer, ref, agents=[{"extension": "777", "default_state": "available"}])
    upload(dialer, ref, 0, 2)
    call("PUT", dialer, f"/campaigns/{ref}", {"ref": ref, "state": "started"})
    receiver.wait_for(ref, lambda ns: agent_statuses(ns, "777") == ["logging_in", "available"])
    page = requests.get(dialer.root + "/", timeout=5).text
    assert f"Campaign {ref} <small>{ref}, started</small>" in page
    assert "777: available (default available)" in page
    assert f"<td>{ref}-1</td><td>+14155550001</td>" in page
    assert "Simulate call record" in page
    assert receiver.url in page
    call("PUT", dialer, f"/campaigns/{ref}", {"ref": ref, "state": "stopped"})
