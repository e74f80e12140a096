"""Invoca's shapes: an advertiser campaign's terms [004] as strict pydantic models, their errors in
Invoca's nested shape, and the JSON bodies of our `/v1/invoca/` API.

`check_terms(data)` is the one check a campaign's terms pass before anything is sent to
Invoca (the HTML form and the JSON API both use it, through `invoca.forms`). Its errors follow
Invoca's 403 bodies: `{field: [messages]}` at the top, nested objects as nested dicts and list
items keyed by index inside a list, as Invoca keys IVR tree errors by child index:
`{"named_regions": [{"0": {"name": ["can't be blank"]}}]}`, `{"budget_activities":
{"budget_cap_alert": {"reset_period": ["can't be blank"]}}}`.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from campaignhub.cleaning import decimal_text, id_or_none
from campaignhub.schemas import ExactNumbers, Flag, Integer, JsonBody, Text
from invoca import conditions
from invoca.timezones import BUDGET_CAP_ZONES, CALL_CAP_ZONES, RAILS_ZONES

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
CURRENCIES = ("USD", "GBP", "EUR")
POLICY_TYPES = ("Base", "Bonus")
REGION_TYPES = ("Zone", "City", "State", "Country")
RESET_PERIODS = ("Daily", "Weekly", "Monthly", "Quarterly", "Ongoing")
AUDIENCES = ("All", "None", "Approved_Affiliates")
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
SECONDS_PER_DAY = 86400
CENT = Decimal("0.01")
# Properties that live in the terms (current_terms / future_terms), in the reference's order.
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
AFFILIATE_ONLY = "are only applicable for AffiliateEnabled campaigns"
BLANK = "can't be blank"
NOT_INCLUDED = "is not included in the list"
PARTNER_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_ .-]{0,63}$")

# Invoca's words for pydantic's error types (its 403 bodies say "can't be blank" and so on).
MESSAGES = {
    "missing": BLANK,
    "literal_error": NOT_INCLUDED,
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "bool_type": "must be true or false",
    "model_type": "must be an object",
    "dict_type": "must be an object",
    "list_type": "must be a list",
    "extra_forbidden": "is not a valid attribute",
    "string_too_short": BLANK,
    "string_too_long": "is too long",
    "greater_than_equal": "must be greater than or equal to {ge}",
    "less_than_equal": "must be less than or equal to {le}",
    "too_long": "has too many items",
}


def _amount(value):
    """A money or count amount as a JSON number (int, float, or the Decimal our API reads) or a
    numeric string written in ASCII ("3", not "٣"), with at most 2 decimal places (what is
    sent to Invoca, as money is everywhere here): a more precise one is refused, never
    rounded, and so is a minus sign, even on zero ("-0", which would be sent as -0.0)."""
    if isinstance(value, bool):
        raise PydanticCustomError("amount", "must be a number")
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int | float):
        number = Decimal(str(value))
    elif isinstance(value, str) and decimal_text(value) is not None:
        # ASCII only (`decimal_text`): Decimal() alone reads "٣" as 3 and "1_000" as 1000.
        try:
            number = Decimal(decimal_text(value))
        except InvalidOperation:
            raise PydanticCustomError("amount", "must be a number") from None
    else:
        raise PydanticCustomError("amount", "must be a number")
    if not number.is_finite():
        raise PydanticCustomError("amount", "must be a number")
    if number.is_signed():
        raise PydanticCustomError("amount", "must be greater than or equal to 0")
    if number > Decimal("99999999.99"):
        raise PydanticCustomError("amount", "is too large")
    if number != number.quantize(CENT):
        raise PydanticCustomError("amount", "must have at most 2 decimal places")
    return float(number.quantize(CENT))


def _whole(value):
    amount = _amount(value)
    if amount != int(amount):
        raise PydanticCustomError("amount", "must be a whole number")
    return int(amount)


def _seconds_past_midnight(value):
    """Invoca documents hours as strings of seconds past midnight; a number is taken too."""
    if isinstance(value, str) and id_or_none(value) is not None:
        value = id_or_none(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("seconds", "must be seconds past midnight (0 to 86400)")
    if not 0 <= value <= SECONDS_PER_DAY:
        raise PydanticCustomError("seconds", "must be seconds past midnight (0 to 86400)")
    return value


def _closed(value):
    """`true`, `false` or null [004], as JSON booleans or those words."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise PydanticCustomError("closed", "must be true, false or null")


