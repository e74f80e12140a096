"""The CallRail API v3 client. Every CallRail path and field name lives in this module.

`CallRailClient` speaks CallRail; the `*_out` functions turn CallRail records into the shapes our
API returns (those of the reference documents), and `tracker_payload` turns ours into CallRail's.
"""

import base64
import hashlib
import hmac
import math
import re
from dataclasses import dataclass
from urllib.parse import quote

import phonenumbers
from django.conf import settings

from campaignhub.cleaning import number_text
from campaignhub.http import ApiError, BaseClient

MAX_PER_PAGE = 250
SOURCE_TYPES = [
    "all",
    "landing_url",
    "landing_params",
    "offline",
    "web_referrer",
    "direct",
    "search",
    "google_ad_extension",
    "mobile_ad_extension",
    "google_my_business",
    "facebook_all",
    "bing_all",
]
# What CallRail's own screens call each source type.
SOURCE_LABELS = {
    "all": "All sources",
    "landing_url": "Landing page URL",
    "landing_params": "Landing page parameters",
    "offline": "Offline",
    "web_referrer": "Website referrer",
    "direct": "Direct",
    "search": "Search",
    "google_ad_extension": "Google Ads extension",
    "mobile_ad_extension": "Mobile ad extension",
    "google_my_business": "Google Business Profile",
    "facebook_all": "Facebook",
    "bing_all": "Bing",
}

__all__ = ["ApiError", "CallRailClient", "Page"]


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total_pages: int
    total_records: int


def _sort_params(sort):
    """Our `-created_at` is CallRail's `sort=created_at&order=desc`."""
    if not sort:
        return {}
    if sort.startswith("-"):
        return {"sort": sort[1:], "order": "desc"}
    return {"sort": sort, "order": "asc"}


def _seg(value) -> str:
    """An id as one URL path segment: escaped, so an id (say a request header) holding `/`, `?`
    or `..` can never reach another CallRail path."""
    return quote(str(value), safe="")


class CallRailClient(BaseClient):
    user_agent = "CampaignHub/1.0 (+callrail)"

    def __init__(self, api_key, *, base_url=None, **kwargs):
        super().__init__(base_url or settings.CALLRAIL_API_BASE, **kwargs)
        self.api_key = api_key
        self.session.headers["Request-From"] = "campaignhub"

    def auth_headers(self):
        return {"Authorization": f'Token token="{self.api_key}"'}

    def error_message(self, response, payload):
        if isinstance(payload, dict):
            if isinstance(payload.get("error"), str):
                return payload["error"]
            if isinstance(payload.get("errors"), list) and payload["errors"]:
                return "; ".join(str(error) for error in payload["errors"])
            if isinstance(payload.get("errors"), dict):
                return "; ".join(f"{k} {v}" for k, v in payload["errors"].items())
        return super().error_message(response, payload)

    # Pagination

    def page(self, path, key, *, page=1, per_page=10, **params) -> Page:
        query = {k: v for k, v in params.items() if v not in (None, "")}
        data = self.get(path, page=page, per_page=min(per_page, MAX_PER_PAGE), **query) or {}
        return Page(
            items=data.get(key, []),
            page=data.get("page", page),
            per_page=data.get("per_page", per_page),
            total_pages=data.get("total_pages", 1),
            total_records=data.get("total_records", len(data.get(key, []))),
        )

    def iter_all(self, path, key, **params):
        """Every record of a collection, page after page of 250; never stops early."""
        number = 1
        while True:
            page = self.page(path, key, page=number, per_page=MAX_PER_PAGE, **params)
            yield from page.items
            if number >= page.total_pages or not page.items:
                return
            number += 1

    # Accounts and companies

    def accounts(self, *, page=1, per_page=10, sort=None) -> Page:
        return self.page("a.json", "accounts", page=page, per_page=per_page, **_sort_params(sort))

    def companies(
        self, account_id, *, page=1, per_page=10, sort=None, search=None, include_disabled=False
    ) -> Page:
        return self.page(
            f"a/{_seg(account_id)}/companies.json",
            "companies",
            page=page,
            per_page=per_page,
            search=search,
            status=None if include_disabled else "active",
            **_sort_params(sort),
        )

    def company(self, account_id, company_id):
        return self.get(f"a/{_seg(account_id)}/companies/{_seg(company_id)}.json")

    # Trackers

    def trackers(
        self, account_id, *, company_id, page=1, per_page=10, sort=None, fields=None, search=None
    ) -> Page:
        return self.page(
            f"a/{_seg(account_id)}/trackers.json",
            "trackers",
            page=page,
            per_page=per_page,
            company_id=company_id,
            fields=fields,
            search=search,
            **_sort_params(sort),
        )

    def all_trackers(self, account_id, *, company_id, status="active"):
        return self.iter_all(
            f"a/{_seg(account_id)}/trackers.json", "trackers", company_id=company_id, status=status
        )

    def tracker(self, account_id, tracker_id):
        return self.get(f"a/{_seg(account_id)}/trackers/{_seg(tracker_id)}.json")

    def create_tracker(self, account_id, payload):
        return self.post(f"a/{_seg(account_id)}/trackers.json", json=payload)

    def update_tracker(self, account_id, tracker_id, payload):
        return self.put(f"a/{_seg(account_id)}/trackers/{_seg(tracker_id)}.json", json=payload)

    def disable_tracker(self, account_id, tracker_id):
        return self.delete(f"a/{_seg(account_id)}/trackers/{_seg(tracker_id)}.json")

    # Webhooks

    def create_webhook(self, account_id, company_id, url):
        return self.post(
            f"a/{_seg(account_id)}/companies/{_seg(company_id)}/webhooks.json", json={"url": url}
        )

    def all_webhooks(self, account_id, company_id):
        """Every webhook of the company, page after page."""
        return self.iter_all(
            f"a/{_seg(account_id)}/companies/{_seg(company_id)}/webhooks.json", "webhooks"
        )

    def update_webhook(self, account_id, company_id, webhook_id, *, url=None, status=None):
        body = {key: value for key, value in (("url", url), ("status", status)) if value}
        return self.put(
            f"a/{_seg(account_id)}/companies/{_seg(company_id)}/webhooks/{_seg(webhook_id)}.json",
            json=body,
        )


