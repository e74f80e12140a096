"""How stored values read on pages: phone numbers, JSON payloads, codes as labels."""

import json
from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.html import format_html

from campaignhub import concurrency, phones

register = template.Library()


@register.filter
def local_day(value):
    """An aware datetime's day (a `date`) in the current time zone, for `|date`; one the zone
    cannot shift (the first hours of year 1 west of UTC, the last of year 9999 east of it) keeps
    its UTC day instead of failing the page. Anything else is returned as it is."""
    if not isinstance(value, datetime):
        return value
    try:
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    except OverflowError:
        return value.date()


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
