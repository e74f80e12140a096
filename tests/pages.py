"""Reading pages as a browser would: the values a form sends back without the person's input."""

from html.parser import HTMLParser


class _HiddenInputs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.values = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("type") == "hidden" and attrs.get("name"):
            self.values[attrs["name"]] = attrs.get("value") or ""


def hidden_values(html: str) -> dict:
    """{name: value} of the page's hidden inputs (a missing value is "", as a browser sends it;
    a name repeated keeps its last value)."""
    parser = _HiddenInputs()
    parser.feed(html)
    return parser.values
