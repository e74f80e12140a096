"""What the Incoming deliveries page says of stored deliveries: each source's name, the campaign
a delivery concerns, and headers with their secrets hidden.

A delivery concerns the campaign recorded on it (`InboundDelivery.campaign_id`): stored with it
when its endpoint is a campaign's (the lead webhook, a held form submission: so a delivery
refused before processing still names it), else set by its processor (the campaign its lead
went to, or the paused one holding it).

The platform knows no domain app, so an app registers what it knows: the name of each source
it processes (`campaignhub.webhooks.register_processor(..., label=...)`) and how to name
campaigns and leads (`register_campaigns`, `register_leads`).
"""

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from campaignhub.logs import redact_secret_paths
from campaignhub.models import DeliveryStatus

# The name of each source, as the page says it ("Lead webhook"): set by
# `campaignhub.webhooks.register_processor`.
SOURCE_LABELS: dict[str, str] = {}


@dataclass(frozen=True)
class Concern:
    """What a delivery concerns, as the page names it: `label` ("Spring roofing offer", or
    "Spring roofing offer (deleted)"), `url` its page, or "" when it has none to open.

    For a campaign, `paused` (whether it is paused now: what reached it is held, and replay
    would hold it again), `deleted` (whether it is deleted: there is nothing to replay into)
    and `captured_from_page` (whether what is held for it is captured with "Capture it now" on
    its page once it is active, rather than on activation itself)."""

    label: str
    url: str = ""
    paused: bool = False
    deleted: bool = False
    captured_from_page: bool = False


def is_held(delivery) -> bool:
    """Whether `delivery` (described by `selectors.describe_deliveries`) is held for its paused
    campaign: ignored, and the campaign it concerns is paused now. Replaying it would only
    hold it again; it is captured once the campaign is active."""
    concern = getattr(delivery, "concern", None)
    return delivery.status == DeliveryStatus.IGNORED and concern is not None and concern.paused


# What the page's replay says, and offers no Replay for, while the campaign a delivery concerns
# cannot take it (`replay_refusal`).
HELD_NOT_REPLAYED = (
    "Not replayed: it is held while its campaign is paused, and is captured once the campaign "
    "is active."
)
PAUSED_NOT_REPLAYED = (
    "Not replayable while its campaign is paused: what reaches a paused campaign is held, and "
    "captured once the campaign is active."
)
DELETED_NOT_REPLAYED = (
    "Not replayable: its campaign was deleted, so there is nothing to replay into."
)


def replay_refusal(delivery) -> str:
    """Why the page does not replay `delivery` (described by `selectors.describe_deliveries`),
    or "" when it may: its campaign is deleted (DELETED_NOT_REPLAYED: its processor would only
    find no campaign, and a processed delivery would lose that it was), or paused (replay would
    hold it, or hold again what it already made a lead of): HELD_NOT_REPLAYED for one held for
    it (`is_held`), PAUSED_NOT_REPLAYED for any other. The Django admin's Replay action and
    `manage.py replay_deliveries` skip them alike (`services.replay_deliveries`)."""
    concern = getattr(delivery, "concern", None)
    if concern is None:
        return ""
    if concern.deleted:
        return DELETED_NOT_REPLAYED
    if concern.paused:
        return HELD_NOT_REPLAYED if is_held(delivery) else PAUSED_NOT_REPLAYED
    return ""


# `campaigns_named(account, ids: set[int]) -> {id: Concern}` for the campaigns of `account`
# among `ids` (one query); an id it leaves out is not a campaign of the account.
CampaignsNamed = Callable[[object, set[int]], dict[int, Concern]]


@dataclass(frozen=True)
class Campaigns:
    """How the app that keeps campaigns lets the pages name them (`register_campaigns`):
    `named` (see `CampaignsNamed`), `offered(account)` the account's campaigns as the list's
    campaign filter offers them (a QuerySet, in order, deleted ones too) and `option(campaign)`
    how one reads there ("Spring roofing offer · Webhook")."""

    named: CampaignsNamed
    offered: Callable[[object], object]
    option: Callable[[object], str]


# The registered `Campaigns` (one at most); empty while no app keeps campaigns.
CAMPAIGNS: list[Campaigns] = []

# Shown in place of a header value that may be a credential.
HIDDEN = "(hidden)"
# Header names hidden whole, and words that hide any header whose name holds them (a secret,
# a token, a key), a header naming a signature too ("X-Signature-Key"). A plain signature header
# (CallRail's "Signature") holds none of them and is shown: it is what a failed verdict is
# about, and is worthless without the signing key.
HIDDEN_HEADERS = {"authorization", "proxy-authorization", "cookie", "set-cookie"}
HIDDEN_WORDS = ("secret", "token", "password", "passwd", "auth", "key", "session", "credential")

