"""Paging for HTML lists: page numbers, and keyset pages for long lists (the JSON API has its
own in api.py)."""

from dataclasses import dataclass
from datetime import datetime
from math import ceil

from django.core import signing
from django.core.exceptions import BadRequest
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import QueryDict
from django.utils.functional import cached_property

from campaignhub.cleaning import digits_text, id_or_none
from campaignhub.query import repeated_keys, repeated_message


class KnownCountPaginator(Paginator):
    """A paginator told its total, for lists whose size is already known without a COUNT(*)."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self):
        return self._known_count


def _paging_query(request, *keys) -> list[str]:
    """The values of `keys` (`page`, `cursor`) in the request's query, "" for one not given.
    Raises `BadRequest` ("Give each query parameter once: page.", a 400 page,
    `campaignhub.errors`) for one given more than once, as a repeated filter is refused
    (`campaignhub.query`): which page was meant would be a guess."""
    if repeated := repeated_keys(request.GET, keys):
        raise BadRequest(repeated_message(repeated))
    return [request.GET.get(key, "") for key in keys]


def page_of(request, queryset, per_page=25, *, count=None):
    """The requested page; junk, 0 or a missing `?page=` is page 1, a number past the end the
    last page. A page number is ASCII digits: Django's paginator reads "٢" or a fullwidth digit
    through int() as 2, so anything else is junk (page 1) rather than silently another page
    (and it reads 0 as past the end). A page given twice raises `BadRequest`."""
    if count is None:
        paginator = Paginator(queryset, per_page)
    else:
        paginator = KnownCountPaginator(queryset, per_page, count=count)
    (raw,) = _paging_query(request, "page")
    text = digits_text(raw)
    return paginator.get_page(text if text and text.lstrip("0") else 1)


@dataclass(frozen=True)
class Keyset:
    """The order of a list walked by keyset, newest first: descending `fields`, the last one
    the primary key (so two rows never tie). A row's position is its values of `fields`
    (`position`), written into cursors as JSON: a lone primary key as the number itself (the
    cursors of lists by id), several as a list, datetimes in ISO 8601."""

    fields: tuple[str, ...] = ("pk",)

    def newest_first(self, queryset):
        return queryset.order_by(*(f"-{name}" for name in self.fields))

    def oldest_first(self, queryset):
        return queryset.order_by(*self.fields)

    def values(self, row) -> tuple:
        """`row`'s values of `fields`, to compare with (`older`, `newer`)."""
        return tuple(getattr(row, name) for name in self.fields)

    def position(self, row):
        """`row`'s position, JSON-ready (see the class)."""
        values = [
            value.isoformat() if isinstance(value, datetime) else value
            for value in self.values(row)
        ]
        return values[0] if len(values) == 1 else values

    def read(self, raw):
        """The position written by `position`, as values to compare with; None when `raw` is
        not one (a cursor of another list, or made by hand)."""
        values = [raw] if len(self.fields) == 1 else raw
        if not isinstance(values, list) or len(values) != len(self.fields):
            return None
        *leading, pk = values
        if not isinstance(pk, int) or isinstance(pk, bool) or pk < 0:
            return None
        try:
            leading = [datetime.fromisoformat(value) for value in leading]
        except (TypeError, ValueError):
            return None
        return (*leading, pk)

    def _beyond(self, queryset, values, lookup):
        # (a, b) < (x, y) is a < x, or a = x and b < y: spelled out, as Django has no row
        # comparison. The leading field's a <= x beside it is what the index on the fields
        # seeks by, so a page reads from its position on, however deep, and not every row
        # before it.
        condition = Q()
        for depth, name in enumerate(self.fields):
            equal = {
                field: value for field, value in zip(self.fields[:depth], values, strict=False)
            }
            condition |= Q(**equal, **{f"{name}__{lookup}": values[depth]})
        if len(self.fields) > 1:
            condition &= Q(**{f"{self.fields[0]}__{lookup}e": values[0]})
        return queryset.filter(condition)

    def older(self, queryset, values):
        """The rows of `queryset` after position `values` in newest-first order."""
        return self._beyond(queryset, values, "lt")

    def newer(self, queryset, values):
        """The rows of `queryset` before position `values` in newest-first order."""
        return self._beyond(queryset, values, "gt")


