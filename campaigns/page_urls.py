"""A campaign's page address: how it is stored, and when two addresses are the same page."""

from urllib.parse import urlsplit

from campaignhub.cleaning import clean_text


def normalize_page_url(url: str) -> str:
    """Remove every trailing slash (the reference removed only one); keep query and fragment.

    The form of a campaign's `page_url` as stored, `[000]` section on form campaigns.
    """
    return url.strip().rstrip("/")


def page_key(url: str) -> str:
    """What two page addresses must share to be the same page: host (lower case, no port 80/443)
    and path, after `normalize_page_url`; scheme, query string and fragment do not count.

    `https://Example.com/roofing/?utm=x#top` -> `example.com/roofing`; "" for no address.
    """
    url = clean_text(url)
    if not url:
        return ""
    parts = urlsplit(url if "//" in url else "//" + url)
    host = (parts.hostname or "").lower()
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    return host + normalize_page_url(parts.path)
