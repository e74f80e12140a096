"""An Invoca Network API imitation: advertiser campaigns with current and future terms [004].

The API lives under `/invoca` (that path is the base URL, like `https://<network>.invoca.net`):
`/invoca/api/<version>/<network_id>/advertisers/<advertiser>/advertiser_campaigns[/<id>].json`.
A token (`Authorization: <token>`, `?oauth_token=` or a body `oauth_token`) belongs to one
network; anything else is a 401. Semantics kept (external-apis.md §2): POST creates, or updates
when the campaign exists, and PUT updates; both stage the change in `future_terms`; `go_live`
(`{"timeout": 2..60}`) copies `future_terms` into `current_terms` and makes the campaign Live;
`archive` only after the campaign has been live, `unarchive` leaves it Paused, an archived
campaign must be unarchived before going live; campaigns cannot be deleted (405). Invalid
arguments are 403 `{"errors": {field: [messages]}}`, an invalid IVR tree 403 `{"error":
{"ivr_tree": …}}` keyed by child index, a missing campaign 404 RecordNotFound. `quick_stats`
gives plausible figures for campaigns that have gone live, plus the calls recorded here.
"""

import html
import itertools
import re
import threading
from datetime import UTC, datetime, timedelta

from sandbox.web import json_response, redirect

BASE = "/invoca"
API_VERSIONS = ("2022-08-01", "2019-05-01", "2017-04-01")
CAMPAIGN_TYPES = ("AffiliateEnabled", "DirectOnly", "ExternalOnly")
LANGUAGES = ("English", "French", "Spanish")
COUNTRIES = (
    "US",
    "CA",
    "UK",
    "AU",
    "CN",
    "FI",
    "FR",
    "DE",
    "HK",
    "IT",
    "JP",
    "NL",
    "SG",
    "SE",
    "CH",
)
AUDIENCES = ("All", "None", "Approved_Affiliates")
CURRENCIES = ("USD", "GBP", "EUR")
POLICY_TYPES = ("Base", "Bonus")
REGION_TYPES = ("Zone", "City", "State", "Country")
RESET_PERIODS = ("Daily", "Weekly", "Monthly", "Quarterly", "Ongoing")
BUDGET_ZONES = {
    "budget_cap_alert": (
        "Pacific Time (US & Canada)",
        "Mountain Time (US & Canada)",
        "Central Time (US & Canada)",
        "Eastern Time (US & Canada)",
        "London",
        "UTC",
    ),
    "periodic_call_cap_alert": (
        "Pacific Time (US & Canada)",
        "Mountain Time (US & Canada)",
        "Central Time (US & Canada)",
        "Eastern Time (US & Canada)",
        "UTC",
    ),
}
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
TERMS_FIELDS = (
    "campaign_type",
    "description",
    "url",
    "timezone",
    "campaign_language",
    "campaign_country",
    "operating_24_7",
    "hours",
    "named_regions",
    "affiliate_payout",
    "advertiser_payin",
    "ivr_tree",
    "budget_activities",
    "auto_approve",
    "visibility",
    "default_creative_id_from_network",
)
TOP_FIELDS = ("id_from_network", "name", "custom_data", "oauth_token")
CAN_T_BE_BLANK = "can't be blank"
NOT_INCLUDED = "is not included in the list"
NO_DELETE = "You are not allowed to delete campaigns."