# CallRail records in our shapes


def _national(number):
    if not number:
        return None
    try:
        parsed = phonenumbers.parse(number, "US")
    except phonenumbers.NumberParseException:
        return number
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def account_out(record):
    return {
        "id": record.get("id"),
        "name": record.get("name"),
        "numeric_id": record.get("numeric_id"),
        "outbound_recording_enabled": record.get("outbound_recording_enabled"),
        "hipaa_account": record.get("hipaa_account"),
    }


COMPANY_FIELDS = [
    "id",
    "name",
    "status",
    "time_zone",
    "created_at",
    "disabled_at",
    "dni_active",
    "script_url",
    "callscore_enabled",
    "lead_scoring_enabled",
    "swap_exclude_jquery",
    "swap_ppc_override",
    "swap_landing_override",
]


def company_out(record):
    return {field: record.get(field) for field in COMPANY_FIELDS}


def tracker_out(record):
    numbers = record.get("tracking_numbers") or []
    call_flow = record.get("call_flow") or {}
    source = record.get("source") or {}
    destination = record.get("destination_number") or call_flow.get("destination_number")
    return {
        "id": record.get("id"),
        "name": record.get("name"),
        "type": record.get("type"),
        "status": record.get("status"),
        "tracking_number": numbers[0] if numbers else None,
        "formatted_tracking_number": _national(numbers[0]) if numbers else None,
        "tracking_numbers": numbers,
        "company_id": (record.get("company") or {}).get("id"),
        "destination_number": destination,
        "formatted_destination_number": _national(destination),
        "pool_size": len(numbers) if record.get("type") == "session" else 1,
        "whisper_message": record.get("whisper_message"),
        "record_calls": call_flow.get("recording_enabled"),
        "sms_enabled": record.get("sms_enabled"),
        "source": source.get("type"),
        "swap_targets": record.get("swap_targets") or [],
        "call_flow": call_flow,
        "created_at": record.get("created_at"),
        "disabled_at": record.get("disabled_at"),
    }


def webhook_out(record, *, account_id, company_id):
    return {
        "id": record.get("id"),
        "account_id": record.get("account_id", account_id),
        "company_id": record.get("company_id", company_id),
        "url": record.get("url"),
        "status": record.get("status"),
        "events": record.get("events", []),
        "created_at": record.get("created_at"),
        "updated_at": record.get("updated_at"),
    }


