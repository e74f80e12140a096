"""Reads for Invoca advertiser campaigns: one campaign, an advertiser's campaigns, the overview
of advertisers, the side-by-side comparison of current and future terms, and the connection's
call data (a poll running, held calls by reason)."""

import json
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from campaignhub.models import DeliveryStatus, InboundDelivery
from campaignhub.tenancy import get_for_account_or_404
from campaigns.selectors import campaigns_visible_to
from invoca import leads, terms_display
from invoca.models import AdvertiserCampaign, CampaignStatus

NOT_FOUND = "Advertiser campaign not found"


def campaign_for(account, advertiser_id, campaign_id) -> AdvertiserCampaign:
    """The account's campaign `campaign_id` of advertiser `advertiser_id` (network ids); 404
    otherwise (another account's campaign is a 404 too)."""
    return get_for_account_or_404(
        AdvertiserCampaign.objects.select_related("account", "inbound_campaign"),
        account,
        NOT_FOUND,
        advertiser_id_from_network=advertiser_id,
        id_from_network=campaign_id,
    )


def campaigns_of(account, advertiser_id):
    """The advertiser's campaigns kept here, by name."""
    return (
        AdvertiserCampaign.objects.for_account(account)
        .filter(advertiser_id_from_network=advertiser_id)
        .select_related("inbound_campaign")
        .order_by("name", "id")
    )


def visible_inbound_ids(membership, campaigns) -> set[int]:
    """Our ids of the inbound campaigns fed by `campaigns` (advertiser campaigns) that
    `membership` may see (`campaigns.selectors.campaigns_visible_to`): an admin every live one
    of the account, a member those they own or represent. Pages link and name only these; the
    others are "a campaign you do not see", and the API leaves their id out. One query."""
    linked = {row.inbound_campaign_id for row in campaigns if row.inbound_campaign_id}
    if not linked:
        return set()
    return set(campaigns_visible_to(membership).filter(pk__in=linked).values_list("pk", flat=True))


@dataclass
class Advertiser:
    """An advertiser as the overview lists it: its network id and campaign counts by status."""

    advertiser_id: str
    total: int
    live: int
    entry: int
    paused: int
    archived: int


def advertisers(account) -> list[Advertiser]:
    """Every advertiser the account has campaigns for, with counts by status."""
    rows = (
        AdvertiserCampaign.objects.for_account(account)
        .values("advertiser_id_from_network")
        .annotate(
            total=Count("id"),
            **{
                status.value: Count("id", filter=Q(status=status.value))
                for status in CampaignStatus
            },
        )
        .order_by("advertiser_id_from_network")
    )
    return [
        Advertiser(
            advertiser_id=row["advertiser_id_from_network"],
            total=row["total"],
            live=row["live"],
            entry=row["entry"],
            paused=row["paused"],
            archived=row["archived"],
        )
        for row in rows
    ]


def terms_comparison(campaign) -> list[terms_display.Row]:
    """The campaign's current and future terms as rows of the side-by-side table, each saying
    whether the future value differs; phone numbers in the format of the account's country."""
    return terms_display.compare(
        campaign.current_terms, campaign.future_terms, campaign.account.country
    )


def poll_running(connection) -> bool:
    """Whether a Transactions API poll holds the connection now (its claim younger than
    `INVOCA_POLL_LEASE_SECONDS`)."""
    if connection is None or connection.transactions_claimed_at is None:
        return False
    lease = timedelta(seconds=settings.INVOCA_POLL_LEASE_SECONDS)
    return connection.transactions_claimed_at > timezone.now() - lease


# Held deliveries read to count held calls; past this, the page says "at least".
HELD_SCAN = 500


@dataclass
class HeldReason:
    """Held Invoca calls sharing one reason (the text after `Held: `)."""

    reason: str
    count: int


@dataclass
class HeldCalls:
    """The account's held calls: how many (`total`, each call once though it may have come by
    webhook and by the poll), grouped by reason, most first; `partial` when only the newest
    `HELD_SCAN` deliveries were read."""

    total: int
    reasons: list[HeldReason]
    partial: bool

    def __bool__(self) -> bool:
        return self.total > 0