# IVR node rules [004]: required parameters and (min, max) regular children.
NODE_REQUIRED = {
    "Menu": ("prompt",),
    "Connect": ("destination_phone_number", "destination_country_code"),
    "EndCall": (),
    "SmsPromo": ("prompt", "sms_promo_copy"),
    "Condition": ("condition",),
    "NearestBranch": (),
    "VerifyLocation": (),
    "DynamicRoute": ("dynamic_route_destination",),
    "AnyKeyPress": ("prompt",),
    "NumberQuestion": ("prompt", "number_question_type"),
    "YesOrNo": ("prompt",),
}
NODE_CHILDREN = {
    "Menu": (1, 9),
    "Connect": (0, 0),
    "EndCall": (0, 0),
    "SmsPromo": (1, 1),
    "Condition": (2, 2),
    "NearestBranch": (1, 1),
    "VerifyLocation": (1, 1),
    "DynamicRoute": (1, 1),
    "AnyKeyPress": (2, 2),
    "NumberQuestion": (1, 1),
    "YesOrNo": (2, 2),
}
WITH_FAILOVERS = ("Menu", "NumberQuestion", "YesOrNo")
FAILOVER_TYPES = ("Wrong", "None")
NUMBER_QUESTION_TYPES = ("Digits", "Number", "PhoneNumber", "Date", "Currency", "Time", "ZipCode")
SMS_PROMO_DELAYS = (1, 1800, 86400, 604800, 2592000)
CALLER_ID_SETTINGS = ("original", "promo", "specific", "partial")
DIGITS = re.compile(r"^[0-9]{4,15}$")
COUNTRY_CODE = re.compile(r"^[0-9]{1,3}$")


def now():
    return datetime.now(UTC)


def stamp(moment):
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


class Refused(Exception):
    """A request Invoca refuses: `status` and the body it answers with."""

    def __init__(self, status, body):
        super().__init__(str(body))
        self.status = status
        self.body = body

    def response(self):
        return json_response(self.body, self.status)


def invalid(errors):
    """403 with `{"errors": {field: [messages]}}` (invalid arguments)."""
    return Refused(403, {"errors": errors})


def not_found(what):
    return Refused(404, {"errors": {"class": "RecordNotFound", "invalid_data": what}})


