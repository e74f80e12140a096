"""Which lead sources (`Campaign.integration` values) a campaign may be given.

The lead form and the generic webhook are built in; an integration's lead source becomes
available when its app registers it from `AppConfig.ready` (CallRail does). A value whose app is
not installed (Invoca and the dialer, until they exist) is refused on new campaigns and never
offered, because no lead could ever reach such a campaign.
"""

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
