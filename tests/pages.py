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


class _FormValues(HTMLParser):
    """The successful controls of one form, in document order."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.pairs = []
        self.select = None  # [name, first value, selected value]
        self.textarea = None  # [name, text]

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self.pairs.append((name, attrs.get("value", "on")))
            elif kind not in ("submit", "button", "reset", "file", "image"):
                self.pairs.append((name, attrs.get("value") or ""))
        elif tag == "select" and name:
            self.select = [name, None, None]
        elif tag == "option" and self.select is not None:
            value = attrs.get("value") or ""
            if self.select[1] is None:
                self.select[1] = value
            if "selected" in attrs:
                self.select[2] = value
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select" and self.select is not None:
            name, first, selected = self.select
            if first is not None:
                self.pairs.append((name, first if selected is None else selected))
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.pairs.append((name, text[1:] if text.startswith("\n") else text))
            self.textarea = None


def form_values(html: str, form_id: str) -> list[tuple[str, str]]:
    """(name, value) of each control the form `form_id` sends as drawn, in page order, as a
    browser sends it untouched: text inputs and textareas as filled, checked boxes and radios,
    each select's selected option (else its first). Options are expected to carry a value."""
    parser = _FormValues(form_id)
    parser.feed(html)
    return parser.pairs
