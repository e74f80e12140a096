"""Declared JSON bodies: the JSON type of every field an endpoint takes, checked before its form.

Each body-taking endpoint declares one `JsonBody` schema (pydantic, strict mode). The schema only
says which fields exist and what JSON type each carries (string, number, true/false, object, list,
and whether null is allowed); the app's Django form stays the one place for business rules, so the
HTML pages and the API validate values the same way. A list where a string is expected is a 400
naming the field, never `str(value)`.
"""

import operator
from functools import reduce
from typing import Annotated, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    PlainValidator,
    StrictBool,
    StrictInt,
    StrictStr,
    ValidationError,
)
from pydantic_core import PydanticCustomError

from campaignhub.cleaning import has_bad_text

# The JSON types a field may declare. Fields default to None, meaning "may be left out"; the form
# decides what is required. Add `| None` where the API accepts null (where it answers null).
Text = StrictStr
Integer = StrictInt
Flag = StrictBool


def _json_type(*python_types, phrase):
    """A field accepting exactly these parsed-JSON types (never bool for a number), unchanged."""

    def check(value):
        if isinstance(value, bool) and bool not in python_types:
            raise PydanticCustomError("json_type", phrase)
        if not isinstance(value, python_types):
            raise PydanticCustomError("json_type", phrase)
        return value

    return PlainValidator(check, json_schema_input_type=reduce(operator.or_, python_types))


Number = Annotated[int | float, _json_type(int, float, phrase="must be a number")]
TextOrInteger = Annotated[str | int, _json_type(str, int, phrase="must be a string or an integer")]
TextOrObject = Annotated[str | dict, _json_type(str, dict, phrase="must be a string or an object")]

# What a field "must be", by pydantic error type; anything else falls back to pydantic's wording.
PHRASES = {
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "float_type": "must be a number",
    "bool_type": "must be true or false",
    "model_type": "must be an object",
    "dict_type": "must be an object",
    "list_type": "must be a list",
    "missing": "is required",
}


class JsonBody(BaseModel):
    """Base of every declared request body: strict JSON types, unknown fields refused.

    `envelope` names the one key a body wraps its fields in (`campaigndata`): errors inside it
    name the inner fields, as the form bound to them does.
    """

    model_config = ConfigDict(strict=True, extra="forbid")
    envelope: ClassVar[str] = ""


class OpenJsonBody(JsonBody):
    """A body that may carry fields of its own beyond the declared ones (kept as sent)."""

    model_config = ConfigDict(strict=True, extra="allow")


class NoFields(JsonBody):
    """The body of an endpoint that takes no fields (DELETE, actions such as retry)."""


class InvalidBody(ValueError):
    """A body that does not match its schema.

    `message` is one sentence naming the first bad field; `errors` is `{field: [messages]}` in
    the shape `campaignhub.api.form_errors` gives, nested paths prefixed as the nested form
    fields prefix them (`"subject: Must be a string."`, `"[0] id: Must be an integer."`).
    """

    def __init__(self, message: str, errors: dict[str, list[str]]):
        super().__init__(message)
        self.message = message
        self.errors = errors


def check(schema: type[JsonBody], data: dict) -> dict:
    """Return `data` as `schema` declares it (only the keys sent, JSON names), or raise InvalidBody.

    Values are returned as sent: the schema checks types and never converts one into another.
    Text no column can hold (a NUL, a lone surrogate) is refused like a wrong type.
    """
    for key, value in (data or {}).items() if isinstance(data, dict) else ():
        if has_bad_text(key) or has_bad_text(value):
            field = "body" if has_bad_text(key) else key
            message = "Text must be valid Unicode without NUL characters."
            raise InvalidBody(f"{field}: {message}", {field: [message]})
    try:
        body = schema.model_validate(data)
    except ValidationError as exc:
        raise _invalid(exc, schema.envelope) from None
    return body.model_dump(by_alias=True, exclude_unset=True)


def _path(loc) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _prefix(loc) -> str:
    return "".join(f"[{part}] " if isinstance(part, int) else f"{part}: " for part in loc)


def _invalid(exc: ValidationError, envelope: str) -> InvalidBody:
    errors: dict[str, list[str]] = {}
    messages: list[str] = []
    unknown: list[str] = []
    for item in exc.errors():
        loc = tuple(item["loc"])
        if envelope and len(loc) > 1 and loc[0] == envelope:
            loc = loc[1:]
        field, inner = (str(loc[0]), loc[1:]) if loc else ("body", ())
        if item["type"] == "extra_forbidden":
            if inner:
                entry = f"{_prefix(inner[:-1])}Unknown field: {inner[-1]}."
                messages.append(entry)
            else:
                entry = "Unknown field."
                unknown.append(field)
        else:
            phrase = PHRASES.get(item["type"], item["msg"])
            sentence = "This field is required." if item["type"] == "missing" else phrase
            entry = _prefix(inner) + sentence[0].upper() + sentence[1:].rstrip(".") + "."
            messages.append(f"{_path(loc)} {phrase.rstrip('.')}.")
        errors.setdefault(field, []).append(entry)
    if unknown and len(unknown) == len(exc.errors()):
        plural = "s" if len(unknown) > 1 else ""
        return InvalidBody(f"Unknown field{plural}: {', '.join(unknown)}.", errors)
    return InvalidBody(messages[0] if messages else f"Unknown field: {unknown[0]}.", errors)


# The platform's own bodies; `campaignhub.forms` checks their values.


class MemberBody(JsonBody):
    """`POST /v1/members`: add someone new, or invite someone who has a login, by email."""

    email: Text = None
    name: Text = None
    role: Text = None


class RoleBody(JsonBody):
    """`PATCH /v1/members/<id>`: the member's new role."""

    role: Text = None