def _date(value):
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()[:10]).isoformat()
        except ValueError:
            pass
    raise PydanticCustomError("date", "must be a date (YYYY-MM-DD)")


Amount = Annotated[float, BeforeValidator(_amount)]
WholeAmount = Annotated[int, BeforeValidator(_whole)]
Seconds = Annotated[int | None, BeforeValidator(_seconds_past_midnight)]
Closed = Annotated[bool | None, BeforeValidator(_closed)]
DateText = Annotated[str, BeforeValidator(_date)]
Name = Annotated[StrictStr, Field(min_length=1, max_length=255)]


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")


class Hours(Strict):
    """`<day>_open` / `<day>_close` in seconds past midnight, `<day>_closed` true/false/null."""

    monday_open: Seconds = None
    monday_close: Seconds = None
    monday_closed: Closed = None
    tuesday_open: Seconds = None
    tuesday_close: Seconds = None
    tuesday_closed: Closed = None
    wednesday_open: Seconds = None
    wednesday_close: Seconds = None
    wednesday_closed: Closed = None
    thursday_open: Seconds = None
    thursday_close: Seconds = None
    thursday_closed: Closed = None
    friday_open: Seconds = None
    friday_close: Seconds = None
    friday_closed: Closed = None
    saturday_open: Seconds = None
    saturday_close: Seconds = None
    saturday_closed: Closed = None
    sunday_open: Seconds = None
    sunday_close: Seconds = None
    sunday_closed: Closed = None

    @model_validator(mode="after")
    def open_day_has_both_edges(self):
        """Every day's problem at once, not the first day's only."""
        found = []
        for day in DAYS:
            if getattr(self, f"{day}_closed"):
                continue
            opens, closes = getattr(self, f"{day}_open"), getattr(self, f"{day}_close")
            if (opens is None) != (closes is None):
                found.append((f"{day}_close" if closes is None else f"{day}_open", BLANK))
            elif opens is not None and closes is not None and closes <= opens:
                found.append((f"{day}_close", f"must be after {day}_open"))
        if found:
            raise _field_errors(found)
        return self


class Region(Strict):
    region_type: Literal[REGION_TYPES]
    value: Annotated[StrictStr, Field(min_length=1, max_length=255)]


class NamedRegion(Strict):
    name: Name
    regions: Annotated[list[Region], Field(min_length=1, max_length=200)]


def _check_condition(value):
    if value in (None, ""):
        return value
    parsed = conditions.parse(value)
    if not parsed.valid:
        raise PydanticCustomError("condition", "{message}", {"message": parsed.message})
    return value


Condition = Annotated[StrictStr | None, BeforeValidator(_check_condition)]


class PayoutPolicy(Strict):
    """An affiliate payout policy: `amount` is a decimal [004]."""

    type: Literal[POLICY_TYPES]
    currency: Literal[CURRENCIES]
    amount: Amount
    condition: Condition = None


class PayinPolicy(PayoutPolicy):
    """An advertiser payin policy: the reference types `amount` as an integer."""

    amount: WholeAmount


class AffiliatePayout(Strict):
    policies: Annotated[list[PayoutPolicy], Field(max_length=50)]


class AdvertiserPayin(Strict):
    policies: Annotated[list[PayinPolicy], Field(max_length=50)]


class BudgetCapAlert(Strict):
    """Based on commissions: every field but `include_call_fees` required [004]."""

    reset_period: Literal[RESET_PERIODS]
    starts_at: DateText
    budget_currency: Literal[CURRENCIES]
    time_zone: Literal[BUDGET_CAP_ZONES]
    budget_amount: Amount
    include_call_fees: StrictBool = False


class PeriodicCallCapAlert(Strict):
    """Based on the number of calls in a period; its zones exclude London [004]."""

    reset_period: Literal[RESET_PERIODS]
    starts_at: DateText
    budget_currency: Literal[CURRENCIES]
    time_zone: Literal[CALL_CAP_ZONES]
    budget_amount: Amount


class ConcurrentCallCapAlert(Strict):
    """Based on the number of simultaneous calls."""

    budget_amount: Amount


