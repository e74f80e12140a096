"""Deals: opened from leads, moved between stages, their revenue recorded when won.

A deal and its lead tell one story: moving a deal into a won stage wins its lead with the
deal's value as revenue (`campaigns.outcomes.set_outcome(..., via="deal")`), and a lead won or
lost from its page or the API moves its deal (`follow_lead_outcome`).
"""

import logging
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.template.defaultfilters import floatformat
from django.utils import timezone

from campaignhub import phones
from campaignhub.models import Membership, Role
from campaigns import outcomes
from campaigns import selectors as campaign_selectors
from campaigns.models import Lead, LeadStatus
from campaigns.permissions import may_set_outcome
from crm import pipelines
from crm.models import Deal, Stage, StageKind

logger = logging.getLogger(__name__)

WRONG_PIPELINE = "Choose a stage of this deal's pipeline."
CHANGEABLE = ("stage", "value", "owner")
# Lead statuses a deal in an open stage may stand for, matched by the stage's name (the default
# pipeline's New, Contacted and Qualified).
OPEN_STATUSES = {
    label.lower(): value
    for value, label in LeadStatus.choices
    if value not in (LeadStatus.WON, LeadStatus.LOST)
}


# Reads


CHANGE_REFUSAL = (
    "Only an account admin, the deal's owner, or whoever may set its lead's outcome (the "
    "lead's representative, its campaign's owner) can change this deal."
)


def may_change(membership, deal) -> bool:
    """Whether `membership` may move or edit `deal` (stage, value, owner): an account admin,
    the deal's owner, or for a deal from a lead whoever may set that lead's outcome
    (`campaigns.permissions.may_set_outcome`), since moving the deal wins or loses the lead.
    Seeing a deal (`deals_visible_to`) is not enough."""
    if membership.is_admin or deal.owner_id == membership.user_id:
        return True
    return deal.lead_id is not None and may_set_outcome(membership, deal.lead)


def require_change(membership, deal) -> None:
    """Raise `PermissionDenied` (HTTP 403) unless `may_change(membership, deal)`."""
    if not may_change(membership, deal):
        raise PermissionDenied(CHANGE_REFUSAL)


def deals_visible_to(membership):
    """The deals `membership` may see: admins every deal of the account; members the deals
    they own, those whose lead they represent, those of campaigns they own or represent (the
    campaign visibility rule, SPEC §3.4), and deals that came from no campaign."""
    deals = Deal.objects.for_account(membership.account)
    if not membership.is_admin:
        campaigns = campaign_selectors.campaigns_visible_to(membership, include_deleted=True)
        deals = deals.filter(
            Q(owner_id=membership.user_id)
            | Q(lead__representative_id=membership.user_id)
            | Q(campaign__in=campaigns.values("pk"))
            | Q(campaign__isnull=True)
        )
    return deals


def deal_list(membership, *, pipeline=None, stage=None, owner=None):
    """Visible deals, newest first, filtered by pipeline, stage and owner ids (None: any)."""
    deals = deals_visible_to(membership).select_related(
        "pipeline", "stage", "owner", "contact", "campaign"
    )
    if pipeline:
        deals = deals.filter(pipeline_id=pipeline)
    if stage:
        deals = deals.filter(stage_id=stage)
    if owner:
        deals = deals.filter(owner_id=owner)
    return deals.order_by("-id")


def deal_detail(membership, deal_id):
    """One visible deal with what its page shows; raises Deal.DoesNotExist."""
    return (
        deals_visible_to(membership)
        .select_related("pipeline", "stage", "owner", "contact", "campaign", "lead")
        .get(pk=deal_id)
    )


def opens(membership, deal) -> dict:
    """Which of the pages the deal's page links `membership` may open, `{"lead": bool,
    "campaign": bool}`: its lead's (`leads_visible_to`) and its campaign's (a visible campaign
    that is not deleted). Seeing a deal does not mean seeing either (a member may own a deal
    of a campaign they do not work), and those pages answer 404, so the deal's page then names
    them without a link."""
    lead = deal.lead_id is not None and (
        campaign_selectors.leads_visible_to(membership).filter(pk=deal.lead_id).exists()
    )
    campaign = deal.campaign_id is not None and (
        campaign_selectors.campaigns_visible_to(membership).filter(pk=deal.campaign_id).exists()
    )
    return {"lead": lead, "campaign": campaign}


# How many cards a column shows; its count and totals always cover every deal in it.
CARDS_PER_COLUMN = 50


