"""How a page answers: the whole page, or only its named partial when htmx asks for a region."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def wants_partial(request) -> bool:
    """True for an htmx request that swaps a region; boosted links, history restores (Back with
    nothing cached) and plain loads want whole pages."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def page_or_partial(request, template: str, context: dict, *, partial: str, status: int = 200):
    """Render `template` whole, or only its `{% partialdef partial %}` for an htmx request.

    The answer varies with the HX-Request header, so a cached fragment is never shown as the
    page (e.g. on Back) and a cached page is never swapped into a region.
    """
    name = f"{template}#{partial}" if wants_partial(request) else template
    response = render(request, name, context, status=status)
    patch_vary_headers(response, ["HX-Request"])
    return response
