from django import template

from campaigns.models import Integration

register = template.Library()


@register.filter
def integration_label(value):
    """`callrail` -> `CallRail`."""
    try:
        return Integration(value).label
    except ValueError:
        return value
