"""Making upstream values fit our columns: no NUL bytes, no NaN, nothing longer than its column.

Upstreams send what they send (DESIGN.md, "Upstreams send what they send"). A value that a
column cannot hold is cleaned here, never refused: the raw delivery keeps the full original.
"""

import codecs
import hashlib
import json
import math
import re
import sys
from decimal import Decimal, InvalidOperation
from urllib.parse import parse_qsl

from django.utils.http import parse_header_parameters

NUL = "\x00"
NOT_UTF8 = (
    "The body is not UTF-8 text: send UTF-8, or name the body's charset in its Content-Type "
    "(e.g. application/json; charset=iso-8859-1)."
)
NOT_UTF8_FORM = (
    "The form's %-escaped values are not UTF-8 text: send UTF-8, or name the form's charset in "
    "its Content-Type (application/x-www-form-urlencoded; charset=iso-8859-1)."
)
# Half of a UTF-16 pair alone: JSON can carry it, no database or UTF-8 encoder can.
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _text(value: str) -> str:
    return LONE_SURROGATE.sub("\ufffd", value.replace(NUL, ""))


def has_bad_text(value) -> bool:
    """True when a decoded JSON value holds a NUL or a lone surrogate in any string or key:
    text no column can store, which our own API refuses with 400.

    Walked without recursion: a body json.loads accepts may nest deeper than a recursive walk
    can follow."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
        elif isinstance(item, str) and (NUL in item or LONE_SURROGATE.search(item)):
            return True
    return False


def clean_text(value, max_length: int | None = None) -> str:
    """`value` as text with NUL bytes removed and lone surrogates replaced (U+FFFD), cut to
    `max_length` characters.

    None becomes "", numbers and booleans their `str()`; lists and objects are not text and
    become "". Surrounding whitespace is stripped.
    """
    if value is None or isinstance(value, dict | list | tuple):
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    text = _text(str(value)).strip()
    return text[:max_length] if max_length is not None else text


def number_text(value: float) -> str:
    """A JSON number as text an id can be: a whole number as its integer (777.0 -> "777", as
    777 reads), any other its `repr` ("1.5"), NaN and ±Infinity "" (no number at all). Upstreams
    that send an id as a number may send 777 or 777.0 for the same one."""
    if not math.isfinite(value):
        return ""
    return str(int(value)) if value.is_integer() else repr(value)


def clean_json(value):
    """A copy of a decoded JSON value that every database's JSON column accepts.

    NUL bytes leave strings and keys, lone surrogates become U+FFFD; NaN and ±Infinity (which
    Python's json module reads but PostgreSQL's jsonb refuses) become None.
    """
    if isinstance(value, dict):
        return {_text(str(key)): clean_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(item) for item in value]
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def bounded_id(value, max_length: int) -> str:
    """An upstream id that fits `max_length`: itself when it fits, else `sha256:<hex>` of it,
    the hex cut to fit a column under 71 characters (57 hex digits, 228 bits, in 64).

    Cutting a long id would merge two ids that share a prefix; a digest keeps them apart and is
    the same every time the same id arrives.
    """
    text = clean_text(value)
    if len(text) <= max_length:
        return text
    return ("sha256:" + hashlib.sha256(text.encode()).hexdigest())[:max_length]


# A whole number as a query or a form writes it: ASCII digits only. int() also reads "٣" or a
# fullwidth digit, "+1", "-1", "0_1" and "1.0" (Django's IntegerField), so an id or a page
# written so would silently be another row or page.
ASCII_DIGITS = re.compile(r"[0-9]+")


def digits_text(value) -> str | None:
    """`value` (text or an int) as the ASCII digits `[0-9]+` it is written in, less whitespace
    around them (as every text field strips it); None when it is anything else (empty, a sign,
    another script's digits, `_`, a point, a bool). The one rule every id and page number
    read from a query or a form follows (`campaignhub.fields.DigitsIntegerField`,
    `id_or_none`, the API's page numbers)."""
    if isinstance(value, bool) or value is None:
        return None
    text = str(value).strip()
    return text if ASCII_DIGITS.fullmatch(text) else None


# A decimal number as text: ASCII digits, a sign, a point, an exponent. Decimal() and float()
# also read "٣", fullwidth digits and "1_000", so an amount written so would be another amount.
DECIMAL_TEXT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def decimal_text(value: str) -> str | None:
    """`value` less whitespace around it when it is a decimal number written in ASCII
    (`DECIMAL_TEXT`: "12", "-0.5", "1.5e3"), the text Decimal() or float() may read; None
    otherwise (another script's digits, "1_000", "NaN", "Infinity", empty)."""
    text = value.strip()
    return text if DECIMAL_TEXT.fullmatch(text) else None


def id_or_none(value) -> int | None:
    """A row id given as text (a query parameter, a form field, a header) or an int: the int
    when it is written in ASCII digits only (`digits_text`), at most 18 of them (so below every
    64-bit primary key's limit); None otherwise."""
    text = digits_text(value)
    if text is not None and len(text) <= 18:
        return int(text)
    return None


class DuplicateKey(ValueError):
    """A JSON object that names a key twice (`parse_json(unique_keys=True)`)."""


def _unique_keys(pairs):
    found = {}
    for key, value in pairs:
        if key in found:
            raise DuplicateKey(f"the key {key!r} appears more than once in one object")
        found[key] = value
    return found


def declared_charset(content_type: str) -> str:
    """The charset a Content-Type names (`application/json; charset=iso-8859-1`), or ""."""
    _, params = parse_header_parameters(content_type or "")
    return clean_text(params.get("charset"), 40)


def body_text(raw: bytes, content_type: str = "") -> str:
    """A request body as the text its sender wrote: decoded with the charset `content_type`
    names (`application/json; charset=iso-8859-1`), else as JSON is read without one (UTF-8, or
    UTF-16/32 where a byte order mark or the zero bytes say so; a byte order mark dropped).

    Raises ValueError naming the problem: a charset that is not known, bytes that are not text
    in the charset named, or, with none named, bytes that are not UTF-8. Nothing is guessed or
    replaced: a Latin-1 body read as UTF-8 would lose its accents to U+FFFD.
    """
    raw = bytes(raw)
    charset = declared_charset(content_type)
    if not charset:
        try:
            return raw.decode(json.detect_encoding(raw))
        except UnicodeDecodeError:
            raise ValueError(NOT_UTF8) from None
    try:
        encoding = codecs.lookup(charset).name
        return raw.decode("utf-8-sig" if encoding == "utf-8" else encoding)
    except UnicodeDecodeError:
        raise ValueError(
            f"The body is not {charset} text, the charset its Content-Type names."
        ) from None
    except (LookupError, ValueError):
        # ValueError: a name codecs cannot even look up (a NUL in it).
        raise ValueError(
            f"The Content-Type names a charset that is not known: {charset}."
        ) from None


class TooManyFields(ValueError):
    """A form body with more fields than `form_pairs` was allowed to read."""


class NotPlainForm(ValueError):
    """A text/plain body that is not a form's `name=value` lines (`plain_text_form_pairs`)."""


def form_pairs(
    raw: bytes, content_type: str = "", *, max_fields: int | None = None
) -> list[tuple[str, str]]:
    """The (name, value) pairs of an `application/x-www-form-urlencoded` body in the order
    sent, every value of a repeated name kept. The body and its %-escapes are read in the
    charset `content_type` names (a page in Latin-1 posts Latin-1), else as UTF-8 (`body_text`),
    as browsers and Django read forms: an empty field (`a=1&&b=2`) is skipped, a bare key
    (`flag`) is that key with "".

    Raises TooManyFields for more than `max_fields` fields (None: no limit), unread; ValueError
    naming the problem for bytes that are not text in the charset named, or, with none named,
    not UTF-8 (NOT_UTF8_FORM). Nothing is guessed or replaced.
    """
    charset = declared_charset(content_type)
    try:
        text = body_text(raw, content_type)
    except ValueError as exc:
        raise ValueError(str(exc) if charset else NOT_UTF8_FORM) from None
    try:
        return parse_qsl(
            text,
            keep_blank_values=True,
            encoding=charset or "utf-8",
            errors="strict",
            max_num_fields=max_fields,
        )
    except UnicodeDecodeError:
        raise ValueError(
            f"The form's %-escaped values are not {charset} text, the charset its Content-Type "
            "names."
            if charset
            else NOT_UTF8_FORM
        ) from None
    except ValueError:
        # parse_qsl's one other refusal: more fields than max_num_fields.
        raise TooManyFields(f"More than {max_fields} fields.") from None


# Lines of a `text/plain` form body: browsers end each with CRLF; a bare LF or CR is read alike.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def plain_text_form_pairs(
    raw: bytes, content_type: str = "", *, max_fields: int | None = None
) -> list[tuple[str, str]]:
    """The (name, value) pairs of a form a browser posted as `text/plain` (`<form
    enctype="text/plain">`), in the order sent: one `name=value` line per field, each ended by
    CRLF, nothing escaped (WHATWG HTML, "text/plain encoding algorithm"). The body is read as
    `body_text` reads it. A line is split at its first "=", so a value keeps every "=" it holds;
    a line with no "=" is the previous value's next line (a textarea's line break, which the
    browser sends as CRLF too), kept as "\n". The format has no escaping, so a textarea line
    that itself holds "=" reads as a field of its own (kept under that name, not lost).

    Raises TooManyFields for more than `max_fields` fields (None: no limit); ValueError naming
    the problem for bytes that are not text (`body_text`); NotPlainForm for a body that is
    empty or does not start with a `name=value` line (no form's fields at all).
    """
    text = body_text(raw, content_type)
    if text.endswith(("\r\n", "\n", "\r")):
        text = text[: -2 if text.endswith("\r\n") else -1]
    pairs: list[list[str]] = []
    for line in _LINE_BREAK.split(text) if text else []:
        name, equals, value = line.partition("=")
        if equals:
            if max_fields is not None and len(pairs) >= max_fields:
                raise TooManyFields(f"More than {max_fields} fields.")
            pairs.append([name, value])
        elif pairs:
            pairs[-1][1] += "\n" + line
        else:
            raise NotPlainForm("No form's name=value lines.")
    if not pairs:
        raise NotPlainForm("No form's name=value lines.")
    return [(name, value) for name, value in pairs]


class MinusZero(Decimal):
    """JSON's integer `-0` as `parse_json(exact_numbers=True)` reads it: the Decimal -0, so money
    refuses its sign as it refuses `-0.0` (Python's json module reads it as the int 0, sign
    lost). Outside money it is that int 0 again (`campaignhub.schemas`)."""


class NumberTooLong(ValueError):
    """A JSON integer of more digits than int() reads (`sys.get_int_max_str_digits()`, 4,300
    by default), which `parse_json` refuses. `path` says where it is (`("campaigndata",
    "owner")`, list indexes as ints; empty for the whole body), `limit` the digits allowed."""

    def __init__(self, path: tuple, limit: int):
        self.path = path
        self.limit = limit
        self.sentence = f"Enter a whole number of at most {limit} digits."
        where = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")
        super().__init__(f"{where or 'body'}: {self.sentence}")


class _TooLong:
    """Where the parser met an integer too long for int(); `parse_json` finds it and refuses."""


_TOO_LONG = _TooLong()


def _integer(text: str) -> int | _TooLong:
    # int() refuses text of over its limit with advice for Python programmers
    # ("use sys.set_int_max_str_digits()"); the parse marks the spot instead.
    limit = sys.get_int_max_str_digits()
    if limit and len(text.lstrip("-")) > limit:
        return _TOO_LONG
    return int(text)


def _exact_integer(text: str) -> int | Decimal | _TooLong:
    # JSON writes an integer zero one way with a sign: "-0" (never "-00" or "-0_0").
    return MinusZero(text) if text == "-0" else _integer(text)


def _too_long_at(value, path=()) -> tuple | None:
    if value is _TOO_LONG:
        return path
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        found = _too_long_at(item, (*path, key))
        if found is not None:
            return found
    return None


def _exact_number(text: str) -> Decimal:
    try:
        return Decimal(text)
    except InvalidOperation:
        # An exponent past what a Decimal holds (1e999999999999999999): a float would read it
        # as infinity or zero, neither of which was written.
        raise ValueError(f"the number {text[:40]} is too large or too small to read") from None


def _float_or_text(text: str) -> float | str:
    value = float(text)
    return value if math.isfinite(value) else text


def parse_json(
    raw: bytes | str,
    *,
    unique_keys: bool = False,
    exact_numbers: bool = False,
    unreadable_numbers_as_text: bool = False,
):
    """Decode a JSON body; raises ValueError("Malformed JSON: …") for anything that does not
    decode, including what Python's json module refuses beyond syntax (nesting deeper than the
    interpreter's recursion limit). An integer of more digits than int() reads (4,300) is valid
    JSON no field takes: NumberTooLong (a ValueError) says where it is and "Enter a whole
    number of at most 4300 digits.", never Python's advice to raise the limit. A leading UTF-8
    byte order mark is allowed, as Windows tools write one. `unique_keys` also refuses an
    object that names a key twice, raising DuplicateKey (a ValueError): which one was meant
    is unknown, so our API, the lead webhook and the public form refuse it rather than keep
    the last.

    `exact_numbers` reads a number with a point or an exponent as the Decimal written
    (`100.000000000000001`, `-1e-400`) where a float would round it (to 100.0, to -0.0), so
    money can be refused rather than rounded (our API's bodies; `campaignhub.schemas.check`
    gives every number but money back as a float). Whole numbers stay ints either way, but for
    `-0`, a `MinusZero` (money refuses its sign; elsewhere it is the int 0).

    `unreadable_numbers_as_text` keeps a number no float holds (`1e999`, which a float reads as
    infinity) and the non-JSON `NaN`, `Infinity` and `-Infinity` Python reads as their text
    written ("1e999"), for a body kept as it came (a lead's payload): a float would be stored
    as null (`clean_json`), losing what was sent."""
    if isinstance(raw, str):
        raw = raw.removeprefix("\ufeff")
    read_integer = _exact_integer if exact_numbers else _integer
    too_long = []

    def integer(text):
        value = read_integer(text)
        if value is _TOO_LONG:
            too_long.append(text)
        return value

    try:
        data = json.loads(
            raw,
            object_pairs_hook=_unique_keys if unique_keys else None,
            parse_float=_exact_number
            if exact_numbers
            else _float_or_text
            if unreadable_numbers_as_text
            else None,
            parse_int=integer,
            parse_constant=str if unreadable_numbers_as_text else None,
        )
    except DuplicateKey as exc:
        raise DuplicateKey(f"Malformed JSON: {exc}") from None
    except (ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else exc
        raise ValueError(f"Malformed JSON: {reason}") from None
    if too_long:
        raise NumberTooLong(_too_long_at(data) or (), sys.get_int_max_str_digits())
    return data
