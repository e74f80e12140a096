"""What became of a lead: its status, its revenue and how fast someone first responded."""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from campaigns import events
from campaigns.models import Lead, LeadStatus
from campaigns.signals import lead_outcome_changed

UNCHANGED = object()


def set_outcome(*, lead, status, revenue=UNCHANGED, actor=None, via="lead") -> Lead:
    """Set `lead.status` (a `LeadStatus` value) and, when given, `revenue` (Decimal in the
    account's currency, or None to clear it); returns the lead.

    The first change away from `new` records the first response: `first_response_at` (now) and
    `first_response_s` (whole seconds since `alerted_at`, or since the lead arrived when no alert
    was sent). Revenue must not be negative (ValueError). Sends `signals.lead_outcome_changed`
    in the transaction and pushes the lead's row live after commit. Setting what is already
    there changes nothing and sends nothing.
    """
    if status not in LeadStatus.values:
        raise ValueError(f"Unknown lead status {status!r}.")
    if revenue is not UNCHANGED and revenue is not None:
        revenue = Decimal(revenue)
        if revenue < 0:
            raise ValueError("Revenue cannot be negative.")
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead.pk)
        previous = lead.status
        fields = []
        if status != previous:
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
        transaction.on_commit(lambda: events.lead_updated(lead.pk), robust=True)
    return lead
