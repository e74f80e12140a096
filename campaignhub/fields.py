"""Form fields the JSON API and the pages need beyond Django's own."""

import re
import unicodedata
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import (
    DecimalValidator,
    MaxValueValidator,
    MinValueValidator,
    URLValidator,
)

from campaignhub.cleaning import decimal_text, digits_text, id_or_none
from campaignhub.http import LINK_LOCAL_MESSAGE, link_local_address

# 1,500 or 12,345,678.90: commas only between groups of three digits. "1,5" is left alone (and
# refused): in much of the world that comma is the decimal point.
GROUPED_AMOUNT = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
INVALID_AMOUNT = "Enter an amount, such as 1500 or 1,500.00."


# Whitespace and characters that show nothing (zero-width space, non-joiner and joiner, word
# joiner, byte order mark, soft hyphen, Mongolian vowel separator, the left-to-right,
# right-to-left and Arabic letter marks, the combining grapheme joiner, the Hangul fillers and
# the blank Braille pattern) around a name. Variation selectors and tags stay: an emoji at a
# name's end may need them.
_INVISIBLE = (
    r"[\s\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u200e\u200f\u061c\u034f"
    r"\u115f\u1160\u3164\uffa0\u2800]+"
)
INVISIBLE_EDGES = re.compile(rf"^{_INVISIBLE}|{_INVISIBLE}$")
# Unicode's directional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069): no
# typed name needs one (letters carry their own direction), and one can make a name read as
# another ("\u202eevil" is drawn "live").
DIRECTION_CONTROLS = re.compile(r"[\u202a-\u202e\u2066-\u2069]")
# Line and paragraph breaks and tabs (a name is one line: each becomes a space), and every other
# C0 and C1 control character (an escape sequence recolouring a terminal, a bell…: removed).
LINE_BREAKS = re.compile(r"[\t\n\v\f\r\x1c-\x1e\x85\u2028\u2029]")
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


