"""Which lead sources (`Campaign.integration` values) a campaign may be given.

The lead form and the generic webhook are built in; an integration's lead source becomes
available when its app registers it from `AppConfig.ready` (CallRail does). A value whose app is
not installed is refused on new campaigns and never offered, because no lead could ever reach
such a campaign.

A lead source that needs a campaign tied to one of its own records (Invoca: which advertiser
campaign's calls become the campaign's leads) registers a `SourceLink`: the campaign form and
API then take one more key, the integration validates it and stores the link on its side.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from campaigns.models import Integration

AVAILABLE: set[str] = set()


def register_source(integration: str) -> None:
    """Make `integration` (an `Integration` value) a lead source campaigns may use.

    Raises ValueError for a value that is not an `Integration` choice.
    """
    if integration not in Integration.values:
        raise ValueError(
            f"{integration!r} is not a lead source (see campaigns.models.Integration)."
        )
    AVAILABLE.add(integration)


def is_available(integration: str) -> bool:
    """Whether a campaign may be given `integration` (an app has registered it)."""
    return integration in AVAILABLE


def available_choices(*, keep: str = "") -> list[tuple[str, str]]:
    """`[(value, label)]` of the usable lead sources, in `Integration` order.

    `keep` is a campaign's current value: it stays in the list even when unavailable, so editing
    an older campaign never changes its lead source behind the user's back.
    """
    return [
        (value, label)
        for value, label in Integration.choices
        if value in AVAILABLE or (keep and value == keep)
    ]


def unavailable_message(integration: str) -> str:
    """The sentence a person reads when `integration` cannot be chosen."""
    label = dict(Integration.choices).get(integration, integration)
    usable = ", ".join(label for _value, label in available_choices())
    return f"{label} is not available as a lead source yet. Choose one of: {usable}."


@dataclass(frozen=True)
class SourceLink:
    """How a lead source ties a campaign to one of the integration's own records (an Invoca
    advertiser campaign), which that integration stores; registered with `register_link`.

    `key` is the `campaigndata` key and the campaign form's field name; `clean(account, value,
    campaign, viewer) -> str` checks a non-empty value (campaign None while creating; viewer the
    Membership sending it, None for the system, whose messages name no campaign it may not see)
    and raises ValidationError; `save(campaign, value)` records it inside the campaign's save
    ("" unlinks); `current(campaign) -> str` is the linked record ("" when none); `required` is
    the message when a campaign of the integration has none. The campaign page offers
    `choices(account, campaign) -> [(value, label, taken_by)]` under `label`, where `taken_by`
    is the other Campaign a record already feeds (None when free), with `help` below.
    """

    integration: str
    key: str
    clean: Callable
    save: Callable
    current: Callable
    required: str
    label: str
    choices: Callable
    help: str = ""


LINKS: dict[str, SourceLink] = {}


def register_link(link: SourceLink) -> None:
    """Give campaigns of `link.integration` the link field `link.key` (see SourceLink)."""
    register_source(link.integration)
    LINKS[link.integration] = link


def link_for(integration: str) -> SourceLink | None:
    return LINKS.get(integration)


def link_keys() -> list[str]:
    """The `campaigndata` keys of every registered link."""
    return [link.key for link in LINKS.values()]


def link_values(campaign) -> dict:
    """`{key: linked record or None}` for the link of the campaign's integration, if any."""
    link = LINKS.get(campaign.integration)
    if link is None or campaign.pk is None:
        return {}
    return {link.key: link.current(campaign) or None}


class LinkRefused(ValidationError):
    """A link the form accepted, refused inside the campaign's save (another campaign took the
    record since the form was checked): `message_dict` is `{key: [message]}`, for the form or
    the API's 400 envelope. Raised inside the save's transaction, which it rolls back."""


def save_links(campaign, data) -> None:
    """Record the campaign's links from cleaned form `data`, inside its save: its own
    integration's link when `data` has the key; every other link is cleared when the
    integration changed (a campaign keeps no link its lead source does not use). Raises
    LinkRefused when the integration refuses the link at save time (a concurrent save)."""
    for link in LINKS.values():
        if link.integration == campaign.integration:
            if link.key in data:
                try:
                    link.save(campaign, data[link.key] or "")
                except ValidationError as exc:
                    raise LinkRefused({link.key: exc.messages}) from exc
        elif "integration" in data and link.current(campaign):
            link.save(campaign, "")


def form_links(account, values, errors, campaign=None, *, viewer) -> list[dict]:
    """What the campaign page shows `viewer` (a Membership) for each registered link:
    `integration`, `key`, `label`, `help`, the chosen `value` (as posted, else the campaign's
    current link), its `errors`, and `choices` as `{"value", "label", "taken_by"}`, where
    `taken_by` names the other campaign a record feeds ("" when free; "another campaign" when
    the viewer may not see that one, so its name is not shown to them)."""
    from campaigns.selectors import campaigns_visible_to

    shown = []
    for link in LINKS.values():
        offered = link.choices(account, campaign)
        taken = {other.pk for _, _, other in offered if other is not None}
        visible = set(
            campaigns_visible_to(viewer).filter(pk__in=taken).values_list("pk", flat=True)
        )
        value = str(values.get(link.key) or "")
        if not value and campaign is not None and campaign.integration == link.integration:
            value = link.current(campaign)
        shown.append(
            {
                "integration": link.integration,
                "key": link.key,
                "label": link.label,
                "help": link.help,
                "value": value,
                "errors": list((errors or {}).get(link.key, [])),
                "choices": [
                    {"value": str(choice), "label": label, "taken_by": _named(other, visible)}
                    for choice, label, other in offered
                ],
            }
        )
    return shown


def _named(campaign, visible) -> str:
    if campaign is None:
        return ""
    return f"“{campaign.campaign_name}”" if campaign.pk in visible else "another campaign"


@dataclass(frozen=True)
class Feeder:
    """A record of an integration whose calls become a campaign's leads, as the campaign page
    names it: `label` (e.g. "Spring promo (ADV7/spring) · Live"), `url` of its page here, and
    `held`: how many of its calls wait, held, to become the campaign's leads (say, while the
    campaign is paused)."""

    label: str
    url: str
    held: int = 0


@dataclass(frozen=True)
class FeedHint:
    """What the campaign page says of a campaign that nothing feeds yet: `text`, how to make
    something feed it, and a link (`link_text`, `url`) to the page where that is done."""

    text: str
    link_text: str
    url: str


# integration -> callable(campaign, viewer) -> [Feeder]
FEEDERS: dict[str, Callable] = {}
# integration -> callable(campaign) -> FeedHint | None
FEED_HINTS: dict[str, Callable] = {}


def register_feeders(integration: str, feeders: Callable, *, hint: Callable | None = None) -> None:
    """Let the campaign page of a campaign of `integration` name what feeds it: `feeders(
    campaign, viewer) -> [Feeder]`, its app's records that point at the campaign and that
    `viewer` (a Membership) may open; and, with `hint(campaign) -> FeedHint | None`, say how
    to feed a campaign that nothing (seen by anyone) feeds yet (None when something does)."""
    FEEDERS[integration] = feeders
    if hint is not None:
        FEED_HINTS[integration] = hint


def feeders_of(campaign, viewer) -> list[Feeder]:
    """What feeds `campaign`, as `viewer` may see it ([] for a lead source that registered
    nothing)."""
    found = FEEDERS.get(campaign.integration)
    return list(found(campaign, viewer)) if found else []


def feed_hint(campaign) -> FeedHint | None:
    """How to feed `campaign` when nothing feeds it yet; None when something does or its lead
    source registered no hint."""
    hint = FEED_HINTS.get(campaign.integration)
    return hint(campaign) if hint else None


@dataclass(frozen=True)
class Holding:
    """How a lead source keeps what reaches a paused campaign of its own, registered with
    `register_holding`: `deliveries(campaign)` is the queryset of stored InboundDelivery rows
    held for that campaign (replayed into leads from the campaign page once it is active),
    `count(campaign) -> int` how many things the page says are held (several deliveries may
    be about one call), `noun` what one of them is, singular ("call"). A source that holds
    more than one kind of thing (CallRail: calls and text messages) gives `kinds(campaign) ->
    [(count, noun)]`, each kind held (count > 0) with its own noun, so the page names each."""

    deliveries: Callable
    count: Callable
    noun: str
    kinds: Callable | None = None


HOLDINGS: dict[str, Holding] = {}


def register_holding(
    integration: str,
    deliveries: Callable,
    *,
    count: Callable,
    noun: str,
    kinds: Callable | None = None,
) -> None:
    """Let the campaign page of a paused campaign of `integration` count and capture what its
    app held for it (see Holding). The built-in webhook source holds its own."""
    HOLDINGS[integration] = Holding(deliveries=deliveries, count=count, noun=noun, kinds=kinds)


def holding_for(integration: str) -> Holding | None:
    return HOLDINGS.get(integration)
