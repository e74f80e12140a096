"""Input validation for CallRail: keys, list queries, webhooks and trackers (checked before any
call to CallRail, with the reference documents' messages)."""

from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError

from callrail.client import MAX_PER_PAGE, SOURCE_LABELS, SOURCE_TYPES
from callrail.services import POOL_SIZE_MESSAGE, SESSION_POOL_MINIMUM, SOURCE_HAS_ONE_NUMBER
from campaignhub.api import MAX_PAGE_NUMBER
from campaignhub.fields import DigitsIntegerField, StrictBooleanField
from campaignhub.phones import PhoneNumberField


class KeyForm(forms.Form):
    api_key = forms.CharField(
        max_length=200,
        label="API key",
        # A secret: masked while typed, never sent back into the page, not kept by the browser.
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "Enter your CallRail API key."},
        help_text="In CallRail: Settings → API Keys.",
    )

    def clean_api_key(self):
        return self.cleaned_data["api_key"].strip()


class PageQuery(forms.Form):
    page = DigitsIntegerField(min_value=1, max_value=MAX_PAGE_NUMBER, required=False)
    per_page = DigitsIntegerField(min_value=1, max_value=MAX_PER_PAGE, required=False)
    sort = forms.RegexField(regex=r"^-?[a-z_]+$", max_length=50, required=False)

    def clean_page(self):
        return self.cleaned_data["page"] or 1

    def clean_per_page(self):
        return self.cleaned_data["per_page"] or 10


class CompanyQuery(PageQuery):
    account_id = forms.CharField(max_length=64, required=False)
    search = forms.CharField(max_length=100, required=False)
    disabled = forms.TypedChoiceField(
        choices=[("true", "true"), ("false", "false")],
        coerce=lambda value: value == "true",
        empty_value=False,
        required=False,
    )


class TrackerQuery(PageQuery):
    search = forms.CharField(max_length=100, required=False)
    fields = forms.RegexField(regex=r"^[a-z_,]+$", max_length=300, required=False)


class ChoiceForm(forms.Form):
    """Saving the CallRail account (and company) an agency works in."""

    account_id = forms.CharField(max_length=64)
    account_name = forms.CharField(max_length=255, required=False)
    company_id = forms.CharField(max_length=64, required=False)
    company_name = forms.CharField(max_length=255, required=False)


class WebhookUrlField(forms.CharField):
    """An http(s) URL; single-label hosts (an internal `hub`) are fine, CallRail decides."""

    def to_python(self, value):
        value = super().to_python(value)
        if value:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                raise ValidationError("Enter a valid http(s) URL.", code="invalid")
        return value


class WebhookCreateForm(forms.Form):
    account_id = forms.CharField(max_length=64, required=False)
    company_id = forms.CharField(max_length=64, required=False)
    webhook_url = WebhookUrlField(max_length=500, required=False)

    message = "Callrail account id, company id and webhook url are required."

    def clean(self):
        data = super().clean()
        if not self.errors and not all(
            data.get(f) for f in ("account_id", "company_id", "webhook_url")
        ):
            raise ValidationError(self.message)
        return data


class WebhookUpdateForm(forms.Form):
    account_id = forms.CharField(max_length=64, required=False)
    company_id = forms.CharField(max_length=64, required=False)
    webhook_id = forms.CharField(max_length=64, required=False)
    webhook_url = WebhookUrlField(max_length=500, required=False)
    status = forms.ChoiceField(
        choices=[("", ""), ("enabled", "enabled"), ("disabled", "disabled")], required=False
    )

    message = "Callrail account id, company id, webhook id and webhook url or status are required."

    def clean(self):
        data = super().clean()
        ids = all(data.get(f) for f in ("account_id", "company_id", "webhook_id"))
        change = data.get("webhook_url") or data.get("status")
        if not self.errors and not (ids and change):
            raise ValidationError(self.message)
        return data


class SigningKeyForm(forms.Form):
    signing_key = forms.CharField(
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="From CallRail: Integrations → Webhooks. A saved key is never shown again.",
    )


def _swap_target(item):
    if isinstance(item, str) and item.strip():
        return item.strip()
    if isinstance(item, dict) and isinstance(item.get("target"), str) and item["target"].strip():
        match_type = item.get("match_type", "exact")
        if match_type not in ("exact", "starts_with", "contains"):
            raise ValidationError(f"Unknown swap target match_type {match_type!r}.")
        return {"target": item["target"].strip(), "match_type": match_type}
    raise ValidationError("Each swap target is a phone number or {target, match_type}.")


