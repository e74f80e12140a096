"""A predictive dialer imitation: campaigns, contacts, agents and asynchronous notifications.

Follows the dialer HTTP contract the product's client follows: the API lives under `/dialer`
(that path is the base URL), `Authorization: Bearer <api key>`, JSON in and out, errors as
`{"error": message}` with 400, 401, 404, 409, 413 (more than 100 contacts in one request), 429 and
5xx. Rules kept: campaign and contact references are unique for good (a deleted campaign's
references stay taken), contacts go up in batches of at most 100, state changes only through
notifications, a campaign is deleted only when `stopped` or `completed`.

Notifications are `{"type", "payload"}` as the vendor publishes them, POSTed as JSON to the webhook
URL registered for the API key (`PUT /dialer/webhook`, or the sandbox page) by one background
thread, in order, `delay` seconds after what caused them: `status` (campaign: `started`,
`stopping`, `stopped`, `completed`; agent: `logging_in` … `offline`) and `cdr` per dial attempt.
While a campaign is started it dials every `dial_interval` seconds: `aggression` calls per
available agent, outcomes in a fixed rotation (about half reach an agent), retries up to
`max_attempts`, and `completed` once every contact is done. Faults (429, 5xx, timeouts) can be
injected for the next requests.
"""

import collections
import heapq
import io
import itertools
import json
import math
import re
import threading
import time
import urllib.error
import urllib.request
import uuid
import wave
from datetime import UTC, datetime

from sandbox.web import Response, json_response

BASE = "/dialer"
MAX_BATCH = 100
REF = re.compile(r"^[A-Za-z0-9._~:-]{1,230}$")
EXTENSION = re.compile(r"^[0-9]{3,4}$")
NUMBER = re.compile(r"^\+?[0-9]{3,20}$")
BEARER = re.compile(r"^Bearer\s+(\S+)$")
DEFAULT_STATES = ("offline", "available")
SETTABLE_AGENT_STATUSES = ("available", "offline")
DEFAULT_SETTINGS = {
    "aggression": 1.5,
    "max_attempts": 3,
    "retry_delay_s": 3600,
    "caller_id": None,
    "record_calls": False,
}
# end_reason -> ISDN end code (the vendor's dispositions page); the first three reach an agent.
END_CODES = {
    "hungup": 16,
    "callee_hungup": 16,
    "agent_hungup": 16,
    "voicemail": 16,
    "busy": 17,
    "reject": 21,
    "timeout": 18,
    "error": 34,
    "failed": None,
}
CONNECTED = ("hungup", "callee_hungup", "agent_hungup")
# The outcome of each automatic dial attempt, in turn.
ROTATION = (
    "hungup",
    "timeout",
    "agent_hungup",
    "busy",
    "callee_hungup",
    "voicemail",
    "hungup",
    "reject",
)
FAULT_STATUSES = (429, 500, 502, 503, 504, "timeout")
FAULT_MESSAGES = {
    429: "Too many requests",
    500: "Internal server error",
    502: "Bad gateway",
    503: "Service unavailable",
    504: "Gateway timeout",
}
NOTIFICATION_LOG = 5000


def now():
    return datetime.now(UTC).isoformat(timespec="seconds")


class Invalid(Exception):
    """A request the dialer refuses: `status` (400, 404, 409, 413) and a message for the body."""

    def __init__(self, message, status=400, **extra):
        super().__init__(message)
        self.message = message
        self.status = status
        self.extra = extra

    def response(self):
        return json_response({"error": self.message, **self.extra}, self.status)


def _only(body, allowed, where):
    if not isinstance(body, dict):
        raise Invalid(f"{where} must be a JSON object")
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise Invalid(f"Unknown field(s) in {where}: {', '.join(unknown)}")


def _number(value, name, low, high, *, integer=False):
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or not low <= value <= high:
        kind = "a whole number" if integer else "a number"
        raise Invalid(f"settings.{name} must be {kind} from {low} to {high}")
    return value


def clean_ref(value, what):
    """A campaign or contact reference: 1 to 230 letters, digits or `.-_~:`; else Invalid (400)."""
    if not isinstance(value, str) or not REF.match(value):
        raise Invalid(f"{what} must be 1 to 230 letters, digits or . - _ ~ :")
    return value


