"""The dialer's HTTP API and notifications. Every dialer path and field name lives here.

The contract is ours (the vendor's campaign endpoints are not published): JSON over HTTP with
`Authorization: Bearer <api key>`, errors `{"error": "<message>"}`. `DialerClient` speaks it;
the functions below turn our records into its payloads and its records and notifications
into plain dicts the rest of the app reads, so the real vendor spec can replace this module
alone.
"""

import math
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from campaignhub.cleaning import clean_text
from campaignhub.http import ApiError, BaseClient

__all__ = ["ApiError", "DialerClient", "Notification", "parse_notification"]

# The dialer takes at most this many contacts per request (413 beyond).
MAX_CONTACTS_PER_REQUEST = 100
CAMPAIGN_STATES = ("started", "stopping", "stopped", "completed")
# The agent states the API can set, an agent's `default_state` in a campaign.
DEFAULT_AGENT_STATES = ("offline", "available")
AGENT_STATES = ("logging_in", "available", "busy", "wrapup", "logging_out", "offline")
END_REASONS = (
    "hungup",
    "callee_hungup",
    "agent_hungup",
    "voicemail",
    "busy",
    "reject",
    "timeout",
    "error",
    "failed",
)
# A cdr with one of these end reasons and an agent's extension was a conversation: callee and
# agent were connected. Without an extension the callee hung up while waiting for an agent.
CONNECTED_END_REASONS = frozenset({"hungup", "callee_hungup", "agent_hungup"})


def was_conversation(end_reason: str, extension: str) -> bool:
    """Whether a cdr (its `end_reason` and `extension`) was a callee talking to an agent."""
    return end_reason in CONNECTED_END_REASONS and bool(extension)


def _ref(ref: str) -> str:
    return quote(str(ref), safe="")


class DialerClient(BaseClient):
    """The dialer's campaign API at `base_url`, sending `api_key` as a Bearer token."""

    user_agent = "CampaignHub/1.0 (+dialer)"

    def __init__(self, api_key, *, base_url, **kwargs):
        super().__init__(base_url, **kwargs)
        self.api_key = api_key

    def auth_headers(self):
        return {"Authorization": f"Bearer {self.api_key}"}

    def list_campaigns(self) -> list[dict]:
        """`GET /campaigns`: every campaign on the dialer, as `campaign_in` reads them."""
        records = self.get("campaigns") or []
        if not isinstance(records, list):
            raise ApiError("The dialer's campaign list is not a list.", payload=records)
        return [campaign_in(record) for record in records if isinstance(record, dict)]

    def show_campaign(self, ref) -> dict:
        """`GET /campaigns/<ref>`: the one campaign as the dialer holds it now, read like a list
        record (`campaign_in`). 404 when the dialer has no such campaign.

        The contract's table lists no such call (like `PUT /webhook`, it is ours and the
        sandbox's); a dialer without it answers 405 or 501 and callers fall back to the list.
        """
        record = self.get(f"campaigns/{_ref(ref)}")
        if not isinstance(record, dict):
            raise ApiError("The dialer's campaign is not an object.", payload=record)
        return campaign_in(record)

    def create_campaign(self, *, ref, name, settings, agents) -> dict:
        """`POST /campaigns`; `settings` as `settings_payload` makes it, `agents` a list of
        `(extension, default_state)`. 409 when the ref exists on the dialer."""
        return self.post(
            "campaigns",
            {
                "ref": ref,
                "name": name,
                "settings": settings,
                "agents": [
                    {"extension": extension, "default_state": state} for extension, state in agents
                ],
            },
        )

    def add_contacts(self, ref, contacts: list[dict]) -> int:
        """`POST /campaigns/<ref>/contacts` with at most 100 contacts (`contact_payload`);
        returns how many the dialer accepted. 409 names a contact ref it already knows."""
        if len(contacts) > MAX_CONTACTS_PER_REQUEST:
            raise ValueError(f"At most {MAX_CONTACTS_PER_REQUEST} contacts per request.")
        answer = self.post(f"campaigns/{_ref(ref)}/contacts", {"contacts": contacts}) or {}
        accepted = answer.get("accepted") if isinstance(answer, dict) else None
        return accepted if isinstance(accepted, int) else len(contacts)

    def apply_settings(self, ref, settings: dict) -> None:
        """`PUT /campaigns/<ref>` with only the ref and the settings object (the guide's rule)."""
        self.put(f"campaigns/{_ref(ref)}", {"ref": ref, "settings": settings})

    def request_state(self, ref, state: str) -> None:
        """`PUT /campaigns/<ref>` asking for `started` or `stopped`; the dialer answers 202 and
        reports the change later by notification."""
        if state not in ("started", "stopped"):
            raise ValueError("Only started or stopped can be requested.")
        self.put(f"campaigns/{_ref(ref)}", {"ref": ref, "state": state})

    def delete_campaign(self, ref) -> None:
        """`DELETE /campaigns/<ref>`: 409 unless it is stopped or completed."""
        self.delete(f"campaigns/{_ref(ref)}")

    def put_agent(self, ref, extension, default_state) -> None:
        """`PUT /campaigns/<ref>/agents/<extension>`: add (or update) an agent."""
        self.put(
            f"campaigns/{_ref(ref)}/agents/{_ref(extension)}", {"default_state": default_state}
        )

    def register_webhook(self, url) -> None:
        """`PUT /webhook` `{"url"}`: where the dialer POSTs this key's notifications. A dialer
        configured by its operator instead answers 404 (the caller shows the URL to copy)."""
        self.put("webhook", {"url": url})

    def remove_agent(self, ref, extension) -> None:
        """`DELETE /campaigns/<ref>/agents/<extension>`."""
        self.delete(f"campaigns/{_ref(ref)}/agents/{_ref(extension)}")


