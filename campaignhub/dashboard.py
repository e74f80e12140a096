"""Dashboard panels: apps register what they show, so the platform names no domain app."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable  # (request) -> dict
    order: int


PANELS: dict[str, Panel] = {}


def register_panel(template: str, context, order: int) -> None:
    PANELS[template] = Panel(template, context, order)


def panels(request):
    return [
        {"template": panel.template, **panel.context(request)}
        for panel in sorted(PANELS.values(), key=lambda p: p.order)
    ]
