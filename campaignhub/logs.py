"""Log hygiene: secret URL segments are replaced with '…' before any log line is written, and
refusals that are the product working as meant are logged without a traceback.

Secret segments: the token of `/webhooks/<source>/<token>/`, the form id of `/f/<id>/` (anyone
holding either can post leads), and the user id and token of `/password-reset/<uid>/<token>/`.
"""

import logging
import re

REDACTED = "…"
SECRET_PATHS = [
    # /webhooks/<source>/<token>: the source stays, the token goes.
    (re.compile(r"(/webhooks/[^/\s?#\"']+/)[^/\s?#\"']+"), rf"\g<1>{REDACTED}"),
    (re.compile(r"(/f/)[0-9A-Fa-f-]{32,36}"), rf"\g<1>{REDACTED}"),
    (re.compile(r"(/password-reset/)[^/\s?#\"']+/[^/\s?#\"']+"), rf"\g<1>{REDACTED}/{REDACTED}"),
]


def redact_secret_paths(text: str) -> str:
    """`text` with every secret URL segment replaced by '…' (`SECRET_PATHS`)."""
    for pattern, replacement in SECRET_PATHS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretPaths(logging.Filter):
    """A handler filter: formats the record's message, redacts it (`redact_secret_paths`) and
    keeps the result as the message, so every formatter after it sees the redacted text.

    Covers the access lines of runserver (`django.channels.server`, `django.server`) and uvicorn
    (`uvicorn.access`), and Django's request log (`Not Found: /f/…/`), which settings.LOGGING
    all sends to the one filtered handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_secret_paths(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class QuietExpectedRefusals(logging.Filter):
    """A filter of the `django.request` logger: keeps the line Django writes for a refused
    request (`Forbidden (Permission denied): /settings/members/add/`) but drops the traceback
    Django attaches to it, when the exception is a PermissionDenied logged below ERROR. That is
    a rule being applied, not a fault; a traceback in the log should mean something broke."""

    def filter(self, record: logging.LogRecord) -> bool:
        from django.core.exceptions import PermissionDenied

        exception = record.exc_info[1] if record.exc_info else None
        if record.levelno < logging.ERROR and isinstance(exception, PermissionDenied):
            record.exc_info = None
            record.exc_text = None
        return True
