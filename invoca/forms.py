"""Input validation for Invoca's pages and JSON API alike: the connection, and an advertiser
campaign's properties (terms [004], name, custom data).

Both ways in end in `clean_campaign`, which checks the terms (`invoca.schemas.check_terms`) and
the IVR tree (`invoca.ivr.validate_tree`) before anything is sent to Invoca, and raises
`TermsInvalid` with Invoca-shaped errors.
"""

import json
import re
from dataclasses import dataclass
from datetime import time
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError

from campaignhub.cleaning import id_or_none
from campaignhub.fields import (
    DecimalTextField,
    DigitsDateField,
    DigitsIntegerField,
    DigitsTimeField,
    UpstreamAddressField,
    clean_name,
)
from invoca import conditions, ivr
from invoca.models import DEFAULT_API_VERSION
from invoca.schemas import (
    AUDIENCES,
    CAMPAIGN_TYPES,
    COUNTRIES,
    CURRENCIES,
    DAYS,
    LANGUAGES,
    PARTNER_NAME,
    POLICY_TYPES,
    REGION_TYPES,
    RESET_PERIODS,
    SECONDS_PER_DAY,
    TERMS_FIELDS,
    TermsInvalid,
    check_terms,
    first_message,
)
from invoca.timezones import BUDGET_CAP_ZONES, CALL_CAP_ZONES, RAILS_ZONES

CALLER_ID_SETTINGS = ivr.CALLER_ID_SETTINGS

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:~-]{0,63}$"
ID_MESSAGE = "Use letters, digits and . _ : ~ - (at most 64 characters)."
ADVERTISER_ID = re.compile(ID_PATTERN)
API_VERSION = re.compile(r"^\d{4}-\d{2}-\d{2}$")
MAX_CUSTOM_DATA = 50

COUNTRY_NAMES = {
    "US": "United States",
    "CA": "Canada",
    "UK": "United Kingdom",
    "AU": "Australia",
    "CN": "China",
    "FI": "Finland",
    "FR": "France",
    "DE": "Germany",
    "HK": "Hong Kong",
    "IT": "Italy",
    "JP": "Japan",
    "NL": "Netherlands",
    "SG": "Singapore",
    "SE": "Sweden",
    "CH": "Switzerland",
}
CAMPAIGN_TYPE_LABELS = {
    "AffiliateEnabled": "AffiliateEnabled — affiliates promote it, with payins and payouts",
    "DirectOnly": "DirectOnly — internal marketing, no affiliates",
    "ExternalOnly": "ExternalOnly — external calls uploaded through call ingestion",
}
AUDIENCE_LABELS = {"All": "All", "None": "None", "Approved_Affiliates": "Approved affiliates"}
CALLER_ID_LABELS = {
    "original": "Original — the caller's own number (default)",
    "promo": "Promo — the affiliate's promo number (local forwarding only)",
    "specific": "Specific — one number you give",
    "partial": "Partial — the caller's number with digits replaced",
}


def _choices(values, labels=None, blank=None):
    found = [(value, (labels or {}).get(value, value)) for value in values]
    return ([("", blank)] if blank is not None else []) + found


class ConnectionForm(forms.Form):
    network_id = forms.RegexField(
        regex=ID_PATTERN,
        label="Network id",
        error_messages={"invalid": ID_MESSAGE},
        help_text="Your Invoca network's id, as in the API paths (e.g. 1234).",
    )
    api_token = forms.CharField(
        label="API token",
        max_length=500,
        strip=True,
        widget=forms.PasswordInput(render_value=False),
        help_text="A Network API token from Invoca's API credentials page.",
    )
    api_version = forms.RegexField(
        regex=API_VERSION.pattern,
        required=False,
        label="API version",
        initial=DEFAULT_API_VERSION,
        error_messages={"invalid": "An API version is a date such as 2022-08-01."},
    )
    base_url = UpstreamAddressField(
        required=False,
        label="Invoca address",
        max_length=500,
        help_text="Your network's address, e.g. https://yournetwork.invoca.net.",
    )

    def clean_network_id(self):
        return str(self.cleaned_data["network_id"]).strip()

    def clean_api_version(self):
        return self.cleaned_data.get("api_version") or DEFAULT_API_VERSION


class AdvertiserForm(forms.Form):
    advertiser_id = forms.RegexField(
        regex=ID_PATTERN,
        label="Advertiser id",
        error_messages={"invalid": ID_MESSAGE},
        help_text="The network's id for the advertiser (advertiser_id_from_network).",
    )


