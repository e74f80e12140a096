"""Sales back to Invoca: when staff mark a call lead of an Invoca campaign as won with a revenue,
a `sale` signal goes to the call through the Signal API, so Invoca's reporting sees the
conversion (external-apis.md §2.5).

One `SaleSignal` row per lead records what should be in Invoca and whether it is: the signal is
`{"name": "sale", "partner_unique_id": <our lead id>, "occurred_at_time": <epoch seconds>,
"revenue": "<amount>", "value": "true"}` on the call's `transaction_id`. Invoca keeps one signal
per (name, partner_unique_id) on a call, so sending it again, or with a new revenue, updates the
same signal; a lead that stops being won sends it again with `value` "false". Sending happens in
Celery (`invoca.tasks.send_sale_signal`) with retries; rows are claimed with a conditional
UPDATE, so a send that runs twice does no harm, and a change while a send is under way is sent
after it.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.dispatch import receiver
from django.utils import timezone

from campaignhub.cleaning import bounded_id, clean_text
from campaignhub.http import ApiError
from campaigns.models import Integration, LeadSource, LeadStatus
from campaigns.signals import lead_outcome_changed
from invoca.models import SaleSignal, SaleSignalStatus
from invoca.upstream import INVOCA

logger = logging.getLogger(__name__)

SIGNAL_NAME = "sale"
# A send's claim lapses after this long (a worker that died while sending).
SENDING_LEASE = timedelta(minutes=10)


def _is_invoca_call(lead) -> bool:
    """Whether the lead is a call that came from Invoca, so Invoca can find it: a call lead of
    an Invoca campaign whose payload is Invoca's transaction (webhook or Transactions API row,
    which always carries `transaction_id`). Leads made otherwise on such a campaign (imported,
    demo history) and derived ids ("sha256:…") are not Invoca transaction ids; Invoca would
    answer 404 for them, so no signal is sent."""
    return (
        lead.source == LeadSource.CALL
        and lead.campaign.integration == Integration.INVOCA
        and bool(lead.external_id)
        and not lead.external_id.startswith("sha256:")
        and isinstance(lead.payload, dict)
        and bool(lead.payload.get("transaction_id"))
    )


def record_outcome(lead) -> SaleSignal | None:
    """What the lead's outcome means for Invoca, recorded for sending after commit.

    Won with a revenue: the sale (value true, that revenue). No longer won, or the revenue
    cleared, after a sale was recorded: the same signal with value false. Anything else:
    nothing. Returns the row to send, or None when nothing needs sending. A row being sent is
    put back to pending, so the change goes out after the send in flight.
    """
    if not _is_invoca_call(lead):
        return None
    won = lead.status == LeadStatus.WON and lead.revenue is not None
    existing = SaleSignal.objects.select_for_update().filter(lead=lead).first()
    if not won and (existing is None or not existing.value):
        return None
    if existing is None:
        existing = SaleSignal(
            account_id=lead.account_id,
            lead=lead,
            transaction_id=lead.external_id,
            occurred_at=timezone.now(),
        )
    elif (
        existing.value == won
        and (not won or existing.revenue == lead.revenue)
        and existing.status in (SaleSignalStatus.SENT, SaleSignalStatus.PENDING)
    ):
        return None
    existing.value = won
    if won:
        existing.revenue = lead.revenue
    existing.status = SaleSignalStatus.PENDING
    existing.claimed_at = None
    existing.attempts = 0
    existing.error = ""
    existing.save()
    signal_id = existing.pk
    transaction.on_commit(lambda: _queue(signal_id), robust=True)
    return existing


def _queue(signal_id):
    from invoca.tasks import send_sale_signal

    send_sale_signal.delay(signal_id)


@receiver(lead_outcome_changed)
def on_outcome_changed(sender, lead, **kwargs):
    """`campaigns.signals.lead_outcome_changed`: record the sale signal the outcome calls for
    (in the outcome's transaction; never raises for a lead that is not an Invoca call)."""
    record_outcome(lead)


def signal_body(signal: SaleSignal) -> dict:
    """The Signal API's signal for the row: strings, revenue with 2 decimals, epoch seconds."""
    body = {
        "name": SIGNAL_NAME,
        "partner_unique_id": str(signal.lead_id),
        "occurred_at_time": str(int(signal.occurred_at.timestamp())),
        "value": "true" if signal.value else "false",
    }
    if signal.revenue is not None:
        body["revenue"] = f"{signal.revenue:.2f}"
    return body


def _claim(signal_id):
    now = timezone.now()
    lapsed = Q(status=SaleSignalStatus.SENDING, claimed_at__lt=now - SENDING_LEASE)
    taken = (
        SaleSignal.objects.filter(Q(status=SaleSignalStatus.PENDING) | lapsed, pk=signal_id)
        .filter(attempts__lt=settings.INVOCA_SIGNAL_MAX_ATTEMPTS)
        .update(status=SaleSignalStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    return now if taken else None


def send(signal_id) -> bool | None:
    """Send one pending sale signal; True when Invoca took it, None when there was nothing to
    send (sent already, held by another send, out of attempts).

    Raises ApiError for a failure that may pass (Invoca unreachable, 429, 5xx): the row goes
    back to pending for the task's retry, or fails once `INVOCA_SIGNAL_MAX_ATTEMPTS` are used.
    A refusal (403 invalid input, 404 no such call) fails the row with Invoca's words; a 401
    fails it too and marks the connection's token rejected. A change made while sending leaves
    the row pending, to be sent again.
    """
    claimed_at = _claim(signal_id)
    if claimed_at is None:
        return None
    signal = SaleSignal.objects.select_related("account").get(pk=signal_id)
    held = SaleSignal.objects.filter(
        pk=signal_id, status=SaleSignalStatus.SENDING, claimed_at=claimed_at
    )
    connection = INVOCA.live_credential(signal.account)
    if connection is None:
        held.update(status=SaleSignalStatus.FAILED, error=INVOCA.not_connected_message)
        return False
    client = INVOCA.make_client(
        connection.secret, web_request=False, **INVOCA.client_fields(connection)
    )
    try:
        answer = client.send_signal(
            transaction_id=signal.transaction_id, signals=[signal_body(signal)]
        )
    except ApiError as exc:
        message = clean_text(str(exc), 2000)
        if exc.status == 401:
            INVOCA.mark_rejected(connection)
        if exc.permanent or signal.attempts >= settings.INVOCA_SIGNAL_MAX_ATTEMPTS:
            held.update(status=SaleSignalStatus.FAILED, claimed_at=None, error=message)
            logger.warning("Sale signal %s refused by Invoca: %s", signal_id, message)
            return False
        held.update(status=SaleSignalStatus.PENDING, claimed_at=None, error=message)
        raise
    sent = (answer.get("signals") or [{}])[0] if isinstance(answer.get("signals"), list) else {}
    held.update(
        status=SaleSignalStatus.SENT,
        claimed_at=None,
        sent_at=timezone.now(),
        error="",
        signal_transaction_id=bounded_id((sent or {}).get("transaction_id"), 64),
    )
    return True


def requeue_pending() -> int:
    """Queue again the signals no task is on: pending ones whose task was lost, and sends
    whose worker died (lapsed claims). Returns how many were queued."""
    now = timezone.now()
    due = SaleSignal.objects.filter(
        Q(status=SaleSignalStatus.PENDING, updated_at__lt=now - timedelta(minutes=2))
        | Q(status=SaleSignalStatus.SENDING, claimed_at__lt=now - SENDING_LEASE),
        attempts__lt=settings.INVOCA_SIGNAL_MAX_ATTEMPTS,
    )
    ids = list(due.values_list("pk", flat=True)[:500])
    for signal_id in ids:
        _queue(signal_id)
    return len(ids)