class Invoca:
    """All sandbox Invoca state behind one lock.

    `tokens` maps each accepted token to its network id. `campaigns` maps `(network,
    advertiser, id_from_network)` to the campaign record (keys starting with `_` are private).
    `calls` maps the same key to `[(datetime, duration seconds)]` recorded for quick stats.
    """

    def __init__(self, tokens):
        self.tokens = dict(tokens)
        self.lock = threading.RLock()
        self.campaigns = {}
        self.calls = {}
        self.ids = itertools.count(31001)

    # HTTP plumbing

    def authorise(self, request):
        """The network id of the request's token, or None. The token comes as the header
        `Authorization: <token>`, `?oauth_token=`, or the JSON body's `oauth_token`."""
        token = request.headers.get("Authorization", "").strip()
        if not token:
            token = request.query.get("oauth_token", "")
        if not token and request.method in ("POST", "PUT"):
            body = request.json()
            if isinstance(body, dict) and isinstance(body.get("oauth_token"), str):
                token = body["oauth_token"]
        return self.tokens.get(token)

    @staticmethod
    def unauthorised():
        return json_response(
            {"errors": {"class": "Unauthorized", "invalid_data": "Invalid OAuth token"}}, 401
        )

    # Campaigns

    def campaign(self, network, advertiser, campaign_id):
        found = self.campaigns.get((network, advertiser, campaign_id))
        if found is None:
            raise not_found(f"Could not find AdvertiserCampaign {campaign_id}")
        return found

    @staticmethod
    def public(campaign):
        """The campaign as Invoca shows it."""
        return {
            key: value
            for key, value in campaign.items()
            if not key.startswith("_") and key not in ("current_terms", "future_terms")
        } | {
            "current_terms": _copy(campaign["current_terms"]),
            "future_terms": _copy(campaign["future_terms"]),
        }

    def save(self, network, advertiser, body, campaign_id=None, *, host="127.0.0.1"):
        """Create or update from a request body; the terms go to `future_terms`. Returns
        (campaign, created). Raises Refused (403) on invalid arguments. A new campaign's
        `object_url` is its row on this sandbox's page, at `host` (the request's Host)."""
        if not isinstance(body, dict):
            raise invalid({"base": ["request body must be a JSON object"]})
        body = {k: v for k, v in body.items() if k != "oauth_token"}
        unknown = sorted(set(body) - set(TOP_FIELDS) - set(TERMS_FIELDS))
        if unknown:
            raise invalid({field: ["is not a valid attribute"] for field in unknown})
        if campaign_id is None:
            campaign_id = body.get("id_from_network")
            if not isinstance(campaign_id, str | int) or not str(campaign_id).strip():
                raise invalid({"id_from_network": [CAN_T_BE_BLANK]})
            campaign_id = str(campaign_id).strip()
        elif body.get("id_from_network") not in (None, campaign_id):
            raise invalid({"id_from_network": ["does not match the campaign in the path"]})
        key = (network, advertiser, campaign_id)
        existing = self.campaigns.get(key)
        base = (existing or {}).get("future_terms") or (existing or {}).get("current_terms") or {}
        terms = _copy(base) | {k: _copy(v) for k, v in body.items() if k in TERMS_FIELDS}
        name = body.get("name", (existing or {}).get("name"))
        errors = {}
        if not isinstance(name, str) or not name.strip():
            errors["name"] = [CAN_T_BE_BLANK]
        custom_data = body.get("custom_data", (existing or {}).get("custom_data") or {})
        if not isinstance(custom_data, dict) or not all(
            isinstance(v, str | int | float) for v in custom_data.values()
        ):
            errors["custom_data"] = ["must map partner names to values"]
        errors.update(terms_errors(terms))
        if errors:
            raise invalid(errors)
        tree_error = ivr_tree_errors(terms.get("ivr_tree"))
        if tree_error:
            raise Refused(403, {"error": {"ivr_tree": tree_error}})
        moment = stamp(now())
        if existing is None:
            invoca_id = next(self.ids)
            existing = {
                "id": invoca_id,
                "id_from_network": campaign_id,
                "name": name.strip(),
                "status": "Entry",
                "object_url": f"http://{host}/#{_row_id(invoca_id)}",
                "current_terms": None,
                "future_terms": {},
                "custom_data": {},
                "created_at": moment,
                "_went_live_at": None,
            }
            self.campaigns[key] = existing
            created = True
        else:
            created = False
        existing["name"] = name.strip()
        existing["custom_data"] = {str(k): str(v) for k, v in custom_data.items()}
        existing["future_terms"] = terms | {"updated_at": moment}
        existing["updated_at"] = moment
        return existing, created

    @staticmethod
    def go_live(campaign, body):
        """Promote `future_terms` to `current_terms`, status Live; `timeout` 2..60 seconds."""
        body = body if isinstance(body, dict) else {}
        timeout = body.get("timeout", 10)
        if isinstance(timeout, bool) or not isinstance(timeout, int) or not 2 <= timeout <= 60:
            raise invalid({"timeout": ["must be an integer between 2 and 60"]})
        if campaign["status"] == "Archived":
            raise invalid({"status": ["an archived campaign must be unarchived before go_live"]})
        moment = now()
        campaign["current_terms"] = _copy(campaign["future_terms"]) | {
            "go_live_date": stamp(moment)
        }
        campaign["future_terms"] = _copy(campaign["current_terms"])
        campaign["status"] = "Live"
        campaign["_went_live_at"] = campaign["_went_live_at"] or moment
        campaign["updated_at"] = stamp(moment)
        return campaign

    @staticmethod
    def archive(campaign):
        if campaign["_went_live_at"] is None:
            raise invalid({"status": ["a campaign can only be archived after it has been live"]})
        if campaign["status"] == "Archived":
            raise invalid({"status": ["is already archived"]})
        campaign["status"] = "Archived"
        campaign["updated_at"] = stamp(now())

    @staticmethod
    def unarchive(campaign):
        if campaign["status"] != "Archived":
            raise invalid({"status": ["only an archived campaign can be unarchived"]})
        campaign["status"] = "Paused"
        campaign["updated_at"] = stamp(now())

    def record_call(self, network, advertiser, campaign_id, duration, at=None):
        """Count a call of `duration` seconds in the campaign's quick stats."""
        with self.lock:
            self.calls.setdefault((network, advertiser, campaign_id), []).append(
                (at or now(), int(duration))
            )

    def quick_stats(self, key):
        """The calls recorded for the campaign (simulated here, or `record_call`) in each
        period: today (since midnight UTC), the last 7 and 30 days; zero when none were."""
        self.campaigns[key]  # an unknown campaign is a KeyError, as before
        stats = {}
        moment = now()
        recorded = self.calls.get(key, [])
        for period, days in (("today", 1), ("last_7days", 7), ("last_30days", 30)):
            since = (
                moment - timedelta(days=days)
                if days > 1
                else moment.replace(hour=0, minute=0, second=0, microsecond=0)
            )
            durations = [duration for at, duration in recorded if at >= since]
            stats[period] = {
                "call_avg_total_duration": (
                    round(sum(durations) / len(durations), 1) if durations else 0.0
                ),
                "call_count": len(durations),
            }
        return {"stats": stats}


