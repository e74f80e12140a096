"""Reads about what CallRail sent an account: calls and texts held for paused campaigns, calls to
numbers no campaign uses, and deliveries rejected for their signature."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Max, Q

from callrail.leads import UNUSED_NUMBER, held_reason_prefix
from callrail.models import CallRailSettings
from campaignhub.models import DeliveryStatus, InboundDelivery
from campaignhub.webhooks import INVALID_SIGNATURE
from campaigns.models import Campaign, Integration, LeadSource

SOURCE = "callrail"  # callrail.webhooks.SOURCE, which imports this app's models and leads

# Deliveries read to count the calls to unused numbers; past this, the page says "at least".
UNUSED_READ_LIMIT = 5000


def _deliveries(account):
    return InboundDelivery.objects.for_account(account).filter(source=SOURCE)


def held_calls(campaign):
    """The CallRail deliveries (calls and texts, every event of each) held for `campaign`
    because it was paused when they reached its tracking number; oldest first."""
    return _deliveries(campaign.account).filter(
        status=DeliveryStatus.IGNORED, error__startswith=held_reason_prefix(campaign.pk)
    )


def held_call_count(campaign) -> int:
    """How many calls and texts are held for `campaign`: each call once, though CallRail sends
    several events of it (pre-call, post-call, modified), whose reasons are the same."""
    return held_calls(campaign).values("error").distinct().count()


# What the page calls each kind held, in the order it names them; a held reason names its kind
# after the prefix (`callrail.leads._unanswered`: "… #12: call CAL… to …", "… #12: text …").
HELD_KINDS = ((LeadSource.CALL, "call"), (LeadSource.TEXT, "text message"))


def held_kinds(campaign) -> list[tuple[int, str]]:
    """`[(count, noun)]` of the calls and the text messages held for `campaign` (each call
    once, as `held_call_count` counts them), those with any held: for the campaign page
    (`campaigns.sources.Holding.kinds`), which names texts as texts. One query."""
    prefix = held_reason_prefix(campaign.pk)
    counted = {
        str(kind): Count("error", distinct=True, filter=Q(error__startswith=f"{prefix} {kind} "))
        for kind, _noun in HELD_KINDS
    }
    counts = held_calls(campaign).aggregate(**counted)
    return [(counts[str(kind)], noun) for kind, noun in HELD_KINDS if counts[str(kind)]]


@dataclass
class UnusedNumber:
    """Calls and texts to one number no CallRail campaign uses: `tracking_number` (E.164, or as
    sent), `calls` (each call once), `latest` (when the last delivery came)."""

    tracking_number: str
    calls: int
    latest: datetime


@dataclass
class UnusedNumbers:
    """`total` calls and texts to numbers no campaign uses, `numbers` (most recent first) and
    `more` when over `UNUSED_READ_LIMIT` deliveries were left unread (the total is a floor)."""

    total: int = 0
    numbers: list[UnusedNumber] = field(default_factory=list)
    more: bool = False


def _unused_number(reason: str) -> str:
    # "No active CallRail campaign uses +14155550134 (call CAL…)."
    return reason[len(UNUSED_NUMBER) :].split(" (", 1)[0]


def _numbers_taken(account, numbers) -> set[str]:
    """Those of `numbers` a CallRail campaign of the account (active or paused) has now."""
    return set(
        Campaign.objects.for_account(account)
        .filter(integration=Integration.CALLRAIL, is_deleted=False, tracking_number__in=numbers)
        .values_list("tracking_number", flat=True)
    )


def calls_to_unused_number(account, tracking_number: str):
    """The deliveries stored ignored because no campaign used `tracking_number` (E.164)."""
    return _deliveries(account).filter(
        status=DeliveryStatus.IGNORED, error__startswith=f"{UNUSED_NUMBER}{tracking_number} ("
    )


def unused_number_calls(account) -> UnusedNumbers:
    """Calls and texts the account's CallRail company received on numbers no campaign (active
    or paused) used when they came, and none has taken since (a number given to a campaign
    leaves the list at once, its calls stay stored); stored as ignored, each call counted
    once."""
    rows = (
        _deliveries(account)
        .filter(status=DeliveryStatus.IGNORED, error__startswith=UNUSED_NUMBER + "+")
        .values("error")
        .annotate(latest=Max("received_at"))
        .order_by("-latest")[: UNUSED_READ_LIMIT + 1]
    )
    found: dict[str, UnusedNumber] = {}
    rows = list(rows)
    for row in rows[:UNUSED_READ_LIMIT]:
        number = _unused_number(row["error"])
        seen = found.get(number)
        if seen is None:
            found[number] = UnusedNumber(number, 1, row["latest"])
        else:
            seen.calls += 1
    taken = _numbers_taken(account, list(found))
    numbers = [number for number in found.values() if number.tracking_number not in taken]
    return UnusedNumbers(
        total=sum(n.calls for n in numbers), numbers=numbers, more=len(rows) > UNUSED_READ_LIMIT
    )


@dataclass
class Rejections:
    """Deliveries refused because their signature did not match the signing key: `since_key`
    of them came after the key in use was saved (it looks wrong), the latest at `latest`;
    `before_key` came before (signed for a key since replaced: today's may verify them)."""

    since_key: int = 0
    latest: datetime | None = None
    before_key: int = 0


def signature_rejected(account):
    """The account's CallRail deliveries rejected for their signature only (replay takes them
    once today's signing key verifies them)."""
    return _deliveries(account).filter(status=DeliveryStatus.REJECTED, error=INVALID_SIGNATURE)


def rejected_before_key(account, chosen: CallRailSettings):
    """Those of `signature_rejected` that came before the signing key in use was saved."""
    rejected = signature_rejected(account)
    if chosen.signing_key_saved_at is None:
        return rejected.none()
    return rejected.filter(received_at__lt=chosen.signing_key_saved_at)


def rejections(account, chosen: CallRailSettings) -> Rejections:
    """What the CallRail page says about deliveries rejected for their signature (see
    Rejections). With no key saved nothing is checked, and none can be verified: nothing."""
    if not chosen.signing_key:
        return Rejections()
    rejected = signature_rejected(account)
    saved = chosen.signing_key_saved_at
    since = rejected if saved is None else rejected.filter(received_at__gte=saved)
    tally = since.aggregate(count=Count("pk"), latest=Max("received_at"))
    return Rejections(
        since_key=tally["count"],
        latest=tally["latest"],
        before_key=rejected_before_key(account, chosen).count(),
    )