def webhook_signing_key(record):
    return record.get("signing_key") or ""


def _number_request(spec):
    if spec.get("toll_free"):
        return {"toll_free": True}
    if spec.get("area_code"):
        return {"area_code": spec["area_code"]}
    return None


def tracker_payload(spec, *, company_id=None, current=None):
    """CallRail's create/update body for our cleaned tracker fields.

    PUT replaces `call_flow` wholesale, so an update that touches the destination or recording
    rebuilds the whole call flow from `current` (the tracker as it is) plus the change.
    """
    body = {}
    for field in ("name", "whisper_message", "sms_enabled"):
        if spec.get(field) is not None:
            body[field] = spec[field]
    if company_id:
        body["company_id"] = company_id
    if spec.get("type"):
        body["type"] = spec["type"]
    current_flow = (current or {}).get("call_flow") or {}
    destination = spec.get("destination_number")
    recording = spec.get("record_calls")
    if destination or recording is not None:
        body["destination_number"] = destination or current_flow.get("destination_number")
        body["call_flow"] = {
            "type": current_flow.get("type", "basic"),
            "destination_number": body["destination_number"],
            "recording_enabled": recording
            if recording is not None
            else current_flow.get("recording_enabled", True),
        }
    if spec.get("source"):
        body["source"] = {"type": spec["source"]}
    numbers = _number_request(spec)
    if spec.get("type") == "session" or spec.get("pool_size"):
        if spec.get("pool_size"):
            body["pool_size"] = spec["pool_size"]
        if numbers:
            body["pool_numbers"] = numbers
    elif numbers:
        body["tracking_number"] = numbers
    if spec.get("swap_targets"):
        body["swap_targets"] = spec["swap_targets"]
    return body


# Webhook payloads

SIGNATURE_HEADER = "Signature"


def signature(signing_key: str, body: bytes) -> str:
    """Base64 of HMAC-SHA1 of the raw body with the company's signing key, as CallRail signs."""
    digest = hmac.new(signing_key.encode(), body, hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def number(value) -> float | None:
    """A numeric field as CallRail may send it: 13, 13.0, "13", " 13 ", or null/"" (None).

    Anything that does not read as a finite number is None, never an error.
    """
    if isinstance(value, bool) or value is None:
        return None
    try:
        result = float(str(value).strip())
    except ValueError:
        return None
    return result if math.isfinite(result) else None


def text(value) -> str:
    """A text field as CallRail may send it: a string, a number, or null/absent (""); lists
    (multi-value form fields) are joined with ", ". A number reads as `number_text` has it:
    777 and 777.0 are both "777" (one call's id either way), NaN and ±Infinity are ""."""
    if value is None or isinstance(value, bool | dict):
        return ""
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, list):
        return ", ".join(part for part in (text(item) for item in value) if part)
    return str(value).strip()


def _own_id(payload) -> str:
    """The call's or text's id: since 2021 CallRail sends `resource_id`, older payloads a
    numeric `id`. One value only: a list is no id (`text` would join it), so such a payload is
    keyed by its content, never taken for the call whose id is its first item."""
    for key in ("resource_id", "id"):
        value = payload.get(key)
        if not isinstance(value, list) and (own := text(value)):
            return own
    return ""


def call_fields(payload) -> dict:
    """The lead details of a call webhook (pre-call, routing complete, post-call, modified).

    Returns `external_id`, `tracking_number`, `phone`, `name`, `landing_page` as text, "" when
    absent. A withheld caller id arrives as null, "" or a word ("Anonymous", "Restricted"):
    the phone is then whatever was sent and the caller is made a lead without a phone.
    """
    return {
        "external_id": _own_id(payload),
        "tracking_number": text(payload.get("tracking_phone_number")),
        "phone": text(payload.get("customer_phone_number")) or text(payload.get("customer_number")),
        "name": text(payload.get("customer_name")),
        "landing_page": text(payload.get("landing_page_url")),
    }


def text_fields(payload) -> dict:
    """The lead details of a text message webhook: `external_id` (the message's own id; "" when
    none, the caller derives one), `tracking_number`, `phone`, `message`."""
    return {
        "external_id": _own_id(payload),
        "tracking_number": text(payload.get("destination_number")),
        "phone": text(payload.get("source_number")),
        "message": text(payload.get("content")),
    }


