"""The Invoca Network API client. Every Invoca path and field name lives in this module.

Invoca answers JSON at `<base>/api/<version>/…` with the token in `Authorization: <token>` (no
"Bearer"), 403 `{"errors": {field: [messages]}}` for invalid arguments, 403 `{"error":
{"ivr_tree": …}}` for an invalid IVR tree, 404 `{"errors": {"class": "RecordNotFound",
"invalid_data": …}}` (external-apis.md §2.1, §2.3). Paths name the network's own ids
(`id_from_network`), never Invoca's.
"""

from urllib.parse import quote

from django.conf import settings

from campaignhub.cleaning import clean_text, decimal_text
from campaignhub.http import ApiError, BaseClient

__all__ = ["ApiError", "InvocaClient", "campaign_in", "field_errors", "quick_stats_in"]

NETWORK_API_VERSION = "2022-08-01"
TRANSACTIONS_API_VERSION = "2020-10-01"
SIGNAL_API_VERSION = "2018-02-01"
# Rows per Transactions API page: Invoca's default is 1000, its maximum 4000.
TRANSACTIONS_MAX_LIMIT = 4000
GO_LIVE_TIMEOUT_RANGE = (2, 60)
GO_LIVE_TIMEOUT_DEFAULT = 10
STATUSES = ("entry", "live", "paused", "archived")
# quick_stats periods as Invoca names them, shortest first.
STATS_PERIODS = ("today", "last_7days", "last_30days")


def _id(value) -> str:
    return quote(str(value), safe="")


