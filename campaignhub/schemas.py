"""Declared JSON bodies: the JSON type of every field an endpoint takes, checked before its form.

Each body-taking endpoint declares one `JsonBody` schema (pydantic, strict mode). The schema only
says which fields exist and what JSON type each carries (string, number, true/false, object, list,
and whether null is allowed); the app's Django form stays the one place for business rules, so the
HTML pages and the API validate values the same way. A list where a string is expected is a 400
naming the field, never `str(value)`.

Our API reads JSON numbers exactly (`campaignhub.cleaning.parse_json(exact_numbers=True)`: a
Decimal for each number with a point or an exponent). Money is declared `Money` (or, for an
object whose amounts a later check reads, `ExactNumbers()` in its `Annotated`): its form gets the
Decimal as written, so `100.000000000000001` is refused for its decimals and `-1e-400` for its
sign, where a float would have rounded them to 100.0 and -0.0. Every other number, however deep,
is the float Python's json module reads, so the rest of a body validates, stores and answers as
it always has.
"""

import operator
from decimal import Decimal
from functools import reduce
from typing import Annotated, ClassVar, get_args, get_origin

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

from campaignhub.cleaning import MinusZero, has_bad_text

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


class ExactNumbers:
    """`Annotated` metadata: the JSON numbers in this field stay the Decimals written (see the
    module docstring); only for money, whose check refuses what a float would round."""


def _without_trailing_zeros(amount: Decimal) -> Decimal:
    """`amount` less the zeros ending its fraction (19.990 -> 19.99, 100.00 -> 100, -0.00 ->
    -0): the same value, so a JSON number written with them is what it was as a float. Exact,
    unlike `Decimal.normalize()`, which rounds to the context's 28 digits."""
    sign, digits, exponent = amount.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return amount
    if not any(digits):
        return Decimal((sign, (0,), 0))
    written = "".join(map(str, digits))
    zeros = min(len(written) - len(written.rstrip("0")), -exponent)
    return Decimal((sign, digits[: len(digits) - zeros], exponent + zeros))


def _money(value):
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise PydanticCustomError("json_type", "must be a number")
    # Decimal(): a `MinusZero` (JSON's `-0`) as the plain Decimal -0, whose sign money refuses.
    return Decimal(_without_trailing_zeros(value)) if isinstance(value, Decimal) else value


Number = Annotated[int | float, _json_type(int, float, phrase="must be a number")]
# An amount of money as written: an int, or a Decimal less zeros ending its fraction (a float
# only from callers that parsed one, and NaN/Infinity, which JSON reads as floats).
Money = Annotated[
    int | float | Decimal,
    PlainValidator(_money, json_schema_input_type=int | float),
    ExactNumbers(),
]
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

    Values are returned as sent: the schema checks types and never converts one into another,
    but for numbers read exactly (Decimals), which become floats outside the fields declared
    exact (module docstring; `data` is changed in place). Text no column can hold (a NUL, a
    lone surrogate) is refused like a wrong type.
    """
    for key, value in (data or {}).items() if isinstance(data, dict) else ():
        if has_bad_text(key) or has_bad_text(value):
            field = "body" if has_bad_text(key) else key
            message = "Text must be valid Unicode without NUL characters."
            raise InvalidBody(f"{field}: {message}", {field: [message]})
    if isinstance(data, dict):
        _floats_but_money(schema, data)
    try:
        body = schema.model_validate(data)
    except ValidationError as exc:
        raise _invalid(exc, schema.envelope) from None
    return body.model_dump(by_alias=True, exclude_unset=True)


def _declares_exact(annotation) -> bool:
    if get_origin(annotation) is Annotated and any(
        isinstance(item, ExactNumbers) for item in annotation.__metadata__
    ):
        return True
    return any(_declares_exact(arg) for arg in get_args(annotation))


def _model_in(annotation) -> type[BaseModel] | None:
    """The model a field holds (alone, optional, or as list items), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next(filter(None, (_model_in(arg) for arg in get_args(annotation))), None)


def _as_read(number: Decimal) -> int | float:
    """A number read exactly as Python's json module reads it: JSON's `-0` (`MinusZero`) the int
    0, any other Decimal (a point or an exponent) a float."""
    return 0 if isinstance(number, MinusZero) else float(number)


def _floats(value):
    """`value` with every Decimal in it a float, as json reads it (`_as_read`; objects and lists
    changed in place). Walked without recursion, as `has_bad_text` is."""
    if isinstance(value, Decimal):
        return _as_read(value)
    pending = [value] if isinstance(value, dict | list) else []
    while pending:
        item = pending.pop()
        for key, inner in item.items() if isinstance(item, dict) else enumerate(item):
            if isinstance(inner, Decimal):
                item[key] = _as_read(inner)
            elif isinstance(inner, dict | list):
                pending.append(inner)
    return value


def _floats_but_money(model: type[BaseModel], data: dict) -> None:
    """Turn the Decimals of a body (or of an object nested in it, `model` declaring it) into
    floats in place, except in the fields declared exact (`Money`, `ExactNumbers`)."""
    fields = {field.alias or name: field for name, field in model.model_fields.items()}
    for key, value in data.items():
        field = fields.get(key)
        if field is not None and (
            any(isinstance(item, ExactNumbers) for item in field.metadata)
            or _declares_exact(field.annotation)
        ):
            continue
        inner = _model_in(field.annotation) if field is not None else None
        if inner is not None and isinstance(value, dict):
            _floats_but_money(inner, value)
        elif inner is not None and isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, dict):
                    _floats_but_money(inner, item)
                else:
                    value[index] = _floats(item)
        else:
            data[key] = _floats(value)


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