class GoLiveForm(forms.Form):
    timeout = DigitsIntegerField(
        required=False,
        min_value=2,
        max_value=60,
        help_text="Seconds Invoca waits for the campaign to go live (2 to 60).",
    )

    def clean_timeout(self):
        return self.cleaned_data.get("timeout") or 10


# The shared check


@dataclass
class CleanCampaign:
    """A campaign ready to send: `terms` as Invoca takes them, `custom_data` partner name ->
    value."""

    name: str
    terms: dict
    custom_data: dict


def editable_terms(stored: dict) -> dict:
    """The properties of stored terms a person edits (TERMS_FIELDS), without what Invoca adds
    to its answers (ids, dates, pricing ranges) that the terms schema does not take."""
    stored = stored if isinstance(stored, dict) else {}
    terms = {key: stored[key] for key in TERMS_FIELDS if stored.get(key) is not None}
    for side, keys in (
        ("affiliate_payout", ("type", "currency", "amount", "condition")),
        ("advertiser_payin", ("type", "currency", "amount", "condition")),
    ):
        section = terms.get(side)
        if isinstance(section, dict) and isinstance(section.get("policies"), list):
            terms[side] = {
                "policies": [
                    {k: policy[k] for k in keys if policy.get(k) is not None}
                    for policy in section["policies"]
                    if isinstance(policy, dict)
                ]
            }
    if isinstance(terms.get("named_regions"), list):
        terms["named_regions"] = [
            {
                "name": named.get("name"),
                "regions": [
                    {"region_type": r.get("region_type"), "value": r.get("value")}
                    for r in named.get("regions") or []
                    if isinstance(r, dict)
                ],
            }
            for named in terms["named_regions"]
            if isinstance(named, dict)
        ]
    if isinstance(terms.get("hours"), dict):
        terms["hours"] = {
            f"{day}_{edge}": terms["hours"][f"{day}_{edge}"]
            for day in DAYS
            for edge in ("open", "close", "closed")
            if terms["hours"].get(f"{day}_{edge}") is not None
        }
    budgets = terms.get("budget_activities")
    if isinstance(budgets, dict):
        allowed = {
            "budget_cap_alert": (
                "reset_period",
                "starts_at",
                "budget_currency",
                "time_zone",
                "budget_amount",
                "include_call_fees",
            ),
            "periodic_call_cap_alert": (
                "reset_period",
                "starts_at",
                "budget_currency",
                "time_zone",
                "budget_amount",
            ),
            "concurrent_call_cap_alert": ("budget_amount",),
        }
        terms["budget_activities"] = {
            kind: {k: budget[k] for k in allowed[kind] if budget.get(k) is not None}
            for kind, budget in budgets.items()
            if kind in allowed and isinstance(budget, dict)
        }
    tree = terms.get("ivr_tree")
    if isinstance(tree, dict):
        terms["ivr_tree"] = {
            k: tree[k] for k in ("root", "caller_id", "record_calls") if tree.get(k) is not None
        }
    return terms


def _custom_data_errors(custom_data) -> dict:
    if not isinstance(custom_data, dict):
        return {"custom_data": ["must map partner names to values"]}
    if len(custom_data) > MAX_CUSTOM_DATA:
        return {"custom_data": [f"has more than {MAX_CUSTOM_DATA} fields"]}
    found = {}
    for key, value in custom_data.items():
        messages = []
        if not PARTNER_NAME.match(str(key)):
            messages.append("is not a valid partner name")
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            messages.append("must be text or a number")
        elif len(str(value)) > 500:
            messages.append("is too long")
        if messages:
            found[str(key)] = messages
    return {"custom_data": found} if found else {}


def tree_error(tree) -> dict | None:
    """The IVR tree's errors in Invoca's nested shape (the value of the `ivr_tree` key, as
    `invoca.ivr.validate_tree` finds them), or None when the tree is fine or absent."""
    if tree is None:
        return None
    found = ivr.validate_tree(tree)
    if not found:
        return None
    return found.get("ivr_tree", found) if isinstance(found, dict) else found


def wrapped_tree(tree):
    """A tree in the wrapper shape Invoca's campaigns carry (`{"root": node, …}`); a bare root
    node is wrapped, anything else is left as it is."""
    if isinstance(tree, dict) and "node_type" in tree and "root" not in tree:
        return {"root": tree}
    return tree


