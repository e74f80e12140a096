"""Making upstream values fit our columns: no NUL bytes, no NaN, nothing longer than its column.

Upstreams send what they send (DESIGN.md, "Upstreams send what they send"). A value that a
column cannot hold is cleaned here, never refused: the raw delivery keeps the full original.
"""

import hashlib
import math

NUL = "\x00"


def clean_text(value, max_length: int | None = None) -> str:
    """`value` as text with NUL bytes removed, cut to `max_length` characters.

    None becomes "", numbers and booleans their `str()`; lists and objects are not text and
    become "". Surrounding whitespace is stripped.
    """
    if value is None or isinstance(value, dict | list | tuple):
        return ""
    if isinstance(value, float) and not math.isfinite(value):
        return ""
    text = str(value).replace(NUL, "").strip()
    return text[:max_length] if max_length is not None else text


def clean_json(value):
    """A copy of a decoded JSON value that every database's JSON column accepts.

    NUL bytes leave strings and keys; NaN and ±Infinity (which Python's json module reads but
    PostgreSQL's jsonb refuses) become None.
    """
    if isinstance(value, dict):
        return {str(key).replace(NUL, ""): clean_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean_json(item) for item in value]
    if isinstance(value, str):
        return value.replace(NUL, "")
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def bounded_id(value, max_length: int) -> str:
    """An upstream id that fits `max_length`: itself when it fits, else `sha256:<hex>` of it.

    Cutting a long id would merge two ids that share a prefix; a digest keeps them apart and is
    the same every time the same id arrives.
    """
    text = clean_text(value)
    if len(text) <= max_length:
        return text
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()
