"""Error pages: JSON envelope under /v1/, HTML elsewhere."""

from django.contrib.auth.decorators import login_not_required
from django.views.defaults import page_not_found, server_error

from campaignhub.api import error


def is_api(request) -> bool:
    """Whether `request` is to the JSON API (under /v1/)."""
    return request.path.startswith("/v1/")


@login_not_required
def handler_404(request, exception):
    if is_api(request):
        return error(404, "Not found")
    return page_not_found(request, exception)


@login_not_required
def handler_500(request):
    if is_api(request):
        return error(500, "Internal server error")
    return server_error(request)
