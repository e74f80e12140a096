"""Page-number paging for HTML lists (the JSON API has its own in api.py)."""

from django.core.paginator import Paginator


def page_of(request, queryset, per_page=25):
    """The requested page; out-of-range or junk `?page=` falls back to the nearest valid page."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
