"""Template filters for notifications: event codes and device types as the words people use."""

from django import template

from notifications.forms import device_type_label
from notifications.rendering import event_label as label_of

register = template.Library()


@register.filter
def event_label(event):
    """`lead_arrived` -> "New lead"."""
    return label_of(str(event)) if event else ""


@register.filter
def device_type(value):
    """`ios` -> "iOS" (`forms.device_type_label`)."""
    return device_type_label(value)