def _held_call_key(delivery_id, source, headers, body) -> str:
    """The call a held delivery is about: the transaction it corrects, else its own."""
    return _held_call(delivery_id, source, headers, body)[0]


def _held_call(delivery_id, source, headers, body) -> tuple[str, "leads.CallFields | None"]:
    """(`_held_call_key`, the call's fields, None when its body cannot be read)."""
    try:
        if source == leads.TRANSACTIONS_SOURCE:
            row = json.loads(bytes(body))
        else:
            content_type = next(
                (v for k, v in (headers or {}).items() if str(k).lower() == "content-type"), ""
            )
            row = leads.read_body(bytes(body), content_type)
        fields = leads.call_fields(row) if isinstance(row, dict) else None
    except ValueError:
        fields = None
    if fields is None or not fields.transaction_id:
        return f"delivery:{delivery_id}", fields
    return fields.corrects_transaction_id or fields.transaction_id, fields


def held_calls(account, limit=5) -> HeldCalls:
    """The account's held Invoca calls (`invoca.leads.held_calls`), each call counted once,
    grouped by why no campaign took it (at most `limit` reasons, most calls first)."""
    rows = list(
        leads.held_calls(account)
        .order_by("-received_at", "-id")
        .values_list("pk", "source", "headers", "body", "error")[: HELD_SCAN + 1]
    )
    by_reason: dict[str, set] = {}
    seen = set()
    for pk, source, headers, body, error in rows[:HELD_SCAN]:
        key = _held_call_key(pk, source, headers, body)
        if key in seen:
            continue
        seen.add(key)
        by_reason.setdefault(error.removeprefix(leads.HELD), set()).add(key)
    reasons = sorted(
        (HeldReason(reason=reason, count=len(keys)) for reason, keys in by_reason.items()),
        key=lambda row: (-row.count, row.reason),
    )
    return HeldCalls(total=len(seen), reasons=reasons[:limit], partial=len(rows) > HELD_SCAN)


def calls_captured(account, delivery_ids) -> int:
    """How many calls the account's deliveries `delivery_ids` (say, those one capture queued,
    `leads.capture_held_calls`) made or updated leads of, once processed: each call once, by
    its lead (the webhook and the poll of a call, a correction, make one)."""
    return (
        InboundDelivery.objects.for_account(account)
        .filter(pk__in=delivery_ids, status=DeliveryStatus.PROCESSED, lead_id__isnull=False)
        .values("lead_id")
        .distinct()
        .count()
    )


def held_calls_for(advertiser_campaign) -> int:
    """How many of its account's held Invoca calls (`invoca.leads.held_calls`) are for
    `advertiser_campaign`, each call once (the webhook and the poll of a call, a correction):
    those the inbound campaign it feeds takes once it is active (`links`), as the Transactions
    API row or webhook names it (`advertiser_campaign_id_from_network`, and the advertiser
    when sent; a call naming no advertiser counts only when no other advertiser has a campaign
    of that id, as `leads.capture_call` routes it). Read from the newest `HELD_SCAN` held
    deliveries, so past that it is a floor."""
    rows = list(
        leads.held_calls(advertiser_campaign.account_id)
        .order_by("-received_at", "-id")
        .values_list("pk", "source", "headers", "body")[:HELD_SCAN]
    )
    network_id = advertiser_campaign.id_from_network
    advertiser = advertiser_campaign.advertiser_id_from_network
    named, unnamed = set(), set()
    for pk, source, headers, body in rows:
        key, fields = _held_call(pk, source, headers, body)
        if fields is None or fields.campaign_id != network_id:
            continue
        if fields.advertiser_id == advertiser:
            named.add(key)
        elif not fields.advertiser_id:
            unnamed.add(key)
    if unnamed and (
        AdvertiserCampaign.objects.for_account(advertiser_campaign.account_id)
        .filter(id_from_network=network_id)
        .exclude(pk=advertiser_campaign.pk)
        .exists()
    ):
        unnamed = set()
    return len(named | unnamed)
