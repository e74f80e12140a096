"""The shared HTTP client for upstream APIs: one session, timeouts, bounded safe retries."""

import ipaddress
import logging
import random
import socket
import time
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import requests
import urllib3
from django.utils import timezone

from campaignhub.cleaning import digits_text

logger = logging.getLogger(__name__)

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})


class ApiError(Exception):
    """An upstream call failed. `permanent` says whether trying again could help."""

    def __init__(self, message, *, status=None, payload=None, permanent=True, retry_after=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.payload = payload
        self.permanent = permanent
        # Seconds the upstream asked us to wait (its Retry-After), when it said.
        self.retry_after = retry_after

    def __str__(self):
        return f"{self.message} (HTTP {self.status})" if self.status else self.message


def never_reached_server(exc) -> bool:
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    # urllib3's NewConnectionError (refused, DNS failure) subclasses ConnectTimeoutError.
    return isinstance(reason, urllib3.exceptions.ConnectTimeoutError)


LINK_LOCAL_MESSAGE = (
    "This is a link-local address (169.254.0.0/16 or fe80::/10), where cloud servers answer "
    "with their own metadata, never an upstream API: enter the upstream's address."
)


def _link_local(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_link_local


def link_local_address(url: str, *, resolve: bool = False) -> bool:
    """Whether `url`'s host is a link-local address (169.254.0.0/16, fe80::/10, also written as
    an IPv4-mapped IPv6 address), where a cloud server's metadata service answers (e.g.
    169.254.169.254). With `resolve`, a host name counts when any address it resolves to is
    link-local (a name that does not resolve does not: the request itself will say so).
    Loopback and private addresses are not link-local: the sandbox and on-premises upstreams
    live there. Source: RFC 3927, RFC 4291 §2.5.6."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return False
    if not host:
        return False
    if _link_local(host):
        return True
    if not resolve:
        return False
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return False
    return any(_link_local(str(info[4][0])) for info in found)


def retry_after_seconds(value, *, now=None):
    """Seconds from a Retry-After header (delta-seconds or HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if digits_text(value) is not None:
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, (when - (now or timezone.now())).total_seconds())


class BaseClient:
    """Subclasses set `base_url` and `auth_headers()`; they map upstream shapes, this moves bytes.

    Retries cover 429, 5xx and connection failures, at most `max_retries` times, with exponential
    backoff and jitter, honouring Retry-After. A request that may already have been applied
    upstream (a POST that reached the server and got a 5xx or timed out) is never sent twice.

    `web_request=True` is the mode for code answering a web request: one attempt with the short
    `web_timeout` (connect, read seconds) and never a sleep, because a request never waits on an
    upstream's backoff; retrying with backoff is the job of Celery tasks (the default mode).
    """

    timeout = (5, 30)
    web_timeout = (3.05, 10)
    max_retries = 3
    backoff_base = 0.5
    backoff_cap = 30.0
    user_agent = "CampaignHub/1.0"

    def __init__(self, base_url, *, session=None, sleep=time.sleep, web_request=False):
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = self.user_agent
        self.session.headers["Accept"] = "application/json"
        self.sleep = sleep
        self.web_request = web_request
        if web_request:
            self.timeout = self.web_timeout
            self.max_retries = 0

    def auth_headers(self) -> dict:
        return {}

    def error_message(self, response, payload) -> str:
        """Subclasses pull the upstream's own message out of its error body."""
        if isinstance(payload, dict):
            for key in ("error", "message", "errors"):
                if payload.get(key):
                    return str(payload[key])
        return f"{response.status_code} {response.reason or 'error'} from upstream"

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path.lstrip('/')}"

    def request(self, method, path, *, params=None, json=None):
        method = method.upper()
        url = self.url(path)
        attempt = 0
        while True:
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    json=json,
                    headers=self.auth_headers(),
                    timeout=self.timeout,
                )
            except (requests.ConnectionError, requests.Timeout) as exc:
                # A connection that was never made is safe to retry even for a POST; a dropped
                # or timed-out one may have been applied, so only idempotent calls go again.
                safe = method in IDEMPOTENT_METHODS or never_reached_server(exc)
                if safe and attempt < self.max_retries:
                    attempt += 1
                    self._wait(attempt, None)
                    continue
                raise ApiError(f"Could not reach {url}: {exc}", permanent=False) from exc

            if response.status_code < 400:
                return self._decode(response)

            transient = response.status_code in TRANSIENT_STATUSES
            # 429 means the request was refused, not applied; a 5xx on a POST may have been.
            may_resend = response.status_code == 429 or method in IDEMPOTENT_METHODS
            if transient and may_resend and attempt < self.max_retries:
                attempt += 1
                self._wait(attempt, response.headers.get("Retry-After"))
                continue
            payload = self._decode(response, strict=False)
            raise ApiError(
                self.error_message(response, payload),
                status=response.status_code,
                payload=payload,
                permanent=not transient,
                retry_after=retry_after_seconds(response.headers.get("Retry-After")),
            )

    def _wait(self, attempt, retry_after):
        delay = retry_after_seconds(retry_after)
        if delay is None:
            delay = self.backoff_base * (2 ** (attempt - 1)) * (1 + random.random())
        delay = min(delay, self.backoff_cap)
        logger.info("Retrying %s in %.1fs (attempt %d)", type(self).__name__, delay, attempt + 1)
        self.sleep(delay)

    def _decode(self, response, strict=True):
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            if strict:
                raise ApiError(
                    "Upstream answered with something that is not JSON.",
                    status=response.status_code,
                    payload=response.text[:2000],
                ) from exc
            return response.text[:2000]

    def get(self, path, **params):
        return self.request("GET", path, params=params or None)

    def post(self, path, json=None):
        return self.request("POST", path, json=json)

    def put(self, path, json=None):
        return self.request("PUT", path, json=json)

    def delete(self, path):
        return self.request("DELETE", path)