def _field_key(name) -> str:
    """`Your-Name`, `your_name`, `YOUR NAME` -> `name`: case, `-`, `_` and spaces alike, and a
    leading "your" dropped."""
    words = re.sub(r"[^0-9a-z]+", " ", str(name).lower()).split()
    if words[:1] == ["your"]:
        words = words[1:]
    return " ".join(words)


# Site form field names, after `_field_key`, that say what a field holds.
FORM_FIELD_NAMES = {
    "name": {"name", "full name", "fullname", "contact name", "customer name", "names"},
    "first_name": {"first name", "firstname", "fname", "given name", "first"},
    "last_name": {"last name", "lastname", "lname", "surname", "family name", "last"},
    "email": {"email", "e mail", "email address", "e mail address", "mail", "emailaddress"},
    "phone": {
        "phone",
        "phone number",
        "phonenumber",
        "telephone",
        "telephone number",
        "tel",
        "mobile",
        "mobile number",
        "mobile phone",
        "cell",
        "cell phone",
        "contact number",
        "phone no",
    },
    "message": {
        "message",
        "messages",
        "comments",
        "comment",
        "details",
        "inquiry",
        "enquiry",
        "notes",
        "note",
        "question",
        "questions",
        "description",
        "how can we help",
        "how can we help you",
    },
}
_FIELD_MEANING = {key: meaning for meaning, keys in FORM_FIELD_NAMES.items() for key in keys}
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _looks_like_phone(value: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(value, "US"))
    except phonenumbers.NumberParseException:
        return False


def form_values(form_data) -> dict:
    """`name`, `email`, `phone`, `message` out of a form's own field names.

    Known names (`FORM_FIELD_NAMES`, matched by `_field_key`) decide first; first and last name
    are joined. Fields whose names say nothing (`form_field1`) are looked at by value: the first
    that reads as an email is the email, the first valid phone number the phone.
    """
    found = {}
    unnamed = []
    items = form_data.items() if isinstance(form_data, dict) else []
    for key, raw in items:
        value = text(raw)
        if not value:
            continue
        meaning = _FIELD_MEANING.get(_field_key(key))
        if meaning is None:
            unnamed.append(value)
        else:
            found.setdefault(meaning, value)
    if "name" not in found:
        full = " ".join(found[part] for part in ("first_name", "last_name") if part in found)
        if full:
            found["name"] = full
    for value in unnamed:
        if "email" not in found and EMAIL_SHAPE.match(value):
            found["email"] = value
        elif "phone" not in found and _looks_like_phone(value):
            found["phone"] = value
    return {meaning: found.get(meaning, "") for meaning in ("name", "email", "phone", "message")}


def form_fields(payload) -> dict:
    """The lead details of a form submission webhook: `external_id`, `page_url`, `name`,
    `phone`, `email`, `message`. CallRail's own customer fields win over the form's fields."""
    values = form_values(payload.get("form_data"))
    return {
        "external_id": _own_id(payload),
        "page_url": text(payload.get("form_url")) or text(payload.get("landing_page_url")),
        "name": text(payload.get("customer_name")) or values["name"],
        "phone": text(payload.get("customer_phone_number")) or values["phone"],
        "email": text(payload.get("customer_email")) or values["email"],
        "message": values["message"],
    }


def classify(payload) -> str:
    """Which CallRail event a webhook payload is.

    CallRail sends each event to the URL configured for it and does not name the event in the
    body, so the payload's own fields tell. Tolerant of real shapes: numbers as strings, nulls,
    texts without `message_type` (told by `content` + `source_number`).
    """
    if "form_data" in payload or "form_url" in payload:
        return "form_submission"
    if "content" in payload and ("message_type" in payload or "source_number" in payload):
        return "text_message_sent" if payload.get("agent") else "text_message_received"
    outbound = text(payload.get("direction")).lower() == "outbound"
    if "changes" in payload:
        return "outbound_call_modified" if outbound else "call_modified"
    if outbound:
        return "outbound_post_call"
    ended = (
        payload.get("recording")
        or (number(payload.get("recording_duration")) or 0) > 0
        or payload.get("business_phone_number")
        or (number(payload.get("duration")) or 0) > 0
    )
    return "post_call" if ended else "pre_call"