class BudgetActivities(Strict):
    budget_cap_alert: BudgetCapAlert | None = None
    periodic_call_cap_alert: PeriodicCallCapAlert | None = None
    concurrent_call_cap_alert: ConcurrentCallCapAlert | None = None


class Terms(Strict):
    """An advertiser campaign's terms, every property of the reference table [004]."""

    campaign_type: Literal[CAMPAIGN_TYPES]
    description: Annotated[StrictStr, Field(max_length=5000)] = ""
    url: Annotated[StrictStr, Field(max_length=2000)] = ""
    timezone: StrictStr = "Pacific Time (US & Canada)"
    campaign_language: Literal[LANGUAGES] = "English"
    campaign_country: Literal[COUNTRIES] = "US"
    operating_24_7: StrictBool = True
    hours: Hours | None = None
    named_regions: Annotated[list[NamedRegion], Field(max_length=100)] = []
    affiliate_payout: AffiliatePayout | None = None
    advertiser_payin: AdvertiserPayin | None = None
    # Checked node by node by `invoca.ivr.validate_tree` (caller id included).
    ivr_tree: dict | None = None
    budget_activities: BudgetActivities | None = None
    auto_approve: Literal[AUDIENCES] = "None"
    visibility: Literal[AUDIENCES] = "All"
    default_creative_id_from_network: StrictInt | None = None

    @field_validator("timezone")
    @classmethod
    def rails_zone(cls, value):
        if value not in RAILS_ZONES:
            raise PydanticCustomError("literal_error", NOT_INCLUDED)
        return value

    @field_validator("url")
    @classmethod
    def click_url(cls, value):
        value = value.strip()
        if value and not re.match(r"^https?://\S+$", value):
            raise PydanticCustomError("url", "must be an http(s) URL")
        return value


def _field_errors(found):
    """A validation error to be reported at each `(field, message)` of the model raising it
    (read back by `_errors_of`)."""
    text = "\n".join(f"{field}|{message}" for field, message in found)
    return PydanticCustomError("field", "{fields}", {"fields": text})


class TermsInvalid(ValueError):
    """Terms Invoca would refuse: `errors` in Invoca's nested shape (module docstring)."""

    def __init__(self, errors: dict):
        super().__init__(first_message(errors))
        self.errors = errors


def first_message(errors, path="") -> str:
    """One sentence for the first error: `named_regions.0.name: can't be blank`."""
    if isinstance(errors, list):
        for item in errors:
            if isinstance(item, str):
                return f"{path}: {item}" if path else item
            found = first_message(item, path)
            if found:
                return found
        return ""
    if isinstance(errors, dict):
        for key, value in errors.items():
            found = first_message(value, f"{path}.{key}" if path else str(key))
            if found:
                return found
    return ""


def _put(tree: dict, loc: tuple, message: str) -> None:
    """Add `message` at `loc` in the nested Invoca shape (list items as `[{"<i>": {...}}]`)."""
    head, rest = str(loc[0]), loc[1:]
    if rest and isinstance(rest[0], int):
        items = tree.setdefault(head, [])
        if not isinstance(items, list):
            return
        key = str(rest[0])
        entry = next((item for item in items if isinstance(item, dict) and key in item), None)
        if entry is None:
            entry = {key: {}}
            items.append(entry)
        if len(rest) == 1:
            entry[key].setdefault("base", []).append(message)
        else:
            _put(entry[key], rest[1:], message)
        return
    if not rest:
        current = tree.setdefault(head, [])
        if isinstance(current, list):
            current.append(message)
        else:
            current.setdefault("base", []).append(message)
        return
    node = tree.setdefault(head, {})
    if isinstance(node, list):
        node = tree[head] = {"base": node}
    _put(node, rest, message)


def _errors_of(exc: ValidationError) -> dict:
    errors: dict = {}
    for item in exc.errors():
        loc = tuple(part for part in item["loc"] if not _is_union_tag(part))
        kind = item["type"]
        if kind == "field":
            for line in item["msg"].split("\n"):
                field, _, message = line.partition("|")
                _put(errors, (*loc, field), message)
            continue
        if kind in MESSAGES:
            message = MESSAGES[kind].format(**(item.get("ctx") or {}))
        else:
            message = item["msg"]
        _put(errors, loc or ("base",), message)
    return errors