def clean_campaign(*, name, terms: dict, custom_data) -> CleanCampaign:
    """Check a campaign before anything is sent: its name, terms (`check_terms`), IVR tree
    (`invoca.ivr.validate_tree`, caller id included) and custom data (partner name -> text
    or number). Raises TermsInvalid with every error found, in Invoca's shape; the tree's are
    those of Invoca's 403 `{"error": {"ivr_tree": …}}`, keyed by child index."""
    errors = {}
    # A name as every name is cleaned (`campaignhub.fields.clean_name`: no control or direction
    # characters, nothing invisible around it, blank when it draws nothing).
    name = clean_name(name) if isinstance(name, str) else ""
    if not name:
        errors["name"] = ["can't be blank"]
    elif len(name) > 255:
        errors["name"] = ["is too long"]
    if isinstance(terms, dict) and terms.get("ivr_tree") is not None:
        terms = {**terms, "ivr_tree": wrapped_tree(terms["ivr_tree"])}
    try:
        cleaned = check_terms(terms)
    except TermsInvalid as exc:
        errors.update(exc.errors)
        cleaned = None
    if isinstance(terms, dict) and "ivr_tree" not in errors:
        found = tree_error(terms.get("ivr_tree"))
        if found:
            errors["ivr_tree"] = found
    errors.update(_custom_data_errors(custom_data if custom_data is not None else {}))
    if errors:
        raise TermsInvalid(errors)
    return CleanCampaign(
        name=name,
        terms=cleaned,
        custom_data={str(k): str(v) for k, v in (custom_data or {}).items()},
    )


# The page's form


