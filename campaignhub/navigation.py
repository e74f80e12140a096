"""The main navigation: apps register their section, so a section not built is never shown."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    order: int


SECTIONS: dict[str, Section] = {}


def register(label: str, url_name: str, order: int) -> None:
    SECTIONS[url_name] = Section(label, url_name, order)


def navigation(request):
    if not getattr(request, "account", None):
        return {"nav_sections": []}
    items = []
    for section in sorted(SECTIONS.values(), key=lambda s: s.order):
        try:
            url = reverse(section.url_name)
        except NoReverseMatch:
            continue
        active = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": section.label, "url": url, "active": active})
    return {"nav_sections": items}
