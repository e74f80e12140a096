"""Which browser origins may open the live websocket: exactly the site's own addresses."""

from urllib.parse import urlsplit

from channels.security.websocket import OriginValidator
from django.conf import settings


def site_origins(public_base_url: str, csrf_trusted_origins: list[str]) -> list[str]:
    """`scheme://host[:port]` of `PUBLIC_BASE_URL` and of each `CSRF_TRUSTED_ORIGINS` entry,
    lower-cased, as channels' `OriginValidator` patterns. A CSRF wildcard (`https://*.example.com`)
    becomes channels' subdomain form (`https://.example.com`). Entries without a scheme are
    dropped: Django requires one in CSRF_TRUSTED_ORIGINS, and an origin always has one."""
    origins = []
    for url in [public_base_url, *csrf_trusted_origins]:
        parts = urlsplit(url.strip().lower())
        if parts.scheme and parts.netloc:
            origins.append(f"{parts.scheme}://{parts.netloc.replace('*.', '.', 1)}")
    return sorted(set(origins))


class SiteOriginValidator(OriginValidator):
    """channels' `OriginValidator` over `site_origins(settings.PUBLIC_BASE_URL,
    settings.CSRF_TRUSTED_ORIGINS)`: scheme, host and port must match exactly (a missing port is
    the scheme's default). Settings are read per connection, so a changed setting applies at
    once. A connection without an `Origin` header is refused."""

    def __init__(self, application):
        super().__init__(application, allowed_origins=[])

    def validate_origin(self, parsed_origin):
        allowed = site_origins(settings.PUBLIC_BASE_URL, settings.CSRF_TRUSTED_ORIGINS)
        return any(self.match_allowed_origin(parsed_origin, pattern) for pattern in allowed)
