"""Template filters for notifications: event codes as the words people use."""

from django import template

from notifications.rendering import event_label as label_of

register = template.Library()


@register.filter
def event_label(event):
    """`lead_arrived` -> "New lead"."""
    return label_of(str(event)) if event else ""
