"""Input validation for campaigns and leads, shared by the pages, the JSON API and webhooks."""

import json

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.functional import cached_property

from campaignhub.cleaning import clean_text, id_or_none
from campaignhub.concurrency import SeenVersionForm, differs
from campaignhub.fields import (
    DigitsIntegerField,
    IdChoiceField,
    MoneyField,
    NameField,
    OneLineField,
    StrictBooleanField,
    WebAddressValidator,
)
from campaignhub.models import CURRENCIES, Membership, User
from campaignhub.phones import PhoneNumberField
from campaignhub.query import SingleValueFilterForm, repeated_keys
from campaignhub.templatetags.display import money_text
from campaigns import selectors, sources
from campaigns.models import (
    REVENUE_ONLY_WHEN_WON,
    Integration,
    LeadStatus,
    NotificationType,
    PersonOrBusiness,
)
from campaigns.page_urls import normalize_page_url


def _nested_error(prefix, path, error):
    """`error` (a one-message ValidationError of a nested value) as its parent field reports it.

    Its message is prefixed as the JSON API names the value ("reply_to: email: Enter a valid
    email address.", "[1] custom_number: …"); `path` is where the value sits in the parent's
    JSON (("reply_to", "email"), (1, "custom_number")), and `plain` the message without any
    prefix, so a page can show it under its own input (`error_path`, `error_plain`).
    """
    message = next(iter(error))
    nested = ValidationError(prefix + message, code=error.code)
    nested.path = path + error_path(error)
    nested.plain = error_plain(error)
    return nested


def error_path(error) -> tuple:
    """Where in a nested JSON value a one-message ValidationError belongs: a tuple of keys and
    list indexes, () for the value as a whole or for an error of a flat field."""
    return getattr(error, "path", ())


def error_plain(error) -> str:
    """The message of a one-message ValidationError without the keys of nested values."""
    return getattr(error, "plain", None) or next(iter(error))


