"""How stored values read on pages: dates and times, phone numbers, JSON payloads, codes as
labels. Every page shows a moment as `|when` and a day as `|day`, in the account's time zone
(`tenancy` activates it per request, `live.render` per pushed fragment), a phone number as
`|phone` and an amount as `|money`; what is stored and what the JSON API answers stay E.164,
ISO 8601 and plain decimals."""

import json
import zoneinfo
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django import template
from django.utils import dateformat, timezone
from django.utils.html import format_html

from campaignhub import concurrency, phones, query

register = template.Library()

# The one way pages write a moment and a day (Django `date` format codes):
# "3 Dec 2026, 14:05", "3 Dec 2026". The title of a moment adds its seconds and zone,
# the title of a day its weekday, for whoever needs them (the delivery log, a report's days).
DATETIME_FORMAT = "j M Y, H:i"
# A moment to the second, where moments of one minute must be told apart (a list of deliveries).
SECONDS_FORMAT = "j M Y, H:i:s"
DATE_FORMAT = "j M Y"
EXACT_FORMAT = "j M Y, H:i:s T"
LONG_DATE_FORMAT = "l, j F Y"


def _zone(name):
    """The time zone named `name` (IANA), else the current one (the account's on pages)."""
    if name:
        try:
            return zoneinfo.ZoneInfo(str(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            pass
    return timezone.get_current_timezone()


def _local(value: datetime, zone_name="") -> datetime:
    """`value` in the zone `_zone(zone_name)`; a naive value, or one the zone cannot shift (the
    first hours of year 1 west of UTC, the last of year 9999 east of it), as it is."""
    if timezone.is_naive(value):
        return value
    try:
        return timezone.localtime(value, _zone(zone_name))
    except OverflowError:
        return value


def _exact(moment: datetime) -> str:
    """The title of a moment: `3 Dec 2026, 14:05:07 EST` (no zone for a naive one)."""
    return dateformat.format(moment, EXACT_FORMAT if timezone.is_aware(moment) else "j M Y, H:i:s")


@register.filter
def when(value, zone_name=""):
    """An aware datetime as pages show a moment, in the current time zone (the account's), or
    in `zone_name` (IANA) when given, then named (`EST`) since it is not the page's own:
    `<time datetime="2026-12-03T14:05:07-05:00" title="3 Dec 2026, 14:05:07 EST">3 Dec 2026,
    14:05</time>`. None and "" render as "", so `|default:"—"` can follow; anything that is
    not a datetime is returned as it is."""
    return _moment(value, zone_name, DATETIME_FORMAT)


@register.filter
def when_seconds(value, zone_name=""):
    """`when` to the second: `<time …>3 Dec 2026, 14:05:07</time>`, for a list whose rows may
    fall in one minute (Incoming deliveries), so they can be told apart at a glance."""
    return _moment(value, zone_name, SECONDS_FORMAT)


def moment_text(value: datetime, zone) -> str:
    """An aware datetime as plain text (an SMS, an email's text) in `zone` (a tzinfo, the
    account's), named since a message is read anywhere: "3 Dec 2026, 14:05 EST"."""
    return dateformat.format(timezone.localtime(value, zone), f"{DATETIME_FORMAT} T")


def _moment(value, zone_name, shown_format):
    if not isinstance(value, datetime):
        return value if value is not None else ""
    moment = _local(value, zone_name)
    shown = dateformat.format(moment, shown_format)
    if zone_name and timezone.is_aware(moment):
        shown += " " + dateformat.format(moment, "T")
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        moment.isoformat(),
        _exact(moment),
        shown,
    )


def _local_day(value):
    """An aware datetime's day (a `date`) in the current time zone; one the zone
    cannot shift (the first hours of year 1 west of UTC, the last of year 9999 east of it) keeps
    its UTC day instead of failing the page. Anything else is returned as it is."""
    if not isinstance(value, datetime):
        return value
    try:
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    except OverflowError:
        return value.date()


@register.filter
def day(value):
    """A date, or an aware datetime's day in the current time zone, as pages show a day:
    `<time datetime="2026-12-03" title="Thursday, 3 December 2026">3 Dec 2026</time>`.
    None and "" render as ""; anything else is returned as it is."""
    if isinstance(value, datetime):
        value = _local_day(value)
    if not isinstance(value, date):
        return value if value is not None else ""
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        value.isoformat(),
        dateformat.format(value, LONG_DATE_FORMAT),
        dateformat.format(value, DATE_FORMAT),
    )


def money_text(amount, currency="") -> str:
    """The one way pages write an amount: the currency's ISO 4217 code, then the amount with
    thousands separators and cents (`1500, "USD"` -> "USD 1,500.00"; `-2.5, "EUR"` ->
    "EUR -2.50"). "—" for None; text that is no number is shown as it is, after the code."""
    if amount is None or amount == "":
        return "—"
    try:
        text = f"{Decimal(str(amount)):,.2f}"
    except (InvalidOperation, ValueError):
        text = str(amount)
    return f"{currency} {text}".strip()


@register.filter
def money(amount, currency=""):
    """`{{ deal.value|money:deal.currency }}` -> "USD 1,500.00" (`money_text`)."""
    return money_text(amount, currency)


@register.filter
def phone(value, region=""):
    """An E.164 number in the national format of `region` (the account's country, ISO 3166;
    the product's default when empty), international for other countries, with the E.164 form
    in the title, left-to-right on its own so a right-to-left name beside it does not reorder
    its digits: `<span class="phone" dir="ltr" title="+14155551234">(415) 555-1234</span>`.
    Empty values render as an empty string, so `|default:"—"` can follow."""
    if not value:
        return ""
    shown = phones.for_display(value, region or phones.DEFAULT_REGION)
    if shown == value:
        return value
    return format_html('<span class="phone" dir="ltr" title="{}">{}</span>', value, shown)


@register.filter
def email(value):
    """An email address that may wrap after its `@` (`local@<wbr>domain`) rather than inside a
    word; empty values render as "", so `|default:"—"` can follow."""
    if not value:
        return ""
    local, at, domain = str(value).rpartition("@")
    if not at:
        return value
    return format_html("{}@<wbr>{}", local, domain)


@register.filter
def contact_label(contact, region=""):
    """How a contact is named on pages: `str(contact)`, except that a contact known only by its
    phone is named by the number as people in `region` read it, not in E.164."""
    if not (contact.name or contact.company) and contact.phone:
        return phones.for_display(contact.phone, region or phones.DEFAULT_REGION)
    return str(contact)


@register.filter
def version(row):
    """A row's version (`concurrency.version`): for `data-version` and a form's `seen`."""
    return concurrency.version(row)


@register.filter
def pretty_json(value):
    """A dict or list as indented JSON text (escaped by the template like any string)."""
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


@register.filter
def code_label(value):
    """`lead_arrived` -> `Lead arrived`: a machine code as words, for codes without choices."""
    if not value:
        return ""
    text = str(value).replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


@register.filter
def filter_errors(form):
    """A list's filter form's errors as one line (`query.filter_errors_text`), each named with
    its field's label, the name of its control on the page: "Status: Select a valid choice.
    \\x00 is not one of the available choices; Campaign: …"."""
    labels = {name: str(form[name].label) for name in form.errors if name in form.fields}
    return query.filter_errors_text(form.errors, labels)


@register.filter
def filter_error_fields(form):
    """The names of a filter form's fields with errors, space-separated (the page's app.js
    marks their controls aria-invalid, described by the filter errors)."""
    return " ".join(name for name in form.errors if name in form.fields)
