"""Invoca call data imitation: the Transactions API, the Signal API and simulated calls.

Faithful where the product depends on it (external-apis.md §2.5):

- `GET /invoca/api/2020-10-01/networks/transactions/<network_id>.json` answers a JSON array of
  transaction rows, oldest first. `start_after_transaction_id` is the cursor (empty: from the
  oldest), `limit` defaults to 1000 and is capped at 4000, `from`/`to` (YYYY-MM-DD, UTC here)
  filter only when both are given, `transaction_type`, `transaction_id`, `call_record_id`,
  `include_columns`/`exclude_columns` narrow the answer. Transaction ids look like Invoca's
  (`6751A3B2-0000002A`): the first half is the time in hex, so ids sort in the order they were
  made, across sandbox restarts too, and a cursor from an earlier run still means "after this".
- A correction is a new row of the same type whose `corrects_transaction_id` names the original
  call's transaction and whose values replace the original's, with `corrected_at`.
- `POST|PUT /invoca/api/2018-02-01/transactions.json` (the Signal API) applies signals to a
  call found by `search.transaction_id` or `search.call_record_id`: idempotent on the signal's
  name (any case) and `partner_unique_id` within the call; the same values again change
  nothing, other values update the signal under a new signal transaction id that corrects the
  first. Invalid input is 403 `{"errors": {"class": "InvalidInput", "invalid_data": "…"}}`
  (the messages joined with "; "), an unknown call 404 RecordNotFound.
- A simulated call records its Call row (so the poll sees it) and posts the post-call webhook,
  as JSON or as a form POST, to every webhook URL registered for the network (Invoca's webhooks
  are configured in its UI; here on the sandbox page or `POST /_sandbox/invoca/webhooks`).

Tokens go in `Authorization: <token>` (no "Bearer"), `?oauth_token=` or `oauth_token` in a
JSON body, and each opens one network: the advertiser-campaign imitation (`sandbox.invoca`)
decides, and its campaigns are the ones calls are made on (`from_network`). The API lives under
the same `/invoca` base as that imitation.
"""

import html
import itertools
import json
import re
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation

from sandbox.web import json_response, redirect

BASE = "/invoca"
TRANSACTIONS_VERSION = "2020-10-01"
SIGNAL_VERSION = "2018-02-01"
DEFAULT_LIMIT = 1000
MAX_LIMIT = 4000
MAX_SIGNALS = 10
TRANSACTION_TYPES = ("Call", "PostCallEvent", "Sale", "Signal")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REVENUE = re.compile(r"^\d+(\.\d{1,2})?$")
SIGNAL_FIELDS = {"name", "partner_unique_id", "occurred_at_time", "revenue", "value"}
TRUE_WORDS = {"true", "1", "yes"}
FALSE_WORDS = {"false", "0", "no"}
WEBHOOK_FORMATS = ("json", "form")
NOT_FOUND_CALL = "No call found. Please refer to the documentation."
UNAUTHORISED = {"errors": {"class": "Unauthorized", "invalid_data": "Invalid OAuth token"}}
# The columns a post-call webhook sends: the Transactions API's names, as a webhook whose
# substitution parameters are named after them would.
WEBHOOK_COLUMNS = (
    "transaction_id",
    "transaction_type",
    "complete_call_id",
    "advertiser_id_from_network",
    "advertiser_campaign_id_from_network",
    "advertiser_campaign_name",
    "calling_phone_number",
    "destination_phone_number",
    "display_name_data_append",
    "duration",
    "connect_duration",
    "start_time_utc",
    "city",
    "region",
    "mobile",
    "recording",
    "hangup_cause",
)


def now():
    return datetime.now(UTC)


def dashed(e164):
    """`+14155550199` -> `415-555-0199`: how the Transactions API writes caller ids."""
    digits = re.sub(r"\D", "", e164 or "")
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    if len(digits) != 10:
        return e164 or ""
    return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"


def invalid(messages, status=403):
    return json_response(
        {"errors": {"class": "InvalidInput", "invalid_data": "; ".join(messages)}}, status
    )


def not_found(message):
    return json_response({"errors": {"class": "RecordNotFound", "invalid_data": message}}, 404)