# Unicode categories that draw nothing on their own: controls, format characters (joiners, tags,
# marks), surrogates, spaces and separators, combining marks.
UNDRAWN_CATEGORIES = {"Cc", "Cf", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"}
# Characters that draw nothing although Unicode counts them as letters or symbols: the Hangul
# fillers and the blank Braille pattern, used to make a name look empty.
BLANK_CHARACTERS = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800"}


def draws_something(value: str) -> bool:
    """Whether `value` has a character a page draws (`UNDRAWN_CATEGORIES`, `BLANK_CHARACTERS`)."""
    return any(
        char not in BLANK_CHARACTERS and unicodedata.category(char) not in UNDRAWN_CATEGORIES
        for char in value
    )


def clean_name(value: str) -> str:
    """A name without control characters: a line break or tab is a space, other C0/C1
    controls and direction controls are removed, and so are whitespace and invisible
    characters around it; a name that draws nothing (`draws_something`) is ""."""
    value = CONTROL_CHARACTERS.sub("", LINE_BREAKS.sub(" ", value))
    value = INVISIBLE_EDGES.sub("", DIRECTION_CONTROLS.sub("", value))
    return value if draws_something(value) else ""


NULL_CHARACTERS = "Null characters are not allowed."
CONTROL_CHARACTERS_REFUSED = "Control characters are not allowed."


class NameField(forms.CharField):
    """A name as people see it (`clean_name`): a line break or tab becomes a space (a name is
    one line); direction controls are removed wherever they are, whitespace and invisible
    characters around it too, so a name made of nothing visible is empty ("This field is
    required." when required), never an invisible row, and no name is drawn reversed. A NUL
    ("Null characters are not allowed.", as every other text field of Django's says) or any
    other C0/C1 control character ("Control characters are not allowed.": an escape sequence
    recolouring a terminal, a bell) is refused, never removed behind the person's back.
    Invisible characters inside the name stay (a joiner may belong in it)."""

    def to_python(self, value):
        value = super().to_python(value)
        if not isinstance(value, str):
            return value
        if "\x00" in value:
            raise ValidationError(NULL_CHARACTERS, code="null_characters_not_allowed")
        if CONTROL_CHARACTERS.search(LINE_BREAKS.sub(" ", value)):
            raise ValidationError(CONTROL_CHARACTERS_REFUSED, code="control_characters")
        return clean_name(value)


# Characters that end a line: an email header (a subject, a Reply-To's name) cannot hold one.
LINE_ENDINGS = re.compile(r"[\n\v\f\r\x1c-\x1e\x85\u2028\u2029]")
ONE_LINE = "Enter one line: line breaks are not allowed."


class OneLineField(forms.CharField):
    """Text that goes into an email header as it is (a subject, a Reply-To's name): one with a
    line break (`LINE_ENDINGS`) is refused with `ONE_LINE`, never saved to be flattened or left
    out of every email later. A NUL is refused as in every text field."""

    def validate(self, value):
        super().validate(value)
        if isinstance(value, str) and LINE_ENDINGS.search(value):
            raise ValidationError(ONE_LINE, code="line_break")


class DecimalTextField(forms.DecimalField):
    """Django's DecimalField taking text only as a number written in ASCII
    (`cleaning.decimal_text`); other text ("٣", fullwidth digits, "1_000", which Decimal()
    reads as 3 and 1000) is refused with the field's `invalid` message, never read as another
    amount. Text of spaces alone is empty, as "" is (a cleared amount, or "This field is
    required."), never an amount the person must correct. JSON numbers pass as they are."""

    def to_python(self, value):
        if isinstance(value, str) and not value.strip():
            value = ""
        elif isinstance(value, str) and decimal_text(value) is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class MoneyField(DecimalTextField):
    """An amount of money (a Decimal; the currency is the caller's) as people type it: "1500",
    "1500.00" or with thousands separators, "1,500.00". Other text is refused with
    `INVALID_AMOUNT` (digits other than ASCII too, `DecimalTextField`); JSON numbers pass as
    they are (the API's as the Decimals written, so
    `100.000000000000001` is refused, never rounded). Too many decimals are said before too
    many digits, since they are what a long fraction is. With `min_value=0` a minus sign is
    refused even on zero ("-0", "-0.00"), with the message a negative amount gets.
    On a page it is a text field (a number field would refuse the separators) with the decimal
    keypad on phones."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})
    default_error_messages = {"invalid": INVALID_AMOUNT}

    def to_python(self, value):
        if isinstance(value, str) and GROUPED_AMOUNT.fullmatch(value.strip()):
            value = value.strip().replace(",", "")
        if isinstance(value, str) and re.search(r"[eE]", value):
            # "1e3" is a number, but no one writes an amount of money that way.
            raise ValidationError(INVALID_AMOUNT, code="invalid")
        return super().to_python(value)

    def validate(self, value):
        super().validate(value)
        if value is None:
            return
        if self.min_value == 0 and value.is_signed():
            minimum = MinValueValidator(self.min_value)
            raise ValidationError(minimum.message, code=minimum.code, params={"limit_value": 0})
        if self.decimal_places is not None and -value.as_tuple().exponent > self.decimal_places:
            raise ValidationError(
                DecimalValidator.messages["max_decimal_places"],
                code="max_decimal_places",
                params={"max": self.decimal_places, "value": value},
            )


DIGITS_ONLY = "Enter a whole number in digits 0-9."


class DigitsIntegerField(forms.IntegerField):
    """A whole number written in ASCII digits `[0-9]+` (`cleaning.digits_text`; whitespace
    around them is stripped, as text fields strip it), as a query or form sends it; JSON
    numbers pass as they are. Anything else is refused with `DIGITS_ONLY`: Django's
    IntegerField reads "٢", a fullwidth digit, "+2", "0_2" or "2.0" through int() as 2, so an
    id or a page typed so would silently be another row or page. More digits than int() reads
    (4,300) get the `max_value` message, as a number too large does."""

    default_error_messages = {"invalid": DIGITS_ONLY}

    def to_python(self, value):
        if not isinstance(value, str):
            return super().to_python(value)
        if value.strip() in self.empty_values:
            return None
        text = digits_text(value)
        if text is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        digits = text.lstrip("0") or "0"
        if len(digits) > MAX_DIGITS and self.max_value is not None:
            validator = MaxValueValidator(self.max_value)
            raise ValidationError(
                validator.message, code=validator.code, params={"limit_value": self.max_value}
            )
        if len(digits) > MAX_DIGITS:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(digits)


class AsciiDigitsMixin:
    """For a date or time field: text with another script's digits ("٢٠٢٦-12-01", fullwidth
    digits) is refused as malformed text is ("Enter a valid date." / "Enter a valid time."):
    strptime() reads any Unicode digit as its ASCII one, so such a day would be read while an
    id so written is refused (`DigitsIntegerField`)."""

    def to_python(self, value):
        if isinstance(value, str) and not value.strip().isascii():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class DigitsDateField(AsciiDigitsMixin, forms.DateField):
    """A day written in ASCII digits (YYYY-MM-DD with `input_formats`), as a query or form
    sends it (`AsciiDigitsMixin`)."""


ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


class IsoDateField(DigitsDateField):
    """A day written exactly YYYY-MM-DD (ISO 8601's calendar date: four-digit year, two-digit
    month and day), as a date input and the API's own answers write it. strptime's `%m` and
    `%d` also read one digit, so `2025-1-1` would be taken; it is refused with
    "Enter a date as YYYY-MM-DD, e.g. 2025-01-31."; a day that does not exist (`2025-13-01`)
    or other digits than 0-9 are "Enter a valid date.", as `DigitsDateField` says."""

    default_error_messages = {"format": "Enter a date as YYYY-MM-DD, e.g. 2025-01-31."}

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%d"])
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            text = value.strip()
            if text and text.isascii() and not ISO_DAY.fullmatch(text):
                raise ValidationError(self.error_messages["format"], code="invalid")
        return super().to_python(value)


class DigitsTimeField(AsciiDigitsMixin, forms.TimeField):
    """A time of day written in ASCII digits (HH:MM), as a form sends it (`AsciiDigitsMixin`)."""


# int() reads at most 4,300 digits; no id or page comes near.
MAX_DIGITS = 4300


class IdChoiceField(forms.ModelChoiceField):
    """A row chosen by its id, written as `DigitsIntegerField` takes it (a JSON int too). Other
    text is refused with `DIGITS_ONLY` (the queryset's own lookup reads "٣" through int() as
    3); an id beyond any primary key (`cleaning.id_or_none`) or not in the queryset is an
    invalid choice, never a database overflow."""

    default_error_messages = {"invalid": DIGITS_ONLY}

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        if self.queryset is not None and isinstance(value, self.queryset.model):
            value = value.pk
        if digits_text(value) is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if id_or_none(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(id_or_none(value))


class StrictBooleanField(forms.Field):
    """JSON true/false only: "yes" or 1 is an error, not a guess."""

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        raise ValidationError("Must be true or false.", code="invalid")

    def validate(self, value):
        if value is None and self.required:
            raise ValidationError(self.error_messages["required"], code="required")


class WebAddressValidator(URLValidator):
    """An http(s) URL as `URLValidator` checks it, with a port that exists (1 to 65535: the
    validator's pattern takes any five digits, so `http://a.com:99999/` would be stored).
    Raises ValidationError with `message`."""

    def __init__(self, message=None):
        super().__init__(schemes=["http", "https"], message=message)

    def __call__(self, value):
        super().__call__(value)
        try:
            port = urlsplit(value).port
        except ValueError:
            port = 0
        if port == 0:
            raise ValidationError(self.message, code=self.code, params={"value": value})


class WebAddressField(forms.URLField):
    """An http(s) address (`WebAddressValidator`), `https://` assumed when none is typed; one
    error for a bad address, with the field's `invalid` message."""

    default_validators = []

    def __init__(self, **kwargs):
        kwargs.setdefault("assume_scheme", "https")
        super().__init__(**kwargs)
        self.validators.append(WebAddressValidator(self.error_messages["invalid"]))


class UpstreamAddressField(WebAddressField):
    """An upstream API's base URL: a `WebAddressField` that also refuses a link-local host
    (169.254.0.0/16, fe80::/10: a cloud server's metadata service, never an upstream) with
    `LINK_LOCAL_MESSAGE`. Loopback and private addresses stay allowed, for the sandbox and
    on-premises dialers. Names are checked again, resolved, when the connection is made
    (`campaignhub.integrations.Upstream.connect`)."""

    def validate(self, value):
        super().validate(value)
        if value and link_local_address(value):
            raise ValidationError(LINK_LOCAL_MESSAGE, code="link_local")
