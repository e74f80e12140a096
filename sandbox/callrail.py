"""A CallRail API v3 imitation: accounts, companies, trackers, webhooks, simulated calls.

Faithful where the product depends on it: `.json` paths under /v3, `Token token=` auth (quoted or
not), 401 on a wrong key, page/per_page capped at 250, Rails-style error messages, source and
session tracker rules, soft delete, `call_flow` replaced on PUT, optional 429 injection, and
signed webhook deliveries (Base64 HMAC-SHA1 of the body with the company's signing key).
"""

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime

from sandbox.web import json_response

SOURCE_TYPES = {
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
}
MAX_PER_PAGE = 250
TOKEN = re.compile(r'^Token\s+token="?([^"]+)"?$')


def now():
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def masked(prefix):
    return prefix + secrets.token_hex(16)


def signature(signing_key, body):
    return base64.b64encode(hmac.new(signing_key.encode(), body, hashlib.sha1).digest()).decode()


class CallRail:
    """All sandbox CallRail state; one lock keeps concurrent requests consistent."""

    def __init__(self, api_keys):
        self.api_keys = set(api_keys)
        self.lock = threading.RLock()
        self.accounts = {}
        self.companies = {}
        self.trackers = {}
        self.webhooks = {}
        self.deliveries = []
        self.rate_limited = {"count": 0, "retry_after": None}
        self.next_number = 0

    # Seed data

    def seed_demo(self):
        account = self.add_account("ACC8154748ae6bd4e278a7cddd38a662f4f", "Demo Agency (sandbox)")
        roofing = self.add_company(account, "COM8154748ae6bd4e278a7cddd38a662f4f", "Demo Roofing")
        dental = self.add_company(account, "COM2b6a9d8e4c1f4b9a8e7d6c5b4a3f2e1d", "Demo Dental")
        self.add_company(
            account, "COM9f8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c", "Old Client", disabled=True
        )
        for company, name, source, number in [
            (roofing, "Google Ads", "google_ad_extension", "+14155550134"),
            (roofing, "Yard signs", "offline", "+14155550135"),
            (roofing, "Website", "direct", "+14155550136"),
            (dental, "Facebook", "facebook_all", "+14155550137"),
        ]:
            self.add_tracker(
                {
                    "type": "source",
                    "name": name,
                    "company_id": company["id"],
                    "destination_number": "+14155550100",
                    "source": {"type": source},
                },
                numbers=[number],
            )

    def add_account(self, account_id, name):
        account = {
            "id": account_id,
            "name": name,
            "outbound_recording_enabled": True,
            "hipaa_account": False,
            "numeric_id": 100000000 + len(self.accounts),
        }
        self.accounts[account_id] = account
        return account

    def add_company(self, account, company_id, name, *, disabled=False):
        company = {
            "id": company_id,
            "name": name,
            "status": "disabled" if disabled else "active",
            "time_zone": "America/New_York",
            "created_at": now(),
            "disabled_at": now() if disabled else None,
            "dni_active": True,
            "script_url": f"https://cdn.callrail.com/companies/{company_id[3:12]}/{company_id[12:24]}/12/swap.js",
            "callscore_enabled": False,
            "lead_scoring_enabled": True,
            "swap_exclude_jquery": False,
            "swap_ppc_override": False,
            "swap_landing_override": False,
            "_account_id": account["id"],
            "_signing_key": secrets.token_hex(20),
        }
        self.companies[company_id] = company
        return company

    def allocate(self, area_code=None, toll_free=False):
        self.next_number += 1
        if toll_free:
            return f"+1888{200 + self.next_number // 10000:03d}{self.next_number % 10000:04d}"
        area = area_code or "415"
        return f"+1{area}{300 + self.next_number // 10000:03d}{self.next_number % 10000:04d}"

    def add_tracker(self, body, numbers=None):
        company = self.companies[body["company_id"]]
        call_flow = body.get("call_flow") or {
            "type": "basic",
            "destination_number": body["destination_number"],
            "recording_enabled": True,
        }
        if numbers is None:
            request = body.get("pool_numbers") or body.get("tracking_number") or {}
            count = int(body.get("pool_size") or 1) if body["type"] == "session" else 1
            numbers = [
                self.allocate(request.get("area_code"), bool(request.get("toll_free")))
                for _ in range(count)
            ]
        tracker = {
            "id": masked("TRK"),
            "name": body["name"],
            "type": body["type"],
            "status": "active",
            "destination_number": body["destination_number"],
            "tracking_numbers": numbers,
            "whisper_message": body.get("whisper_message"),
            "sms_enabled": bool(body.get("sms_enabled", False)),
            "sms_supported": True,
            "company": {"id": company["id"], "name": company["name"]},
            "call_flow": call_flow,
            "source": body.get("source") or {"type": "all"},
            "swap_targets": body.get("swap_targets") or [],
            "campaign_name": None,
            "created_at": now(),
            "disabled_at": None,
            "_account_id": company["_account_id"],
        }
        self.trackers[tracker["id"]] = tracker
        return tracker

    # HTTP plumbing

    def authorise(self, request):
        match = TOKEN.match(request.headers.get("Authorization", ""))
        return bool(match and match.group(1) in self.api_keys)

    def gate(self, request):
        """A response when the request is refused (rate limit, auth), else None."""
        with self.lock:
            if self.rate_limited["count"] > 0:
                self.rate_limited["count"] -= 1
                headers = {}
                if self.rate_limited["retry_after"] is not None:
                    headers["Retry-After"] = str(self.rate_limited["retry_after"])
                return json_response({"error": "Too many requests"}, 429, headers)
        if not self.authorise(request):
            return json_response({"error": "HTTP Token: Access denied."}, 401)
        return None