class NestedFormField(forms.Field):
    """A JSON object validated by a sub-form; keys the sub-form does not know are errors.

    `aliases` maps JSON keys that are not Python names (`from`) to form field names.
    """

    def __init__(self, form_class, *, aliases=None, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.form_class = form_class
        self.aliases = aliases or {}

    def to_python(self, value):
        if value in (None, ""):
            return {}
        if not isinstance(value, dict):
            raise ValidationError("Must be an object.", code="invalid")
        return value

    def clean(self, value):
        value = self.to_python(value)
        names = {self.aliases.get(key, key): key for key in value}
        unknown = sorted(
            key for name, key in names.items() if name not in self.form_class.base_fields
        )
        if unknown:
            raise ValidationError(f"Unknown field: {', '.join(unknown)}.", code="unknown")
        form = self.form_class(data={name: value[key] for name, key in names.items()})
        reverse = {name: key for key, name in self.aliases.items()}
        if not form.is_valid():
            raise ValidationError(
                [
                    _nested_error(
                        f"{reverse.get(field, field)}: " if field != "__all__" else "",
                        (reverse.get(field, field),) if field != "__all__" else (),
                        error,
                    )
                    for field, errors in form.errors.as_data().items()
                    for error in errors
                ]
            )
        return {reverse.get(name, name): cleaned for name, cleaned in form.cleaned_data.items()}


class NestedListField(forms.Field):
    """A JSON array of objects, each validated by a sub-form."""

    def __init__(self, form_class, *, max_items=50, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.item_field = NestedFormField(form_class)
        self.max_items = max_items

    def clean(self, value):
        if value in (None, ""):
            return []
        if not isinstance(value, list):
            raise ValidationError("Must be a list.", code="invalid")
        if len(value) > self.max_items:
            raise ValidationError(f"At most {self.max_items} items.", code="max_items")
        cleaned, errors = [], []
        for index, item in enumerate(value):
            try:
                cleaned.append(self.item_field.clean(item))
            except ValidationError as exc:
                errors += [
                    _nested_error(f"[{index}] ", (index,), error) for error in exc.error_list
                ]
        if errors:
            raise ValidationError(errors)
        return cleaned


class ReplyToForm(forms.Form):
    email = forms.EmailField(max_length=254, required=False)
    name = OneLineField(max_length=100, required=False)


ATTACHMENT_URL = "Enter a full URL, starting with https:// or http://."


class AttachmentForm(forms.Form):
    """A link sent with the alert email: `url` must be a whole http(s) URL as given; one without
    a scheme (`brochure.pdf`) is refused rather than guessed."""

    name = forms.CharField(max_length=200, required=False)
    url = forms.CharField(
        max_length=2048,
        validators=[WebAddressValidator(message=ATTACHMENT_URL)],
    )


class EmailDetailsForm(forms.Form):
    subject = OneLineField(max_length=255, required=False)
    message = forms.CharField(max_length=10000, required=False, strip=False)
    from_address = forms.EmailField(max_length=254, required=False)
    reply_to = NestedFormField(ReplyToForm)
    attachments = NestedListField(AttachmentForm, max_items=10)


class SmsDetailsForm(forms.Form):
    message = forms.CharField(max_length=1600, required=False, strip=False)
    from_number = PhoneNumberField(required=False)


class RepresentativeForm(forms.Form):
    """A representative of `selected_user`: the user's `id` and an optional SMS number. The
    `name` a read shows is read-only: sent back, it is ignored (never compared or stored)."""

    id = DigitsIntegerField(min_value=1, max_value=2**63 - 1)
    custom_number = PhoneNumberField(required=False)
    name = forms.CharField(required=False, strip=False)

    def clean(self):
        data = super().clean()
        data.pop("name", None)
        return data


# Where a campaign's deals start (`pipeline_id`, `stage_id`): the app that keeps pipelines
# registers an object from its AppConfig.ready, so campaigns never imports it. Its
# `problems(account, pipeline_id, stage_id)` returns {field: message} for ids that are not the
# account's; its `choices(account, pipeline_id)` is what the campaign page offers. Without
# one, the two ids are kept as given.
DEAL_TARGETS = []


def register_deal_targets(targets) -> None:
    DEAL_TARGETS[:] = [targets]


def deal_target_choices(account, pipeline_id):
    """The pipelines and stages the campaign page offers, or None when nothing keeps them."""
    return DEAL_TARGETS[0].choices(account, pipeline_id) if DEAL_TARGETS else None


# The campaign page's fields as one compares them between two saves: (name, label, path in the
# API shape of `CampaignForm`).
PAGE_FIELDS = [
    ("campaign_name", "Name", ("campaign_name",)),
    ("integration", "Lead source", ("integration",)),
    ("owner", "Owner", ("owner",)),
    ("page_url", "Landing page URL", ("page_url",)),
    ("page_id", "Page or form id", ("page_id",)),
    ("tracking_number", "Tracking number", ("tracking_number",)),
    ("status", "Active", ("status",)),
    ("selected_user", "Representatives", ("selected_user",)),
    ("notification_type", "Notification rule", ("notification_type",)),
    ("email_subject", "Email subject", ("email_details", "subject")),
    ("email_message", "Email message", ("email_details", "message")),
    ("email_from", "From address", ("email_details", "from")),
    ("reply_to_email", "Reply-to email", ("email_details", "reply_to", "email")),
    ("reply_to_name", "Reply-to name", ("email_details", "reply_to", "name")),
    ("attachments", "Attachment links", ("email_details", "attachments")),
    ("sms_message", "SMS message", ("sms_details", "message")),
    ("sms_from", "SMS from number", ("sms_details", "from")),
    ("add_to_crm", "Add leads to the CRM", ("add_to_crm",)),
    ("add_person_or_business", "Add each lead as a", ("add_person_or_business",)),
    ("create_deal", "Create a deal for each lead", ("create_deal",)),
    ("pipeline_id", "Pipeline", ("pipeline_id",)),
    ("stage_id", "First stage of each deal", ("stage_id",)),
    ("deal_value", "Deal value", ("deal_value",)),
    ("currency", "Currency", ("currency",)),
]

# The campaign page's own input for each nested value of the API's campaign, with its label.
PAGE_INPUTS = {path: (name, label) for name, label, path in PAGE_FIELDS if len(path) > 1}


def page_errors(form, *, labelled=False) -> dict:
    """A campaign form's (or notification rule form's) errors as the campaign page shows
    them: {input name: [messages]}, each error of a nested value under the page's own input for
    it (`email_from`, `reply_to_email`, `custom_number_<user id>`, `attachments`…) in plain
    words, without the JSON keys the API puts before it; any other error under its field's
    name (`__all__` for the form). `labelled` puts the input's label before each message
    ("From address: Enter a valid email address."), for a block that shows them together."""
    shown = {}
    for field, errors in form.errors.as_data().items():
        for error in errors:
            name, label, message = _page_input(
                form.data, field, error_path(error), error_plain(error)
            )
            if labelled and label:
                message = f"{label}: {message}"
            shown.setdefault(name, []).append(message)
    return shown


def _page_input(data, field, path, message):
    """(input name, label, message) for an error of `field` at `path` inside its JSON value."""
    if field == "selected_user" and len(path) == 2 and path[1] == "custom_number":
        representatives = data.get("selected_user") or []
        return f"custom_number_{representatives[path[0]]['id']}", "Custom SMS number", message
    for length in range(len(path), 0, -1):
        found = PAGE_INPUTS.get((field, *path[:length]))
        if found is None:
            continue
        name, label = found
        rest = path[length:]
        lines = (data.get("email_details") or {}).get("attachments") or []
        if name == "attachments" and rest and len(lines) > 1:
            message = f"Line {rest[0] + 1}: {message}"
        return name, label, message
    return field, "", message


# The campaign page's fields that only some lead sources use: {field: the `Integration` values
# that use it}. CallRail finds the campaign of a call by its tracking number and of a form
# submission by its landing page (SPEC §3 rule 1, §6; README, CallRail); a form or webhook
# campaign may keep a number printed beside it, its landing page and the page or form id of
# the system its leads come from (README, Campaign fields: "kept … routes nothing"). An Invoca
# campaign is tied to its advertiser campaign (`invoca_campaign_id`) and a dialer campaign is
# chosen under “Leads go to” of a dialer campaign, so they use none of these.
SOURCE_FIELDS = {
    "tracking_number": (Integration.CALLRAIL, Integration.FORM, Integration.WEBHOOK),
    "page_url": (Integration.CALLRAIL, Integration.FORM, Integration.WEBHOOK),
    "page_id": (Integration.FORM, Integration.WEBHOOK),
}


def unused_fields(integration: str) -> list[str]:
    """The `SOURCE_FIELDS` a campaign of `integration` (an `Integration` value) does not use."""
    return [name for name, users in SOURCE_FIELDS.items() if integration not in users]


# The campaign page's deal fields: shown only while "Create a deal for each lead" is ticked
# (README, Pipelines and deals: a campaign with it opens a deal for every new lead, on the
# pipeline and stage chosen, worth `deal_value` in its `currency`); without it they mean nothing.
DEAL_FIELDS = ("pipeline_id", "stage_id", "deal_value", "currency")


def hidden_fields(values: dict) -> list[str]:
    """The page fields the campaign page hides for API-shaped `values` (its `integration` and
    `create_deal`): the `SOURCE_FIELDS` the lead source does not use, and the `DEAL_FIELDS`
    while `create_deal` is off."""
    hidden = unused_fields(values.get("integration") or "")
    if not values.get("create_deal"):
        hidden += DEAL_FIELDS
    return hidden


def page_data_for_source(values: dict) -> dict:
    """The campaign page's API-shaped `values` as `CampaignForm` checks them: each field the
    page hides (`hidden_fields`: one the chosen lead source does not use, a deal field while
    no deal is created) emptied, so a value the page hid (typed before the source changed or
    the box was unticked, or kept from earlier) is neither checked nor refused; the page's
    save leaves the stored value of such a field as it is. The JSON API checks every field it
    is sent."""
    return {**values, **{name: "" for name in hidden_fields(values)}}


class CampaignForm(forms.Form):
    """A whole campaign, in the JSON shape of the API (`campaigndata`)."""

    campaign_name = NameField(max_length=200)
    integration = forms.ChoiceField(choices=Integration.choices)
    owner = DigitsIntegerField(required=False, min_value=1, max_value=2**63 - 1)
    page_id = forms.CharField(max_length=255, required=False)
    page_url = forms.CharField(max_length=2048, required=False)
    tracking_number = PhoneNumberField(required=False)
    selected_user = NestedListField(RepresentativeForm, max_items=100)
    notification_type = forms.ChoiceField(choices=NotificationType.choices, required=False)
    email_details = NestedFormField(EmailDetailsForm, aliases={"from": "from_address"})
    sms_details = NestedFormField(SmsDetailsForm, aliases={"from": "from_number"})
    add_to_crm = StrictBooleanField(required=False)
    add_person_or_business = forms.ChoiceField(choices=PersonOrBusiness.choices, required=False)
    create_deal = StrictBooleanField(required=False)
    pipeline_id = forms.CharField(max_length=64, required=False)
    stage_id = forms.CharField(max_length=64, required=False)
    deal_value = MoneyField(max_digits=12, decimal_places=2, min_value=0, required=False)
    currency = forms.ChoiceField(choices=[(c, c) for c in CURRENCIES], required=False)
    status = StrictBooleanField(required=False)
    is_deleted = StrictBooleanField(required=False)
    # A lead source's link to its own record (sources.SourceLink): for `invoca` campaigns, the
    # advertiser campaign whose calls become leads; checked and stored by that integration.
    invoca_campaign_id = forms.CharField(max_length=64, required=False)

    def __init__(self, *args, account, campaign=None, viewer=None, **kwargs):
        """`campaign` is the campaign being edited, if any (it may keep its lead source);
        `viewer` the Membership sending it (None for the system), so that errors name no
        campaign they may not see."""
        super().__init__(*args, **kwargs)
        self.account = account
        self.campaign = campaign
        self.viewer = viewer

    @cached_property
    def _member_ids(self):
        return set(Membership.objects.for_account(self.account).values_list("user_id", flat=True))

    def clean_page_url(self):
        url = normalize_page_url(self.cleaned_data["page_url"])
        if url:
            try:
                WebAddressValidator()(url)
            except ValidationError:
                raise ValidationError(
                    "Enter a full http(s) URL, e.g. https://example.com/landing."
                ) from None
        return url

    def clean_integration(self):
        integration = self.cleaned_data["integration"]
        kept = self.campaign is not None and self.campaign.integration == integration
        if not sources.is_available(integration) and not kept:
            raise ValidationError(sources.unavailable_message(integration), code="unavailable")
        return integration

    def clean_owner(self):
        owner = self.cleaned_data["owner"]
        if owner is not None and owner not in self._member_ids:
            current = self.campaign
            if current is not None and current.owner_id == owner:
                # The campaign's owner left the account: kept on the page, never saved again.
                raise ValidationError(
                    f"{current.owner.get_full_name()} is no longer a member of the account: "
                    "choose another owner.",
                    code="owner_left",
                )
            raise ValidationError("The owner must be a member of the account.")
        return owner

    def clean_selected_user(self):
        representatives = self.cleaned_data["selected_user"]
        ids = [rep["id"] for rep in representatives]
        if len(ids) != len(set(ids)):
            raise ValidationError("A representative is listed twice.")
        strangers = sorted(set(ids) - self._member_ids)
        if strangers:
            raise ValidationError(f"Not members of the account: {', '.join(map(str, strangers))}.")
        return representatives

    def clean(self):
        data = super().clean()
        needs_number = data.get("integration") == Integration.CALLRAIL
        if (
            needs_number
            and not data.get("tracking_number")
            and "tracking_number" not in self.errors
        ):
            self.add_error(
                "tracking_number", "A tracking number is required for CallRail campaigns."
            )
        if data.get("create_deal") and not (data.get("pipeline_id") and data.get("stage_id")):
            self.add_error("pipeline_id", "Choose a pipeline and a stage to create deals.")
        for targets in DEAL_TARGETS:
            pipeline_id, stage_id = data.get("pipeline_id") or "", data.get("stage_id") or ""
            for field, message in targets.problems(self.account, pipeline_id, stage_id).items():
                if field not in self.errors:
                    self.add_error(field, message)
        self._clean_link(data)
        return data

    def _clean_link(self, data):
        """The link of the chosen lead source: checked by its integration, required; left
        empty while editing, the campaign keeps the link it has."""
        link = sources.link_for(data.get("integration") or "")
        if link is None or link.key in self.errors:
            return
        value = data.get(link.key) or ""
        kept = self.campaign is not None and self.campaign.integration == link.integration
        if not value and kept:
            value = data[link.key] = link.current(self.campaign)
            if value:
                return
        if not value:
            self.add_error(link.key, link.required)
            return
        try:
            data[link.key] = link.clean(self.account, value, self.campaign, self.viewer)
        except ValidationError as exc:
            self.add_error(link.key, exc)

    # The campaign page's input for each nested value (`data_from_post`), by its JSON path.
    def page_errors(self) -> dict:
        """The errors as the campaign page shows them (`page_errors`)."""
        return page_errors(self)

    @staticmethod
    def data_from_post(post):
        """The API shape from the flat fields of the campaign page's HTML form."""
        rep_ids = post.getlist("representatives")
        attachments = [
            {"name": line.strip().rsplit("/", 1)[-1], "url": line.strip()}
            for line in post.get("attachments", "").splitlines()
            if line.strip()
        ]
        data = {
            "campaign_name": post.get("campaign_name", ""),
            "integration": post.get("integration", ""),
            "owner": post.get("owner", ""),
            "page_id": post.get("page_id", ""),
            "page_url": post.get("page_url", ""),
            "tracking_number": post.get("tracking_number", ""),
            "selected_user": [
                {"id": rep_id, "custom_number": post.get(f"custom_number_{rep_id}", "")}
                for rep_id in rep_ids
            ],
            "notification_type": post.get("notification_type", ""),
            "email_details": {
                "subject": post.get("email_subject", ""),
                "message": post.get("email_message", ""),
                "from": post.get("email_from", ""),
                "reply_to": {
                    "email": post.get("reply_to_email", ""),
                    "name": post.get("reply_to_name", ""),
                },
                "attachments": attachments,
            },
            "sms_details": {
                "message": post.get("sms_message", ""),
                "from": post.get("sms_from", ""),
            },
            "add_to_crm": post.get("add_to_crm") == "on",
            "add_person_or_business": post.get("add_person_or_business", ""),
            "create_deal": post.get("create_deal") == "on",
            "pipeline_id": post.get("pipeline_id", ""),
            "stage_id": post.get("stage_id", ""),
            "deal_value": post.get("deal_value", ""),
            "currency": post.get("currency", ""),
            "status": post.get("status") == "on",
        }
        for key in sources.link_keys():
            data[key] = post.get(key, "")
        return data


def _at(values, path):
    for key in path:
        values = values.get(key) if isinstance(values, dict) else None
    return values


def _put(values, path, value):
    for key in path[:-1]:
        values = values.setdefault(key, {})
    values[path[-1]] = value


def _page_field_text(name, value, people) -> str:
    if name == "selected_user":
        return ", ".join(
            f"{people.get(id_or_none(rep.get('id')), rep.get('id'))}"
            + (f" ({rep['custom_number']})" if rep.get("custom_number") else "")
            for rep in value or []
        )
    if name == "attachments":
        return "\n".join(item.get("url") or "" for item in value or [])
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value).replace("\r\n", "\n")


class CampaignPageVersionForm(SeenVersionForm):
    """Refuses a save of the campaign page drawn before someone else changed a field of it
    (`SeenVersionForm`, HTTP 409): `data` holds the page's fields as `page_fields` gives them
    (the posted ones, `seen` and the drawn ones as `initial-<name>`). After a refusal,
    `merged(posted, current)` is what the page shows again: the person's edits, and the other
    change in every field they left alone."""

    what = "campaign"

    def __init__(self, *args, campaign, current, people, **kwargs):
        """`current`: the campaign's values in the API shape (`serializers.writable_data`);
        `people`: {user id: name}, naming representatives in the refusal's message."""
        super().__init__(*args, **kwargs)
        self.current = current
        self.people = people
        self.drawn = {  # as posted: a refusal puts the current values in their place in `data`
            key[len("initial-") :]: value
            for key, value in self.data.items()
            if key.startswith("initial-")
        }
        for name, label, _path in PAGE_FIELDS + [(key, key, (key,)) for key in sources.link_keys()]:
            if name == "deal_value":
                self.fields[name] = forms.DecimalField(required=False, label=label)
            else:
                self.fields[name] = forms.CharField(required=False, strip=False, label=label)
        self.track(campaign)

    @staticmethod
    def page_fields(values, people) -> dict:
        """{page field: its value as text} of API-shaped campaign `values`."""
        paths = PAGE_FIELDS + [(key, key, (key,)) for key in sources.link_keys()]
        return {name: _page_field_text(name, _at(values, path), people) for name, _, path in paths}

    def current_values(self) -> dict:
        return self.page_fields(self.current, self.people)

    def merged(self, posted):
        """The page's API-shaped `posted` values with the campaign's current value in each
        field the person did not change from what their page was drawn with."""
        merged = json.loads(json.dumps(posted, default=str))
        paths = PAGE_FIELDS + [(key, key, (key,)) for key in sources.link_keys()]
        mine = self.page_fields(posted, self.people)
        drawn = {name: self.drawn.get(name) for name in mine}
        known = None not in drawn.values()
        for name, _label, path in paths:
            if known and not differs(self.fields[name], drawn[name], mine[name]):
                _put(merged, path, _at(self.current, path))
        return merged


class NotificationRuleForm(forms.Form):
    """Just the notification rule of a campaign, for previews and test sends."""

    campaign_name = forms.CharField(max_length=200, required=False)
    # Which sample lead fills it in (a call for CallRail, …); any value not offered: a form lead.
    integration = forms.CharField(max_length=20, required=False)
    notification_type = CampaignForm.base_fields["notification_type"]
    email_details = CampaignForm.base_fields["email_details"]
    sms_details = CampaignForm.base_fields["sms_details"]


class CampaignFilterForm(SingleValueFilterForm):
    search = forms.CharField(max_length=200, required=False)
    integration = forms.ChoiceField(
        choices=[("", "All lead sources"), *Integration.choices],
        required=False,
        label="Lead source",
    )
    status = forms.ChoiceField(
        choices=[
            ("", "Any status"),
            ("active", "Active"),
            ("inactive", "Inactive"),
            ("true", "Active"),
            ("false", "Inactive"),
        ],
        required=False,
    )

    def clean_status(self):
        value = self.cleaned_data["status"]
        return {"active": True, "true": True, "inactive": False, "false": False}.get(value)


class CampaignStatusForm(forms.Form):
    """The state the campaign page's Pause or Activate button asks for: `status` "off" (pause)
    or "on" (activate); `cleaned_data["status"]` is the bool to store. The button names the
    state rather than flipping the current one, so a page drawn before someone else's change
    never undoes it."""

    STATUS_REQUIRED = (
        'Say which state the campaign should be in: "on" to activate it, "off" to pause it.'
    )

    status = forms.ChoiceField(
        choices=[("on", "Active"), ("off", "Paused")],
        error_messages={"required": STATUS_REQUIRED, "invalid_choice": STATUS_REQUIRED},
    )

    def clean_status(self) -> bool:
        return self.cleaned_data["status"] == "on"


class TrackingNumberQueryForm(forms.Form):
    type = forms.ChoiceField(choices=Integration.choices, required=False)


class LeadEmailField(forms.EmailField):
    """An email address of at most `max_length` characters. A longer one gets that one error
    (Django's "Ensure this value has at most 254 characters (it has 300).") rather than also
    "Enter a valid email address.", which Django adds for an address over 320 characters."""

    def to_python(self, value):
        value = super().to_python(value)
        if self.max_length is not None:
            MaxLengthValidator(self.max_length)(value)
        return value


class LeadForm(forms.Form):
    """What a person (public form) or a system (lead webhook) sends us about a lead: a phone or
    an email at least, else `NO_CONTACT` (worded for whoever sends it)."""

    NO_CONTACT = "Leave a phone number or an email address."
    # The error summary links `NO_CONTACT` to the Phone input (the first of the two).
    summary_anchor = "phone"

    name = forms.CharField(max_length=255, required=False)
    phone = PhoneNumberField(required=False)
    email = LeadEmailField(max_length=254, required=False)
    message = forms.CharField(max_length=5000, required=False)

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("phone") or data.get("email")):
            raise ValidationError(self.NO_CONTACT)
        return data