@dataclass
class Column:
    """One stage of the board: its first `CARDS_PER_COLUMN` deals (newest first), how many
    deals it holds, and `totals` `[(currency, Decimal)]`, the sum of their values per currency."""

    stage: Stage
    deals: list
    count: int = 0
    totals: list = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.deals)


def board(membership, pipeline, *, owner=None) -> list[Column]:
    """The pipeline's columns as `membership` sees them, `owner` (a user id) filtering cards
    and totals. Counts and totals are one aggregate query; each column one query for its cards,
    each card with `can_change` (`may_change`: whether its Move controls are offered)."""
    deals = deals_visible_to(membership).filter(pipeline=pipeline)
    if owner:
        deals = deals.filter(owner_id=owner)
    sums = (
        deals.order_by()
        .values("stage_id", "currency")
        .annotate(count=Count("id"), total=Sum("value"))
        .order_by("stage_id", "currency")
    )
    columns = {
        stage.pk: Column(stage=stage, deals=[])
        for stage in pipeline.stages.order_by("position", "id")
    }
    for row in sums:
        column = columns.get(row["stage_id"])
        if column is not None:
            column.count += row["count"]
            if row["total"] is not None:
                column.totals.append((row["currency"], row["total"]))
    for column in columns.values():
        if column.count:
            column.deals = list(
                deals.filter(stage=column.stage)
                .select_related("contact", "owner", "lead__campaign")
                .order_by("-updated_at", "-id")[:CARDS_PER_COLUMN]
            )
            for deal in column.deals:
                deal.can_change = may_change(membership, deal)
    return list(columns.values())


def audience(deal) -> set:
    """User ids of the members who see this deal (see `deals_visible_to`): the admins, its
    owner, its lead's representative, and its campaign's owner and representatives; every
    member when it came from no campaign."""
    members = Membership.objects.for_account(deal.account_id)
    if deal.campaign_id is not None:
        representative = deal.lead.representative_id if deal.lead_id else None
        members = members.filter(
            Q(role=Role.ADMIN)
            | Q(user_id__in=[u for u in (deal.owner_id, representative) if u])
            | Q(user_id=deal.campaign.owner_id)
            | Q(user__assignments__campaign_id=deal.campaign_id)
        )
    return set(members.values_list("user_id", flat=True))


# Writes


def deal_title(lead, region=phones.DEFAULT_REGION) -> str:
    """A deal's title from its lead: the lead's name, else its phone as people in `region` (the
    account's country, ISO 3166) read it, else its email, else "Lead <id>"."""
    title = phones.for_display(lead.phone, region) if not lead.name and lead.phone else str(lead)
    return title[: Deal._meta.get_field("title").max_length]


def _start(account, campaign):
    """(pipeline, stage) a campaign's new deal opens in: the campaign's pipeline and open stage
    when they are the account's; else that pipeline's (or the account's first pipeline's)
    first open stage. (None, None) when the account has no pipeline at all."""
    pipeline = pipelines.pipeline_of(account, campaign.pipeline_id)
    stage = None
    if pipeline is not None:
        stage_pk = pipelines.as_id(campaign.stage_id)
        if stage_pk:
            stage = pipeline.stages.filter(pk=stage_pk, kind=StageKind.OPEN).first()
    else:
        pipeline = pipelines.first_pipeline(account)
    if pipeline is None:
        return None, None
    stage = (
        stage
        or pipelines.first_stage(pipeline, StageKind.OPEN)
        or pipeline.stages.order_by("position", "id").first()
    )
    return (pipeline, stage) if stage is not None else (None, None)


def _after_commit(deal_id, also=()):
    from crm import live_updates

    also = tuple(also)
    transaction.on_commit(lambda: live_updates.deal_changed(deal_id, also=also), robust=True)