def settings_payload(campaign) -> dict:
    """The dialer's `settings` object for a campaign (aggression as a number, e.g. 1.5)."""
    return {
        "aggression": float(campaign.aggression),
        "max_attempts": campaign.max_attempts,
        "retry_delay_s": campaign.retry_delay_s,
        "caller_id": campaign.caller_id or None,
        "record_calls": campaign.record_calls,
    }


def contact_payload(contact) -> dict:
    """One contact as the dialer takes it: our ref, its E.164 number, the rest as data."""
    data = {
        key: value
        for key, value in (
            ("first_name", contact.first_name),
            ("last_name", contact.last_name),
            ("email", contact.email),
        )
        if value
    }
    data.update(contact.data or {})
    return {"ref": contact.ref, "number": contact.number, "alt_numbers": [], "data": data}


def _settings_in(raw) -> dict:
    raw = raw if isinstance(raw, dict) else {}
    settings = {}
    try:
        if raw.get("aggression") is not None:
            settings["aggression"] = Decimal(str(raw["aggression"])).quantize(Decimal("0.1"))
    except ArithmeticError:
        pass
    for key in ("max_attempts", "retry_delay_s"):
        if isinstance(raw.get(key), int) and not isinstance(raw.get(key), bool):
            settings[key] = raw[key]
    if isinstance(raw.get("caller_id"), str):
        settings["caller_id"] = clean_text(raw["caller_id"], 20)
    if isinstance(raw.get("record_calls"), bool):
        settings["record_calls"] = raw["record_calls"]
    return settings


def campaign_in(record: dict) -> dict:
    """A dialer campaign record as `{ref, name, status, settings, agents, agent_states,
    agent_statuses, contacts}`.

    `status` is one of CAMPAIGN_STATES or "" when the dialer said something else; `agents`
    is a list of extensions; `agent_states` their `default_state` where the dialer gave one of
    `offline`/`available`; `agent_statuses` their current `status` in the campaign where the
    dialer gave one of AGENT_STATES; `contacts` a count (0 when missing).
    """
    status = record.get("status")
    agents, agent_states, agent_statuses = [], {}, {}
    for agent in record.get("agents") or []:
        extension = agent.get("extension") if isinstance(agent, dict) else agent
        if extension is None:
            continue
        extension = clean_text(str(extension), 10)
        agents.append(extension)
        details = agent if isinstance(agent, dict) else {}
        if details.get("default_state") in DEFAULT_AGENT_STATES:
            agent_states[extension] = details["default_state"]
        if details.get("status") in AGENT_STATES:
            agent_statuses[extension] = details["status"]
    contacts = record.get("contacts")
    return {
        "ref": clean_text(record.get("ref"), 230),
        "name": clean_text(record.get("name"), 200),
        "status": status if status in CAMPAIGN_STATES else "",
        "settings": _settings_in(record.get("settings")),
        "agents": agents,
        "agent_states": agent_states,
        "agent_statuses": agent_statuses,
        "contacts": contacts if isinstance(contacts, int) and not isinstance(contacts, bool) else 0,
    }