def _copy(value):
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _choice(errors, field, value, choices):
    if value is not None and value not in choices:
        errors[field] = [NOT_INCLUDED]


def _money(value):
    if isinstance(value, bool):
        return False
    try:
        return float(value) >= 0
    except (TypeError, ValueError):
        return False


def terms_errors(terms):
    """Invoca's field errors for a terms object (`{"field.path": [messages]}`), {} when fine."""
    errors = {}
    campaign_type = terms.get("campaign_type")
    if campaign_type is None:
        errors["campaign_type"] = [CAN_T_BE_BLANK]
    _choice(errors, "campaign_type", campaign_type, CAMPAIGN_TYPES)
    _choice(errors, "campaign_language", terms.get("campaign_language"), LANGUAGES)
    _choice(errors, "campaign_country", terms.get("campaign_country"), COUNTRIES)
    _choice(errors, "auto_approve", terms.get("auto_approve"), AUDIENCES)
    _choice(errors, "visibility", terms.get("visibility"), AUDIENCES)
    if terms.get("timezone") is not None and not (
        isinstance(terms["timezone"], str) and terms["timezone"].strip()
    ):
        errors["timezone"] = [NOT_INCLUDED]
    if terms.get("operating_24_7") is not None and not isinstance(terms["operating_24_7"], bool):
        errors["operating_24_7"] = ["must be true or false"]
    hours = terms.get("hours")
    if hours is not None:
        if not isinstance(hours, dict):
            errors["hours"] = ["must be an object"]
        else:
            for day in DAYS:
                for edge in ("open", "close"):
                    value = hours.get(f"{day}_{edge}")
                    if value is None:
                        continue
                    try:
                        seconds = int(value)
                    except (TypeError, ValueError):
                        seconds = -1
                    if isinstance(value, bool) or not 0 <= seconds <= 86400:
                        errors[f"hours.{day}_{edge}"] = ["must be seconds past midnight"]
                closed = hours.get(f"{day}_closed")
                if closed not in (None, True, False, "true", "false"):
                    errors[f"hours.{day}_closed"] = ["must be true, false or null"]
    regions = terms.get("named_regions")
    if regions is not None:
        if not isinstance(regions, list):
            errors["named_regions"] = ["must be a list"]
        else:
            for i, named in enumerate(regions):
                if not isinstance(named, dict) or not str(named.get("name") or "").strip():
                    errors[f"named_regions.{i}.name"] = [CAN_T_BE_BLANK]
                    continue
                for j, region in enumerate(named.get("regions") or []):
                    if not isinstance(region, dict):
                        errors[f"named_regions.{i}.regions.{j}"] = ["must be an object"]
                        continue
                    _choice(
                        errors,
                        f"named_regions.{i}.regions.{j}.region_type",
                        region.get("region_type"),
                        REGION_TYPES,
                    )
                    if not str(region.get("value") or "").strip():
                        errors[f"named_regions.{i}.regions.{j}.value"] = [CAN_T_BE_BLANK]
    for side in ("affiliate_payout", "advertiser_payin"):
        section = terms.get(side)
        if section is None:
            continue
        policies = section.get("policies") if isinstance(section, dict) else None
        if not isinstance(policies, list):
            errors[f"{side}.policies"] = ["must be a list"]
            continue
        for i, policy in enumerate(policies):
            where = f"{side}.policies.{i}"
            if not isinstance(policy, dict):
                errors[where] = ["must be an object"]
                continue
            _choice(errors, f"{where}.type", policy.get("type"), POLICY_TYPES)
            _choice(errors, f"{where}.currency", policy.get("currency"), CURRENCIES)
            if not _money(policy.get("amount")):
                errors[f"{where}.amount"] = ["must be a number, 0 or more"]
    if campaign_type not in (None, "AffiliateEnabled") and (
        terms.get("affiliate_payout") or terms.get("advertiser_payin")
    ):
        errors["affiliate_payout"] = ["is only applicable for AffiliateEnabled campaigns"]
    budgets = terms.get("budget_activities")
    if budgets:
        if campaign_type != "AffiliateEnabled":
            errors["budget_activities"] = ["are only applicable for AffiliateEnabled campaigns"]
        elif not isinstance(budgets, dict):
            errors["budget_activities"] = ["must be an object"]
        else:
            errors.update(_budget_errors(budgets))
    return errors