class InvocaClient(BaseClient):
    """Invoca at `base_url` (default `INVOCA_API_BASE`) for network `network_id`, sending
    `token` as `Authorization: <token>`; Network API calls use `api_version`."""

    user_agent = "CampaignHub/1.0 (+invoca)"

    def __init__(
        self, token, *, network_id, base_url=None, api_version=NETWORK_API_VERSION, **kwargs
    ):
        super().__init__(base_url or settings.INVOCA_API_BASE, **kwargs)
        self.token = token
        self.network_id = str(network_id)
        self.api_version = api_version or NETWORK_API_VERSION

    def auth_headers(self):
        return {"Authorization": self.token}

    def error_message(self, response, payload) -> str:
        """Invoca's own words: the field errors joined ("name: can't be blank"), the IVR
        tree's first error, or RecordNotFound's `invalid_data`."""
        errors = field_errors(payload)
        if errors:
            return "; ".join(f"{field}: {_first_message(value)}" for field, value in errors.items())
        if isinstance(payload, dict) and isinstance(payload.get("errors"), dict):
            detail = payload["errors"].get("invalid_data")
            if detail:
                return clean_text(str(detail), 500)
        return super().error_message(response, payload)

    # Paths

    def campaigns_path(self, advertiser_id, campaign_id=None, action=None) -> str:
        """`api/<version>/<network_id>/advertisers/<adv>/advertiser_campaigns[/<id>[/<action>]].json`."""
        path = (
            f"api/{self.api_version}/{_id(self.network_id)}/advertisers/{_id(advertiser_id)}"
            "/advertiser_campaigns"
        )
        if campaign_id is not None:
            path += f"/{_id(campaign_id)}"
        if action:
            path += f"/{action}"
        return path + ".json"

    # Connection

    def check_access(self) -> None:
        """One cheap read that needs a valid token for this network: the Transactions API
        with `limit=1` (external-apis.md §2.5). Raises ApiError (401/403 for a bad token)."""
        self.get(
            f"api/{TRANSACTIONS_API_VERSION}/networks/transactions/{_id(self.network_id)}.json",
            limit=1,
        )

    # Call data (external-apis.md §2.5)

    def transactions(self, *, start_after_transaction_id="", limit=1000) -> list[dict]:
        """`GET api/2020-10-01/networks/transactions/<network_id>.json`: up to `limit` (1 to
        4000) transaction rows after the cursor `start_after_transaction_id` ("" = from the
        oldest), oldest first, as Invoca sent them. An empty list means the feed is read to
        the end. Raises ApiError (401 for a refused token; a body that is not a list of
        objects counts as an unreadable answer)."""
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise ValueError("limit must be a whole number of rows.")
        limit = max(1, min(limit, TRANSACTIONS_MAX_LIMIT))
        params = {"limit": limit}
        if start_after_transaction_id:
            params["start_after_transaction_id"] = start_after_transaction_id
        rows = self.get(
            f"api/{TRANSACTIONS_API_VERSION}/networks/transactions/{_id(self.network_id)}.json",
            **params,
        )
        if rows is None:
            return []
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            raise ApiError(
                "Invoca's transactions answer is not a list of transactions.",
                payload=str(rows)[:2000],
                permanent=False,
            )
        return rows

    def send_signal(self, *, transaction_id, signals: list[dict]) -> dict:
        """The Signal API, `PUT api/2018-02-01/transactions.json` with `{"search":
        {"transaction_id"}, "signals": [...]}`: each signal `{"name", "partner_unique_id",
        "occurred_at_time", "revenue", "value"}` (strings). Invoca applies it idempotently on
        (name, partner_unique_id) within the call, so sending the same signal again is safe,
        which is why PUT (retried on 5xx and timeouts) is used. Returns Invoca's answer
        (`{"signals": [...], "call": {...}}`). Raises ApiError: 403 InvalidInput, 404 when no
        call has that transaction id, 401 for a refused token."""
        answer = self.put(
            f"api/{SIGNAL_API_VERSION}/transactions.json",
            {"search": {"transaction_id": str(transaction_id)}, "signals": signals},
        )
        return answer if isinstance(answer, dict) else {}

    # Advertiser campaigns [004]

    def list_campaigns(self, advertiser_id) -> list[dict]:
        """`GET …/advertiser_campaigns.json`: the advertiser's campaigns, as `campaign_in`."""
        records = self.get(self.campaigns_path(advertiser_id)) or []
        if not isinstance(records, list):
            raise ApiError("Invoca's campaign list is not a list.", payload=records)
        return [campaign_in(record) for record in records if isinstance(record, dict)]

    def show_campaign(self, advertiser_id, campaign_id) -> dict:
        """`GET …/advertiser_campaigns/<id>.json`, as `campaign_in`; 404 RecordNotFound."""
        return campaign_in(self.get(self.campaigns_path(advertiser_id, campaign_id)))

    def find_campaign(self, advertiser_id, campaign_id) -> dict | None:
        """`GET …/advertiser_campaigns/<id>.json` as `campaign_in`, or None when Invoca answers
        404 (it has no campaign with this id for this advertiser). Other failures raise
        ApiError as `show_campaign` does."""
        try:
            return self.show_campaign(advertiser_id, campaign_id)
        except ApiError as exc:
            if exc.status == 404:
                return None
            raise

    def create_campaign(self, advertiser_id, campaign_id, body: dict) -> dict:
        """`POST …/advertiser_campaigns.json` with `id_from_network` and `body` (see
        `services.payload`); Invoca stages it in future_terms. Returns `campaign_in`. Invoca's
        POST creates or updates: a campaign that already has this id is changed, not refused
        (check with `find_campaign` first)."""
        answer = self.post(
            self.campaigns_path(advertiser_id), {"id_from_network": str(campaign_id), **body}
        )
        return campaign_in(answer)

    def update_campaign(self, advertiser_id, campaign_id, body: dict) -> dict:
        """`PUT …/advertiser_campaigns/<id>.json`; staged in future_terms. Returns
        `campaign_in`."""
        answer = self.put(self.campaigns_path(advertiser_id, campaign_id), body)
        return campaign_in(answer)

    def go_live(self, advertiser_id, campaign_id, *, timeout=GO_LIVE_TIMEOUT_DEFAULT) -> dict:
        """`POST …/<id>/go_live.json` `{"timeout": 2..60}` (seconds Invoca waits): future terms
        become current. Returns `campaign_in` of the answer (empty values when Invoca sent
        none)."""
        low, high = GO_LIVE_TIMEOUT_RANGE
        if isinstance(timeout, bool) or not isinstance(timeout, int) or not low <= timeout <= high:
            raise ValueError(f"timeout must be a whole number of seconds from {low} to {high}.")
        answer = self.post(
            self.campaigns_path(advertiser_id, campaign_id, "go_live"), {"timeout": timeout}
        )
        return campaign_in(answer if isinstance(answer, dict) else {})

    def archive(self, advertiser_id, campaign_id) -> None:
        """`POST …/<id>/archive.json` (answers `{}`); only a campaign that has been live."""
        self.post(self.campaigns_path(advertiser_id, campaign_id, "archive"))

    def unarchive(self, advertiser_id, campaign_id) -> None:
        """`POST …/<id>/unarchive.json` (answers `{}`); the campaign becomes paused."""
        self.post(self.campaigns_path(advertiser_id, campaign_id, "unarchive"))

    def quick_stats(self, advertiser_id, campaign_id) -> dict:
        """`GET …/<id>/quick_stats.json`, as `quick_stats_in`."""
        path = self.campaigns_path(advertiser_id, campaign_id, "quick_stats")
        return quick_stats_in(self.get(path))