def public(record):
    return {key: value for key, value in record.items() if not key.startswith("_")}


def paginate(request, key, records):
    try:
        page = max(1, int(request.query.get("page", 1)))
        per_page = min(MAX_PER_PAGE, max(1, int(request.query.get("per_page", 100))))
    except ValueError:
        return json_response({"error": "page and per_page must be numbers"}, 400)
    sort = request.query.get("sort")
    if sort:
        records = sorted(records, key=lambda r: str(r.get(sort) or ""))
        if request.query.get("order") == "desc":
            records.reverse()
    total = len(records)
    start = (page - 1) * per_page
    return json_response(
        {
            "page": page,
            "per_page": per_page,
            "total_pages": max(1, -(-total // per_page)),
            "total_records": total,
            key: [public(r) for r in records[start : start + per_page]],
        }
    )


def filtered(request, records):
    """CallRail's `status` and `search` (name contains, any case) list filters."""
    if request.query.get("status"):
        records = [r for r in records if r["status"] == request.query["status"]]
    if request.query.get("search"):
        needle = request.query["search"].lower()
        records = [r for r in records if needle in r["name"].lower()]
    return records


def error(message, status=400):
    return json_response({"error": message}, status)


def install(router, state: CallRail):
    """Register the CallRail routes on the sandbox router."""

    def guarded(handler):
        def wrapper(request, **kwargs):
            refused = state.gate(request)
            if refused is not None:
                return refused
            with state.lock:
                return handler(request, **kwargs)

        return wrapper

    def account_or_404(account_id):
        return state.accounts.get(account_id)

    @router.route("GET", r"/v3/a\.json")
    @guarded
    def list_accounts(request):
        return paginate(request, "accounts", list(state.accounts.values()))

    @router.route("GET", r"/v3/a/(?P<account_id>\w+)\.json")
    @guarded
    def show_account(request, account_id):
        account = account_or_404(account_id)
        return json_response(public(account)) if account else error("Not found", 404)

    @router.route("GET", r"/v3/a/(?P<account_id>\w+)/companies\.json")
    @guarded
    def list_companies(request, account_id):
        if not account_or_404(account_id):
            return error("Not found", 404)
        companies = [c for c in state.companies.values() if c["_account_id"] == account_id]
        return paginate(request, "companies", filtered(request, companies))

    @router.route("GET", r"/v3/a/(?P<account_id>\w+)/companies/(?P<company_id>\w+)\.json")
    @guarded
    def show_company(request, account_id, company_id):
        company = state.companies.get(company_id)
        if not company or company["_account_id"] != account_id:
            return error("Not found", 404)
        return json_response(public(company))

    @router.route("GET", r"/v3/a/(?P<account_id>\w+)/trackers\.json")
    @guarded
    def list_trackers(request, account_id):
        if not account_or_404(account_id):
            return error("Not found", 404)
        trackers = [t for t in state.trackers.values() if t["_account_id"] == account_id]
        if request.query.get("company_id"):
            trackers = [t for t in trackers if t["company"]["id"] == request.query["company_id"]]
        return paginate(request, "trackers", filtered(request, trackers))

    def tracker_or_404(account_id, tracker_id):
        tracker = state.trackers.get(tracker_id)
        if not tracker or tracker["_account_id"] != account_id:
            return None
        return tracker

    @router.route("GET", r"/v3/a/(?P<account_id>\w+)/trackers/(?P<tracker_id>\w+)\.json")
    @guarded
    def show_tracker(request, account_id, tracker_id):
        tracker = tracker_or_404(account_id, tracker_id)
        return json_response(public(tracker)) if tracker else error("Not found", 404)

    @router.route("POST", r"/v3/a/(?P<account_id>\w+)/trackers\.json")
    @guarded
    def create_tracker(request, account_id):
        if not account_or_404(account_id):
            return error("Not found", 404)
        body = request.json()
        if not isinstance(body, dict):
            return error("Request body must be JSON", 406)
        if body.get("type") not in ("source", "session"):
            return error("Type is not included in the list")
        if not body.get("name"):
            return error("Name can't be blank")
        company = state.companies.get(body.get("company_id") or "")
        if not company or company["_account_id"] != account_id:
            return error("Company can't be blank")
        if not body.get("destination_number"):
            return error("Destination number can't be blank")
        source = (body.get("source") or {}).get("type")
        if source is not None and source not in SOURCE_TYPES:
            return error("Source Unknown tracking source type")
        if body["type"] == "session":
            if not body.get("source"):
                return error("missing required parameter 'source'")
            if "pool_size" not in body:
                return error("missing required parameter 'pool_size'")
            if not isinstance(body["pool_size"], int) or not 4 <= body["pool_size"] <= 50:
                return error("Pool size must be between 4 and 50")
            if not body.get("swap_targets"):
                return error("Swap targets can't be blank")
        tracker = state.add_tracker(body)
        return json_response(public(tracker), 201)

    @router.route("PUT", r"/v3/a/(?P<account_id>\w+)/trackers/(?P<tracker_id>\w+)\.json")
    @guarded
    def update_tracker(request, account_id, tracker_id):
        tracker = tracker_or_404(account_id, tracker_id)
        if not tracker:
            return error("Not found", 404)
        body = request.json()
        if not isinstance(body, dict):
            return error("Request body must be JSON", 406)
        for field in (
            "name",
            "whisper_message",
            "sms_enabled",
            "destination_number",
            "swap_targets",
        ):
            if field in body:
                tracker[field] = body[field]
        if "call_flow" in body:
            tracker["call_flow"] = body["call_flow"]  # replaced wholesale, as CallRail does
        if "pool_size" in body and tracker["type"] == "session":
            size = body["pool_size"]
            if not isinstance(size, int) or not 4 <= size <= 50:
                return error("Pool size must be between 4 and 50")
            numbers = tracker["tracking_numbers"][:size]
            numbers += [state.allocate() for _ in range(size - len(numbers))]
            tracker["tracking_numbers"] = numbers
        # `status` is silently ignored on PUT; DELETE disables.
        return json_response(public(tracker))

    @router.route("DELETE", r"/v3/a/(?P<account_id>\w+)/trackers/(?P<tracker_id>\w+)\.json")
    @guarded
    def disable_tracker(request, account_id, tracker_id):
        tracker = tracker_or_404(account_id, tracker_id)
        if not tracker:
            return error("Not found", 404)
        tracker["status"] = "disabled"
        tracker["disabled_at"] = tracker["disabled_at"] or now()
        return json_response(public(tracker))

    @router.route("GET", r"/v3/a/(?P<account_id>\w+)/companies/(?P<company_id>\w+)/webhooks\.json")
    @guarded
    def list_webhooks(request, account_id, company_id):
        company = state.companies.get(company_id)
        if not company or company["_account_id"] != account_id:
            return error("Not found", 404)
        webhooks = [w for w in state.webhooks.values() if w["company_id"] == company_id]
        return paginate(request, "webhooks", webhooks)

    @router.route("POST", r"/v3/a/(?P<account_id>\w+)/companies/(?P<company_id>\w+)/webhooks\.json")
    @guarded
    def create_webhook(request, account_id, company_id):
        company = state.companies.get(company_id)
        if not company or company["_account_id"] != account_id:
            return error("Not found", 404)
        url = (request.json() or {}).get("url") or ""
        if not re.match(r"^https?://\S+$", url):
            return error("Url is invalid", 422)
        if any(w["url"] == url and w["company_id"] == company_id for w in state.webhooks.values()):
            return error("Url has already been taken", 422)
        webhook = {
            "id": masked("WHK"),
            "account_id": account_id,
            "company_id": company_id,
            "url": url,
            "status": "enabled",
            "events": ["pre_call", "post_call", "call_modified"],
            "created_at": now(),
            "updated_at": now(),
        }
        state.webhooks[webhook["id"]] = webhook
        return json_response({**webhook, "signing_key": company["_signing_key"]}, 201)

    @router.route(
        "PUT",
        r"/v3/a/(?P<account_id>\w+)/companies/(?P<company_id>\w+)/webhooks/(?P<webhook_id>\w+)\.json",
    )
    @guarded
    def update_webhook(request, account_id, company_id, webhook_id):
        webhook = state.webhooks.get(webhook_id)
        if (
            not webhook
            or webhook["company_id"] != company_id
            or webhook["account_id"] != account_id
        ):
            return error("Not found", 404)
        body = request.json() or {}
        if body.get("status") not in (None, "enabled", "disabled"):
            return error("Status is not included in the list", 422)
        if body.get("url"):
            if not re.match(r"^https?://\S+$", body["url"]):
                return error("Url is invalid", 422)
            webhook["url"] = body["url"]
        if body.get("status"):
            webhook["status"] = body["status"]
        webhook["updated_at"] = now()
        return json_response(webhook)


# Simulated traffic


def call_payloads(state, tracker, *, customer_number, customer_name):
    """The pre-call and post-call bodies CallRail would send for one inbound call."""
    company = state.companies[tracker["company"]["id"]]
    number = tracker["tracking_numbers"][0]
    started = now()
    pre_call = {
        "resource_id": masked("CAL"),
        "answered": False,
        "call_type": "first_call",
        "formatted_call_type": "First Call",
        "direction": "inbound",
        "customer_city": "San Francisco",
        "customer_country": "US",
        "customer_name": customer_name,
        "customer_number": customer_number,
        "customer_phone_number": customer_number,
        "customer_state": "CA",
        "company_id": company["id"],
        "company_name": company["name"],
        "company_resource_id": company["id"],
        "company_time_zone": company["time_zone"],
        "created_at": started,
        "duration": 0,
        "formatted_duration": "0s",
        "first_call": True,
        "formatted_tracking_phone_number": number,
        "person_resource_id": masked("PER"),
        "prior_calls": 0,
        "source_name": tracker["name"],
        "start_time": started,
        "total_calls": 1,
        "tracker_resource_id": tracker["id"],
        "tracking_phone_number": number,
        "voicemail": False,
    }
    post_call = {
        **pre_call,
        "answered": True,
        "duration": 94,
        "formatted_duration": "1m 34s",
        "recording": f"https://app.callrail.com/calls/{pre_call['resource_id']}/recording",
        "recording_duration": 94,
        "business_phone_number": tracker["destination_number"],
        "source": (tracker.get("source") or {}).get("type"),
        "tags": [],
        "lead_status": None,
        "note": None,
    }
    return pre_call, post_call


def deliver(state, company_id, payload):
    """POST one signed delivery to every enabled webhook of the company; record the outcome."""
    company = state.companies[company_id]
    body = json.dumps(payload).encode()
    outcomes = []
    for webhook in [w for w in state.webhooks.values() if w["company_id"] == company_id]:
        if webhook["status"] != "enabled":
            continue
        request = urllib.request.Request(
            webhook["url"],
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "CallRail Webhooks (sandbox)",
                "Signature": signature(company["_signing_key"], body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                status = response.status
        except urllib.error.HTTPError as exc:
            status = exc.code
        except OSError as exc:
            status = f"unreachable: {exc}"
        outcome = {
            "url": webhook["url"],
            "resource_id": payload.get("resource_id"),
            "status": status,
            "at": now(),
        }
        with state.lock:
            state.deliveries.append(outcome)
        outcomes.append(outcome)
    return outcomes


def simulate_call(
    state, tracker_id, *, customer_number="+14155550199", customer_name="Casey Caller", gap=1.0
):
    """Post pre-call at once and post-call `gap` seconds later (in the background)."""
    with state.lock:
        tracker = state.trackers.get(tracker_id)
        if tracker is None or tracker["status"] != "active":
            raise LookupError("No active tracker with that id.")
        pre_call, post_call = call_payloads(
            state, tracker, customer_number=customer_number, customer_name=customer_name
        )
        company_id = tracker["company"]["id"]

    def run():
        deliver(state, company_id, pre_call)
        time.sleep(gap)
        deliver(state, company_id, post_call)

    threading.Thread(target=run, daemon=True).start()
    return pre_call["resource_id"]