class InvocaCalls:
    """The sandbox's Invoca call data; one lock keeps concurrent requests consistent.

    `authorise(request)` returns the network id a request's token opens, or None;
    `campaigns(network_id)` lists that network's advertiser campaigns as dicts with
    `advertiser_id_from_network`, `id_from_network`, `name` and `status` (lower case);
    `networks()` lists the network ids there are; `on_call(row)`, when given, hears of each
    simulated call (the campaigns' quick stats count it).
    """

    def __init__(self, *, authorise, campaigns, networks, on_call=None, lock=None):
        self.authorise = authorise
        self.campaigns = campaigns
        self.networks = networks
        self.on_call = on_call
        self.lock = lock or threading.RLock()
        self.transactions = []
        self.signals = {}
        self.webhooks = []
        self.deliveries = []
        self.sequence = itertools.count(1)

    # Transactions

    def new_transaction_id(self):
        return f"{int(time.time()):08X}-{next(self.sequence):08X}"

    def find(self, transaction_id):
        return next((t for t in self.transactions if t["transaction_id"] == transaction_id), None)

    def campaign(self, network_id, campaign_id, advertiser_id=""):
        for campaign in self.campaigns(network_id):
            same_advertiser = not advertiser_id or (
                str(campaign["advertiser_id_from_network"]) == str(advertiser_id)
            )
            if str(campaign["id_from_network"]) == str(campaign_id) and same_advertiser:
                return campaign
        return None

    def record_call(
        self,
        network_id,
        campaign,
        *,
        calling_phone_number="+14155550199",
        caller_name="Casey Caller",
        duration=94,
    ):
        """Add the Call row of one finished inbound call to the feed; returns it."""
        started = now()
        row = {
            "transaction_id": self.new_transaction_id(),
            "transaction_type": "Call",
            "corrects_transaction_id": None,
            "corrected_at": None,
            "complete_call_id": secrets.token_hex(16).upper(),
            "_network_id": str(network_id),
            "advertiser_id_from_network": str(campaign["advertiser_id_from_network"]),
            "advertiser_name": str(campaign.get("advertiser_name") or ""),
            "advertiser_campaign_id_from_network": str(campaign["id_from_network"]),
            "advertiser_campaign_name": campaign.get("name") or "",
            "affiliate_id_from_network": None,
            "calling_phone_number": dashed(calling_phone_number),
            "destination_phone_number": "415-555-0100",
            "display_name_data_append": caller_name,
            "duration": int(duration),
            "connect_duration": max(0, int(duration) - 12),
            "ivr_duration": min(12, int(duration)),
            "start_time_utc": int(started.timestamp() * 1000),
            "start_time_local": started.strftime("%Y-%m-%d %H:%M:%S +0000"),
            "city": "San Francisco",
            "region": "CA",
            "mobile": "Mobile",
            "recording": "",
            "hangup_cause": "Caller",
            "call_result_description_detail": "Connected",
            "custom_data": [],
        }
        row["recording"] = f"https://sandbox.invoca.test/recordings/{row['transaction_id']}.mp3"
        with self.lock:
            self.transactions.append(row)
        return row

    def correct(self, transaction_id, changes):
        """Append a correction of the call `transaction_id` with `changes` applied; returns it.

        Raises LookupError for an unknown call. A correction of a correction corrects the
        original call, as Invoca's corrections always name the transaction they replace.
        """
        with self.lock:
            original = self.find(transaction_id)
            if original is None:
                raise LookupError("No transaction with that id.")
            root = original["corrects_transaction_id"] or original["transaction_id"]
            latest = [
                t
                for t in self.transactions
                if t["transaction_id"] == root or t["corrects_transaction_id"] == root
            ][-1]
            known = {k: v for k, v in changes.items() if k in latest and not k.startswith("_")}
            for fixed in ("transaction_id", "corrects_transaction_id", "corrected_at"):
                known.pop(fixed, None)
            if "calling_phone_number" in known:
                known["calling_phone_number"] = dashed(str(known["calling_phone_number"]))
            row = {
                **latest,
                **known,
                "transaction_id": self.new_transaction_id(),
                "corrects_transaction_id": root,
                "corrected_at": now().strftime("%Y-%m-%d %H:%M:%S +0000"),
            }
            self.transactions.append(row)
            return row

    def page(self, network_id, query):
        """The rows a Transactions API request asks for, or (status, error body)."""
        try:
            limit = int(query.get("limit") or DEFAULT_LIMIT)
        except ValueError:
            return None, invalid(["limit must be a number"])
        limit = max(1, min(limit, MAX_LIMIT))
        after = query.get("start_after_transaction_id") or ""
        wanted_type = query.get("transaction_type") or query.get("transaction_type[]") or ""
        if wanted_type and wanted_type not in TRANSACTION_TYPES:
            choices = ", ".join(TRANSACTION_TYPES)
            return None, invalid([f"transaction_type must be one of {choices}"])
        start, end = query.get("from") or "", query.get("to") or ""
        for name, value in (("from", start), ("to", end)):
            if value and not DATE.match(value):
                return None, invalid([f"{name} must be a date as YYYY-MM-DD"])
        with self.lock:
            rows = [t for t in self.transactions if t["_network_id"] == str(network_id)]
        if query.get("transaction_id"):
            rows = [t for t in rows if t["transaction_id"] == query["transaction_id"]][:1]
        if query.get("call_record_id"):
            rows = [t for t in rows if t["complete_call_id"] == query["call_record_id"]]
        if wanted_type:
            rows = [t for t in rows if t["transaction_type"] == wanted_type]
        if start and end:
            rows = [t for t in rows if start <= _day(t) <= end]
        if after:
            rows = [t for t in rows if t["transaction_id"] > after]
        rows.sort(key=lambda t: t["transaction_id"])
        return [_columns(t, query) for t in rows[:limit]], None

    # Signals

    def apply_signals(self, network_id, body):
        """The Signal API: `(status, answer)` for one request body."""
        if not isinstance(body, dict):
            return invalid(["The request body must be a JSON object"])
        search = body.get("search") if isinstance(body.get("search"), dict) else {}
        signals = body.get("signals") if isinstance(body.get("signals"), list) else []
        problems = []
        if not (
            search.get("transaction_id")
            or search.get("call_record_id")
            or search.get("call_start_time")
        ):
            problems.append("transaction_id, call_record_id, or call_start_time must not be empty")
        if not signals and not body.get("custom_data"):
            problems.append("signals or custom_data must not be empty")
        if len(signals) > MAX_SIGNALS:
            problems.append(f"signals are limited to {MAX_SIGNALS} per request")
        unsupported = sorted(
            {
                key
                for signal in signals
                if isinstance(signal, dict)
                for key in signal
                if key not in SIGNAL_FIELDS
            }
        )
        if unsupported:
            problems.append(
                "The following params in 'signals' are not supported in this version: "
                + ", ".join(unsupported)
            )
        seen = {}
        for index, signal in enumerate(signals):
            if not isinstance(signal, dict):
                problems.append(f"signals[{index}] must be an object")
                continue
            name = str(signal.get("name") or "")
            if not name:
                problems.append(f"signals[{index}] 'name' is required")
            revenue = signal.get("revenue")
            if revenue not in (None, "") and not REVENUE.match(str(revenue)):
                problems.append(
                    f"signals[{index}] 'revenue' must be money with up to 2 decimal places"
                )
            value = str(signal.get("value", "true")).lower()
            if value not in TRUE_WORDS | FALSE_WORDS:
                problems.append(f"signals[{index}] 'value' must be true or false")
            key = (name.lower(), str(signal.get("partner_unique_id") or ""))
            if name and key in seen:
                problems.append(
                    f"'name' for signals[{seen[key]}] and signals[{index}] must be unique"
                )
            seen.setdefault(key, index)
        if problems:
            return invalid(problems)
        with self.lock:
            call = self._call_for(network_id, search)
            if call is None:
                return not_found(NOT_FOUND_CALL)
            applied = [self._apply(call, signal) for signal in signals]
        answer = {
            "signals": applied,
            "call": {
                "transaction_id": call["transaction_id"],
                "corrects_transaction_id": None,
                "start_time_t": str(call["start_time_utc"] // 1000),
                "call_start_time": datetime.fromtimestamp(call["start_time_utc"] / 1000, UTC)
                .isoformat(timespec="seconds")
                .replace("+00:00", "Z"),
            },
        }
        return json_response(answer, 200)

    def _call_for(self, network_id, search):
        for row in self.transactions:
            if row["_network_id"] != str(network_id) or row["transaction_type"] != "Call":
                continue
            if row["corrects_transaction_id"]:
                continue
            if search.get("transaction_id") and row["transaction_id"] == str(
                search["transaction_id"]
            ):
                return row
            if search.get("call_record_id") and row["complete_call_id"] == str(
                search["call_record_id"]
            ):
                return row
        return None

    def _apply(self, call, signal):
        name = str(signal["name"])
        key = (call["transaction_id"], name.lower(), str(signal.get("partner_unique_id") or ""))
        occurred = str(signal.get("occurred_at_time") or int(time.time()))
        values = {
            "name": name,
            "partner_unique_id": str(signal.get("partner_unique_id") or ""),
            "occurred_at_time_t": occurred,
            "revenue": _money(signal.get("revenue")),
            "value": "true" if str(signal.get("value", "true")).lower() in TRUE_WORDS else "false",
        }
        existing = self.signals.get(key)
        if existing is not None:
            unchanged = all(
                existing[field] == values[field]
                for field in ("partner_unique_id", "occurred_at_time_t", "revenue", "value")
            )
            if unchanged:
                return dict(existing)
            values["name"] = existing["name"]  # the casing of the first report is kept
            record = {
                **values,
                "transaction_id": self.new_transaction_id(),
                "corrects_transaction_id": existing["corrects_transaction_id"]
                or existing["transaction_id"],
            }
        else:
            record = {
                **values,
                "transaction_id": self.new_transaction_id(),
                "corrects_transaction_id": None,
            }
        self.signals[key] = record
        return dict(record)

    def signal_list(self):
        with self.lock:
            return [
                {"call_transaction_id": key[0], **record} for key, record in self.signals.items()
            ]

    # Webhooks

    def add_webhook(self, network_id, url, fmt="json"):
        """Register a post-call webhook for the network; returns it. Raises ValueError."""
        if not re.match(r"^https?://\S+$", url or ""):
            raise ValueError("Enter the webhook's http(s) URL.")
        if fmt not in WEBHOOK_FORMATS:
            raise ValueError(f"The format is one of {', '.join(WEBHOOK_FORMATS)}.")
        with self.lock:
            self.webhooks = [
                w for w in self.webhooks if not (w["network_id"] == network_id and w["url"] == url)
            ]
            webhook = {"network_id": str(network_id), "url": url, "format": fmt}
            self.webhooks.append(webhook)
            return webhook

    def deliver(self, row):
        """POST the post-call webhook of `row` to each webhook of its network; the outcomes."""
        payload = {column: row.get(column) for column in WEBHOOK_COLUMNS}
        with self.lock:
            hooks = [w for w in self.webhooks if w["network_id"] == row["_network_id"]]
        outcomes = []
        for webhook in hooks:
            if webhook["format"] == "form":
                fields = {k: "" if v is None else str(v) for k, v in payload.items()}
                body = urllib.parse.urlencode(fields).encode()
                content_type = "application/x-www-form-urlencoded"
            else:
                body = json.dumps(payload).encode()
                content_type = "application/json"
            request = urllib.request.Request(
                webhook["url"],
                data=body,
                method="POST",
                headers={"Content-Type": content_type, "User-Agent": "Invoca-Webhooks (sandbox)"},
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
                "format": webhook["format"],
                "transaction_id": row["transaction_id"],
                "status": status,
                "at": now().isoformat(timespec="seconds"),
            }
            with self.lock:
                self.deliveries.append(outcome)
            outcomes.append(outcome)
        return outcomes

    def simulate_call(
        self,
        network_id,
        campaign_id,
        *,
        advertiser_id="",
        calling_phone_number="+14155550199",
        caller_name="Casey Caller",
        duration=94,
        webhook=True,
        gap=0.5,
    ):
        """A call on a live advertiser campaign: its row joins the feed at once and, unless
        `webhook` is False (a webhook Invoca failed to send), the post-call webhook follows
        `gap` seconds later in the background. Returns the row; LookupError when the network
        has no live campaign `campaign_id`."""
        campaign = self.campaign(network_id, campaign_id, advertiser_id)
        if campaign is None or str(campaign.get("status", "")).lower() != "live":
            raise LookupError("No live advertiser campaign with that id on this network.")
        row = self.record_call(
            network_id,
            campaign,
            calling_phone_number=calling_phone_number,
            caller_name=caller_name,
            duration=duration,
        )
        if self.on_call is not None:
            self.on_call(row)
        if webhook:

            def run():
                time.sleep(gap)
                self.deliver(row)

            threading.Thread(target=run, daemon=True).start()
        return row


def _day(row):
    return datetime.fromtimestamp(row["start_time_utc"] / 1000, UTC).strftime("%Y-%m-%d")


def _money(value):
    if value in (None, ""):
        return None
    try:
        return str(Decimal(str(value)).quantize(Decimal("0.01")))
    except InvalidOperation:
        return None


def _columns(row, query):
    """A row as the API shows it: private keys dropped, then include/exclude_columns; the
    `custom_data` array only when asked for, as Invoca does."""
    shown = {k: v for k, v in row.items() if not k.startswith("_") and k != "custom_data"}
    include = [c for c in (query.get("include_columns") or "").split(",") if c]
    exclude = {c for c in (query.get("exclude_columns") or "").split(",") if c}
    if include:
        if "custom_data" in include:
            shown["custom_data"] = row["custom_data"]
        if "$invoca_default_columns" not in include:
            shown = {k: v for k, v in shown.items() if k in include}
    return {k: v for k, v in shown.items() if k not in exclude}


def _posted_form(request):
    return request.content_type.startswith("application/x-www-form-urlencoded")


def from_network(network) -> InvocaCalls:
    """Call data for the networks, tokens and advertiser campaigns of `network` (a
    `sandbox.invoca.Invoca`); its quick stats count each simulated call."""

    def campaigns(network_id):
        with network.lock:
            return [
                {
                    "advertiser_id_from_network": advertiser,
                    "id_from_network": campaign_id,
                    "name": campaign["name"],
                    "status": str(campaign["status"]).lower(),
                }
                for (net, advertiser, campaign_id), campaign in network.campaigns.items()
                if net == str(network_id)
            ]

    def networks():
        with network.lock:
            return sorted(set(network.tokens.values()))

    def on_call(row):
        network.record_call(
            row["_network_id"],
            row["advertiser_id_from_network"],
            row["advertiser_campaign_id_from_network"],
            row["duration"],
        )

    return InvocaCalls(
        authorise=network.authorise, campaigns=campaigns, networks=networks, on_call=on_call
    )


def install(router, network, *, prefix=BASE):
    """Register the Transactions and Signal API routes (under `prefix`, the sandbox's Invoca
    host) and the sandbox's own control endpoints; the state, made from `network` (a
    `sandbox.invoca.Invoca`) by `from_network`, becomes `router.invoca_calls`."""
    state = from_network(network)
    router.invoca_calls = state

    def body_of(request):
        return request.form() if _posted_form(request) else request.json()

    @router.route(
        "GET",
        prefix + rf"/api/{TRANSACTIONS_VERSION}/networks/transactions/(?P<network_id>[\w-]+)\.json",
    )
    def transactions(request, network_id):
        opened = state.authorise(request)
        if opened is None:
            return json_response(UNAUTHORISED, 401)
        if str(opened) != network_id:
            return json_response(
                {
                    "errors": {
                        "class": "UnauthorizedOperation",
                        "invalid_data": "You do not have access to this network",
                    }
                },
                403,
            )
        rows, refused = state.page(network_id, request.query)
        return refused if refused is not None else json_response(rows)

    def signals(request):
        opened = state.authorise(request)
        if opened is None:
            return json_response(UNAUTHORISED, 401)
        return state.apply_signals(opened, request.json())

    router.route("POST", prefix + rf"/api/{SIGNAL_VERSION}/transactions\.json")(signals)
    router.route("PUT", prefix + rf"/api/{SIGNAL_VERSION}/transactions\.json")(signals)

    @router.route("POST", r"/_sandbox/invoca/webhooks")
    def add_webhook(request):
        data = body_of(request) or {}
        try:
            webhook = state.add_webhook(
                str(data.get("network_id") or ""),
                data.get("url") or "",
                data.get("format") or "json",
            )
        except ValueError as exc:
            return json_response({"error": str(exc)}, 400)
        if _posted_form(request):
            return redirect("/#invoca-calls")
        return json_response(webhook, 201)

    @router.route("POST", r"/_sandbox/invoca/simulate-call")
    def simulate(request):
        data = body_of(request)
        if not isinstance(data, dict):
            return json_response({"error": "Send a JSON object or a form."}, 400)
        try:
            duration = int(data.get("duration") or 94)
            gap = float(data.get("gap", 0.5))
        except ValueError:
            return json_response({"error": "duration and gap must be numbers"}, 400)
        try:
            row = state.simulate_call(
                str(data.get("network_id") or ""),
                str(data.get("campaign_id") or ""),
                advertiser_id=str(data.get("advertiser_id") or ""),
                calling_phone_number=data.get("calling_phone_number") or "+14155550199",
                caller_name=data.get("caller_name") or "Casey Caller",
                duration=duration,
                webhook=str(data.get("webhook", "true")).lower() not in FALSE_WORDS,
                gap=gap,
            )
        except LookupError as exc:
            return json_response({"error": str(exc)}, 404)
        if _posted_form(request):
            return redirect("/?invoca_call=" + urllib.parse.quote(row["transaction_id"]))
        return json_response({"transaction_id": row["transaction_id"]}, 202)

    @router.route("POST", r"/_sandbox/invoca/correct-call")
    def correct(request):
        data = body_of(request)
        if not isinstance(data, dict):
            return json_response({"error": "Send a JSON object or a form."}, 400)
        changes = data.get("changes")
        if not isinstance(changes, dict):
            changes = {k: v for k, v in data.items() if k != "transaction_id"}
        if "duration" in changes:
            try:
                changes["duration"] = int(changes["duration"])
            except (TypeError, ValueError):
                return json_response({"error": "duration must be a number"}, 400)
        try:
            row = state.correct(str(data.get("transaction_id") or ""), changes)
        except LookupError as exc:
            return json_response({"error": str(exc)}, 404)
        if _posted_form(request):
            return redirect("/?invoca_call=" + urllib.parse.quote(row["transaction_id"]))
        return json_response(
            {
                "transaction_id": row["transaction_id"],
                "corrects_transaction_id": row["corrects_transaction_id"],
            },
            201,
        )

    @router.route("GET", r"/_sandbox/invoca/signals")
    def signal_list(request):
        return json_response(state.signal_list())

    @router.route("GET", r"/_sandbox/invoca/deliveries")
    def deliveries(request):
        with state.lock:
            return json_response(list(state.deliveries))


# The sandbox page


def _simulate_form(network_id, campaign):
    e = html.escape
    return (
        "<form method='post' action='/_sandbox/invoca/simulate-call'>"
        f"<input type='hidden' name='network_id' value='{e(network_id)}'>"
        f"<input type='hidden' name='advertiser_id' "
        f"value='{e(str(campaign['advertiser_id_from_network']))}'>"
        f"<input type='hidden' name='campaign_id' value='{e(str(campaign['id_from_network']))}'>"
        "<input name='caller_name' value='Casey Caller' aria-label='Caller name'>"
        "<input name='calling_phone_number' value='+14155550199' aria-label='Caller number'>"
        "<label><input type='checkbox' name='webhook' value='false' style='width:auto'> "
        "webhook lost (poll only)</label> "
        "<button>Simulate call</button></form>"
    )


def _correct_form(row):
    e = html.escape
    return (
        "<form method='post' action='/_sandbox/invoca/correct-call'>"
        f"<input type='hidden' name='transaction_id' value='{e(row['transaction_id'])}'>"
        f"<input name='duration' value='{e(str(row['duration']))}' aria-label='Corrected duration'>"
        "<button>Correct duration</button></form>"
    )


def render_section(state, notice=""):
    """The Invoca calls part of the sandbox page: webhooks, a simulate-call button per live
    advertiser campaign, the latest transactions (with a correction form) and signals."""
    e = html.escape
    networks = list(state.networks())
    with state.lock:
        hooks = list(state.webhooks)
        rows = list(state.transactions[-15:])
        recent = list(state.deliveries[-10:])
    parts = ["<section id='invoca-calls'><h2>Invoca calls</h2>"]
    if notice:
        parts.append(f"<p class='notice'>Invoca transaction {e(notice)} recorded.</p>")
    parts.append(
        f"<p>Transactions API <code>{BASE}/api/{TRANSACTIONS_VERSION}/networks/transactions/"
        f"&lt;network&gt;.json</code>, Signal API <code>{BASE}/api/{SIGNAL_VERSION}/"
        "transactions.json</code>.</p><h3>Post-call webhooks</h3><ul>"
    )
    parts += [
        f"<li>{e(w['network_id'])}: {e(w['url'])} ({e(w['format'])})</li>" for w in hooks
    ] or ["<li>none</li>"]
    options = "".join(f"<option>{e(str(n))}</option>" for n in networks)
    parts.append(
        "</ul><form method='post' action='/_sandbox/invoca/webhooks'>"
        f"<select name='network_id' aria-label='Network'>{options}</select> "
        "<input name='url' placeholder='https://…/webhooks/invoca/…/' aria-label='Webhook URL' "
        "style='width:24rem'> <select name='format' aria-label='Webhook format'>"
        "<option value='json'>JSON POST</option><option value='form'>Form POST</option>"
        "</select> <button>Add webhook</button></form>"
    )
    parts.append("<h3>Live advertiser campaigns</h3><table>")
    live = [
        (network_id, campaign)
        for network_id in networks
        for campaign in state.campaigns(network_id)
        if str(campaign.get("status", "")).lower() == "live"
    ]
    for network_id, campaign in live:
        parts.append(
            f"<tr><td>{e(str(network_id))}</td><td>{e(str(campaign['advertiser_id_from_network']))}"
            f"/{e(str(campaign['id_from_network']))}</td><td>{e(campaign.get('name') or '')}</td>"
            f"<td>{_simulate_form(str(network_id), campaign)}</td></tr>"
        )
    if not live:
        parts.append("<tr><td>No live campaign yet: go live with one first.</td></tr>")
    parts.append("</table><h3>Latest transactions</h3><table>")
    for row in reversed(rows):
        kind = row["transaction_type"]
        if row["corrects_transaction_id"]:
            kind = "correction of " + row["corrects_transaction_id"]
        parts.append(
            f"<tr><td><code>{e(row['transaction_id'])}</code></td><td>{e(kind)}</td>"
            f"<td>{e(row['advertiser_campaign_id_from_network'])}</td>"
            f"<td>{e(row['calling_phone_number'])}</td><td>{e(str(row['duration']))} s</td>"
            f"<td>{_correct_form(row)}</td></tr>"
        )
    if not rows:
        parts.append("<tr><td>No calls yet.</td></tr>")
    parts.append("</table><h3>Webhook deliveries</h3><ul>")
    parts += [
        f"<li>{e(d['at'])} {e(d['transaction_id'])} to {e(d['url'])}: {e(str(d['status']))}</li>"
        for d in reversed(recent)
    ] or ["<li>nothing yet</li>"]
    parts.append("</ul><h3>Signals</h3><ul>")
    parts += [
        f"<li>{e(s['name'])} #{e(s['partner_unique_id'])} on {e(s['call_transaction_id'])}: "
        f"revenue {e(str(s['revenue']))}, value {e(s['value'])}</li>"
        for s in state.signal_list()
    ] or ["<li>none yet</li>"]
    parts.append("</ul></section>")
    return "".join(parts)
