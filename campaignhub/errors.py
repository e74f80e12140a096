"""Error pages: JSON envelope under /v1/, HTML elsewhere."""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import bad_request, page_not_found, server_error

from campaignhub.api import error, too_large_message


def is_api(request) -> bool:
    """Whether `request` is to the JSON API (under /v1/)."""
    return request.path.startswith("/v1/")


@login_not_required
def handler_400(request, exception):
    """A request Django refused before any view ran (a body over the size limit, a malformed
    header): under /v1/ the envelope, 413 for a body that is too large, else Django's page."""
    if is_api(request):
        if isinstance(exception, RequestDataTooBig):
            return error(413, too_large_message())
        return error(400, "Bad request.")
    return bad_request(request, exception)


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
