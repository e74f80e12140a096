"""Page-number paging for HTML lists (the JSON API has its own in api.py)."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class KnownCountPaginator(Paginator):
    """A paginator told its total, for lists whose size is already known without a COUNT(*)."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self):
        return self._known_count


def page_of(request, queryset, per_page=25, *, count=None):
    """The requested page; out-of-range or junk `?page=` falls back to the nearest valid page."""
    if count is None:
        paginator = Paginator(queryset, per_page)
    else:
        paginator = KnownCountPaginator(queryset, per_page, count=count)
    return paginator.get_page(request.GET.get("page"))
