"""A create page sent twice creates once: Back then Submit again, or the same page resent.

A create form carries a submission id drawn when the page is drawn (`{% submission_id %}`, a
hidden `submission_id` UUID) and posts to its page's address plus `?send` (`SEND_ACTION`). The
browser keeps the page for Back (`private, max-age=0`: kept, never shared, asked again on a new
visit), and a POST only drops the kept copy of the address it goes to (RFC 9111 §4.4), so Back
shows the very page drawn and a second send of it carries the same id.

`@creates_once` lets the first POST with an id through and remembers where it led (the redirect
to what it created); a later POST with that id is not run again, it is redirected there with a
note. A POST refused (no redirect: a form error, an upstream refusal) releases its id, so the
corrected page can be sent again (it is drawn again with the same id).

Ids are kept in the cache (Redis in production, shared by all processes) for `KEPT_SECONDS`,
per person. A POST without an id (API-like clients, pages drawn before this existed) runs as
always; so does every POST while the cache is down (logged), as creating twice is better than
refusing to create.
"""

import functools
import logging
import time
import uuid

from django.contrib import messages
from django.core.cache import cache
from django.shortcuts import redirect
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)

FIELD = "submission_id"
# The form's `action`: the page's own address with this query, so the POST leaves it kept.
SEND_ACTION = "?send"
KEPT_SECONDS = 24 * 3600
# A second POST of a page whose first still runs (a double click) waits this long for it.
PENDING_WAIT_SECONDS = 5.0
PENDING_POLL_SECONDS = 0.05
# What an id is mapped to while its first POST runs.
PENDING = "pending"
ALREADY_SENT = "This page was already sent; here is what it created."
STILL_SAVING = (
    "This page was sent a moment ago and is still being saved: look for what it creates "
    "before sending it again."
)


def page_id(request) -> str:
    """The submission id (UUID, as text) of a create page being drawn: the one it was sent with
    when it is drawn again after a refusal (one page, one id), else a fresh UUID4."""
    return str(_sent_id(request) or uuid.uuid4())


def _sent_id(request):
    if request is None or request.method != "POST":
        return None
    try:
        return uuid.UUID(request.POST.get(FIELD, ""))
    except ValueError:
        return None


def _key(request):
    """The cache key of the request's submission id, or None when it carries none."""
    sent = _sent_id(request)
    return None if sent is None else f"submission:{request.user.pk}:{sent}"


def creates_once(view=None, *, already=ALREADY_SENT):
    """A view decorator for create pages (`@creates_once`, or `@creates_once(already=...)` for
    the note): see the module docstring. What a first POST created is where its redirect
    (301/302/303) leads, or `response.created_at` (a URL) for a page that shows its creation
    itself (an API token's secret, shown once). Responses: the view's own; for an id already
    used, a redirect (302) to what its first POST created with `already` as an info message;
    while that POST still runs (a double click), the same once it ends, waited for up to
    `PENDING_WAIT_SECONDS`, else back to the page with a warning. An id that left the cache
    between the two looks (expired) runs the view."""
    if view is None:
        return functools.partial(creates_once, already=already)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        key = _key(request)
        if key is None:
            response = view(request, *args, **kwargs)
            if request.method == "GET":
                patch_cache_control(response, private=True, max_age=0)
            return response
        try:
            first = cache.add(key, PENDING, timeout=KEPT_SECONDS)
        except Exception:
            logger.warning("Submission ids unavailable; the page runs unchecked", exc_info=True)
            return view(request, *args, **kwargs)
        if not first:
            where = _settled(key)
            if where is not None:
                return _sent_before(request, where, already)
        try:
            response = view(request, *args, **kwargs)
        except BaseException:
            _forget(key)
            raise
        created_at = getattr(response, "created_at", None)
        if created_at is None and response.status_code in (301, 302, 303):
            created_at = response.get("Location")
        if created_at:
            _remember(key, created_at)
        else:
            _forget(key)
        return response

    return wrapper


def _settled(key):
    """What the id's first POST created, once it has (or PENDING after the wait, or None when
    the id left the cache)."""
    deadline = time.monotonic() + PENDING_WAIT_SECONDS
    where = cache.get(key)
    while where == PENDING and time.monotonic() < deadline:
        time.sleep(PENDING_POLL_SECONDS)
        where = cache.get(key)
    return where


def _sent_before(request, where, already):
    if where == PENDING:
        messages.warning(request, STILL_SAVING)
        return redirect(request.get_full_path())
    messages.info(request, already)
    return redirect(where)


def _remember(key, location):
    try:
        cache.set(key, location, timeout=KEPT_SECONDS)
    except Exception:
        logger.warning("Submission id %s not kept", key, exc_info=True)


def _forget(key):
    try:
        cache.delete(key)
    except Exception:
        logger.warning("Submission id %s not released", key, exc_info=True)