BY_ID = Keyset()
# Newest created first (ties by id): a row moved in with its original creation date takes its
# place by that date, not by when it was moved in.
BY_CREATED = Keyset(("created_at", "pk"))

CURSOR_SALT = "campaignhub.paging.cursor"
# The cursor of the last (oldest) page: the rows newest of all in oldest-first order.
OLDEST_END = "end"


def _cursor(direction, position):
    return signing.dumps({direction: position}, salt=CURSOR_SALT)


def _read_cursor(raw, keyset=BY_ID):
    """(direction, position or OLDEST_END) from a signed cursor, or None for junk (the list
    then starts over). A last-page cursor of a list by id (`{"before": 0}`) still reads."""
    try:
        ((direction, position),) = signing.loads(raw, salt=CURSOR_SALT).items()
    except (signing.BadSignature, AttributeError, ValueError):
        return None
    if direction == "before" and position in (OLDEST_END, 0):
        return direction, OLDEST_END
    if direction in ("after", "before"):
        values = keyset.read(position)
        if values is not None:
            return direction, values
    return None


@dataclass
class DeepPage:
    """One page of a list that may be too long for page numbers all the way down.

    The first `max_page` pages go by number (`?page=`, OFFSET); beyond them, and for the last
    page, the list is walked by keyset (`?cursor=`, signed; a `Keyset`, the primary key unless
    told): newest first, so "next" is older. `number` is None on a keyset page. The `*_url`
    are query strings that keep the request's other parameters (filters), or "" when there is
    no such page.
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
        last_url=_page_url(QueryDict(), cursor=_cursor("before", OLDEST_END)) if more else "",
    )


def deep_page_of(request, queryset, per_page=25, *, count=None, max_page=20, keyset=BY_ID):
    """The requested page of `queryset`, newest first in `keyset`'s order (by primary key
    unless told), as a `DeepPage`.

    `count` is the list's size when already known (kept tallies), else it is counted. Every page
    costs the same whatever the list's size: at most `max_page * per_page` rows are skipped by
    OFFSET, and deeper pages seek by keyset (an index on the keyset's fields serves them). A junk
    page number or cursor falls back to the nearest valid page, as `page_of` does; a page or
    cursor given twice raises `BadRequest`.
    """
    queryset = keyset.newest_first(queryset)
    total = queryset.count() if count is None else count
    num_pages = max(ceil(total / per_page), 1)

    def url(**param):
        return _page_url(request.GET, **param)

    def at(direction, row):
        return url(cursor=_cursor(direction, keyset.position(row)))

    last_url = url(cursor=_cursor("before", OLDEST_END)) if num_pages > 1 else ""
    raw_page, raw_cursor = _paging_query(request, "page", "cursor")
    cursor = _read_cursor(raw_cursor, keyset)
    if cursor is not None:
        direction, position = cursor
        if direction == "after":
            rows = list(keyset.older(queryset, position)[: per_page + 1])
            older, newer = len(rows) > per_page, True
            rows = rows[:per_page]
        else:
            newest = queryset if position == OLDEST_END else keyset.newer(queryset, position)
            rows = list(keyset.oldest_first(newest)[: per_page + 1])
            newer = len(rows) > per_page
            rows = rows[:per_page][::-1]
            older = bool(rows) and keyset.older(queryset, keyset.values(rows[-1])).exists()
        # Walking back to the newest rows lands on page 1 itself.
        if newer:
            return DeepPage(
                rows,
                total,
                per_page,
                max_page,
                next_url=at("after", rows[-1]) if older else "",
                previous_url=at("before", rows[0]) if rows else "",
                first_url=url(),
                last_url=last_url if older else "",
            )
    raw = raw_page if cursor is None else ""
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
        next_url = at("after", rows[-1])
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