def open_for_lead(lead):
    """Open the deal of a new lead whose campaign has `create_deal` (SPEC §3, [000]); returns
    the deal, or None when the campaign opens none.

    Pipeline and stage come from the campaign's `pipeline_id`/`stage_id` (see `_start`), value
    from `deal_value`, currency from the campaign's `currency`, else the account's ([000]: "Defaults
    to account currency"). The title comes from the lead, the contact is the lead's (merged just
    before; may be None), the owner its representative. The new lead starts at the status that
    stage stands for (`_status_for`: Contacted for a stage named so), as a deal moved there
    would set it, so its board column and the lead list agree from the start; that is not a
    response, so no first response is recorded (`outcomes.start_at`). Called inside `capture_lead`'s
    transaction (campaigns.signals.lead_captured): it never raises for what an upstream sent,
    and a lead opens at most one deal.
    """
    campaign = lead.campaign
    if not campaign.create_deal:
        return None
    existing = Deal.objects.filter(lead=lead).first()
    if existing is not None:
        return existing
    account = campaign.account
    pipeline, stage = _start(account, campaign)
    if stage is None:
        logger.warning("Account %s has no pipeline: lead %s opened no deal", account.pk, lead.pk)
        return None
    value = campaign.deal_value
    deal = Deal.objects.create(
        account_id=lead.account_id,
        pipeline=pipeline,
        stage=stage,
        contact_id=lead.contact_id,
        lead=lead,
        campaign=campaign,
        title=deal_title(lead, account.country or phones.DEFAULT_REGION),
        value=value if value is not None and value >= 0 else None,
        currency=(campaign.currency or account.currency or "USD").upper()[:3],
        owner_id=lead.representative_id,
    )
    status = _status_for(stage, lead)
    if status is not None and status != lead.status:
        outcomes.start_at(lead=lead, status=status)
    _after_commit(deal.pk)
    return deal


def _enter(deal, stage, now):
    """Put `deal` in `stage`: a won stage records `won_at` and `closed_at`, a lost stage
    `closed_at`; an open stage clears both (the deal is open again)."""
    if stage.kind == StageKind.WON:
        if deal.stage.kind != StageKind.WON or deal.won_at is None:
            deal.won_at = now
            deal.closed_at = now
    elif stage.kind == StageKind.LOST:
        deal.won_at = None
        if deal.stage.kind != StageKind.LOST or deal.closed_at is None:
            deal.closed_at = now
    else:
        deal.won_at = None
        deal.closed_at = None
    deal.stage = stage


def _status_for(stage, lead):
    """The lead status a deal entering `stage` stands for, or None to leave the lead as it is:
    won / lost stages win or lose it; an open stage named like a status (New, Contacted,
    Qualified) sets that status; another open stage reopens a won or lost lead as qualified."""
    if stage.kind == StageKind.WON:
        return LeadStatus.WON
    if stage.kind == StageKind.LOST:
        return LeadStatus.LOST
    status = OPEN_STATUSES.get(stage.name.strip().lower())
    if status:
        return status
    if lead.status in (LeadStatus.WON, LeadStatus.LOST):
        return LeadStatus.QUALIFIED
    return None


class RevenueWouldClear(ValidationError):
    """A won deal asked to leave its won stage while its lead holds a revenue the deal cannot
    give back (`revenue_lost_by_leaving_won`): the page asks the person to confirm.
    `revenue` is the amount (Decimal) and `currency` the account's; `confirmation` names both
    ("USD 300.00"), what the page sends back to confirm clearing that very revenue
    (`update_deal`'s `confirmed_revenue`). `changed` says a confirmation was sent for another
    revenue than the lead holds now: the message says so before naming the new one."""

    def __init__(self, deal, revenue, *, changed=False):
        self.revenue = revenue
        self.currency = deal.account.currency
        self.confirmation = revenue_confirmation(self.currency, revenue)
        self.changed = changed
        message = REVENUE_WOULD_CLEAR.format(
            stage=deal.stage.name,
            currency=self.currency,
            amount=floatformat(revenue, "2g"),
            deal_currency=deal.currency,
        )
        super().__init__({"stage": (REVENUE_CHANGED if changed else "") + message})


def revenue_confirmation(currency, revenue) -> str:
    """How a page confirms clearing a lead's revenue: "<currency> <amount to the cent>"."""
    return f"{currency} {Decimal(revenue):.2f}"


REVENUE_WOULD_CLEAR = (
    "Moving this deal out of {stage} clears its lead's revenue of {currency} {amount} (only a "
    "won lead has a revenue), and winning the deal again will not bring it back: it was entered "
    "on the lead, and the deal's value in {deal_currency} cannot stand for it."
)
REVENUE_CHANGED = "The lead's revenue changed since you were asked. "


def revenue_lost_by_leaving_won(deal):
    """The lead's revenue (Decimal) that moving `deal` (a won deal, its lead and account
    loaded) out of its won stage would lose for good, or None: a lead's revenue goes when it
    leaves won, and comes back on winning the deal again only as the deal's value, which in
    another currency than the account's it never is (`in_account_currency`)."""
    lead = deal.lead
    if deal.stage.kind != StageKind.WON or lead is None or lead.revenue is None:
        return None
    if in_account_currency(deal) and deal.value == lead.revenue:
        return None
    return lead.revenue