def _first_message(value) -> str:
    """The first message inside an Invoca error value (a list, a string, or nested dicts and
    lists as the IVR tree's errors are)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        for item in value:
            found = _first_message(item)
            if found:
                return found
    if isinstance(value, dict):
        for key, item in value.items():
            found = _first_message(item)
            if found:
                return found if key in ("children",) or key.isdigit() else f"{key} {found}"
    return ""


def field_errors(payload) -> dict:
    """The field errors of an Invoca 403 body: `{"errors": {field: [messages]}}` as
    `{field: [messages]}`, the IVR tree's `{"error": {"ivr_tree": …}}` as `{"ivr_tree": …}`
    (its nested shape kept), else `{}` (e.g. RecordNotFound, which names no field)."""
    if not isinstance(payload, dict):
        return {}
    tree_error = payload.get("error")
    if isinstance(tree_error, dict) and tree_error:
        return {str(key): value for key, value in tree_error.items()}
    errors = payload.get("errors")
    if not isinstance(errors, dict) or "class" in errors:
        return {}
    found = {}
    for field, messages in errors.items():
        if isinstance(messages, list):
            found[str(field)] = [clean_text(str(m), 500) for m in messages if m is not None]
        elif isinstance(messages, dict):
            found[str(field)] = messages
        elif messages is not None:
            found[str(field)] = [clean_text(str(messages), 500)]
    return found


def _status(value) -> str:
    text = str(value or "").strip().lower()
    return text if text in STATUSES else ""


def campaign_in(record) -> dict:
    """An Invoca campaign record as `{invoca_id, id_from_network, name, status, object_url,
    current_terms, future_terms, custom_data}`: status lower-cased (`entry`, `live`, `paused`,
    `archived`, or "" for anything else), terms and custom data as dicts ({} when missing)."""
    record = record if isinstance(record, dict) else {}
    invoca_id = record.get("id")
    if isinstance(invoca_id, bool) or not isinstance(invoca_id, int):
        invoca_id = None
    custom_data = record.get("custom_data")
    return {
        "invoca_id": invoca_id,
        "id_from_network": clean_text(str(record.get("id_from_network") or ""), 64),
        "name": clean_text(str(record.get("name") or ""), 255),
        "status": _status(record.get("status")),
        "object_url": clean_text(str(record.get("object_url") or ""), 500),
        "current_terms": _dict(record.get("current_terms")),
        "future_terms": _dict(record.get("future_terms")),
        "custom_data": {
            str(k): "" if v is None else str(v)
            for k, v in (custom_data.items() if isinstance(custom_data, dict) else ())
        },
    }


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _number(value) -> float:
    """A stat as a float: a JSON number, or text written in ASCII (`decimal_text`; float()
    alone reads "٣" as 3); ValueError otherwise."""
    if isinstance(value, str) and decimal_text(value) is None:
        raise ValueError(value)
    return float(value)


def _count(value) -> int:
    try:
        number = int(_number(value))
    except (TypeError, ValueError, OverflowError):
        return 0
    return max(number, 0)


def _seconds(value) -> float:
    try:
        number = _number(value)
    except (TypeError, ValueError, OverflowError):
        return 0.0
    return round(number, 1) if number == number and number >= 0 else 0.0


def quick_stats_in(answer) -> dict:
    """`{"stats": {"today"|"last_7days"|"last_30days": {"call_count", "call_avg_total_duration"}}}`
    as `{period: {"call_count": int, "call_avg_total_duration": float seconds}}` for each of
    STATS_PERIODS; missing or unreadable values count as 0."""
    stats = _dict(_dict(answer).get("stats"))
    return {
        period: {
            "call_count": _count(_dict(stats.get(period)).get("call_count")),
            "call_avg_total_duration": _seconds(
                _dict(stats.get(period)).get("call_avg_total_duration")
            ),
        }
        for period in STATS_PERIODS
    }
