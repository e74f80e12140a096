"""The product's URLs plus the floors the benchmarks compare against."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

from campaignhub import live


@csrf_exempt
@login_not_required
def floor(request):
    """A bare 200: what the server and Django cost before any product code runs."""
    return HttpResponse(b'{"received": true}', content_type="application/json")


@csrf_exempt
@login_not_required
def live_floor(request):
    """One group event to one person's sockets: the least a live update can cost."""
    group = live.member_group(request.POST["account"], request.POST["user"])
    live.push(group, "bench", f'<div id="bench">{request.POST["marker"]}</div>')
    return HttpResponse(b"{}", content_type="application/json")


urlpatterns = [
    path("bench/floor/", floor),
    path("bench/live/", live_floor),
    path("", include("campaignhub.urls")),
]