def in_account_currency(deal) -> bool:
    """Whether the deal's value is in its account's currency, the currency of a lead's revenue
    and of the reports. A value in another currency is never written as a lead's revenue, nor
    a revenue as its value: there is no exchange rate to turn one into the other."""
    return deal.currency == deal.account.currency


def _tell_lead(deal, *, stage_changed, value_changed, actor):
    """Record on the deal's lead what the deal's move or new value means (`set_outcome`,
    via "deal"): entering a won stage wins the lead with the deal's value as revenue; leaving
    won clears that revenue (`set_outcome`: only a won lead has one); a new value of a won deal
    is the lead's new revenue. A deal in another currency than its account's wins or loses the
    lead and leaves its revenue to be entered on the lead (`in_account_currency`)."""
    lead = deal.lead
    if lead is None:
        return
    revenue = deal.value if in_account_currency(deal) else outcomes.UNCHANGED
    if stage_changed:
        status = _status_for(deal.stage, lead)
        if deal.stage.kind != StageKind.WON:
            revenue = outcomes.UNCHANGED
        if status is not None:
            outcomes.set_outcome(lead=lead, status=status, revenue=revenue, actor=actor, via="deal")
    elif value_changed and deal.stage.kind == StageKind.WON and revenue is not outcomes.UNCHANGED:
        outcomes.set_outcome(
            lead=lead, status=LeadStatus.WON, revenue=revenue, actor=actor, via="deal"
        )


def update_deal(
    *,
    deal,
    changes: dict,
    actor=None,
    membership=None,
    clear_revenue=True,
    confirmed_revenue: str = "",
):
    """Apply `changes` (any of `stage`: Stage, `value`: Decimal or None, `owner`: User or
    None, as `crm.deal_forms.DealForm` cleans them) and return the deal.

    Leaving a won stage clears the lead's revenue. When that revenue would not come back by
    winning the deal again (`revenue_lost_by_leaving_won`: typed on the lead for a deal in
    another currency, say) and `clear_revenue` is False (the pages), it is cleared only when
    `confirmed_revenue` is the `RevenueWouldClear.confirmation` of the revenue the lead holds
    now (the one the person was asked about); otherwise `RevenueWouldClear` (a
    ValidationError on `stage`, `changed` when another revenue was confirmed) and nothing
    changes. The API and the system clear it (`clear_revenue` True, documented).

    `membership` is the Membership of the person making the change (None when the system or
    the demo does): unless `may_change` allows it, `PermissionDenied` (403) and nothing
    changes, checked on the locked row.

    A stage must be one of the deal's own pipeline (ValidationError on `stage` otherwise,
    nothing changed). Entering a won stage sets `won_at`/`closed_at` and wins the lead with
    the deal's value as revenue; a lost stage closes the deal and loses the lead; an open
    stage reopens it (`_enter`, `_tell_lead`). Viewers of the board get the move live after
    commit. Changing nothing changes and sends nothing.
    """
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise ValueError(f"Deals cannot change {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        locked = (
            Deal.objects.select_for_update(of=("self",))
            .select_related("stage", "lead", "campaign", "account")
            .get(pk=deal.pk)
        )
        if membership is not None:
            require_change(membership, locked)
        previous_owner = locked.owner_id
        fields = []
        stage = changes.get("stage")
        stage_changed = stage is not None and stage.pk != locked.stage_id
        if stage_changed:
            if stage.pipeline_id != locked.pipeline_id:
                raise ValidationError({"stage": WRONG_PIPELINE})
            if stage.kind != StageKind.WON and not clear_revenue:
                _check_confirmed(locked, confirmed_revenue)
            _enter(locked, stage, timezone.now())
            fields += ["stage", "won_at", "closed_at"]
        value_changed = "value" in changes and _money(changes["value"]) != locked.value
        if value_changed:
            locked.value = _money(changes["value"])
            fields.append("value")
        if "owner" in changes:
            owner = changes["owner"]
            if (owner.pk if owner else None) != locked.owner_id:
                locked.owner = owner
                fields.append("owner")
        if not fields:
            return locked
        locked.save(update_fields=[*fields, "updated_at"])
        _tell_lead(locked, stage_changed=stage_changed, value_changed=value_changed, actor=actor)
        _after_commit(locked.pk, also=[previous_owner] if previous_owner else [])
    return locked