def _budget_errors(budgets):
    errors = {}
    for kind, budget in budgets.items():
        where = f"budget_activities.{kind}"
        if kind not in ("budget_cap_alert", "periodic_call_cap_alert", "concurrent_call_cap_alert"):
            errors[where] = ["is not a valid budget activity"]
            continue
        if not isinstance(budget, dict):
            errors[where] = ["must be an object"]
            continue
        if not _money(budget.get("budget_amount")):
            errors[f"{where}.budget_amount"] = [CAN_T_BE_BLANK]
        if kind == "concurrent_call_cap_alert":
            continue
        for field in ("reset_period", "starts_at", "budget_currency", "time_zone"):
            if budget.get(field) in (None, ""):
                errors[f"{where}.{field}"] = [CAN_T_BE_BLANK]
        _choice(errors, f"{where}.reset_period", budget.get("reset_period") or None, RESET_PERIODS)
        _choice(
            errors, f"{where}.budget_currency", budget.get("budget_currency") or None, CURRENCIES
        )
        _choice(errors, f"{where}.time_zone", budget.get("time_zone") or None, BUDGET_ZONES[kind])
        starts_at = budget.get("starts_at")
        if starts_at and not (
            isinstance(starts_at, str) and re.match(r"^\d{4}-\d{2}-\d{2}", starts_at)
        ):
            errors[f"{where}.starts_at"] = ["must be a date (YYYY-MM-DD)"]
    return errors


def ivr_tree_errors(tree):
    """Invoca's nested error for an `ivr_tree` (`{"root": node, "caller_id": …}`), or None."""
    if tree is None:
        return None
    if not isinstance(tree, dict) or not isinstance(tree.get("root"), dict):
        return {"root": ["can't be blank"]}
    errors = _node_errors(tree["root"])
    caller_id = tree.get("caller_id")
    if caller_id is not None:
        setting = caller_id.get("setting") if isinstance(caller_id, dict) else None
        if setting not in CALLER_ID_SETTINGS:
            errors["caller_id"] = {"setting": [NOT_INCLUDED]}
        elif setting in ("specific", "partial") and not str(caller_id.get("mask") or "").strip():
            errors["caller_id"] = {"mask": [CAN_T_BE_BLANK]}
    return errors or None


