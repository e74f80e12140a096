"""Error pages: JSON envelope under /v1/, HTML elsewhere; and requests Django cannot read (too
many parameters, a body too large, a form without its boundary), refused the same way."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found, server_error

from campaignhub.api import error, too_large_message

# What Django raises on reading a query string or a form body it will not or cannot parse.
UNREADABLE = (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError)
UNREADABLE_FORM = (
    "The form could not be read: send it as application/x-www-form-urlencoded, or as "
    "multipart/form-data with the boundary its Content-Type names."
)


def is_api(request) -> bool:
    """Whether `request` is to the JSON API (under /v1/)."""
    return request.path.startswith("/v1/")


def too_many_query_parameters() -> str:
    """What a query string of more than `DATA_UPLOAD_MAX_NUMBER_FIELDS` (1000) parameters is
    told."""
    return f"Too many query parameters: send at most {settings.DATA_UPLOAD_MAX_NUMBER_FIELDS}."


def unreadable_message(request, exception) -> tuple[int, str]:
    """(HTTP status, message) for a query string or body of `request` Django refused to read
    (`UNREADABLE`) or a `BadRequest` of ours (its message): 413 for a body over
    `DATA_UPLOAD_MAX_MEMORY_SIZE`, 400 otherwise; (400, "Bad request.") for any other refusal,
    whose text is not for users."""
    if isinstance(exception, RequestDataTooBig):
        return 413, too_large_message()
    if isinstance(exception, TooManyFieldsSent):
        try:
            request.GET  # noqa: B018 (raises again when the query string is the one)
        except TooManyFieldsSent:
            return 400, too_many_query_parameters()
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        return 400, f"Too many form fields: send at most {limit}."
    if isinstance(exception, TooManyFilesSent):
        return 400, f"Too many files: send at most {settings.DATA_UPLOAD_MAX_NUMBER_FILES}."
    if isinstance(exception, MultiPartParserError):
        return 400, UNREADABLE_FORM
    if isinstance(exception, BadRequest) and exception.args:
        return 400, str(exception.args[0])
    return 400, "Bad request."


def refused(request, status: int, message: str):
    """The answer refusing `request` with `message`: the error envelope under /v1/, else the
    400 page (templates/400.html) saying it."""
    if is_api(request):
        return error(status, message)
    return render(request, "400.html", {"message": message}, status=status)


class UnreadableRequestMiddleware:
    """Refuses a request Django cannot read with a clear 400 (413 for a body too large), the
    same with or without DEBUG: a query string of over `DATA_UPLOAD_MAX_NUMBER_FIELDS`
    parameters on any page or `/v1/` list, and a form body of too many fields or files, too
    large, or multipart without its boundary. Django itself answers those with a bare 400 (no
    message), and under DEBUG with its debug page, which reads the query string again and so
    fails with a 500.

    It sits before the CSRF middleware, which reads a POST's form body in its `process_view`,
    where `process_exception` never sees what it raises: the body of a POST to a CSRF-checked
    view is read here first. Views exempt from CSRF (the API, webhooks) read their bodies
    themselves; what they raise reaches `process_exception`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        try:
            request.GET  # noqa: B018 (parsed here, where a refusal can be answered)
            if request.method == "POST" and not getattr(view_func, "csrf_exempt", False):
                request.POST  # noqa: B018
        except UNREADABLE as exc:
            return refused(request, *unreadable_message(request, exc))
        return None

    def process_exception(self, request, exception):
        if isinstance(exception, (*UNREADABLE, BadRequest)):
            return refused(request, *unreadable_message(request, exception))
        return None


@login_not_required
def handler_400(request, exception):
    """A request Django refused before any view ran (a body over the size limit, a malformed
    header): the envelope under /v1/ (413 for a body that is too large), else the 400 page,
    saying what `unreadable_message` says."""
    return refused(request, *unreadable_message(request, exception))


@login_not_required
def handler_404(request, exception):
    if is_api(request):
        return error(404, "Not found")
    return page_not_found(request, exception)


@login_not_required
@csrf_exempt
def api_not_found(request, rest=""):
    """Any /v1/ address no API route matches (`/v1/leads/abc`): the envelope's 404, whatever the
    method and whether or not the server runs in debug mode (Django's debug page would list
    every route instead)."""
    return error(404, "Not found")


@login_not_required
def handler_500(request):
    if is_api(request):
        return error(500, "Internal server error")
    return server_error(request)
