"""Terms [004] as people read them: one row per property with the current and the future value
in words, so the campaign page can show them side by side and mark what go live changes."""

from dataclasses import dataclass
from datetime import date

from django.utils import dateformat

from campaignhub.phones import DEFAULT_REGION
from campaignhub.templatetags.display import DATE_FORMAT, money_text
from invoca import ivr
from invoca.forms import AUDIENCE_LABELS, CALLER_ID_LABELS, COUNTRY_NAMES, seconds_to_time
from invoca.schemas import DAYS

NOT_SET = "—"


@dataclass
class Row:
    """One property: `current` and `future` as lines of `(depth, text)`; `changed` when the
    future value differs from the current one."""

    key: str
    label: str
    current: list[tuple[int, str]]
    future: list[tuple[int, str]]

    @property
    def changed(self) -> bool:
        return self.current != self.future


# The symbols of Invoca's currencies (`schemas.CURRENCIES`), written before the amount.
def _calendar_day(value) -> str:
    """`"2025-01-01"` -> "1 Jan 2025", as pages write a day; other text as it is."""
    try:
        return dateformat.format(date.fromisoformat(str(value)), DATE_FORMAT)
    except ValueError:
        return str(value)


def _clock(seconds) -> str:
    moment = seconds_to_time(seconds)
    return moment.strftime("%H:%M") if moment else "?"


def _lines(*texts) -> list[tuple[int, str]]:
    found = [(0, str(text)) for text in texts if text not in (None, "")]
    return found or [(0, NOT_SET)]


def _plain(terms, key, labels=None):
    value = terms.get(key)
    if value is None or value == "":
        return _lines()
    if isinstance(value, bool):
        return _lines("Yes" if value else "No")
    return _lines((labels or {}).get(value, value))


def _day(terms, day):
    hours = terms.get("hours") if isinstance(terms.get("hours"), dict) else {}
    if hours.get(f"{day}_closed") in (True, "true"):
        return _lines("Closed")
    opens, closes = hours.get(f"{day}_open"), hours.get(f"{day}_close")
    if opens is None and closes is None:
        return _lines()
    return _lines(f"{_clock(opens)} to {_clock(closes)}")


def _regions(terms):
    lines = []
    for named in terms.get("named_regions") or []:
        if not isinstance(named, dict):
            continue
        regions = ", ".join(
            f"{r.get('region_type')} {r.get('value')}"
            for r in named.get("regions") or []
            if isinstance(r, dict)
        )
        lines.append(f"{named.get('name')}: {regions}")
    return _lines(*lines)


def _policies(terms, side):
    section = terms.get(side) if isinstance(terms.get(side), dict) else {}
    lines = []
    for policy in section.get("policies") or []:
        if not isinstance(policy, dict):
            continue
        when = f" when {policy['condition']}" if policy.get("condition") else ""
        lines.append(
            f"{policy.get('type')} {money_text(policy.get('amount'), policy.get('currency') or '')}"
            f"{when}"
        )
    return _lines(*lines)


def _budget(terms, kind):
    budgets = terms.get("budget_activities")
    budget = budgets.get(kind) if isinstance(budgets, dict) else None
    if not isinstance(budget, dict):
        return _lines()
    amount = budget.get("budget_amount")
    if kind == "concurrent_call_cap_alert":
        return _lines(f"{amount} simultaneous calls")
    what = (
        money_text(amount, budget.get("budget_currency") or "")
        if kind == "budget_cap_alert"
        else f"{amount} calls"
    )
    text = (
        f"{what}, {budget.get('reset_period')} from {_calendar_day(budget.get('starts_at'))} "
        f"({budget.get('time_zone')})"
    )
    if kind == "budget_cap_alert" and budget.get("include_call_fees"):
        text += ", call fees included"
    return _lines(text)


def _caller_id(terms):
    tree = terms.get("ivr_tree") if isinstance(terms.get("ivr_tree"), dict) else {}
    caller_id = tree.get("caller_id") if isinstance(tree.get("caller_id"), dict) else None
    if caller_id is None:
        return _lines(_caller_id_label("original") if tree else None)
    label = _caller_id_label(str(caller_id.get("setting") or "original"))
    mask = caller_id.get("mask")
    return _lines(f"{label}: {mask}" if mask else label)


def _caller_id_label(setting: str) -> str:
    """`partial` as "Partial — the caller's number with digits replaced"."""
    return CALLER_ID_LABELS.get(setting, setting).removesuffix(" (default)")


def _record_calls(terms):
    tree = terms.get("ivr_tree") if isinstance(terms.get("ivr_tree"), dict) else {}
    if "record_calls" not in tree:
        return _lines()
    return _lines("Yes" if tree.get("record_calls") else "No")


def _tree(terms, region):
    return ivr.call_flow(terms.get("ivr_tree"), region) or _lines()


def rows_for(current: dict, future: dict, region: str = DEFAULT_REGION) -> list[Row]:
    """Rows for every property of the terms, in the reference's order; the IVR call flow's
    phone numbers in the format of `region` (the account's country, ISO 3166)."""
    current = current if isinstance(current, dict) else {}
    future = future if isinstance(future, dict) else {}
    spec = [
        ("campaign_type", "Campaign type", lambda t: _plain(t, "campaign_type")),
        ("description", "Description", lambda t: _plain(t, "description")),
        ("url", "Click URL", lambda t: _plain(t, "url")),
        ("timezone", "Time zone", lambda t: _plain(t, "timezone")),
        ("campaign_language", "Language", lambda t: _plain(t, "campaign_language")),
        ("campaign_country", "Country", lambda t: _plain(t, "campaign_country", COUNTRY_NAMES)),
        ("operating_24_7", "Open 24/7", lambda t: _plain(t, "operating_24_7")),
        *((f"hours_{day}", day.capitalize(), lambda t, day=day: _day(t, day)) for day in DAYS),
        ("named_regions", "Named regions", _regions),
        ("affiliate_payout", "Affiliate payout", lambda t: _policies(t, "affiliate_payout")),
        ("advertiser_payin", "Advertiser payin", lambda t: _policies(t, "advertiser_payin")),
        ("budget_cap_alert", "Budget cap", lambda t: _budget(t, "budget_cap_alert")),
        (
            "periodic_call_cap_alert",
            "Periodic call cap",
            lambda t: _budget(t, "periodic_call_cap_alert"),
        ),
        (
            "concurrent_call_cap_alert",
            "Concurrent call cap",
            lambda t: _budget(t, "concurrent_call_cap_alert"),
        ),
        ("auto_approve", "Auto approve", lambda t: _plain(t, "auto_approve", AUDIENCE_LABELS)),
        ("visibility", "Visibility", lambda t: _plain(t, "visibility", AUDIENCE_LABELS)),
        (
            "default_creative_id_from_network",
            "Default creative",
            lambda t: _plain(t, "default_creative_id_from_network"),
        ),
        ("caller_id", "Caller id", _caller_id),
        ("record_calls", "Record calls", _record_calls),
        ("ivr_tree", "IVR call flow", lambda t: _tree(t, region)),
    ]
    return [Row(key, label, show(current), show(future)) for key, label, show in spec]


def compare(current: dict, future: dict, region: str = DEFAULT_REGION) -> list[Row]:
    """`rows_for(current, future, region)`; before anything is staged the future is the
    current."""
    return rows_for(current, future or current, region)