def _field_values(data, checked=()):
    """(name, value as text) for every value posted: each value of a repeated form field, and
    a JSON value other than a string as its JSON text; without the values of each field named
    in `checked` (a string, sent once, or refused for being repeated), which the caller's form
    bounds itself."""
    if hasattr(data, "lists"):
        return [
            (name, value)
            for name, values in data.lists()
            if name not in checked
            for value in values
        ]
    return [
        (name, value if isinstance(value, str) else json.dumps(value))
        for name, value in data.items()
        if not (name in checked and isinstance(value, str))
    ]


def too_many_fields() -> str:
    """What a public form submission of more than `LEAD_FORM_MAX_FIELDS` values is told."""
    return f"Too many fields: send at most {settings.LEAD_FORM_MAX_FIELDS}."


def submission_bounds_problem(data, *, checked=()) -> str:
    """Why a public form submission (`QueryDict` or JSON object) is too big to keep, or "".

    Every posted field is kept with the lead, so their number is capped at
    `LEAD_FORM_MAX_FIELDS` (each value of a repeated form field counting as one, as each is
    kept) and each name and value at `LEAD_FORM_MAX_FIELD_CHARS` characters. `checked` names
    fields whose value the caller's form refuses itself, under the field, when longer than its
    own limit (at most `LEAD_FORM_MAX_FIELD_CHARS`): that value is left to it, so a visitor
    gets one error for it; every other value (a repeated one too) is bounded here.
    """
    values = sum(len(v) for _, v in data.lists()) if hasattr(data, "lists") else len(data)
    if values > settings.LEAD_FORM_MAX_FIELDS:
        return too_many_fields()
    limit = settings.LEAD_FORM_MAX_FIELD_CHARS
    for name, value in _field_values(data, checked):
        if len(name) > limit or len(value) > limit:
            return f"The field {name[:50]!r} is too long: at most {limit} characters."
    return ""