def _is_union_tag(part) -> bool:
    # pydantic names the chosen type of an `X | None` or a function-validated field in `loc`.
    return isinstance(part, str) and (
        part.startswith("function-") or part in ("nullable", "none_required")
    )


def _affiliate_only_errors(data: dict) -> dict:
    """`{section: [AFFILIATE_ONLY]}` for the budgets, payouts and payins given to a campaign
    whose (valid) type is not AffiliateEnabled [004]."""
    kind = data.get("campaign_type")
    if kind not in CAMPAIGN_TYPES or kind == "AffiliateEnabled":
        return {}
    errors = {}
    budgets = data.get("budget_activities")
    if isinstance(budgets, dict) and any(
        budgets.get(name) is not None for name in BudgetActivities.model_fields
    ):
        errors["budget_activities"] = [AFFILIATE_ONLY]
    for side in ("affiliate_payout", "advertiser_payin"):
        section = data.get(side)
        if isinstance(section, dict) and section.get("policies"):
            errors[side] = [AFFILIATE_ONLY]
    return errors


def check_terms(data: dict) -> dict:
    """Validate a campaign's terms (keys of TERMS_FIELDS) and return them normalised as Invoca
    takes them (amounts as numbers with 2 decimals, hours as integer seconds, masks trimmed,
    empty optional sections left out). Budgets, payouts and payins are refused unless the
    campaign is AffiliateEnabled [004]. Raises TermsInvalid with Invoca-shaped errors.

    The IVR tree (nodes and caller id) is not checked here: `invoca.ivr.validate_tree` does.
    """
    if not isinstance(data, dict):
        raise TermsInvalid({"base": ["must be an object"]})
    try:
        terms = Terms.model_validate(data)
    except ValidationError as exc:
        terms, errors = None, _errors_of(exc)
    else:
        errors = {}
    # Checked on the data as given, so it is said with the other errors, not after them; it
    # replaces the section's own errors (a section the campaign may not have at all).
    errors.update(_affiliate_only_errors(data))
    if errors:
        raise TermsInvalid(errors)
    cleaned = terms.model_dump(mode="json", exclude_none=True)
    for side in ("affiliate_payout", "advertiser_payin"):
        if side in cleaned and not cleaned[side]["policies"]:
            del cleaned[side]
    budgets = cleaned.get("budget_activities")
    if budgets is not None and not budgets:
        del cleaned["budget_activities"]
    if cleaned.get("hours") == {}:
        del cleaned["hours"]
    for policy_side in ("affiliate_payout", "advertiser_payin"):
        for policy in cleaned.get(policy_side, {}).get("policies", []):
            policy.setdefault("condition", "")
    return cleaned


# Bodies of our JSON API (`/v1/invoca/…`): JSON types only; `invoca.forms` checks values.

AmountsObject = Annotated[dict, ExactNumbers()]


class ConnectionBody(JsonBody):
    """`POST /v1/invoca/connection`."""

    network_id: Text | Integer = None
    api_token: Text = None
    api_version: Text = None
    base_url: Text = None


class CampaignBody(JsonBody):
    """`PUT /v1/invoca/advertisers/<adv>/campaigns/<id>`: the campaign's properties as Invoca
    names them [004]; given properties replace the staged ones, the rest stay."""

    name: Text = None
    campaign_type: Text = None
    description: Text | None = None
    url: Text | None = None
    timezone: Text = None
    campaign_language: Text = None
    campaign_country: Text = None
    operating_24_7: Flag = None
    hours: dict | None = None
    named_regions: list | None = None
    # Amounts, read as written by `check_terms` (`_amount`): never a float that rounded them.
    affiliate_payout: AmountsObject | None = None
    advertiser_payin: AmountsObject | None = None
    ivr_tree: dict | None = None
    budget_activities: AmountsObject | None = None
    auto_approve: Text = None
    visibility: Text = None
    default_creative_id_from_network: Integer | None = None
    custom_data: dict | None = None


class NewCampaignBody(CampaignBody):
    """`POST /v1/invoca/advertisers/<adv>/campaigns`: a new campaign under the network's id
    for it (`id_from_network`)."""

    id_from_network: Text | Integer = None


class GoLiveBody(JsonBody):
    """`POST …/go_live`: seconds Invoca waits for the campaign to go live, 2 to 60."""

    timeout: Integer = None
