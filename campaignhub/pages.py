"""How a page answers: the whole page, or only its named partial when htmx asks for a region."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django_htmx.http import trigger_client_event


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


def notify(response, text: str, level: str = "success"):
    """Have the page show `text` among its messages once `response` (an answer to htmx) is
    swapped in: the `notice` event with `{level, text}` (static/js/app.js), sent after the swap
    so it reaches the page even when a live update replaced the element that asked. `level` is
    a message level's tag (success, info, warning, error). Returns `response`."""
    return trigger_client_event(response, "notice", {"level": level, "text": text}, after="swap")


def gone(request, *, message: str, back_url: str, back_label: str, typed=(), status: int = 404):
    """The page answering a form posted for something no longer there (deleted meanwhile, in
    another tab or by someone else): `message` says what happened and that nothing was saved,
    `typed` ((label, text) pairs, empty ones left out) shows what the person had typed so it
    is not lost, and a link (`back_url`, `back_label`) leads back to the list. `status` 410
    where the thing is known to have been deleted, else 404."""
    shown = [(label, text) for label, text in typed if text and text.strip()]
    context = {"message": message, "back_url": back_url, "back_label": back_label, "typed": shown}
    return render(request, "gone.html", context, status=status)
