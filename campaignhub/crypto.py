"""Secrets at rest: a model field encrypted with Fernet keys from FIELD_ENCRYPTION_KEY.

FIELD_ENCRYPTION_KEY holds one or more comma-separated Fernet keys. The first encrypts; all of
them decrypt, so rotating is: put a new key first, keep the old one after it, run
`manage.py rotate_encryption_keys`, then drop the old key.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

_cache = {}


def _fernet():
    raw = settings.FIELD_ENCRYPTION_KEY
    if raw not in _cache:
        keys = [key.strip() for key in raw.split(",") if key.strip()]
        if not keys:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY is empty.")
        try:
            _cache[raw] = MultiFernet([Fernet(key) for key in keys])
        except ValueError as exc:
            raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEY is not a Fernet key: {exc}") from exc
    return _cache[raw]


def key_from_secret(secret: str) -> str:
    """A Fernet key derived from SECRET_KEY, for development when none is configured."""
    return base64.urlsafe_b64encode(
        hashlib.sha256(f"field-encryption:{secret}".encode()).digest()
    ).decode()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored secret cannot be decrypted with FIELD_ENCRYPTION_KEY (was a key dropped?)."
        ) from exc


def rotate(token: str) -> str:
    return _fernet().rotate(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """Stored as a Fernet token; Python code only ever sees the plain value."""

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)