# How to name the lead a delivery's processing made (`register_leads`): `lead_named(account,
# lead_id) -> Concern | None` (one query; None for a lead that is gone or not the account's).
LeadNamed = Callable[[object, int], "Concern | None"]
LEADS_NAMED: list[LeadNamed] = []

# source -> {event code: its name} (`register_event_labels`): "cdr" -> "Call record".
EVENT_LABELS: dict[str, dict[str, str]] = {}

# How much of a body the page shows, in characters; the rest is cut with a note.
BODY_SHOWN = 20_000


def register_campaigns(campaigns_named: CampaignsNamed, *, offered, option) -> None:
    """Declare how the campaigns recorded on deliveries (`InboundDelivery.campaign_id`) are
    named (see `CampaignsNamed`), and which the list's campaign filter offers and how (see
    `Campaigns`)."""
    CAMPAIGNS[:] = [Campaigns(campaigns_named, offered, option)]


def campaigns_named(account, ids: set[int]) -> dict[int, Concern]:
    """The registered `CampaignsNamed` for `ids`; {} when no app names campaigns."""
    return CAMPAIGNS[0].named(account, ids) if CAMPAIGNS and ids else {}


def register_leads(lead_named: LeadNamed) -> None:
    """Declare how the lead a delivery made is named and linked (see `LeadNamed`)."""
    LEADS_NAMED[:] = [lead_named]


def lead_of(account, delivery) -> Concern | None:
    """The lead `delivery`'s processing made or updated (`InboundDelivery.lead_id`) as its
    page links it, or None: none made, gone since, or no app names leads. One query."""
    if delivery.lead_id is None or not LEADS_NAMED:
        return None
    return LEADS_NAMED[0](account, delivery.lead_id)


def register_event_labels(source: str, labels: Iterable[tuple[str, str]]) -> None:
    """Name the events of `source` (`[(code, name)]`, e.g. a TextChoices' `choices`), as the
    Incoming deliveries pages say them; codes left out are said as words of their own."""
    EVENT_LABELS.setdefault(source, {}).update(labels)


def event_label(source: str, event: str) -> str:
    """An event as people read it: the name its source registered ("Call record" for the
    dialer's "cdr"), else its code as words ("post_call" -> "Post call"); "" for none."""
    if not event:
        return ""
    named = EVENT_LABELS.get(source, {}).get(event)
    if named:
        return named
    text = event.replace("_", " ").replace("-", " ").strip()
    return text[:1].upper() + text[1:]


def source_label(source: str) -> str:
    """The name a source registered ("Lead webhook"), else its code as stored."""
    return SOURCE_LABELS.get(source) or source


def source_choices() -> list[tuple[str, str]]:
    """(code, name) of every source registered with a name, by name: the page's source filter.
    Sources registered without one (Twilio's status callbacks) belong to no account."""
    return sorted(
        ((code, label) for code, label in SOURCE_LABELS.items() if label), key=lambda c: c[1]
    )


def is_hidden_header(name: str) -> bool:
    """Whether a header's value may be a credential and is not shown: Authorization, Cookie
    and any header whose name holds a word of HIDDEN_WORDS, whether or not it also names a
    signature ("X-Hub-Signature-Secret" is hidden, "Signature" shown)."""
    lowered = name.lower()
    return lowered in HIDDEN_HEADERS or any(word in lowered for word in HIDDEN_WORDS)


def shown_headers(headers) -> list[tuple[str, str]]:
    """A stored delivery's headers as the page lists them: (name, value) in the order stored,
    HIDDEN in place of the value of each `is_hidden_header`, and every other value with its
    secret URL segments replaced by '…' as the logs write them (`logs.redact_secret_paths`: a
    held form submission's Referer reads `https://example.com/f/…/`). Anything but a dict is
    none."""
    if not isinstance(headers, dict):
        return []
    return [
        (str(name), HIDDEN if is_hidden_header(str(name)) else redact_secret_paths(str(value)))
        for name, value in headers.items()
    ]


def shown_body(text: str) -> tuple[str, int]:
    """A body's text as the page shows it: its first BODY_SHOWN characters, and how many more
    were cut (0 for none)."""
    return text[:BODY_SHOWN], max(len(text) - BODY_SHOWN, 0)


def error_text(error: str) -> str:
    """A stored delivery's error for people to read. A delivery refused for what it held keeps
    its form's errors as JSON (`{"phone": ["Enter a valid phone number."]}`,
    `campaignhub.webhooks`): said as "phone: Enter a valid phone number.", errors of the whole
    payload without a name; any other error as stored."""
    try:
        errors = json.loads(error)
    except ValueError:
        return error
    if not isinstance(errors, dict) or not all(isinstance(v, list) for v in errors.values()):
        return error
    said = []
    for field, messages in errors.items():
        text = " ".join(str(message) for message in messages)
        said.append(text if field in ("__all__", "non_field_errors") else f"{field}: {text}")
    return "; ".join(said)
