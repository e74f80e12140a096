"""Form fields the JSON API and the pages need beyond Django's own."""

import re

from django import forms
from django.core.exceptions import ValidationError

# 1,500 or 12,345,678.90: commas only between groups of three digits. "1,5" is left alone (and
# refused): in much of the world that comma is the decimal point.
GROUPED_AMOUNT = re.compile(r"\d{1,3}(,\d{3})+(\.\d+)?")
INVALID_AMOUNT = "Enter an amount, such as 1500 or 1,500.00."


class MoneyField(forms.DecimalField):
    """An amount of money (a Decimal; the currency is the caller's) as people type it: "1500",
    "1500.00" or with thousands separators, "1,500.00". Other text is refused with
    `INVALID_AMOUNT`; JSON numbers pass as they are. On a page it is a text field (a number field
    would refuse the separators) with the decimal keypad on phones."""

    widget = forms.TextInput(attrs={"inputmode": "decimal"})
    default_error_messages = {"invalid": INVALID_AMOUNT}

    def to_python(self, value):
        if isinstance(value, str) and GROUPED_AMOUNT.fullmatch(value.strip()):
            value = value.strip().replace(",", "")
        return super().to_python(value)


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
