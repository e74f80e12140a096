"""Message text: event templates (ours, trusted) and user-written templates (plain substitution)."""

import re
from functools import lru_cache

from django.template import TemplateDoesNotExist, engines
from django.utils.text import Truncator

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")

# Characters that push an SMS out of the GSM-7 alphabet (halving its length per segment) although
# they have plain equivalents; anything else (emoji, other scripts) is left to the provider.
GSM_REPLACEMENTS = str.maketrans(
    {
        "\u00a0": " ",
        "\u2007": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u200b": "",
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)

# A subject's length at most (`Delivery.subject`'s column): a longer one, say a campaign's subject
# with a lead's 255-character name in it, is cut with "…" rather than failing the alert's save,
# which would undo the lead it is about.
SUBJECT_MAX_CHARS = 255

# Which template file makes an event send on which channel.
CHANNEL_FILES = {"email": "body.txt", "sms": "sms.txt", "push": "push.txt"}


def substitute(text: str, values: dict) -> str:
    """Replace `{{key}}` for known keys only; unknown placeholders stay visible, nothing runs."""

    def replace(match):
        key = match.group(1)
        return str(values[key]) if key in values else match.group(0)

    return PLACEHOLDER.sub(replace, text or "")


def gsm_safe(text: str) -> str:
    return text.translate(GSM_REPLACEMENTS)


def _engine(name):
    # HTML templates escape what they interpolate; text ones must not (an email body, an SMS).
    return engines["django" if name.endswith(".html") else "text"]


def _render(event, name, context, *, required=True):
    try:
        template = _engine(name).get_template(f"notifications/{event}/{name}")
    except TemplateDoesNotExist:
        if required:
            raise
        return ""
    return template.render(context).strip()


def event_channels(event: str) -> list[str]:
    channels = []
    for channel, name in CHANNEL_FILES.items():
        try:
            _engine(name).get_template(f"notifications/{event}/{name}")
        except TemplateDoesNotExist:
            continue
        channels.append(channel)
    if not channels:
        raise ValueError(f"No templates found for notification event {event!r}.")
    return channels


def render_channel(event: str, channel: str, context: dict) -> dict:
    """Subject (on one line, at most `SUBJECT_MAX_CHARS`), body and HTML body of `event` for
    one channel. A push's subject is its title: `push_title.txt` when the event has one, else
    `subject.txt`."""
    subject = " ".join(_render(event, "subject.txt", context, required=False).split())
    subject = Truncator(subject).chars(SUBJECT_MAX_CHARS)
    if channel == "email":
        return {
            "subject": subject,
            "body": _render(event, "body.txt", context),
            "html_body": _render(event, "body.html", context, required=False),
        }
    if channel == "sms":
        return {
            "subject": "",
            "body": gsm_safe(_render(event, "sms.txt", context)),
            "html_body": "",
        }
    if channel == "push":
        # A push's title is short and its own (`push_title.txt`) where the subject is the
        # email's (a lead alert's subject is the campaign's words, of any length).
        title = " ".join(_render(event, "push_title.txt", context, required=False).split())
        return {
            "subject": Truncator(title).chars(SUBJECT_MAX_CHARS) if title else subject,
            "body": _render(event, "push.txt", context),
            "html_body": "",
        }
    raise ValueError(f"Unknown channel {channel!r}.")


@lru_cache(maxsize=256)
def event_label(event: str) -> str:
    """What people call `event`: its `label.txt` (`lead_arrived` -> "New lead"), else the code
    in words (`some_event` -> "Some event")."""
    label = " ".join(_render(event, "label.txt", {}, required=False).split())
    if label:
        return label
    words = event.replace("_", " ").strip()
    return words[:1].upper() + words[1:]
