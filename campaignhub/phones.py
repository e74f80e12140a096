"""Phone numbers in one format, E.164, the way every upstream and our uniqueness rules expect."""

import phonenumbers
from django import forms

DEFAULT_REGION = "US"


class InvalidPhoneNumber(ValueError):
    pass


class PhoneExtension(InvalidPhoneNumber):
    """The number carries an extension (`… ext. 12`), which E.164 has no place for."""


def to_e164(raw: str, region: str = DEFAULT_REGION, *, extension_ok: bool = True) -> str:
    """`(415) 555-1234` -> `+14155551234`; raises InvalidPhoneNumber for anything not dialable,
    and PhoneExtension for a number with an extension unless `extension_ok` (then the extension
    is left out: for values whose original is kept elsewhere, such as a lead's payload)."""
    try:
        number = phonenumbers.parse(str(raw), region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhoneNumber(f"{raw!r} is not a phone number.") from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhoneNumber(f"{raw!r} is not a valid phone number.")
    if number.extension and not extension_ok:
        raise PhoneExtension(f"{raw!r} has an extension.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def for_display(e164: str, region: str = DEFAULT_REGION) -> str:
    """`+14155551234` -> `(415) 555-1234` when the number is of `region`, else the international
    form (`+44 20 7946 0018`); text that is not a phone number comes back unchanged."""
    try:
        number = phonenumbers.parse(str(e164), region)
    except phonenumbers.NumberParseException:
        return str(e164)
    if not phonenumbers.is_possible_number(number):
        return str(e164)
    if phonenumbers.region_code_for_number(number) == region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def e164_or_blank(raw, region: str = DEFAULT_REGION) -> str:
    """`to_e164(raw)`, or "" for no number or one that does not parse (a withheld caller id,
    a word, a typo): for values we keep whatever they are, where a number is optional."""
    try:
        return to_e164(raw, region) if raw and str(raw).strip() else ""
    except InvalidPhoneNumber:
        return ""


class PhoneInput(forms.TextInput):
    """A phone number's input, `type="tel"`, so a phone brings up its number pad. Whose number
    it is decides `autocomplete`: `off` unless told (a contact's, a campaign's caller id: a
    browser must not fill in the person's own number there); `tel` for the person's own, as
    on their profile."""

    input_type = "tel"

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", **(attrs or {})})


class PhoneNumberField(forms.CharField):
    """A form field that cleans to E.164, drawn as a `PhoneInput`. A number with an extension
    is refused: E.164 has no place for it, and dropping it unsaid would lose what the person
    typed.

    A page's input shows a stored number as pages display phones (`for_display` in `region`:
    `(415) 555-0184`, international for other countries), which reads back to the same E.164
    value, so a save without edits changes nothing; a value that would not read back the same
    is shown as it is."""

    widget = PhoneInput

    default_error_messages = {
        "invalid": "Enter a valid phone number, e.g. +14155551234 or (415) 555-1234.",
        "extension": "Enter the number without an extension: extensions cannot be stored.",
    }

    def __init__(self, *, region=DEFAULT_REGION, **kwargs):
        kwargs.setdefault("max_length", 32)
        super().__init__(**kwargs)
        self.region = region

    def prepare_value(self, value):
        if not isinstance(value, str) or not value.startswith("+"):
            return value
        shown = for_display(value, self.region or DEFAULT_REGION)
        try:
            # Read back as a save reads it (`to_python`), in the field's own region.
            same = to_e164(shown, self.region, extension_ok=False) == value
        except InvalidPhoneNumber:
            same = False
        return shown if same else value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return ""
        try:
            return to_e164(value, self.region, extension_ok=False)
        except PhoneExtension:
            message = self.error_messages["extension"]
            raise forms.ValidationError(message, code="extension") from None
        except InvalidPhoneNumber:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