@dataclass
class Notification:
    """A dialer notification in our words.

    `kind` is `campaign_status`, `agent_status`, `cdr` or `unknown` (with `type` as sent).
    `campaign_ref` is the campaign it is about; `status` the campaign or agent status;
    `extension` the agent; `call` the cdr's fields (`call_ref`, `contact_ref`, `dialed_at`,
    `end_reason`, `end_code`, `call_time` in seconds or None, `call_dir`, `recording_url`).
    """

    kind: str
    type: str
    campaign_ref: str = ""
    status: str = ""
    extension: str = ""
    call: dict | None = None


def _text(value, limit=230) -> str:
    """A notification field (an id, a status, a reason) as cleaned text of at most `limit`
    characters; "" when absent.

    A number reads as it is written in the dialer's ids: a whole float as its integer (555.0
    is "555", the same call as 555), NaN and ±Infinity as no value ("").
    """
    if value is None:
        return ""
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        if value.is_integer():
            value = int(value)
    return clean_text(str(value), limit)


# The most seconds a call record stores (its column is a 32-bit integer, about 68 years).
MAX_CALL_SECONDS = 2_147_483_647


def _seconds(value) -> int | None:
    """A duration the dialer sent (a number or numeric text) as whole seconds, cut towards 0.

    None for what is not a duration or that no call could last: not a number, a boolean,
    NaN, ±Infinity, negative, or over `MAX_CALL_SECONDS`. An impossible value is dropped,
    not clamped, so no record shows a length the call never had; the stored delivery keeps
    it as sent.
    """
    if isinstance(value, bool):
        return None
    try:
        seconds = int(value) if isinstance(value, int) else int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None
    return seconds if 0 <= seconds <= MAX_CALL_SECONDS else None


def parse_notification(body) -> Notification:
    """Read `{"type", "payload"}` (dialer-api.md) tolerantly; raises ValueError when the body
    is not that shape at all.

    A `status` payload with `campaign_ref` is an agent's (its `ref` is the extension);
    without, a campaign's (its `ref` is the campaign reference).
    """
    if not isinstance(body, dict) or not isinstance(body.get("payload"), dict):
        raise ValueError('A dialer notification is {"type": ..., "payload": {...}}.')
    kind = _text(body.get("type"), 40)
    payload = body["payload"]
    if kind == "status" and payload.get("campaign_ref") not in (None, ""):
        return Notification(
            "agent_status",
            kind,
            campaign_ref=_text(payload.get("campaign_ref")),
            status=_text(payload.get("status"), 20),
            extension=_text(payload.get("ref"), 10),
        )
    if kind == "status":
        return Notification(
            "campaign_status",
            kind,
            campaign_ref=_text(payload.get("ref")),
            status=_text(payload.get("status"), 20),
        )
    if kind == "cdr":
        return Notification(
            "cdr",
            kind,
            campaign_ref=_text(payload.get("ref")),
            extension=_text(payload.get("extension"), 10),
            call={
                "call_ref": _text(payload.get("call_ref")),
                "contact_ref": _text(payload.get("contact_ref")),
                "dialed_at": _text(payload.get("dialed_at"), 40),
                "end_reason": _text(payload.get("end_reason"), 20),
                "end_code": _text(payload.get("end_code"), 20),
                "call_time": _seconds(payload.get("call_time")),
                "call_dir": _text(payload.get("call_dir"), 20),
                "recording_url": _text(payload.get("recording_url"), 500),
            },
        )
    return Notification("unknown", kind, campaign_ref=_text(payload.get("ref")))
