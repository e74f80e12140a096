"""The one rule of query strings that every list reads, page and API alike: each key takes one
value. `?campaign=1&campaign=2` filters by one campaign, and which one would be a guess (Django's
QueryDict answers the last), so a repeated key is refused, never read."""

import re
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


# Characters a filter's error must not echo as they were given (a bad value is quoted in
# Django's "x is not one of the available choices."): C0 and C1 controls (a NUL from
# `?status=%00`) and Unicode's direction controls, which can make the text read as another.
UNSHOWN_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def shown_escaped(text: str) -> str:
    """`text` with each of UNSHOWN_CHARACTERS written as its escape: "\\x00" for a NUL,
    "\\u202e" for a right-to-left override."""
    return UNSHOWN_CHARACTERS.sub(
        lambda found: (
            f"\\x{ord(found[0]):02x}" if ord(found[0]) < 0x100 else f"\\u{ord(found[0]):04x}"
        ),
        text,
    )


def filter_errors_text(
    errors: Mapping[str, Iterable[str]], labels: Mapping[str, str] | None = None
) -> str:
    """A list's filter errors (a form's `errors`: {field: [message]}) as one line, each field's
    messages after the name of its control on the page (`labels`: {field: label}; the field's
    name without one), an error of the whole query without one, the fields joined by "; "
    without the stop before it: "Status: Select a valid choice. bogus is not one of the
    available choices; Campaign: Choose a campaign of this account." A value the messages
    quote is shown with its control characters escaped (`shown_escaped`)."""
    labels = labels or {}
    said = []
    for field, messages in errors.items():
        text = shown_escaped(" ".join(str(message) for message in messages))
        said.append(text if field == "__all__" else f"{labels.get(field, field)}: {text}")
    return "; ".join(
        text.removesuffix(".") if index < len(said) - 1 else text for index, text in enumerate(said)
    )


class SingleValueFilterForm(forms.Form):
    """A list's filters. Bound to a page's query string (a QueryDict), a filter given more than
    once is an error of the whole form (`repeated_message`, code `repeated`), so the page says
    so and lists or downloads nothing, as for any filter it cannot use. The `/v1/` lists refuse
    the query before binding it (`api.refuse_unknown_query`), with the same rule."""

    def full_clean(self):
        super().full_clean()
        if self.is_bound and (repeated := repeated_keys(self.data, self.fields)):
            self.add_error(None, ValidationError(repeated_message(repeated), code="repeated"))
