"""Saves from a page that has gone out of date.

A page's form carries `seen`: the version of the row it was drawn from (its `updated_at`, to the
microsecond). A save whose row has changed since is refused with HTTP 409 and the form drawn
again from the row as it is now, the person's entries kept, instead of silently undoing what
someone else saved in between. A save without `seen` (the JSON API, a script) is not checked:
API writes are partial updates of the fields they name.
"""

from django import forms

SEEN_FIELD = "seen"
STALE_MESSAGE = (
    "Someone else changed this {what} after you opened this page, and the page now shows their "
    "change. Your entries are below: check them and save again."
)


def version(row) -> str:
    """The version of a row with an `updated_at` (an aware datetime): epoch seconds followed by
    six digits of microseconds, e.g. "1764585600123456". The same as the `data-version`
    attribute live frames compare (digits only, so it orders as a number)."""
    moment = row.updated_at
    return f"{int(moment.timestamp())}{moment.microsecond:06d}"


class SeenVersionForm(forms.Form):
    """A form for changing `self.row` (set by the subclass before validation) that refuses a
    save from a page drawn from an older version of it.

    `stale` is True after validation when that happened: the view answers 409. The form's
    `seen` then holds the row's current version, so saving again (after a look) goes through.
    `what` names the row in the message ("lead", "deal").
    """

    what = "record"
    seen = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)
    row = None
    stale = False

    def track(self, row):
        """Check saves against `row` (None: nothing to check); an unbound form offers its
        version as `seen`."""
        self.row = row
        if row is not None:
            self.fields[SEEN_FIELD].initial = version(row)

    def values(self) -> dict:
        """The cleaned fields, without `seen` (it is not the row's)."""
        return {key: value for key, value in self.cleaned_data.items() if key != SEEN_FIELD}

    def clean(self):
        data = super().clean()
        seen = data.get(SEEN_FIELD)
        current = version(self.row) if self.row is not None else ""
        if seen and current and seen != current:
            self.stale = True
            self.data = self.data.copy()
            self.data[SEEN_FIELD] = current
            raise forms.ValidationError(STALE_MESSAGE.format(what=self.what), code="stale")
        return data