def clean_settings(data, current=None):
    """Validated settings merged over `current` (or the defaults).

    aggression 1.0 to 10.0 (calls per available agent), max_attempts 1 to 10, retry_delay_s
    60 to 604800 seconds, caller_id a phone number or null, record_calls a boolean; any other key
    is refused. Raises Invalid (400).
    """
    _only(data, DEFAULT_SETTINGS, "settings")
    settings = dict(current or DEFAULT_SETTINGS)
    if "aggression" in data:
        settings["aggression"] = float(_number(data["aggression"], "aggression", 1.0, 10.0))
    if "max_attempts" in data:
        settings["max_attempts"] = _number(
            data["max_attempts"], "max_attempts", 1, 10, integer=True
        )
    if "retry_delay_s" in data:
        settings["retry_delay_s"] = _number(
            data["retry_delay_s"], "retry_delay_s", 60, 604800, integer=True
        )
    if "caller_id" in data:
        caller_id = data["caller_id"]
        if caller_id is not None and not (isinstance(caller_id, str) and NUMBER.match(caller_id)):
            raise Invalid("settings.caller_id must be a phone number (digits, optional +) or null")
        settings["caller_id"] = caller_id
    if "record_calls" in data:
        if not isinstance(data["record_calls"], bool):
            raise Invalid("settings.record_calls must be true or false")
        settings["record_calls"] = data["record_calls"]
    return settings


def clean_agent(data, where):
    """`{"extension": "3 or 4 digits", "default_state": "offline" | "available"}`; else Invalid."""
    _only(data, ("extension", "default_state"), where)
    extension = data.get("extension")
    if not isinstance(extension, str) or not EXTENSION.match(extension):
        raise Invalid(f"{where}.extension must be a string of 3 or 4 digits")
    if data.get("default_state") not in DEFAULT_STATES:
        raise Invalid(f"{where}.default_state must be offline or available")
    return {"extension": extension, "default_state": data["default_state"], "status": "offline"}


def clean_contact(data, where):
    """`{"ref", "number", "alt_numbers": [...], "data": {...}}` (the last two optional)."""
    _only(data, ("ref", "number", "alt_numbers", "data"), where)
    clean_ref(data.get("ref"), f"{where}.ref")
    if not isinstance(data.get("alt_numbers", []), list):
        raise Invalid(f"{where}.alt_numbers must be a list of phone numbers")
    numbers = [data.get("number"), *(data.get("alt_numbers") or [])]
    for number in numbers:
        if not isinstance(number, str) or not NUMBER.match(number):
            raise Invalid(f"{where}: {number!r} is not a phone number (digits, optional +)")
    if not isinstance(data.get("data", {}), dict):
        raise Invalid(f"{where}.data must be an object")
    return {
        "ref": data["ref"],
        "number": data["number"],
        "alt_numbers": list(data.get("alt_numbers") or []),
        "data": dict(data.get("data") or {}),
        "attempts": 0,
        "outcome": None,
        "done": False,
    }


