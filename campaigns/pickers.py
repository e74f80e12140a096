"""Integration-specific widgets on the campaign form, served by the integration's own app.

An integration registers the URL of a fragment (e.g. CallRail's tracker picker) for its
integration value; the campaign form loads it with hx-get, so campaigns never imports it.
"""

from django.urls import reverse

PICKERS: dict[str, str] = {}


def register(integration: str, url_name: str) -> None:
    PICKERS[integration] = url_name


def for_integrations() -> dict[str, str]:
    return {integration: reverse(url_name) for integration, url_name in PICKERS.items()}
