"""The one rule of query strings that every list reads, page and API alike: each key takes one
value. `?campaign=1&campaign=2` filters by one campaign, and which one would be a guess (Django's
QueryDict answers the last), so a repeated key is refused, never read."""

from collections.abc import Iterable, Mapping

from django import forms
from django.core.exceptions import ValidationError


def repeated_keys(query: Mapping, names: Iterable[str] | None = None) -> list[str]:
    """The keys of `query` (a QueryDict; a plain dict repeats nothing) given more than once,
    sorted; only those in `names` when given."""
    if not hasattr(query, "getlist"):
        return []
    wanted = set(query) if names is None else set(names) & set(query)
    return sorted(key for key in wanted if len(query.getlist(key)) > 1)


def repeated_message(keys: Iterable[str]) -> str:
    """What a query repeating `keys` is told: "Give each query parameter once: campaign, from."
    (the `/v1/` lists' 400 message and the pages' filter error alike)."""
    return f"Give each query parameter once: {', '.join(keys)}."


class SingleValueFilterForm(forms.Form):
    """A list's filters. Bound to a page's query string (a QueryDict), a filter given more than
    once is an error of the whole form (`repeated_message`, code `repeated`), so the page says
    so and lists or downloads nothing, as for any filter it cannot use. The `/v1/` lists refuse
    the query before binding it (`api.refuse_unknown_query`), with the same rule."""

    def full_clean(self):
        super().full_clean()
        if self.is_bound and (repeated := repeated_keys(self.data, self.fields)):
            self.add_error(None, ValidationError(repeated_message(repeated), code="repeated"))