class SubmissionIdField(forms.UUIDField):
    """The public form page's submission id. One that is not a UUID (a page someone edited, a
    broken embed) counts as none rather than refusing the visitor's lead: the lead is then keyed
    by the body sent (`services.capture_form_submission`), so sending it again is still one
    lead, and two visitors sent the same spoilt id are never merged into one."""

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            return None


class PublicLeadForm(LeadForm):
    """A public form submission; `data` may carry fields of the page's own, which are kept with
    the lead within `submission_bounds_problem`'s limits (every value of one sent more than
    once, `services.submission_payload`). The visitor's own fields (`BOUNDED`) are bounded by
    their field alone, at their limit or `LEAD_FORM_MAX_FIELD_CHARS` if lower, so a value too
    long gets one error under its field, naming that field's limit; one of them posted more
    than once is refused under itself (`SEND_ONE`), never read as its last value."""

    BOUNDED = ("name", "phone", "email", "message")
    # A visitor's own field posted more than once: which value they meant is unknown.
    SEND_ONE = {
        "name": "Send one name.",
        "phone": "Send one phone number.",
        "email": "Send one email address.",
        "message": "Send one message.",
    }

    # The trap: bots fill every field; people never see this one. It is on our own page only,
    # so only a posted page can spring it (`clean_website`).
    website = forms.CharField(required=False)
    submission_id = SubmissionIdField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.LEAD_FORM_MAX_FIELD_CHARS
        for name in self.BOUNDED:
            field = self.fields[name]
            if field.max_length > limit:
                field.max_length = limit
                field.validators = [
                    validator
                    for validator in field.validators
                    if not isinstance(validator, MaxLengthValidator)
                ] + [MaxLengthValidator(limit)]

    def clean_website(self):
        """What a bot wrote in our page's hidden trap field, or "" for a person. Only a posted
        page (a `QueryDict`) carries the trap: a JSON body's `website` is a field of the
        sender's own form (an embed's "Your website"), kept as data with the lead."""
        if not hasattr(self.data, "getlist"):
            return ""
        return next((value for value in self.data.getlist("website") if value), "")

    def clean(self):
        if hasattr(self.data, "getlist"):
            for name, message in self.SEND_ONE.items():
                if len(self.data.getlist(name)) > 1:
                    self.add_error(name, message)
        problem = submission_bounds_problem(self.data, checked=self.BOUNDED)
        if problem:
            raise ValidationError(problem)
        return super().clean()