def _node_errors(node):
    errors = {}
    node_type = node.get("node_type")
    if node_type not in NODE_REQUIRED:
        return {"node_type": [NOT_INCLUDED]}
    for field in NODE_REQUIRED[node_type]:
        value = node.get(field)
        if value is None or (isinstance(value, str) and not value.strip()):
            errors[field] = ["cannot be empty"]
    if node_type == "Connect":
        number = str(node.get("destination_phone_number") or "")
        if number and not DIGITS.match(number):
            errors["destination_phone_number"] = ["is not a valid phone number"]
        code = str(node.get("destination_country_code") or "")
        if code and not COUNTRY_CODE.match(code):
            errors["destination_country_code"] = ["is not a valid country code"]
    if node_type == "NumberQuestion" and node.get("number_question_type") not in (
        None,
        *NUMBER_QUESTION_TYPES,
    ):
        errors["number_question_type"] = [NOT_INCLUDED]
    if node_type == "SmsPromo" and node.get("sms_promo_delay") not in (None, *SMS_PROMO_DELAYS):
        errors["sms_promo_delay"] = [NOT_INCLUDED]
    children = node.get("children") or []
    if not isinstance(children, list):
        return errors | {"children": ["must be a list"]}
    regular = [c for c in children if not (isinstance(c, dict) and c.get("keypress_failover_type"))]
    failovers = [c for c in children if isinstance(c, dict) and c.get("keypress_failover_type")]
    low, high = NODE_CHILDREN[node_type]
    if not low <= len(regular) <= high:
        errors["children"] = [
            f"must have {low} child nodes"
            if low == high
            else f"must have {low} to {high} child nodes"
        ]
    kinds = [c.get("keypress_failover_type") for c in failovers]
    if failovers and node_type not in WITH_FAILOVERS:
        errors["children"] = ["cannot have failover child nodes"]
    elif any(kind not in FAILOVER_TYPES for kind in kinds) or len(set(kinds)) != len(kinds):
        errors["children"] = ["failover child nodes must be one Wrong and one None at most"]
    elif children and failovers and children[-len(failovers) :] != failovers:
        errors["children"] = ["failover child nodes must come at the end"]
    nested = []
    for index, child in enumerate(children):
        child_errors = (
            _node_errors(child) if isinstance(child, dict) else {"node_type": [NOT_INCLUDED]}
        )
        if child_errors:
            nested.append({str(index): child_errors})
    if nested:
        if "children" in errors:
            nested.insert(0, {"base": errors["children"]})
        errors["children"] = nested
    return errors