class SwapTargetsField(forms.Field):
    def to_python(self, value):
        if value in (None, "", []):
            return []
        if isinstance(value, str):
            value = [line for line in value.replace(",", "\n").splitlines() if line.strip()]
        if not isinstance(value, list):
            raise ValidationError("Swap targets must be a list.")
        return [_swap_target(item) for item in value]


class TrackerFields(forms.Form):
    """What a tracker may carry, on create and on update."""

    name = forms.CharField(max_length=255, required=False)
    destination_number = PhoneNumberField(required=False, label="Forward calls to")
    whisper_message = forms.CharField(max_length=500, required=False)
    record_calls = StrictBooleanField(required=False)
    sms_enabled = StrictBooleanField(required=False)
    pool_size = DigitsIntegerField(min_value=1, max_value=100, required=False)
    swap_targets = SwapTargetsField(required=False, label="Numbers on the website to swap")


DESTINATION_REQUIRED = "Destination number is required."
SWAP_TARGETS_REQUIRED = "Swap targets are required for session trackers"


class TrackerCreateForm(TrackerFields):
    type = forms.CharField(required=False)
    source = forms.ChoiceField(
        choices=[(s, SOURCE_LABELS[s]) for s in SOURCE_TYPES], required=False, label="Call source"
    )
    area_code = forms.RegexField(
        regex=r"^[2-9]\d{2}$",
        required=False,
        strip=True,
        error_messages={"invalid": "An area code is 3 digits and does not start with 0 or 1."},
    )
    toll_free = StrictBooleanField(required=False)

    def clean(self):
        """Every rule at once, each error under its field (the page shows them together; the
        API's message is the first)."""
        data = super().clean()
        kind = data.get("type")

        def require(field, holds, message):
            if field not in self.errors and not holds:
                self.add_error(field, message)

        require("type", kind in ("source", "session"), "Tracker type must be source or session.")
        require("name", data.get("name"), "Tracker name is required.")
        require("destination_number", data.get("destination_number"), DESTINATION_REQUIRED)
        if kind == "session":
            pool = data.get("pool_size") or 0
            require("pool_size", pool >= SESSION_POOL_MINIMUM, POOL_SIZE_MESSAGE)
            require("swap_targets", data.get("swap_targets"), SWAP_TARGETS_REQUIRED)
        elif kind == "source":
            require("pool_size", data.get("pool_size") in (None, 1), SOURCE_HAS_ONE_NUMBER)
            require("swap_targets", not data.get("swap_targets"), SOURCE_HAS_ONE_NUMBER)
        data["source"] = data.get("source") or "all"
        return data


class TrackerUpdateForm(TrackerFields):
    """The fields of a tracker update; the rules that depend on the tracker as it is (its type,
    its status, campaigns on its number) are `callrail.services.update_tracker`'s. Given the
    tracker's `kind` ("source"/"session", the edit page knows it), the pool rules are checked
    here too, so every error shows at once under its field."""

    status = forms.ChoiceField(
        choices=[("", ""), ("active", "active"), ("disabled", "disabled")], required=False
    )

    def __init__(self, *args, kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind

    def clean_name(self):
        """A name left out stays as it is; a name sent empty is refused, as on create."""
        name = self.cleaned_data["name"]
        if "name" in self.data and not name:
            raise ValidationError("Tracker name is required.")
        return name

    def clean_destination_number(self):
        """Like the name: left out it stays, sent empty it is refused."""
        number = self.cleaned_data["destination_number"]
        if "destination_number" in self.data and not number:
            raise ValidationError(DESTINATION_REQUIRED)
        return number

    def clean(self):
        data = super().clean()
        if self.kind == "session":
            pool = data.get("pool_size")
            if "pool_size" not in self.errors and pool is not None and pool < SESSION_POOL_MINIMUM:
                self.add_error("pool_size", POOL_SIZE_MESSAGE)
            sent_swap = "swap_targets" in self.data and "swap_targets" not in self.errors
            if sent_swap and not data.get("swap_targets"):
                self.add_error("swap_targets", SWAP_TARGETS_REQUIRED)
        return data