def _check_confirmed(deal, confirmed_revenue):
    """Raise `RevenueWouldClear` unless moving `deal` (locked, with its lead) out of won loses
    no revenue, or `confirmed_revenue` names the revenue it would lose. The lead is read again
    under lock, so the revenue checked is the one the move clears."""
    if deal.lead_id is not None:
        deal.lead = Lead.objects.select_for_update().get(pk=deal.lead_id)
    revenue = revenue_lost_by_leaving_won(deal)
    if revenue is None:
        return
    if confirmed_revenue == revenue_confirmation(deal.account.currency, revenue):
        return
    raise RevenueWouldClear(deal, revenue, changed=bool(confirmed_revenue))


def move_deal(
    *,
    deal,
    stage,
    actor=None,
    membership=None,
    clear_revenue=True,
    confirmed_revenue: str = "",
):
    """Move `deal` to `stage` of its own pipeline (see `update_deal`); returns the deal."""
    return update_deal(
        deal=deal,
        changes={"stage": stage},
        actor=actor,
        membership=membership,
        clear_revenue=clear_revenue,
        confirmed_revenue=confirmed_revenue,
    )


def _money(value):
    if value is None:
        return None
    value = Decimal(value)
    if value.is_signed():
        raise ValidationError({"value": "A deal's value cannot be negative."})
    return value.quantize(Decimal("0.01"))


def _stage_for_status(deal, status):
    """The stage of the deal's pipeline standing for a lead `status`, or None to stay:
    won / lost go to the pipeline's first won / lost stage (every pipeline has one, see
    `pipelines.closing_stage`); an open status to the open stage
    of that name; a closed deal whose lead is reopened to the pipeline's first open stage."""
    stages = deal.pipeline.stages.order_by("position", "id")
    if status == LeadStatus.WON:
        return pipelines.closing_stage(deal.pipeline, StageKind.WON)
    if status == LeadStatus.LOST:
        return pipelines.closing_stage(deal.pipeline, StageKind.LOST)
    named = next(
        (
            stage
            for stage in stages.filter(kind=StageKind.OPEN)
            if OPEN_STATUSES.get(stage.name.strip().lower()) == status
        ),
        None,
    )
    if named is not None:
        return named
    if deal.stage.kind != StageKind.OPEN:
        return stages.filter(kind=StageKind.OPEN).first()
    return None


def follow_lead_holder(lead, previous_id):
    """Give a lead's deal to whoever holds the lead now (`lead.representative_id`, None for
    nobody) when its owner was `previous_id` (a user id or None), the person the lead was taken
    from: their deal follows the lead, so the lead and its deal never end with different people
    in charge, and the person who held both can no longer set the lead's outcome as the deal's
    owner (`campaigns.permissions.may_set_outcome`). A deal someone gave another owner on
    purpose keeps them. Runs inside the handover's transaction; the boards and the deal's page
    of its old and new owner update after commit. Returns the deal when it changed owner, else
    None."""
    with transaction.atomic():
        deal = (
            Deal.objects.select_for_update(of=("self",))
            .filter(lead_id=lead.pk, owner_id=previous_id)
            .first()
        )
        if deal is None or deal.owner_id == lead.representative_id:
            return None
        deal.owner_id = lead.representative_id
        deal.save(update_fields=["owner", "updated_at"])
        _after_commit(deal.pk, also=[previous_id] if previous_id else [])
    return deal


def follow_lead_outcome(lead):
    """Mirror a lead's outcome set elsewhere (its page, the API, an integration's sale) on its
    deal: won / lost move the deal to its pipeline's first won / lost stage (recording
    `won_at` / `closed_at`); an open status moves it to the open stage of that name (see
    `_stage_for_status`). A won lead's revenue becomes the deal's value, and a lead won without
    one takes the deal's value as its revenue, when the deal is in the account's currency
    (`in_account_currency`). Runs inside `set_outcome`'s transaction; returns the deal, or None
    when the lead has none."""
    with transaction.atomic():
        deal = (
            Deal.objects.select_for_update(of=("self",))
            .select_related("stage", "pipeline", "account")
            .filter(lead_id=lead.pk)
            .first()
        )
        if deal is None:
            return None
        fields = []
        target = _stage_for_status(deal, lead.status)
        if target is not None and target.pk != deal.stage_id:
            _enter(deal, target, timezone.now())
            fields += ["stage", "won_at", "closed_at"]
        if lead.status == LeadStatus.WON and in_account_currency(deal):
            if lead.revenue is None and deal.value is not None:
                lead.revenue = deal.value
                lead.save(update_fields=["revenue"])
            elif lead.revenue is not None and lead.revenue != deal.value:
                deal.value = lead.revenue
                fields.append("value")
        if fields:
            deal.save(update_fields=[*fields, "updated_at"])
            _after_commit(deal.pk)
    return deal