class KeptTextField(forms.CharField):
    """Text from another system kept as far as its column can hold it, never refused for its
    size: cut to `keep` characters (None: whole). The original stays in the stored delivery
    and the lead's payload (README, Inbound webhooks)."""

    def __init__(self, *, keep=None, **kwargs):
        self.keep = keep
        super().__init__(**kwargs)

    def to_python(self, value):
        return clean_text(super().to_python(value), self.keep)


class WebhookLeadForm(LeadForm):
    """A lead from the lead webhook. Unlike a person at the public form, the sending system
    cannot shorten what it sends: a name or message too long for its column is cut, and an
    `external_id` over 255 characters becomes a digest (`services.lead_external_id`); a wrong
    phone or email is still refused (400), as the sender can correct it. The sender is a
    system, so a lead with neither phone nor email is told what to send."""

    NO_CONTACT = "Send a phone or an email."

    name = KeptTextField(keep=255, required=False)
    message = KeptTextField(keep=5000, required=False)
    external_id = KeptTextField(required=False)


# What a filter of leads or reports (pages, exports and `/v1/` alike) says of an id it cannot
# use: a campaign the person may not see (another account's, one that never was, 0, more digits
# than any id), or someone who is not a member of the account.
UNKNOWN_CAMPAIGN = "Choose one of your campaigns."
UNKNOWN_MEMBER = "Choose a member of this account."


