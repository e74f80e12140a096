"""Form fields the JSON API needs beyond Django's own."""

from django import forms
from django.core.exceptions import ValidationError


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
