"""Paging for HTML lists: page numbers, and keyset pages for long lists (the JSON API has its
own in api.py)."""

from dataclasses import dataclass
from math import ceil

from django.core import signing
from django.core.paginator import Paginator
from django.http import QueryDict
from django.utils.functional import cached_property

from campaignhub.cleaning import digits_text, id_or_none


class KnownCountPaginator(Paginator):
    """A paginator told its total, for lists whose size is already known without a COUNT(*)."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self):
        return self._known_count


def page_of(request, queryset, per_page=25, *, count=None):
    """The requested page; out-of-range or junk `?page=` falls back to the nearest valid page.
    A page number is ASCII digits: Django's paginator reads "٢" or a fullwidth digit through
    int() as 2, so anything else is junk (page 1) rather than silently another page."""
    if count is None:
        paginator = Paginator(queryset, per_page)
    else:
        paginator = KnownCountPaginator(queryset, per_page, count=count)
    return paginator.get_page(digits_text(request.GET.get("page", "")))


CURSOR_SALT = "campaignhub.paging.cursor"


def _cursor(direction, pk):
    return signing.dumps({direction: pk}, salt=CURSOR_SALT)


def _read_cursor(raw):
    """(direction, pk) from a signed cursor, or None for junk (the list then starts over)."""
    try:
        ((direction, pk),) = signing.loads(raw, salt=CURSOR_SALT).items()
        if direction in ("after", "before") and isinstance(pk, int) and pk >= 0:
            return direction, pk
    except (signing.BadSignature, AttributeError, ValueError):
        pass
    return None


@dataclass
class DeepPage:
    """One page of a list that may be too long for page numbers all the way down.

    The first `max_page` pages go by number (`?page=`, OFFSET); beyond them, and for the last
    page, the list is walked by keyset on the primary key (`?cursor=`, signed): newest first,
    so "next" is older. `number` is None on a keyset page. The `*_url` are query strings that
    keep the request's other parameters (filters), or "" when there is no such page.
    """

    object_list: list
    count: int
    per_page: int
    max_page: int
    number: int | None = None
    next_url: str = ""
    previous_url: str = ""
    first_url: str = ""
    last_url: str = ""

    @property
    def num_pages(self):
        return max(ceil(self.count / self.per_page), 1)

    @property
    def has_other_pages(self):
        return bool(self.next_url or self.previous_url or self.first_url or self.last_url)


def _page_url(query, **param):
    """A query string: `query` (the request's, filters kept) with its page or cursor replaced."""
    query = query.copy()
    query.pop("page", None)
    query.pop("cursor", None)
    query.update(param)
    return "?" + query.urlencode()


def first_page(count, per_page=25, max_page=20):
    """Page 1 of an unfiltered list of `count` rows as `deep_page_of` gives it, without its
    rows: for drawing again the pager of a live list whose size changed (`count`, known)."""
    more = count > per_page
    return DeepPage(
        [],
        count,
        per_page,
        max_page,
        number=1,
        next_url=_page_url(QueryDict(), page=2) if more else "",
        last_url=_page_url(QueryDict(), cursor=_cursor("before", 0)) if more else "",
    )


def deep_page_of(request, queryset, per_page=25, *, count=None, max_page=20):
    """The requested page of `queryset` (newest first by primary key) as a `DeepPage`.

    `count` is the list's size when already known (kept tallies), else it is counted. Every page
    costs the same whatever the list's size: at most `max_page * per_page` rows are skipped by
    OFFSET, and deeper pages seek by primary key. A junk page number or cursor falls back to the
    nearest valid page, as `page_of` does.
    """
    queryset = queryset.order_by("-pk")
    total = queryset.count() if count is None else count
    num_pages = max(ceil(total / per_page), 1)

    def url(**param):
        return _page_url(request.GET, **param)

    last_url = url(cursor=_cursor("before", 0)) if num_pages > 1 else ""
    cursor = _read_cursor(request.GET.get("cursor", ""))
    if cursor is not None:
        direction, pk = cursor
        if direction == "after":
            rows = list(queryset.filter(pk__lt=pk)[: per_page + 1])
            older, newer = len(rows) > per_page, True
            rows = rows[:per_page]
        else:
            rows = list(queryset.filter(pk__gt=pk).order_by("pk")[: per_page + 1])
            newer = len(rows) > per_page
            rows = rows[:per_page][::-1]
            older = bool(rows) and queryset.filter(pk__lt=rows[-1].pk).exists()
        # Walking back to the newest rows lands on page 1 itself.
        if newer:
            return DeepPage(
                rows,
                total,
                per_page,
                max_page,
                next_url=url(cursor=_cursor("after", rows[-1].pk)) if older else "",
                previous_url=url(cursor=_cursor("before", rows[0].pk)) if rows else "",
                first_url=url(),
                last_url=last_url if older else "",
            )
    raw = request.GET.get("page", "") if cursor is None else ""
    number = min(max(id_or_none(raw) or 1, 1), num_pages, max_page)
    offset = (number - 1) * per_page
    rows = list(queryset[offset : offset + per_page + 1])
    older = len(rows) > per_page
    rows = rows[:per_page]
    if not older:
        next_url = ""
    elif number < max_page:
        next_url = url(page=number + 1)
    else:
        next_url = url(cursor=_cursor("after", rows[-1].pk))
    return DeepPage(
        rows,
        total,
        per_page,
        max_page,
        number=number,
        next_url=next_url,
        previous_url=url(page=number - 1) if number > 1 else "",
        last_url=last_url if older else "",
    )
