"""What became of a lead: its status, its revenue and how fast someone first responded."""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from campaigns import events
from campaigns.models import REVENUE_ONLY_WHEN_WON, Lead, LeadStatus
from campaigns.signals import lead_outcome_changed

UNCHANGED = object()
# The revenue column: 12 digits, 2 of them after the point.
REVENUE_PLACES = 2
REVENUE_LIMIT = Decimal(10) ** (12 - REVENUE_PLACES)


def clean_revenue(value) -> Decimal | None:
    """`value` (Decimal, int, float, numeric string, or None) as the revenue column holds it:
    a Decimal with at most 2 decimal places, at least 0 (no minus sign, even on zero) and below
    10,000,000,000 (the account's currency); None stays None. Raises ValueError naming the
    problem otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("Revenue must be a number.")
    try:
        amount = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError("Revenue must be a number.") from None
    if not amount.is_finite():
        raise ValueError("Revenue must be a number.")
    if amount.is_signed():
        raise ValueError("Revenue cannot be negative.")
    if amount >= REVENUE_LIMIT:
        raise ValueError("Revenue is too large.")
    if amount != amount.quantize(Decimal(1).scaleb(-REVENUE_PLACES)):
        raise ValueError(f"Revenue has at most {REVENUE_PLACES} decimal places.")
    return amount.quantize(Decimal(1).scaleb(-REVENUE_PLACES))


def set_outcome(*, lead, status=UNCHANGED, revenue=UNCHANGED, actor=None, via="lead") -> Lead:
    """Set `lead.status` (a `LeadStatus` value) and/or `revenue` (in the account's currency,
    see `clean_revenue`; None clears it); what is left out stays as it is. Returns the lead as
    saved.

    Only a won lead has a revenue (the reports' rule, and the deals': a deal leaving its won
    stage clears it): a lead that is not won after the change loses the revenue it had, and a
    revenue given for it raises ValueError (`models.REVENUE_ONLY_WHEN_WON`).

    The first change of status records the first response: `first_response_at` (now) and
    `first_response_s` (whole seconds since `alerted_at`, or since the lead arrived when no
    alert had been sent). It is recorded once: later changes, even back to `new`, keep it.
    An unknown status or a bad revenue raises ValueError and changes nothing. Sends
    `signals.lead_outcome_changed` in the transaction (`actor`: the User who set it, or None;
    `via`: "lead" for the lead page and API, "deal" for a deal moved between stages) and pushes
    the lead's row and outcome live after commit. Setting what is already there changes
    nothing and sends nothing. Who may call it for a person is `permissions.may_set_outcome`.
    """
    if status is not UNCHANGED and status not in LeadStatus.values:
        raise ValueError(f"Unknown lead status {status!r}.")
    if revenue is not UNCHANGED:
        revenue = clean_revenue(revenue)
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        previous = lead.status
        if (previous if status is UNCHANGED else status) != LeadStatus.WON:
            if revenue is not UNCHANGED and revenue is not None:
                raise ValueError(REVENUE_ONLY_WHEN_WON)
            revenue = None
        fields = []
        if status is not UNCHANGED and status != previous:
            lead.status = status
            fields.append("status")
            if lead.first_response_at is None:
                now = timezone.now()
                started = lead.alerted_at or lead.created_at
                lead.first_response_at = now
                lead.first_response_s = max(0, int((now - started).total_seconds()))
                fields += ["first_response_at", "first_response_s"]
        if revenue is not UNCHANGED and revenue != lead.revenue:
            lead.revenue = revenue
            fields.append("revenue")
        if not fields:
            return lead
        lead.save(update_fields=[*fields, "updated_at"])
        lead_outcome_changed.send(
            sender=Lead, lead=lead, previous_status=previous, actor=actor, via=via
        )
        transaction.on_commit(
            lambda: events.lead_updated(lead.pk, account_id=lead.account_id), robust=True
        )
    return lead


def start_at(*, lead, status) -> Lead:
    """Give a lead that has just arrived (still `new`, inside `capture_lead`'s transaction)
    the open `status` (contacted, qualified) of where its campaign's follow-up starts it, such
    as the stage its deal opens in. Not a response to the lead: no first response is recorded
    and `signals.lead_outcome_changed` is not sent (the arrival's own live update carries it).
    Raises ValueError for won, lost or an unknown status; a lead no longer new stays as it is.
    Returns the lead, `status` set in memory too."""
    if status not in LeadStatus.values or status in (LeadStatus.WON, LeadStatus.LOST):
        raise ValueError(f"A new lead cannot start as {status!r}.")
    if Lead.objects.filter(pk=lead.pk, status=LeadStatus.NEW).update(status=status):
        lead.status = status
    return lead


def record_alert_sent(*, lead_id, account_id, sent_at: datetime) -> bool:
    """Record `sent_at` as the lead's `alerted_at` when no alert about it was sent before:
    one `UPDATE … WHERE alerted_at IS NULL`, so the first alert wins however many channels,
    retries and workers race. Returns True when it was recorded (the lead page's outcome
    block is pushed live), False when the lead was alerted already or is not in `account_id`."""
    recorded = Lead.objects.filter(
        pk=lead_id, account_id=account_id, alerted_at__isnull=True
    ).update(alerted_at=sent_at)
    if recorded:
        transaction.on_commit(
            lambda: events.lead_alerted(lead_id, account_id=account_id), robust=True
        )
    return bool(recorded)
