"""The one rate limiter: fixed one-minute windows in the cache, via django-ratelimit.

It fails open: when the cache is down, nothing is limited, because every caller uses it to shed
abuse, and refusing real traffic (a lead, a webhook) would lose it.
"""

import hashlib
import logging

from django_ratelimit.core import is_ratelimited

logger = logging.getLogger(__name__)


def over_limit(
    request, *, scope: str, key: str, per_minute: int | None = None, per_hour: int | None = None
) -> bool:
    """Count one hit for (`scope`, `key`); True once more than `per_minute` came this minute
    (or more than `per_hour` this hour). Give exactly one of the two; ValueError otherwise.

    `key` is hashed before it reaches the cache, so secrets such as URL tokens never land there.
    Cache errors are logged and answer False.
    """
    if (per_minute is None) == (per_hour is None):
        raise ValueError("Give exactly one of per_minute and per_hour.")
    rate = f"{per_minute}/m" if per_minute is not None else f"{per_hour}/h"
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    try:
        return is_ratelimited(
            request,
            group=scope,
            key=lambda group, request: digest,
            rate=rate,
            increment=True,
        )
    except Exception:
        logger.warning("Rate limit for %s not checked: the cache failed", scope, exc_info=True)
        return False