class CampaignChoiceField(IdChoiceField):
    """A campaign chosen by id among its queryset (the campaigns the person may see): any other
    id is `UNKNOWN_CAMPAIGN`; text that is no id, "Enter a whole number in digits 0-9."
    (`IdChoiceField`). Cleans to the Campaign, or None when empty."""

    default_error_messages = {"invalid_choice": UNKNOWN_CAMPAIGN}


class MemberChoiceField(IdChoiceField):
    """A person chosen by user id among its queryset (the account's members): any other id is
    `UNKNOWN_MEMBER`; text that is no id, "Enter a whole number in digits 0-9."
    (`IdChoiceField`). Cleans to the User, or None when empty."""

    default_error_messages = {"invalid_choice": UNKNOWN_MEMBER}


# What the lead filter's representative says of text that is neither an id nor "none" ("abc",
# "me"): both ways of writing it, since "none" is taken too.
MEMBER_ID_OR_NONE = "Enter a member's user id (digits 0-9) or none."


class RepresentativeFilterField(MemberChoiceField):
    """`MemberChoiceField`, or `selectors.NOBODY` ("none") for the leads nobody holds; other
    text is `MEMBER_ID_OR_NONE`. Cleans to the User, `NOBODY`, or None when empty."""

    default_error_messages = {"invalid": MEMBER_ID_OR_NONE}

    def to_python(self, value):
        if isinstance(value, str) and value.strip() == selectors.NOBODY:
            return selectors.NOBODY
        return super().to_python(value)


