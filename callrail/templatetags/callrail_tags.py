"""Template filters for CallRail pages: CallRail's codes in CallRail's words."""

from django import template

from callrail.client import SOURCE_LABELS
from campaignhub.templatetags.display import code_label

register = template.Library()

TRACKER_TYPES = {"source": "Source", "session": "Session"}
STATUSES = {"active": "Active", "disabled": "Disabled"}


@register.filter
def source_label(value):
    """`google_ad_extension` -> "Google Ads extension"; unknown codes as words."""
    return SOURCE_LABELS.get(value) or code_label(value)


@register.filter
def tracker_type_label(value):
    """`session` -> "Session"."""
    return TRACKER_TYPES.get(value) or code_label(value)


@register.filter
def status_label(value):
    """`disabled` -> "Disabled"."""
    return STATUSES.get(value) or code_label(value)