def install(router, state: Invoca):
    """Register the advertiser campaign endpoints under /invoca and a control under
    /_sandbox/invoca."""
    campaigns = (
        rf"{BASE}/api/(?P<version>[0-9-]+)/(?P<network>[^/]+)"
        r"/advertisers/(?P<advertiser>[^/]+)/advertiser_campaigns"
    )
    one = campaigns + r"/(?P<campaign_id>[^/]+?)"

    def guarded(handler):
        def wrapper(request, version, network, advertiser, **kwargs):
            if state.authorise(request) != network:
                return state.unauthorised()
            if version not in API_VERSIONS:
                return json_response(
                    {"errors": {"class": "RecordNotFound", "invalid_data": "Unknown API version"}},
                    404,
                )
            body = None
            if request.method in ("POST", "PUT"):
                body = request.json()
                if body is None:
                    return json_response({"errors": {"base": ["malformed JSON"]}}, 400)
            with state.lock:
                try:
                    return handler(request, network, advertiser, body, **kwargs)
                except Refused as exc:
                    return exc.response()

        return wrapper

    @router.route("GET", campaigns + r"\.json")
    @guarded
    def list_campaigns(request, network, advertiser, body):
        mine = [
            state.public(c)
            for (net, adv, _), c in state.campaigns.items()
            if net == network and adv == advertiser
        ]
        return json_response(mine)

    @router.route("POST", campaigns + r"\.json")
    @guarded
    def create_campaign(request, network, advertiser, body):
        host = request.headers.get("Host") or "127.0.0.1"
        campaign, created = state.save(network, advertiser, body, host=host)
        return json_response(state.public(campaign), 201 if created else 200)

    @router.route("GET", one + r"\.json")
    @guarded
    def show_campaign(request, network, advertiser, body, campaign_id):
        return json_response(state.public(state.campaign(network, advertiser, campaign_id)))

    @router.route("PUT", one + r"\.json")
    @guarded
    def update_campaign(request, network, advertiser, body, campaign_id):
        campaign, created = state.save(network, advertiser, body, campaign_id)
        return json_response(state.public(campaign), 201 if created else 200)

    @router.route("DELETE", one + r"\.json")
    @guarded
    def delete_campaign(request, network, advertiser, body, campaign_id):
        return json_response(
            {"errors": {"class": "MethodNotAllowed", "invalid_data": NO_DELETE}}, 405
        )

    @router.route("POST", one + r"/go_live\.json")
    @guarded
    def go_live(request, network, advertiser, body, campaign_id):
        campaign = state.campaign(network, advertiser, campaign_id)
        return json_response(state.public(state.go_live(campaign, body)))

    @router.route("POST", one + r"/archive\.json")
    @guarded
    def archive(request, network, advertiser, body, campaign_id):
        state.archive(state.campaign(network, advertiser, campaign_id))
        return json_response({})

    @router.route("POST", one + r"/unarchive\.json")
    @guarded
    def unarchive(request, network, advertiser, body, campaign_id):
        state.unarchive(state.campaign(network, advertiser, campaign_id))
        return json_response({})

    @router.route("GET", one + r"/quick_stats\.json")
    @guarded
    def quick_stats(request, network, advertiser, body, campaign_id):
        state.campaign(network, advertiser, campaign_id)
        return json_response(state.quick_stats((network, advertiser, campaign_id)))

    @router.route("POST", r"/_sandbox/invoca/record-call")
    def control_record_call(request):
        as_form = request.content_type.startswith("application/x-www-form-urlencoded")
        data = request.form() if as_form else (request.json() or {})
        key = (
            str(data.get("network_id", "")),
            str(data.get("advertiser_id", "")),
            str(data.get("campaign_id", "")),
        )
        try:
            duration = int(data.get("duration", 120))
        except (TypeError, ValueError):
            return json_response({"error": "duration must be whole seconds"}, 400)
        if key not in state.campaigns:
            return json_response({"error": "No such campaign"}, 404)
        state.record_call(*key, max(duration, 0))
        return redirect("/#invoca") if as_form else json_response({"ok": True}, 201)


def _row_id(invoca_id):
    """The id of a campaign's row on the sandbox page (its `object_url` points there)."""
    return f"invoca-campaign-{invoca_id}"


def _staged(campaign):
    return campaign["future_terms"] != (campaign["current_terms"] or {})


def render_section(state: Invoca):
    """The sandbox page's Invoca part: tokens and campaigns with their state."""
    e = html.escape
    with state.lock:
        tokens = ", ".join(
            f"<code>{e(token)}</code> (network {e(network)})"
            for token, network in sorted(state.tokens.items())
        )
        rows = "".join(
            f"<tr id='{_row_id(c['id'])}'><td>{e(adv)}</td><td>{e(cid)}</td><td>{e(c['name'])}</td>"
            f"<td>{e(c['status'])}</td>"
            f"<td>{'staged changes' if _staged(c) else ''}</td>"
            "<td><form method='post' action='/_sandbox/invoca/record-call'>"
            f"<input type='hidden' name='network_id' value='{e(net)}'>"
            f"<input type='hidden' name='advertiser_id' value='{e(adv)}'>"
            f"<input type='hidden' name='campaign_id' value='{e(cid)}'>"
            "<input name='duration' value='120' aria-label='Duration in seconds'>"
            "<button>Count a call</button></form></td></tr>"
            for (net, adv, cid), c in state.campaigns.items()
        )
    table = (
        "<table><tr><th>Advertiser</th><th>Campaign</th><th>Name</th><th>Status</th><th></th>"
        f"<th></th></tr>{rows}</table>"
        if rows
        else "<p>No advertiser campaigns.</p>"
    )
    return (
        "<section id='invoca'><h2>Invoca</h2>"
        f"<p>API base <code>{BASE}</code>, header <code>Authorization: &lt;token&gt;</code>. "
        f"Tokens: {tokens}.</p>{table}</section>"
    )