def seconds_to_time(seconds) -> time | None:
    """Seconds past midnight as a time of day (86400, the end of the day, shows as 00:00)."""
    if seconds is None:
        return None
    try:
        seconds = int(seconds) % SECONDS_PER_DAY
    except (TypeError, ValueError):
        return None
    return time(seconds // 3600, seconds % 3600 // 60)


def time_to_seconds(value: time | None, *, closing=False) -> int | None:
    """A time of day as seconds past midnight; a closing time of 00:00 is the end of the day."""
    if value is None:
        return None
    seconds = value.hour * 3600 + value.minute * 60
    return SECONDS_PER_DAY if closing and seconds == 0 else seconds


class TreeJsonField(ivr.IvrTreeField):
    """The IVR editor's JSON text, parsed only: the tree is checked with the rest of the
    campaign (`clean_campaign`), so one submit shows every error at once."""

    def validate(self, value):
        forms.Field.validate(self, value)


def amount_text(amount):
    """An amount of money as its field shows it, with its cents: 15.0 -> "15.00", 25 ->
    "25.00" (Invoca's terms keep amounts as JSON numbers); None, and what is no number, as it
    is."""
    if isinstance(amount, bool) or not isinstance(amount, int | float | Decimal | str):
        return amount
    try:
        return f"{Decimal(str(amount)):.2f}"
    except InvalidOperation:
        return amount


TIME_WIDGET = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PolicyForm(forms.Form):
    type = forms.ChoiceField(choices=_choices(POLICY_TYPES, blank="—"), required=False)
    currency = forms.ChoiceField(choices=_choices(CURRENCIES), required=False, initial="USD")
    amount = DecimalTextField(required=False, min_value=0, max_digits=10, decimal_places=2)
    condition = forms.CharField(
        required=False,
        max_length=1000,
        help_text="e.g. duration >= 1 min 30 sec and during_hours",
    )

    def clean_condition(self):
        """Checked here as well as with the terms (`clean_campaign`), so a bad condition shows
        in the same round as the other fields' errors (`invoca.conditions`)."""
        condition = self.cleaned_data["condition"]
        if condition.strip():
            parsed = conditions.parse(condition)
            if not parsed.valid:
                raise ValidationError(parsed.message)
        return condition

    def policy(self) -> dict | None:
        data = self.cleaned_data
        if not data or not (data.get("type") or data.get("amount") is not None):
            return None
        policy = {"type": data.get("type") or None, "currency": data.get("currency") or None}
        amount = data.get("amount")
        policy["amount"] = None if amount is None else float(amount)
        if data.get("condition"):
            policy["condition"] = data["condition"].strip()
        return {k: v for k, v in policy.items() if v is not None}


class RegionForm(forms.Form):
    name = forms.CharField(required=False, max_length=255, label="Named region")
    region_type = forms.ChoiceField(
        choices=_choices(REGION_TYPES, blank="—"), required=False, label="Type"
    )
    value = forms.CharField(
        required=False, max_length=255, help_text="e.g. Sacramento, CA — or just CA"
    )

    def filled(self) -> bool:
        data = self.cleaned_data or {}
        return any(data.get(k) for k in ("name", "region_type", "value"))


class CustomDataForm(forms.Form):
    partner_name = forms.CharField(required=False, max_length=64)
    value = forms.CharField(required=False, max_length=500)


# What a screen reader calls each field of a row, by formset prefix (`{n}`: the row's number
# from 1): the rows are a table whose column headers are not labels.
ROW_FIELD_NAMES = {
    "payout": {
        "type": "Payout {n} type",
        "currency": "Payout {n} currency",
        "amount": "Payout {n} amount",
        "condition": "Payout {n} condition",
    },
    "payin": {
        "type": "Payin {n} type",
        "currency": "Payin {n} currency",
        "amount": "Payin {n} amount",
        "condition": "Payin {n} condition",
    },
    "region": {
        "name": "Named region {n}",
        "region_type": "Type of named region {n}",
        "value": "Value of named region {n}",
    },
    "data": {
        "partner_name": "Custom data {n} partner name",
        "value": "Custom data {n} value",
    },
}


class NamedRowsFormSet(forms.BaseFormSet):
    """A formset drawn as a table: each row's inputs carry an aria-label naming the row
    (`ROW_FIELD_NAMES`, "Payout 2 amount"), as the table draws no <label> per cell."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        names = ROW_FIELD_NAMES.get(self.prefix, {})
        for name, field in form.fields.items():
            if name in names and index is not None:
                field.widget.attrs["aria-label"] = names[name].format(n=index + 1)


PolicyFormSet = forms.formset_factory(
    PolicyForm, formset=NamedRowsFormSet, extra=2, max_num=50, validate_max=True
)
RegionFormSet = forms.formset_factory(
    RegionForm, formset=NamedRowsFormSet, extra=3, max_num=200, validate_max=True
)
CustomDataFormSet = forms.formset_factory(
    CustomDataForm, formset=NamedRowsFormSet, extra=2, max_num=50, validate_max=True
)

BUDGET_FIELDS = {
    "budget_cap_alert": (
        "bca",
        ("budget_amount", "reset_period", "starts_at", "budget_currency", "time_zone"),
    ),
    "periodic_call_cap_alert": (
        "pcca",
        ("budget_amount", "reset_period", "starts_at", "budget_currency", "time_zone"),
    ),
    "concurrent_call_cap_alert": ("ccca", ("budget_amount",)),
}


# The campaign page's order of fields, for the error summary (hours and budgets go between).
PAGE_ORDER_START = [
    "id_from_network",
    "name",
    "campaign_type",
    "url",
    "timezone",
    "campaign_language",
    "campaign_country",
    "default_creative_id_from_network",
    "description",
    "operating_24_7",
]
PAGE_ORDER_END = [
    "bca_include_call_fees",
    "auto_approve",
    "visibility",
    "caller_id_setting",
    "caller_id_mask",
    "ivr_tree",
]
BUDGET_LABELS = {
    "bca": "Budget cap alert",
    "pcca": "Periodic call cap alert",
    "ccca": "Concurrent call cap alert",
}
# In the order of `CampaignForm.formsets`.
FORMSET_TITLES = ("Affiliate payout", "Advertiser payin", "Named regions", "Custom data")
# The element the summary's IVR line links to (the IVR section of the page).
IVR_SECTION_ID = "ivr-section"


# The terms a field of the form edits one to one (the rest are built from several fields).
PLAIN_TERMS = (
    "campaign_type",
    "description",
    "url",
    "timezone",
    "campaign_language",
    "campaign_country",
    "operating_24_7",
    "auto_approve",
    "visibility",
    "default_creative_id_from_network",
)


class CampaignForm(forms.Form):
    """The campaign page's form: every property of the reference table [004], hours as times
    of day, budgets in their own section, the IVR tree as JSON (`ivr_tree`, written by the
    editor). Formsets for payouts, payins, regions and custom data come with it (`prefix`es
    `payout`, `payin`, `region`, `data`); `is_valid()` checks them all with `clean_campaign`.
    """

    id_from_network = forms.RegexField(
        regex=ID_PATTERN,
        label="Campaign id",
        error_messages={"invalid": ID_MESSAGE},
        help_text="The network's id for this campaign (id_from_network); it cannot change.",
    )
    name = forms.CharField(max_length=255)
    campaign_type = forms.ChoiceField(
        choices=_choices(CAMPAIGN_TYPES, CAMPAIGN_TYPE_LABELS), initial="AffiliateEnabled"
    )
    description = forms.CharField(required=False, max_length=5000, widget=forms.Textarea)
    url = forms.CharField(
        required=False, max_length=2000, label="Click URL template", help_text="http(s) URL"
    )
    timezone = forms.ChoiceField(
        choices=_choices(RAILS_ZONES), initial="Pacific Time (US & Canada)", label="Time zone"
    )
    campaign_language = forms.ChoiceField(choices=_choices(LANGUAGES), label="Language")
    campaign_country = forms.ChoiceField(
        choices=_choices(COUNTRIES, COUNTRY_NAMES), label="Country"
    )
    operating_24_7 = forms.BooleanField(required=False, initial=True, label="Open 24/7")
    auto_approve = forms.ChoiceField(
        choices=_choices(AUDIENCES, AUDIENCE_LABELS),
        initial="None",
        help_text="Which affiliates are approved automatically when they apply.",
    )
    visibility = forms.ChoiceField(
        choices=_choices(AUDIENCES, AUDIENCE_LABELS),
        initial="All",
        help_text="Which publishers see the campaign when applying.",
    )
    default_creative_id_from_network = DigitsIntegerField(
        required=False, min_value=0, label="Default creative id"
    )
    caller_id_setting = forms.ChoiceField(
        choices=_choices(CALLER_ID_SETTINGS, CALLER_ID_LABELS),
        initial="original",
        label="Caller id shown to the call centre",
    )
    caller_id_mask = forms.CharField(
        required=False,
        max_length=30,
        label="Caller id mask",
        help_text="Specific: 800-555-5555. Partial: 800-555-XXXX (X hides a digit).",
    )
    ivr_tree = TreeJsonField(required=False, label="IVR tree")

    def __init__(self, data=None, *, campaign=None, initial_terms=None, **kwargs):
        self.campaign = campaign
        terms = editable_terms(initial_terms or {})
        initial = kwargs.pop("initial", None) or self._initial(campaign, terms)
        super().__init__(data, initial=initial, **kwargs)
        if campaign is not None:
            # The network's id of an existing campaign never changes.
            del self.fields["id_from_network"]
        for day in DAYS:
            label = day.capitalize()
            self.fields[f"{day}_open"] = DigitsTimeField(
                required=False, widget=TIME_WIDGET, label=f"{label} opens"
            )
            self.fields[f"{day}_close"] = DigitsTimeField(
                required=False, widget=TIME_WIDGET, label=f"{label} closes"
            )
            self.fields[f"{day}_closed"] = forms.BooleanField(
                required=False, label=f"Closed on {label}"
            )
            # The hours table draws no <label> per cell: each control is named by its own.
            for edge in ("open", "close", "closed"):
                field = self.fields[f"{day}_{edge}"]
                field.widget.attrs["aria-label"] = field.label
        for kind, (prefix, names) in BUDGET_FIELDS.items():
            zones = BUDGET_CAP_ZONES if kind == "budget_cap_alert" else CALL_CAP_ZONES
            for name in names:
                field_name = f"{prefix}_{name}"
                if name == "budget_amount":
                    field = DecimalTextField(
                        required=False, min_value=0, max_digits=10, decimal_places=2
                    )
                elif name == "reset_period":
                    field = forms.ChoiceField(
                        choices=_choices(RESET_PERIODS, blank="—"), required=False
                    )
                elif name == "starts_at":
                    field = DigitsDateField(required=False, widget=DATE_WIDGET)
                elif name == "budget_currency":
                    field = forms.ChoiceField(
                        choices=_choices(CURRENCIES, blank="—"), required=False
                    )
                else:
                    field = forms.ChoiceField(choices=_choices(zones, blank="—"), required=False)
                field.label = name.replace("_", " ").capitalize()
                self.fields[field_name] = field
        self.fields["bca_include_call_fees"] = forms.BooleanField(
            required=False, label="Include call fees"
        )
        for name in ("payout", "payin", "region", "data"):
            setattr(self, f"{name}_formset", self._formset(name, data, terms, campaign))
        # Invoca-shaped errors of the last check, for the IVR editor and the budget section.
        self.invoca_errors = {}
        self.clean_campaign_result = None
        for day in DAYS:
            if initial.get(f"{day}_open") is not None:
                self.initial[f"{day}_open"] = seconds_to_time(initial[f"{day}_open"])
                self.initial[f"{day}_close"] = seconds_to_time(initial[f"{day}_close"])

    @staticmethod
    def _initial(campaign, terms) -> dict:
        initial = {key: terms[key] for key in PLAIN_TERMS if key in terms}
        if campaign is not None:
            initial["name"] = campaign.name
        hours = terms.get("hours") or {}
        for day in DAYS:
            initial[f"{day}_closed"] = bool(hours.get(f"{day}_closed"))
            if hours.get(f"{day}_open") is not None and hours.get(f"{day}_close") is not None:
                initial[f"{day}_open"] = hours[f"{day}_open"]
                initial[f"{day}_close"] = hours[f"{day}_close"]
        budgets = terms.get("budget_activities") or {}
        for kind, (prefix, names) in BUDGET_FIELDS.items():
            for name in names:
                if (budgets.get(kind) or {}).get(name) is not None:
                    value = budgets[kind][name]
                    money = kind == "budget_cap_alert" and name == "budget_amount"
                    initial[f"{prefix}_{name}"] = amount_text(value) if money else value
        initial["bca_include_call_fees"] = bool(
            (budgets.get("budget_cap_alert") or {}).get("include_call_fees")
        )
        tree = terms.get("ivr_tree") or {}
        caller_id = tree.get("caller_id") or {}
        initial["caller_id_setting"] = caller_id.get("setting") or "original"
        initial["caller_id_mask"] = caller_id.get("mask") or ""
        if tree.get("root"):
            # The caller id has fields of its own; the editor edits the rest of the tree.
            initial["ivr_tree"] = json.dumps(
                {k: v for k, v in tree.items() if k != "caller_id"}, indent=2
            )
        return initial

    def _formset(self, name, data, terms, campaign):
        if name in ("payout", "payin"):
            side = "affiliate_payout" if name == "payout" else "advertiser_payin"
            rows = [
                {
                    "type": p.get("type"),
                    "currency": p.get("currency"),
                    "amount": amount_text(p.get("amount")),
                    "condition": p.get("condition") or "",
                }
                for p in (terms.get(side) or {}).get("policies") or []
            ]
            return PolicyFormSet(data, prefix=name, initial=rows)
        if name == "region":
            rows = [
                {"name": named["name"], "region_type": r["region_type"], "value": r["value"]}
                for named in terms.get("named_regions") or []
                for r in named["regions"]
            ]
            return RegionFormSet(data, prefix=name, initial=rows)
        rows = [
            {"partner_name": key, "value": value}
            for key, value in ((campaign.custom_data if campaign else {}) or {}).items()
        ]
        return CustomDataFormSet(data, prefix=name, initial=rows)

    @property
    def days(self):
        """The hours fields per day, for the page's hours table."""
        return [
            {
                "name": day,
                "label": day.capitalize(),
                "open": self[f"{day}_open"],
                "close": self[f"{day}_close"],
                "closed": self[f"{day}_closed"],
            }
            for day in DAYS
        ]

    def _budget_fields(self, kind):
        prefix, names = BUDGET_FIELDS[kind]
        fields = [self[f"{prefix}_{name}"] for name in names]
        if kind == "budget_cap_alert":
            fields.append(self["bca_include_call_fees"])
        return fields

    @property
    def budget_cap_fields(self):
        return self._budget_fields("budget_cap_alert")

    @property
    def call_cap_fields(self):
        return self._budget_fields("periodic_call_cap_alert")

    @property
    def concurrent_cap_fields(self):
        return self._budget_fields("concurrent_call_cap_alert")

    @property
    def formsets(self):
        return [self.payout_formset, self.payin_formset, self.region_formset, self.data_formset]

    def summary_items(self) -> list[dict]:
        """The items of the shared error summary at the top of the form (`error_summary`
        tag: {"id", "label", "message"}), in the page's order: the form's own errors first (no
        link), then each field or row group with errors, linked to its field. A budget's fields
        are named with their budget; the IVR tree is one line pointing at the editor (its node
        errors are listed there); formset rows one line per table."""
        if not self.is_bound:
            return []
        items = [{"id": "", "label": "", "message": error} for error in self.non_field_errors()]
        order = [*PAGE_ORDER_START]
        for day in DAYS:
            order += [f"{day}_open", f"{day}_close", f"{day}_closed"]
        for prefix, names in BUDGET_FIELDS.values():
            order += [f"{prefix}_{name}" for name in names]
        order += PAGE_ORDER_END
        fields = [name for name in order if name in self.errors]
        fields += [name for name in self.errors if name not in fields and name in self.fields]
        for name in fields:
            if name == "ivr_tree":
                items.append(
                    {
                        "id": IVR_SECTION_ID,
                        "label": "IVR",
                        "message": "the tree has errors, marked on its nodes.",
                    }
                )
                continue
            label = self.fields[name].label or name.replace("_", " ").capitalize()
            budget = BUDGET_LABELS.get(name.split("_", 1)[0])
            if budget and name != "bca_include_call_fees":
                label = f"{budget}: {label.lower()}"
            message = " ".join(self.errors[name])
            items.append({"id": self[name].auto_id, "label": label, "message": message})
        for title, formset in zip(FORMSET_TITLES, self.formsets, strict=True):
            for form in formset.forms:
                wrong = [name for name in form.fields if name in form.errors]
                if wrong:
                    items.append(
                        {
                            "id": form[wrong[0]].auto_id,
                            "label": title,
                            "message": "see the marked rows.",
                        }
                    )
                    break
        return items

    def is_valid(self):
        # The form first: its check (`clean`) runs the terms check, which may mark formset
        # rows; then every formset, each showing its errors even when another fails.
        form_valid = super().is_valid()
        formsets_valid = all([formset.is_valid() for formset in self.formsets])
        return form_valid and formsets_valid

    # Building Invoca's terms from the fields

    def _hours(self, data) -> dict:
        hours = {}
        for day in DAYS:
            opens, closes = data.get(f"{day}_open"), data.get(f"{day}_close")
            if data.get(f"{day}_closed"):
                hours[f"{day}_closed"] = True
                continue
            if opens is not None or closes is not None:
                hours[f"{day}_open"] = time_to_seconds(opens)
                hours[f"{day}_close"] = time_to_seconds(closes, closing=True)
                hours[f"{day}_closed"] = False
        return {k: v for k, v in hours.items() if v is not None or k.endswith("_closed")}

    def _named_regions(self) -> list:
        grouped = {}
        for form in self.region_formset.forms:
            if not form.is_valid() or not form.filled():
                continue
            row = form.cleaned_data
            grouped.setdefault(row["name"].strip(), []).append(
                {"region_type": row["region_type"] or None, "value": row["value"].strip()}
            )
        return [{"name": name, "regions": regions} for name, regions in grouped.items()]

    def _budgets(self, data) -> dict:
        budgets = {}
        for kind, (prefix, names) in BUDGET_FIELDS.items():
            values = {name: data.get(f"{prefix}_{name}") for name in names}
            if all(value in (None, "") for value in values.values()):
                continue
            budget = {}
            for name, value in values.items():
                if value in (None, ""):
                    continue
                if name == "budget_amount":
                    value = float(value)
                elif name == "starts_at":
                    value = value.isoformat()
                budget[name] = value
            if kind == "budget_cap_alert":
                budget["include_call_fees"] = bool(data.get("bca_include_call_fees"))
            budgets[kind] = budget
        return budgets

    def _tree(self, data):
        """The editor's tree with the caller id fields in it (they win over one in the JSON)."""
        tree = wrapped_tree(data.get("ivr_tree"))
        setting = data.get("caller_id_setting") or "original"
        mask = (data.get("caller_id_mask") or "").strip()
        caller_id = None
        if setting != "original" or mask:
            caller_id = {"setting": setting, **({"mask": mask} if mask else {})}
        if tree is None:
            if caller_id:
                self.add_error(
                    "caller_id_setting", "Build the IVR tree before choosing a caller id."
                )
            return None
        if isinstance(tree, dict) and caller_id:
            tree = {**tree, "caller_id": caller_id}
        return tree

    def _custom_data(self) -> dict:
        found = {}
        for form in self.data_formset.forms:
            if not form.is_valid():
                continue
            name = (form.cleaned_data.get("partner_name") or "").strip()
            value = form.cleaned_data.get("value") or ""
            if not name and not value:
                continue
            if not name:
                form.add_error("partner_name", "Enter the custom data field's partner name.")
                continue
            found[name] = value
        return found

    def terms_from_fields(self, data) -> dict:
        terms = {key: data.get(key) for key in PLAIN_TERMS}
        terms["description"] = terms["description"] or ""
        terms["url"] = (terms["url"] or "").strip()
        terms["operating_24_7"] = bool(terms["operating_24_7"])
        hours = self._hours(data)
        if hours:
            terms["hours"] = hours
        terms["named_regions"] = self._named_regions()
        # The row behind each policy sent, by side, so the terms' errors go under their row.
        self.policy_rows = {}
        for name, side in (("payout", "affiliate_payout"), ("payin", "advertiser_payin")):
            formset = getattr(self, f"{name}_formset")
            rows = [
                (form, policy)
                for form in formset.forms
                if form.is_valid() and (policy := form.policy()) is not None
            ]
            self.policy_rows[side] = [form for form, _ in rows]
            if rows:
                terms[side] = {"policies": [policy for _, policy in rows]}
        budgets = self._budgets(data)
        if budgets:
            terms["budget_activities"] = budgets
        tree = self._tree(data)
        if tree is not None:
            terms["ivr_tree"] = tree
        return {k: v for k, v in terms.items() if v is not None}

    def clean(self):
        """Run every check in one round: the terms check (`clean_campaign`) runs even when
        fields or rows failed their own checks, on the terms built from those that passed, so
        one save shows every error. A field or row already in error keeps its own message (the
        terms check would only add "can't be blank" for what it did not get)."""
        data = super().clean()
        terms = self.terms_from_fields(data)
        custom_data = self._custom_data()
        try:
            clean = clean_campaign(name=data.get("name", ""), terms=terms, custom_data=custom_data)
        except TermsInvalid as exc:
            self.add_invoca_errors(exc.errors)
        else:
            if not self.errors:
                self.clean_campaign_result = clean
        return data

    def add_error(self, field, error):
        """As Django's, but a field that has an error already keeps it alone: the terms check
        repeats what the field's own check said (a blank name, an hour it could not read)."""
        if field is not None and field in self.errors:
            return
        super().add_error(field, error)

    def _add_policy_errors(self, side, value) -> bool:
        """Put a side's policy errors (`{"policies": [{"<i>": {field: [messages]}}]}`) under the
        fields of the rows they came from; False when they do not fit that shape."""
        rows = getattr(self, "policy_rows", {}).get(side) or []
        items = value.get("policies") if isinstance(value, dict) else None
        if set(value) != {"policies"} or not isinstance(items, list) or not items:
            return False
        placed = []
        for item in items:
            if not isinstance(item, dict):
                return False
            for index, fields in item.items():
                position = id_or_none(index)
                if position is None or position >= len(rows) or not isinstance(fields, dict):
                    return False
                form = rows[position]
                for key, messages in fields.items():
                    if key not in form.fields:
                        return False
                    placed.append((form, key, _sentence(messages)))
        for form, key, message in placed:
            if key not in form.errors:
                form.add_error(key, message)
        return True

    def add_invoca_errors(self, errors: dict) -> None:
        """Put Invoca-shaped errors (ours or Invoca's 403) on the fields they name (policy
        errors on the fields of their row); the IVR tree's stay nested in
        `invoca_errors["ivr_tree"]` for the editor to show on its nodes, with a summary on the
        `ivr_tree` field."""
        self.invoca_errors = errors
        for field, value in errors.items():
            if field == "ivr_tree":
                caller_id = value.get("caller_id") if isinstance(value, dict) else None
                if isinstance(caller_id, dict):
                    for key, messages in caller_id.items():
                        target = "caller_id_mask" if key == "mask" else "caller_id_setting"
                        self.add_error(target, _sentence(messages))
                rest = (
                    {k: v for k, v in value.items() if k != "caller_id"}
                    if isinstance(value, dict)
                    else value
                )
                if rest:
                    self.add_error(
                        "ivr_tree",
                        ValidationError(
                            TreeJsonField.default_error_messages["ivr_tree"],
                            code="ivr_tree",
                            params={"ivr_errors": {"ivr_tree": rest}},
                        ),
                    )
                continue
            if field == "hours" and isinstance(value, dict):
                for key, messages in value.items():
                    # Under its own field (whose label names the day): "Must be after the
                    # opening time.", not Invoca's "must be after monday_open".
                    text = _sentence(messages)
                    for day in DAYS:
                        text = text.replace(f"{day}_open", "the opening time")
                    if key in self.fields:
                        self.add_error(key, text)
                    else:
                        self.add_error(None, f"{key.replace('_', ' ').capitalize()}: {text}")
                continue
            if field == "budget_activities" and isinstance(value, dict):
                for kind, fields in value.items():
                    prefix = BUDGET_FIELDS.get(kind, ("",))[0]
                    for key, messages in fields.items() if isinstance(fields, dict) else ():
                        target = f"{prefix}_{key}"
                        self.add_error(
                            target if target in self.fields else None, _sentence(messages)
                        )
                continue
            if field in ("affiliate_payout", "advertiser_payin") and self._add_policy_errors(
                field, value
            ):
                continue
            if field in ("affiliate_payout", "advertiser_payin", "named_regions", "custom_data"):
                formset = {
                    "affiliate_payout": self.payout_formset,
                    "advertiser_payin": self.payin_formset,
                    "named_regions": self.region_formset,
                    "custom_data": self.data_formset,
                }[field]
                message = first_message({field: value})
                formset._non_form_errors = formset.error_class(
                    [*formset.non_form_errors(), _readable(message)], renderer=formset.renderer
                )
                self.add_error(None, _readable(message))
                continue
            target = field
            self.add_error(
                target if target in self.fields else None,
                _sentence(value) if isinstance(value, list) else _readable(first_message(value)),
            )


def _sentence(messages) -> str:
    if isinstance(messages, list):
        text = "; ".join(str(m) for m in messages if isinstance(m, str))
    else:
        text = first_message(messages)
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else "Invalid."


def _readable(message: str) -> str:
    """`named_regions.0.name: can't be blank` as `Named regions 1 name: can't be blank.`"""
    path, _, text = message.partition(": ")
    parts = [str(int(p) + 1) if p.isdigit() else p.replace("_", " ") for p in path.split(".")]
    words = " ".join(parts)
    return f"{words[:1].upper()}{words[1:]}: {text.rstrip('.')}." if text else message