class LeadFilterForm(SingleValueFilterForm):
    """The lead list's filters (page, CSV export, `GET /v1/leads`): `campaign`, an id among
    `campaigns` (those the person may see; any other is `UNKNOWN_CAMPAIGN`, instead of showing
    nothing), cleaned to the id (int) or None; `representative`, the user id of a member of
    `account` or of someone removed from it who still holds one of its leads
    (`selectors.representatives_for_filter`, as the reports take; any other is
    `UNKNOWN_MEMBER`), or "none" for the leads nobody holds, cleaned to the id (int),
    `selectors.NOBODY` or None; `search` (at most 200 characters); `status` (a `LeadStatus`, or
    "" for any). A page's query giving a filter more than once is an error of the whole form
    (`SingleValueFilterForm`)."""

    campaign = CampaignChoiceField(queryset=None, required=False)
    representative = RepresentativeFilterField(queryset=None, required=False)
    search = forms.CharField(max_length=200, required=False)
    status = forms.ChoiceField(choices=[("", "Any status"), *LeadStatus.choices], required=False)

    def __init__(self, *args, campaigns, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["representative"].queryset = selectors.representatives_for_filter(account)

    def clean_campaign(self):
        chosen = self.cleaned_data["campaign"]
        return chosen.pk if chosen is not None else None

    def clean_representative(self):
        chosen = self.cleaned_data["representative"]
        return chosen.pk if isinstance(chosen, User) else chosen


class LeadOutcomeForm(SeenVersionForm):
    """What became of a lead, from its page or `PATCH /v1/leads/<id>`: `status` (a
    `LeadStatus`) and `revenue` (in the account's currency, 2 decimal places, not negative;
    empty clears it). A field left out of the data stays as it is; at least one is needed.
    `lead` (the lead as it is) lets a revenue for a lead that will not be won be refused here
    (`models.REVENUE_ONLY_WHEN_WON`), as a form error rather than the service's ValueError, and
    a save from a page drawn before the lead last changed be refused (`SeenVersionForm`)."""

    status = forms.ChoiceField(choices=LeadStatus.choices, required=False)
    revenue = MoneyField(
        max_digits=12, decimal_places=2, min_value=0, required=False, label="Revenue"
    )

    what = "lead"
    depends_on = {"revenue": "status"}

    def __init__(self, *args, lead=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lead = lead
        self.track(lead)

    def current_values(self) -> dict:
        """The lead's status and revenue (a Decimal or None)."""
        return {"status": self.lead.status, "revenue": self.lead.revenue}

    def clean_status(self):
        status = self.cleaned_data["status"]
        if "status" in self.data and not status:
            raise ValidationError("Choose a status.", code="required")
        return status

    def clean(self):
        data = super().clean()
        if not self.errors and not ({"status", "revenue"} & set(self.data)):
            raise ValidationError("Send a status, a revenue, or both.")
        status = data.get("status") if "status" in self.data else getattr(self.lead, "status", "")
        if data.get("revenue") is not None and status and status != LeadStatus.WON:
            self.add_error("revenue", REVENUE_ONLY_WHEN_WON)
        return data

    def changes(self) -> dict:
        """The cleaned fields that were sent, as `outcomes.set_outcome` keywords."""
        return {key: self.cleaned_data[key] for key in ("status", "revenue") if key in self.data}

    def chosen(self) -> str:
        """What was sent, as the page names it, for a refusal to echo: "Won, USD 1,200.00" (the
        status's label, then a revenue sent, `money_text` in the account's currency, as the
        page shows the lead's revenue); "" when nothing readable was sent. Call after
        `is_valid()`; fields that did not validate are left out."""
        cleaned = getattr(self, "cleaned_data", {})
        said = []
        if cleaned.get("status") and "status" in self.data:
            said.append(LeadStatus(cleaned["status"]).label)
        if cleaned.get("revenue") is not None and "revenue" in self.data:
            currency = self.lead.account.currency if self.lead is not None else ""
            said.append(money_text(cleaned["revenue"], currency))
        return ", ".join(said)


class LeadAssignForm(forms.Form):
    """Who works a lead, from its page or `PATCH /v1/leads/<id>`: `representative`, the user
    id of the person to give it to (`DigitsIntegerField`), or empty/null for nobody. Whether
    they may hold it is the service's rule (`assignment.check_holder`), reported under this
    field.

    "Nobody" must be said: the page's picker always sends the field ("" for Unassigned), so a
    post without it (a junk body) is `NO_REPRESENTATIVE`, never an unassignment, and one giving
    it twice is `GIVEN_TWICE` (which person was meant would be a guess), both under the field."""

    NO_REPRESENTATIVE = "Choose who gets this lead, or Unassigned."
    GIVEN_TWICE = "Given more than once; this field takes one value."

    representative = DigitsIntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def full_clean(self):
        super().full_clean()
        if not self.is_bound:
            return
        if "representative" not in self.data:
            problem = ValidationError(self.NO_REPRESENTATIVE, code="required")
        elif repeated_keys(self.data, ["representative"]):
            problem = ValidationError(self.GIVEN_TWICE, code="repeated")
        else:
            return
        # In place of what the field made of the value it read, if anything.
        self.errors.pop("representative", None)
        self.add_error("representative", problem)