def silent_wav(seconds=1):
    """A short silent recording (8 kHz mono 16-bit WAV) for `recording_url`."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\0\0" * 8000 * seconds)
    return buffer.getvalue()


class Dialer:
    """All sandbox dialer state, one lock around it, and the notification thread.

    `api_keys`: the accepted Bearer keys; each key is one dialer account and sees only its own
    campaigns. Timing in seconds: `delay` before a notification goes out, `dial_interval`
    between dialing rounds of a started campaign, `stopping_s` from `stopping` to `stopped`.
    """

    def __init__(self, api_keys, *, delay=0.3, dial_interval=3.0, stopping_s=1.0):
        self.api_keys = set(api_keys)
        self.lock = threading.RLock()
        self.wake = threading.Condition(self.lock)
        self.delay = delay
        self.dial_interval = dial_interval
        self.stopping_s = stopping_s
        self.webhooks = {}  # api key -> URL
        self.campaigns = {}  # ref -> campaign (live ones)
        self.deleted_refs = set()
        self.contact_refs = {}  # contact ref -> campaign ref, kept after delete
        self.recordings = set()  # call refs with a recording
        self.notifications = collections.deque(maxlen=NOTIFICATION_LOG)
        self.fault = None
        self.public_url = "http://127.0.0.1:8001"
        self.queue = []  # heap of (due, seq, action)
        self.sequence = itertools.count()
        self.rotation = itertools.cycle(ROTATION)
        self.thread = None

    # HTTP plumbing

    def api_key(self, request):
        match = BEARER.match(request.headers.get("Authorization", ""))
        key = match.group(1) if match else None
        return key if key in self.api_keys else None

    def set_fault(self, data):
        """Arm a fault for the next matching requests; `{"count": 0}` clears it.

        `status`: 429, 500, 502, 503, 504 or "timeout" (answer 504 after `delay_s` seconds, by
        when the client has given up); `count` requests fail after `skip` matching ones passed;
        `method` and `path_contains` narrow which requests match; `retry_after` (seconds) is sent
        with 429; `apply` true carries the request out before failing (the answer is lost, the
        change is not). Raises Invalid (400) on anything else.
        """
        _only(
            data,
            (
                "status",
                "count",
                "skip",
                "method",
                "path_contains",
                "retry_after",
                "delay_s",
                "apply",
            ),
            "fault",
        )
        for name in ("count", "skip"):
            value = data.get(name, 0)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise Invalid(f"{name} must be a whole number, 0 or more")
        for name in ("retry_after", "delay_s"):
            value = data.get(name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                raise Invalid(f"{name} must be a number of seconds")
        count = data.get("count", 1)
        status = data.get("status", 503)
        if status not in FAULT_STATUSES:
            raise Invalid("status must be 429, 500, 502, 503, 504 or timeout")
        fault = {
            "status": status,
            "count": count,
            "skip": int(data.get("skip", 0)),
            "method": (data.get("method") or "").upper() or None,
            "path_contains": data.get("path_contains") or "",
            "retry_after": data.get("retry_after"),
            "delay_s": float(data.get("delay_s", 10.0)),
            "apply": bool(data.get("apply", False)),
        }
        with self.lock:
            self.fault = fault if count else None
            return dict(self.fault or {"count": 0})

    def take_fault(self, request):
        """The fault to answer this request with (and count it), or None."""
        with self.lock:
            fault = self.fault
            if not fault or fault["count"] <= 0:
                return None
            if fault["method"] and fault["method"] != request.method:
                return None
            if fault["path_contains"] not in request.path:
                return None
            if fault["skip"] > 0:
                fault["skip"] -= 1
                return None
            fault["count"] -= 1
            if fault["count"] == 0:
                self.fault = None
            return dict(fault)

    @staticmethod
    def fail(fault):
        if fault["status"] == "timeout":
            time.sleep(fault["delay_s"])
            return json_response({"error": FAULT_MESSAGES[504]}, 504)
        headers = {}
        if fault["status"] == 429 and fault["retry_after"] is not None:
            headers["Retry-After"] = str(math.ceil(fault["retry_after"]))
        return json_response({"error": FAULT_MESSAGES[fault["status"]]}, fault["status"], headers)

    # Campaigns

    def campaign(self, key, ref):
        """The key's live campaign with that ref; Invalid (404) otherwise."""
        campaign = self.campaigns.get(ref)
        if campaign is None or campaign["_key"] != key:
            raise Invalid(f"No campaign with ref {ref}", 404)
        return campaign

    @staticmethod
    def public(campaign):
        """The campaign as the API shows it: ref, name, status, settings, agents, contacts."""
        return {
            "ref": campaign["ref"],
            "name": campaign["name"],
            "status": campaign["status"],
            "settings": dict(campaign["settings"]),
            "agents": [dict(agent) for agent in campaign["agents"].values()],
            "contacts": len(campaign["contacts"]),
        }

    def create(self, key, body):
        """A new stopped campaign from `{"ref", "name", "settings", "agents"}`; Invalid on a bad
        field (400) or a ref that exists or existed (409)."""
        _only(body, ("ref", "name", "settings", "agents"), "the campaign")
        ref = clean_ref(body.get("ref"), "ref")
        name = body.get("name")
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            raise Invalid("name must be text of 1 to 200 characters")
        settings = clean_settings(body.get("settings") or {})
        agents = body.get("agents") or []
        if not isinstance(agents, list):
            raise Invalid("agents must be a list")
        cleaned = [clean_agent(agent, f"agents[{i}]") for i, agent in enumerate(agents)]
        by_extension = {agent["extension"]: agent for agent in cleaned}
        if len(by_extension) != len(cleaned):
            raise Invalid("agents lists an extension twice")
        if ref in self.campaigns:
            raise Invalid(f"Campaign ref {ref} already exists", 409)
        if ref in self.deleted_refs:
            raise Invalid(f"Campaign ref {ref} was used by a deleted campaign", 409)
        campaign = {
            "ref": ref,
            "name": name,
            "status": "stopped",
            "settings": settings,
            "agents": by_extension,
            "contacts": [],
            "created_at": now(),
            "_key": key,
            "_pending": collections.deque(),
            "_round": 0,
            "_restart": False,
        }
        self.campaigns[ref] = campaign
        return campaign

    def add_contacts(self, campaign, body):
        """Add `{"contacts": [...]}` (1 to 100) to the campaign, all or none.

        Raises Invalid: 413 over 100, 400 on a malformed contact or a ref twice in the request,
        409 with `refs` when a contact ref is already known in any campaign (deleted ones too).
        """
        _only(body, ("contacts",), "the request")
        contacts = body.get("contacts")
        if not isinstance(contacts, list):
            raise Invalid("contacts must be a list")
        if len(contacts) > MAX_BATCH:
            raise Invalid(f"At most {MAX_BATCH} contacts per request, got {len(contacts)}", 413)
        if not contacts:
            raise Invalid("contacts must not be empty")
        cleaned = [clean_contact(contact, f"contacts[{i}]") for i, contact in enumerate(contacts)]
        refs = [contact["ref"] for contact in cleaned]
        repeated = sorted({ref for ref in refs if refs.count(ref) > 1})
        if repeated:
            raise Invalid(f"Contact refs repeated in this request: {', '.join(repeated)}")
        known = [ref for ref in refs if ref in self.contact_refs]
        if known:
            shown = ", ".join(known[:10]) + (
                f" and {len(known) - 10} more" if len(known) > 10 else ""
            )
            raise Invalid(f"Contact refs already exist: {shown}", 409, refs=known)
        for contact in cleaned:
            self.contact_refs[contact["ref"]] = campaign["ref"]
            campaign["contacts"].append(contact)
            campaign["_pending"].append(contact)
        return len(cleaned)

    def modify(self, campaign, body):
        """`{"ref", "settings"}` (applied now) or `{"ref", "state": "started" | "stopped"}`
        (carried out later, reported by notification). Invalid (400) on anything else."""
        _only(body, ("ref", "settings", "state"), "the request")
        if body.get("ref") != campaign["ref"]:
            raise Invalid("ref in the body must be the campaign's ref")
        if ("settings" in body) == ("state" in body):
            raise Invalid("Send either settings or state, with ref")
        if "settings" in body:
            campaign["settings"] = clean_settings(body["settings"], campaign["settings"])
        elif body["state"] == "started":
            self.later(self.delay, lambda: self.start(campaign["ref"]))
        elif body["state"] == "stopped":
            self.later(self.delay, lambda: self.stop(campaign["ref"]))
        else:
            raise Invalid("state must be started or stopped")

    def delete(self, campaign):
        """Forget a stopped or completed campaign (its refs stay taken); Invalid (409) else."""
        if campaign["status"] not in ("stopped", "completed"):
            raise Invalid(
                f"Campaign {campaign['ref']} is {campaign['status']}; stop it before deleting", 409
            )
        del self.campaigns[campaign["ref"]]
        self.deleted_refs.add(campaign["ref"])
        campaign["_round"] += 1

    def put_agent(self, campaign, extension, body):
        """Add or change an agent: `{"default_state"}` (required for a new one) and, while the
        campaign is started, `"status": "available" | "offline"`. Invalid (400/409)."""
        _only(body, ("default_state", "status"), "the agent")
        if not EXTENSION.match(extension):
            raise Invalid("extension must be 3 or 4 digits")
        agent = campaign["agents"].get(extension)
        if agent is None and "default_state" not in body:
            raise Invalid("default_state is required for a new agent")
        if "default_state" in body and body["default_state"] not in DEFAULT_STATES:
            raise Invalid("default_state must be offline or available")
        status = body.get("status")
        if status is not None:
            if status not in SETTABLE_AGENT_STATUSES:
                raise Invalid("status can be set to available or offline only")
            if campaign["status"] != "started":
                raise Invalid(
                    "An agent's status can be set only while the campaign is started", 409
                )
        if agent is None:
            agent = {"extension": extension, "default_state": body["default_state"]}
            agent["status"] = "offline"
            campaign["agents"][extension] = agent
            if campaign["status"] == "started" and agent["default_state"] == "available":
                status = status or "available"
        elif "default_state" in body:
            agent["default_state"] = body["default_state"]
        if status is not None:
            self.later(
                self.delay, lambda: self.set_agent_status(campaign["ref"], extension, status)
            )
        return agent

    def remove_agent(self, campaign, extension):
        """Take an agent out of the campaign (offline if it was on); Invalid (404) if absent."""
        agent = campaign["agents"].pop(extension, None)
        if agent is None:
            raise Invalid(f"No agent {extension} in campaign {campaign['ref']}", 404)
        if agent["status"] != "offline":
            out = self._out(campaign, self.agent_status(campaign["ref"], extension, "offline"))
            self.later(self.delay, lambda: out)

    # Notifications

    @staticmethod
    def campaign_status(campaign):
        return {"type": "status", "payload": {"status": campaign["status"], "ref": campaign["ref"]}}

    @staticmethod
    def agent_status(campaign_ref, extension, status):
        return {
            "type": "status",
            "payload": {"status": status, "campaign_ref": campaign_ref, "ref": extension},
        }

    def later(self, seconds, action):
        """Run `action` on the notification thread in `seconds`, holding the lock; it returns
        the notifications to post then, as `(api key, notification)` pairs."""
        with self.wake:
            heapq.heappush(self.queue, (time.monotonic() + seconds, next(self.sequence), action))
            if self.thread is None:
                self.thread = threading.Thread(target=self.run, name="dialer-notify", daemon=True)
                self.thread.start()
            self.wake.notify()

    def run(self):
        while True:
            with self.wake:
                while not self.queue or self.queue[0][0] > time.monotonic():
                    timeout = self.queue[0][0] - time.monotonic() if self.queue else None
                    self.wake.wait(timeout)
                _, _, action = heapq.heappop(self.queue)
                outgoing = action() or []
                targets = [(self.webhooks.get(key), notification) for key, notification in outgoing]
            for url, notification in targets:
                self.post(url, notification)

    def post(self, url, notification):
        """POST one notification to `url` and log the outcome (an HTTP status or why not)."""
        if url is None:
            status = "no webhook registered"
        else:
            request = urllib.request.Request(
                url,
                data=json.dumps(notification).encode(),
                method="POST",
                headers={"Content-Type": "application/json", "User-Agent": "Dialer (sandbox)"},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    status = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError as exc:
                status = f"unreachable: {exc}"
        with self.lock:
            self.notifications.append(
                {"at": now(), "url": url, "status": status, "notification": notification}
            )

    # What happens on the dialer after a request

    def _out(self, campaign, *notifications):
        return [(campaign["_key"], notification) for notification in notifications]

    def start(self, ref):
        campaign = self.campaigns.get(ref)
        if campaign is None or campaign["status"] == "started":
            return []
        if campaign["status"] == "stopping":
            campaign["_restart"] = True
            return []
        campaign["status"] = "started"
        out = self._out(campaign, self.campaign_status(campaign))
        for agent in campaign["agents"].values():
            if agent["default_state"] == "available":
                out += self.set_agent_status(ref, agent["extension"], "available")
        self._next_round(campaign)
        return out

    def stop(self, ref):
        campaign = self.campaigns.get(ref)
        if campaign is None:
            return []
        if campaign["status"] == "stopping":
            campaign["_restart"] = False
        if campaign["status"] != "started":
            return []
        campaign["status"] = "stopping"
        campaign["_round"] += 1
        out = self._out(campaign, self.campaign_status(campaign))
        for agent in campaign["agents"].values():
            if agent["status"] != "offline":
                agent["status"] = "logging_out"
                out += self._out(
                    campaign, self.agent_status(ref, agent["extension"], "logging_out")
                )
        self.later(self.stopping_s, lambda: self.finish(ref, "stopped"))
        return out

    def finish(self, ref, status):
        """The campaign ends as `stopped` or `completed`: every agent of it goes offline."""
        campaign = self.campaigns.get(ref)
        if campaign is None:
            return []
        out = []
        for agent in campaign["agents"].values():
            if agent["status"] != "offline":
                agent["status"] = "offline"
                out += self._out(campaign, self.agent_status(ref, agent["extension"], "offline"))
        campaign["status"] = status
        campaign["_round"] += 1
        out += self._out(campaign, self.campaign_status(campaign))
        if campaign["_restart"]:
            campaign["_restart"] = False
            self.later(self.delay, lambda: self.start(ref))
        return out

    def active_elsewhere(self, extension, ref):
        return any(
            other["ref"] != ref
            and other["status"] == "started"
            and other["agents"].get(extension, {}).get("status", "offline") != "offline"
            for other in self.campaigns.values()
        )

    def set_agent_status(self, ref, extension, status):
        """An agent logs in (`logging_in`, then `available`, or `offline` when already active
        in another started campaign) or out (`logging_out`, `offline`)."""
        campaign = self.campaigns.get(ref)
        agent = campaign and campaign["agents"].get(extension)
        if not agent or campaign["status"] != "started" or agent["status"] == status:
            return []
        if status == "available":
            steps = ["logging_in"]
            steps.append("offline" if self.active_elsewhere(extension, ref) else "available")
        else:
            steps = ["logging_out", "offline"]
        agent["status"] = steps[-1]
        return self._out(campaign, *(self.agent_status(ref, extension, s) for s in steps))

    def _next_round(self, campaign):
        ref, round_ = campaign["ref"], campaign["_round"]
        self.later(self.dial_interval, lambda: self.dial_round(ref, round_))

    def dial_round(self, ref, round_):
        """One dialing round: aggression x available agents calls (none without an agent)."""
        campaign = self.campaigns.get(ref)
        if campaign is None or campaign["status"] != "started" or campaign["_round"] != round_:
            return []
        free = [a for a in campaign["agents"].values() if a["status"] == "available"]
        calls = max(1, round(campaign["settings"]["aggression"] * len(free))) if free else 0
        out = []
        for _ in range(calls):
            contact = self.next_contact(campaign)
            if contact is None:
                break
            reason = next(self.rotation)
            agent = free.pop(0) if reason in CONNECTED and free else None
            if reason in CONNECTED and agent is None:
                reason = "callee_hungup"  # nobody free: the callee hung up while queued
            out += self.dial(campaign, contact, reason, agent)
        if campaign["contacts"] and not any(not c["done"] for c in campaign["_pending"]):
            return out + self.finish(ref, "completed")
        self._next_round(campaign)
        return out

    @staticmethod
    def next_contact(campaign):
        pending = campaign["_pending"]
        while pending and pending[0]["done"]:
            pending.popleft()
        return pending.popleft() if pending else None

    def dial(self, campaign, contact, reason, agent):
        """One dial attempt: the agent goes busy/wrapup/available around a connected call, and
        the `cdr`. The contact is done when connected or out of attempts, else queued again."""
        call_ref = uuid.uuid4().hex
        connected = agent is not None
        contact["attempts"] += 1
        contact["outcome"] = reason
        contact["done"] = connected or contact["attempts"] >= campaign["settings"]["max_attempts"]
        if not contact["done"]:
            campaign["_pending"].append(contact)
        recording = None
        if connected and campaign["settings"]["record_calls"]:
            self.recordings.add(call_ref)
            recording = f"{self.public_url}{BASE}/recordings/{call_ref}.wav"
        cdr = {
            "type": "cdr",
            "payload": {
                "extension": agent["extension"] if connected else None,
                "call_ref": call_ref,
                "contact_ref": contact["ref"],
                "dialed_at": now(),
                "end_reason": reason,
                "end_code": END_CODES[reason],
                "call_time": 45 + contact["attempts"] * 7 if connected else 0,
                "call_dir": "outbound",
                "recording_url": recording,
                "ref": campaign["ref"],
            },
        }
        if not connected:
            return self._out(campaign, cdr)
        ref, extension = campaign["ref"], agent["extension"]
        return self._out(
            campaign,
            self.agent_status(ref, extension, "busy"),
            cdr,
            self.agent_status(ref, extension, "wrapup"),
            self.agent_status(ref, extension, "available"),
        )

    def simulate_cdr(self, ref, *, contact_ref=None, end_reason="hungup", extension=None):
        """Queue one call record for a started campaign; returns its call_ref. Invalid (400,
        404, 409) when the reason, contact or agent is unknown or the campaign is not started."""
        campaign = self.campaigns.get(ref)
        if campaign is None:
            raise Invalid(f"No campaign with ref {ref}", 404)
        if campaign["status"] != "started":
            raise Invalid(f"Campaign {ref} is {campaign['status']}, not started", 409)
        if end_reason not in END_CODES:
            raise Invalid(f"end_reason must be one of {', '.join(END_CODES)}")
        if contact_ref:
            contact = next((c for c in campaign["contacts"] if c["ref"] == contact_ref), None)
            if contact is None:
                raise Invalid(f"No contact {contact_ref} in campaign {ref}", 404)
        else:
            contact = self.next_contact(campaign)
            if contact is None:
                raise Invalid(f"Campaign {ref} has no contact left to dial", 409)
        agent = None
        if end_reason in CONNECTED:
            free = [
                a
                for a in campaign["agents"].values()
                if a["status"] == "available" and extension in (None, a["extension"])
            ]
            if not free:
                raise Invalid(f"No available agent in campaign {ref} to take the call", 409)
            agent = free[0]
        out = self.dial(campaign, contact, end_reason, agent)
        self.later(self.delay, lambda: out)
        return out[1 if agent else 0][1]["payload"]["call_ref"]


def install(router, state: Dialer):
    """Register the dialer API under /dialer and its sandbox controls under /_sandbox/dialer."""
    from sandbox.web import redirect

    def guarded(handler):
        def wrapper(request, **kwargs):
            fault = state.take_fault(request)
            if fault and not fault["apply"]:
                return state.fail(fault)
            key = state.api_key(request)
            if key is None:
                return json_response({"error": "Invalid or missing API key"}, 401)
            body = None
            if request.method in ("POST", "PUT"):
                body = request.json()
                if not isinstance(body, dict):
                    return json_response({"error": "The body must be a JSON object"}, 400)
            with state.lock:
                if request.headers.get("Host"):
                    state.public_url = "http://" + request.headers["Host"]
                try:
                    response = handler(request, key, body, **kwargs)
                except Invalid as exc:
                    response = exc.response()
            return state.fail(fault) if fault else response

        return wrapper

    @router.route("GET", rf"{BASE}/campaigns")
    @guarded
    def list_campaigns(request, key, body):
        mine = [c for c in state.campaigns.values() if c["_key"] == key]
        return json_response([state.public(c) for c in mine])

    @router.route("POST", rf"{BASE}/campaigns")
    @guarded
    def create_campaign(request, key, body):
        return json_response(state.public(state.create(key, body)), 201)

    @router.route("GET", rf"{BASE}/campaigns/(?P<ref>[^/]+)")
    @guarded
    def show_campaign(request, key, body, ref):
        return json_response(state.public(state.campaign(key, ref)))

    @router.route("PUT", rf"{BASE}/campaigns/(?P<ref>[^/]+)")
    @guarded
    def modify_campaign(request, key, body, ref):
        campaign = state.campaign(key, ref)
        state.modify(campaign, body)
        return json_response(state.public(campaign), 202)

    @router.route("DELETE", rf"{BASE}/campaigns/(?P<ref>[^/]+)")
    @guarded
    def delete_campaign(request, key, body, ref):
        state.delete(state.campaign(key, ref))
        return Response(204)

    @router.route("POST", rf"{BASE}/campaigns/(?P<ref>[^/]+)/contacts")
    @guarded
    def add_contacts(request, key, body, ref):
        accepted = state.add_contacts(state.campaign(key, ref), body)
        return json_response({"accepted": accepted}, 201)

    @router.route("PUT", rf"{BASE}/campaigns/(?P<ref>[^/]+)/agents/(?P<extension>[^/]+)")
    @guarded
    def put_agent(request, key, body, ref, extension):
        return json_response(dict(state.put_agent(state.campaign(key, ref), extension, body)))

    @router.route("DELETE", rf"{BASE}/campaigns/(?P<ref>[^/]+)/agents/(?P<extension>[^/]+)")
    @guarded
    def remove_agent(request, key, body, ref, extension):
        state.remove_agent(state.campaign(key, ref), extension)
        return Response(204)

    @router.route("GET", rf"{BASE}/webhook")
    @guarded
    def show_webhook(request, key, body):
        return json_response({"url": state.webhooks.get(key)})

    @router.route("PUT", rf"{BASE}/webhook")
    @guarded
    def register_webhook(request, key, body):
        _only(body, ("url",), "the request")
        url = body.get("url")
        if not isinstance(url, str) or not re.match(r"^https?://\S+$", url):
            raise Invalid("url must be an http(s) URL")
        state.webhooks[key] = url
        return json_response({"url": url})

    @router.route("GET", rf"{BASE}/recordings/(?P<call_ref>\w+)\.wav")
    def recording(request, call_ref):
        with state.lock:
            known = call_ref in state.recordings
        if not known:
            return json_response({"error": "No such recording"}, 404)
        return Response(200, silent_wav(), content_type="audio/wav")

    # Controls for people and tests

    def control_body(request):
        as_form = request.content_type.startswith("application/x-www-form-urlencoded")
        return as_form, (request.form() if as_form else (request.json() or {}))

    @router.route("POST", r"/_sandbox/dialer/webhook")
    def control_webhook(request):
        as_form, data = control_body(request)
        key, url = data.get("api_key", ""), (data.get("url") or "").strip()
        if key not in state.api_keys:
            return json_response({"error": "Unknown API key"}, 404)
        with state.lock:
            if url:
                state.webhooks[key] = url
            else:
                state.webhooks.pop(key, None)
        return redirect("/#dialer") if as_form else json_response({"url": url or None})

    @router.route("POST", r"/_sandbox/dialer/faults")
    def control_faults(request):
        try:
            return json_response(state.set_fault(request.json() or {}))
        except Invalid as exc:
            return exc.response()

    @router.route("POST", r"/_sandbox/dialer/timing")
    def control_timing(request):
        data = request.json() or {}
        names = ("delay", "dial_interval", "stopping_s")
        for name in names:
            value = data.get(name, 0)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                return json_response({"error": f"{name} must be a number of seconds"}, 400)
        with state.lock:
            for name in names:
                if name in data:
                    setattr(state, name, float(data[name]))
            return json_response(
                {
                    "delay": state.delay,
                    "dial_interval": state.dial_interval,
                    "stopping_s": state.stopping_s,
                }
            )

    @router.route("GET", r"/_sandbox/dialer/notifications")
    def control_notifications(request):
        ref = request.query.get("ref")
        with state.lock:
            sent = list(state.notifications)
        if ref:
            sent = [
                n
                for n in sent
                if ref
                in (
                    n["notification"]["payload"].get("ref"),
                    n["notification"]["payload"].get("campaign_ref"),
                )
            ]
        return json_response(sent)

    @router.route("POST", r"/_sandbox/dialer/simulate-cdr")
    def control_simulate_cdr(request):
        as_form, data = control_body(request)
        try:
            with state.lock:
                call_ref = state.simulate_cdr(
                    data.get("campaign_ref", ""),
                    contact_ref=data.get("contact_ref") or None,
                    end_reason=data.get("end_reason") or "hungup",
                    extension=data.get("extension") or None,
                )
        except Invalid as exc:
            return exc.response()
        return redirect("/#dialer") if as_form else json_response({"call_ref": call_ref}, 202)

    @router.route("POST", r"/_sandbox/dialer/agent-status")
    def control_agent_status(request):
        as_form, data = control_body(request)
        try:
            with state.lock:
                campaign = state.campaigns.get(data.get("campaign_ref", ""))
                if campaign is None:
                    raise Invalid("No such campaign", 404)
                state.put_agent(campaign, data.get("extension", ""), {"status": data.get("status")})
        except Invalid as exc:
            return exc.response()
        return redirect("/#dialer") if as_form else json_response({"ok": True}, 202)


def render_section(state: Dialer):
    """The sandbox page's dialer part: webhooks per key, campaigns, agents, contacts, notices."""
    import html

    e = html.escape
    with state.lock:
        keys = "".join(
            "<form method='post' action='/_sandbox/dialer/webhook'>"
            f"<code>{e(key)}</code> notifies "
            f"<input type='hidden' name='api_key' value='{e(key)}'>"
            f"<input name='url' value='{e(state.webhooks.get(key) or '')}' style='width:24rem' "
            f"placeholder='https://…/webhooks/dialer/…/' aria-label='Webhook URL for {e(key)}'>"
            "<button>Save</button></form>"
            for key in sorted(state.api_keys)
        )
        campaigns = "".join(_campaign_block(c) for c in state.campaigns.values())
        recent = "".join(
            f"<li>{e(n['at'])} {e(json.dumps(n['notification']))} → "
            f"{e(str(n['url']))}: {e(str(n['status']))}</li>"
            for n in reversed(list(state.notifications)[-20:])
        )
    return (
        "<section id='dialer'><h2>Dialer</h2>"
        f"<p>API base <code>{BASE}</code>, header <code>Authorization: Bearer &lt;key&gt;</code>."
        f" Keys and the webhook each one notifies:</p>{keys}"
        f"{campaigns or '<p>No campaigns.</p>'}"
        f"<h3>Recent notifications</h3><ul>{recent or '<li>nothing yet</li>'}</ul></section>"
    )


def _campaign_block(campaign):
    import html

    e = html.escape
    ref = campaign["ref"]
    contacts = campaign["contacts"]
    done = sum(1 for c in contacts if c["done"])
    agents = "".join(
        f"<li>{e(a['extension'])}: {e(a['status'])} (default {e(a['default_state'])})"
        + (
            "<form method='post' action='/_sandbox/dialer/agent-status' style='display:inline'>"
            f"<input type='hidden' name='campaign_ref' value='{e(ref)}'>"
            f"<input type='hidden' name='extension' value='{e(a['extension'])}'>"
            f"<input type='hidden' name='status' value='"
            f"{'offline' if a['status'] == 'available' else 'available'}'>"
            f"<button>{'Log out' if a['status'] == 'available' else 'Make available'}</button>"
            "</form>"
            if campaign["status"] == "started"
            else ""
        )
        + "</li>"
        for a in campaign["agents"].values()
    )
    rows = "".join(
        f"<tr><td>{e(c['ref'])}</td><td>{e(c['number'])}</td><td>{c['attempts']}</td>"
        f"<td>{e(c['outcome'] or '')}</td></tr>"
        for c in contacts[:20]
    )
    simulate = ""
    if campaign["status"] == "started":
        simulate = (
            "<form method='post' action='/_sandbox/dialer/simulate-cdr'>"
            f"<input type='hidden' name='campaign_ref' value='{e(ref)}'>"
            "<select name='end_reason' aria-label='End reason'>"
            + "".join(f"<option>{reason}</option>" for reason in END_CODES)
            + "</select><button>Simulate call record</button></form>"
        )
    return (
        f"<h3>{e(campaign['name'])} <small>{e(ref)}, {e(campaign['status'])}</small></h3>"
        f"<p>Aggression {campaign['settings']['aggression']}; "
        f"contacts {len(contacts)} ({done} done).</p>"
        f"<ul>{agents or '<li>no agents</li>'}</ul>{simulate}"
        + (
            "<details><summary>Contacts (first 20)</summary><table><tr><th>Ref</th>"
            f"<th>Number</th><th>Attempts</th><th>Last outcome</th></tr>{rows}</table></details>"
            if contacts
            else ""
        )
    )
