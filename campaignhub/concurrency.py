"""Saves from a page that has gone out of date.

A page's form carries `seen`: the version of the row it was drawn from (its `updated_at`, to the
microsecond), and beside each field the value it was drawn with (`initial-<field>`, Django's
hidden initial). When the row has changed since, the save is checked field by field:

- nothing the form edits changed (an alert was recorded, say): the save goes through;
- a field someone else changed: the save is refused with HTTP 409 and the form drawn again from
  the row as it is now: the fields the person left alone show the other change, the fields they
  edited keep their entries, and the message names what changed. Saving again applies exactly
  what is shown, so nobody's change is undone unseen.

A page without the drawn values (an old tab) is refused whenever the row changed, entries kept.
A save without `seen` (the JSON API, a script) is not checked: API writes are partial updates of
the fields they name.
"""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.template.defaultfilters import floatformat

SEEN_FIELD = "seen"
STALE_MESSAGE = (
    "Someone else changed this {what} after you opened this page{changes}. The form shows their "
    "change, with your own entries kept: check them and save again."
)


def version(row) -> str:
    """The version of a row with an `updated_at` (an aware datetime): epoch seconds followed by
    six digits of microseconds, e.g. "1764585600123456". The same as the `data-version`
    attribute live frames compare (digits only, so it orders as a number)."""
    moment = row.updated_at
    return f"{int(moment.timestamp())}{moment.microsecond:06d}"


def differs(field, drawn, value) -> bool:
    """Whether `value` (a row's value or a posted one) differs from `drawn` (posted text) for
    `field`; text the field cannot read counts as different."""
    try:
        return field.has_changed(field.to_python(drawn), value)
    except ValidationError:
        return True


def _shown(field, value) -> str:
    """A row's `value` as the form's field names it: a choice's label, an amount with thousands
    separators, "none" for empty."""
    if value in (None, ""):
        return getattr(field, "empty_label", None) or "none"
    if isinstance(field, forms.ModelChoiceField):
        row = field.queryset.filter(pk=value).first()
        return field.label_from_instance(row) if row is not None else str(value)
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))
    if isinstance(value, Decimal):
        return floatformat(value, "2g")
    return str(value)


class SeenVersionForm(forms.Form):
    """A form for changing `self.row` (given by the subclass to `track()` before validation)
    that refuses a save from a page drawn from an older version of it when a field it edits has
    changed since (see the module's docstring).

    The subclass names its editable fields and their current values in `current_values()`
    ({field name: value as the form takes it, e.g. an id for a choice of rows}). `stale` is True
    after validation when a save was refused: the view answers 409 with the form, whose data
    then holds the merged values, the current drawn values and version. `what` names the row in
    the message ("lead", "deal"). An edited field in `depends_on` keeps the entry of the field
    it depends on too (a revenue typed for a won lead keeps "won").
    """

    what = "record"
    depends_on = {}  # {field: the field its entry only means something with}, e.g. revenue: status
    seen = forms.CharField(required=False, widget=forms.HiddenInput, max_length=40)
    row = None
    stale = False

    def current_values(self) -> dict:
        """{field name: the row's value} for each field the form edits."""
        raise NotImplementedError

    def track(self, row):
        """Check saves against `row` (None: nothing to check). Each editable field carries the
        value it was drawn with (Django's `show_hidden_initial`); an unbound form is drawn from
        the row: its version as `seen`, its values as the fields' initial values."""
        self.row = row
        if row is None:
            return
        current = self.current_values()
        for name in current:
            self.fields[name].show_hidden_initial = True
        self.fields[SEEN_FIELD].initial = version(row)
        if not self.is_bound:
            self.initial = {**current, **self.initial}

    def values(self) -> dict:
        """The cleaned fields, without `seen` (it is not the row's)."""
        return {key: value for key, value in self.cleaned_data.items() if key != SEEN_FIELD}

    def clean(self):
        data = super().clean()
        seen = data.get(SEEN_FIELD)
        current = version(self.row) if self.row is not None else ""
        if seen and current and seen != current:
            self._check_against_row(current)
        return data

    def _check_against_row(self, current_version):
        """Refuse the save (ValidationError, `stale`) if a field changed since the page was
        drawn, after merging the row's current values into the fields the person left alone."""
        now = self.current_values()
        drawn = {name: self.data.get(self.add_initial_prefix(name)) for name in now}
        known = None not in drawn.values()
        if not known:
            theirs = list(now)  # the page did not say what it showed: anything may have changed
            mine = set(now)
        else:
            theirs = [name for name in now if differs(self.fields[name], drawn[name], now[name])]
            if not theirs:
                return
            mine = {
                name
                for name in now
                if name in self.data and differs(self.fields[name], drawn[name], self.data[name])
            }
            mine |= {self.depends_on[name] for name in mine if name in self.depends_on}
        self.stale = True
        self.data = self.data.copy()
        for name, value in now.items():
            text = "" if value is None else str(value)
            if name not in mine:
                self.data[name] = text
            self.data[self.add_initial_prefix(name)] = text
        self.data[SEEN_FIELD] = current_version
        changes = ""
        if known:
            named = [
                f"{self[name].label}: {_shown(self.fields[name], now[name])}" for name in theirs
            ]
            changes = f" (now {'; '.join(named)})"
        raise ValidationError(STALE_MESSAGE.format(what=self.what, changes=changes), code="stale")
