"""How report figures read on the page."""

from django import template

register = template.Library()


@register.filter
def percent(value):
    """A share (0.125) as a percentage with one decimal (`12.5%`); "—" for None."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%"
