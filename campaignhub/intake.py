"""Processing stored inbound deliveries: claims with a lease, bounded retries, sweeper, replay.

The same pattern as the notification sends: a worker claims a row with a conditional UPDATE (so
running twice does no harm), a transient error (database operational error, upstream timeout)
is tried again with backoff up to `WEBHOOK_MAX_ATTEMPTS` times, anything else fails the row with
its reason. A claim is a lease of `WEBHOOK_CLAIM_LEASE_SECONDS`: a row a dead worker held is
taken back by the sweeper and can be replayed. Nothing whose signature failed is ever processed.
"""

import logging
import traceback
from datetime import timedelta

import requests
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import ngettext

from campaignhub.cleaning import clean_text
from campaignhub.http import ApiError
from campaignhub.models import DeliveryStatus, InboundDelivery
from campaignhub.webhooks import ENDPOINTS, INVALID_SIGNATURE, PROCESSORS, enqueue

logger = logging.getLogger(__name__)

# How long a stored delivery may wait for its task message before the sweeper sends another.
LOST_AFTER = timedelta(minutes=2)


def lease() -> timedelta:
    return timedelta(seconds=settings.WEBHOOK_CLAIM_LEASE_SECONDS)


def is_transient(exc: Exception) -> bool:
    """Errors that may pass on their own: the database or an upstream was briefly unavailable."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    if isinstance(exc, ApiError):
        return not exc.permanent
    return isinstance(exc, requests.ConnectionError | requests.Timeout)


def backoff(attempts: int) -> float:
    """Seconds before attempt `attempts + 1`: WEBHOOK_RETRY_BACKOFF, doubling each time."""
    return settings.WEBHOOK_RETRY_BACKOFF * 2 ** (attempts - 1)


def _lapsed(now):
    """Claims whose worker is gone: held past the lease, or taken before claims had a time."""
    expired = Q(claimed_at__lt=now - lease()) | Q(claimed_at__isnull=True)
    return Q(status=DeliveryStatus.PROCESSING) & expired


def _claimable(now):
    retake = _lapsed(now) & Q(attempts__lt=settings.WEBHOOK_MAX_ATTEMPTS)
    return (Q(status=DeliveryStatus.RECEIVED) | retake) & ~Q(signature_valid=False)


def _verdict_now(delivery) -> bool | None:
    """The verdict a delivery is processed under. A row stored without one (no signing key
    then, or stored before verdicts were kept) is checked against today's key."""
    if delivery.signature_valid is None:
        delivery.signature_valid = reverify(delivery)
    endpoint = ENDPOINTS.get(delivery.source)
    if endpoint and endpoint.signed and delivery.signature_valid is not True:
        return False
    return delivery.signature_valid


def process_delivery(delivery_id, *, retry_now=False) -> float | None:
    """Claim and process one stored delivery once; returns seconds until a retry, or None.

    A delivery that is not claimable (processed, failed, rejected, held by a live claim, out
    of attempts, a retry whose time has not come unless `retry_now`) is left alone. The
    processor runs in a transaction, so a failure leaves no half-written lead; the outcome is
    written only while this worker still holds the claim, so a worker that lost its lease
    never overwrites the outcome of the one that took over.
    """
    now = timezone.now()
    due = Q() if retry_now else Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = InboundDelivery.objects.filter(_claimable(now), due, pk=delivery_id).update(
        status=DeliveryStatus.PROCESSING,
        attempts=F("attempts") + 1,
        claimed_at=now,
        next_attempt_at=None,
    )
    if not claimed:
        return None
    held = InboundDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PROCESSING, claimed_at=now
    )
    delivery = InboundDelivery.objects.select_related("account").get(pk=delivery_id)
    verdict = _verdict_now(delivery)
    if verdict is False:
        held.update(status=DeliveryStatus.REJECTED, signature_valid=False, error=INVALID_SIGNATURE)
        return None
    # A processor may explain why it ignored a delivery; each run starts with a clean slate.
    delivery.error = delivery.traceback = ""
    retry_in = None
    try:
        processor = PROCESSORS.get(delivery.source)
        if processor is None:
            raise LookupError(f"No processor is registered for {delivery.source!r} deliveries.")
        with transaction.atomic():
            handled = processor(delivery)
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        if is_transient(exc) and delivery.attempts < settings.WEBHOOK_MAX_ATTEMPTS:
            retry_in = backoff(delivery.attempts)
            logger.warning("Processing %s met %s; retrying in %ss", delivery, reason, retry_in)
            delivery.status = DeliveryStatus.RECEIVED
            delivery.next_attempt_at = timezone.now() + timedelta(seconds=retry_in)
            delivery.error = f"Will retry after a transient error: {reason}"
        else:
            logger.exception("Processing %s failed", delivery)
            delivery.status = DeliveryStatus.FAILED
            delivery.error = reason
            delivery.traceback = traceback.format_exc()
    else:
        delivery.status = DeliveryStatus.PROCESSED if handled else DeliveryStatus.IGNORED
    _record(held, delivery)
    if delivery.status == DeliveryStatus.IGNORED:
        _announce_held(delivery)
    return retry_in


def when_held(delivery, announce) -> None:
    """For a processor that holds `delivery` (ignores it, e.g. for a paused campaign): call
    `announce()` once its outcome is recorded, so what it announces (a page's held count)
    counts it. Not called when processing fails or is retried instead."""
    delivery.__dict__.setdefault("_when_held", []).append(announce)


def _announce_held(delivery):
    for announce in delivery.__dict__.get("_when_held", ()):
        try:
            announce()
        except Exception:
            # Telling open pages is a courtesy: the outcome is recorded already.
            logger.exception("Announcing held %s failed", delivery)


def _record(held, delivery):
    outcome = {
        "account_id": delivery.account_id,
        "event": clean_text(delivery.event, 100),
        "status": delivery.status,
        "signature_valid": delivery.signature_valid,
        "error": clean_text(delivery.error),
        "traceback": clean_text(delivery.traceback),
        "processed_at": timezone.now(),
        "next_attempt_at": delivery.next_attempt_at,
        "campaign_id": delivery.campaign_id,
        "lead_id": delivery.lead_id,
    }
    try:
        written = held.update(**outcome)
    except Exception:
        logger.exception("Recording the outcome of %s failed", delivery)
        # Whatever the processor left us cannot be stored; the delivery itself still can be.
        written = held.update(
            status=DeliveryStatus.FAILED,
            error="The outcome could not be recorded; see the logs, then replay.",
            processed_at=timezone.now(),
        )
    if not written:
        logger.warning("%s: the claim lapsed before it finished; outcome not recorded", delivery)


def _give_up_lapsed(now) -> int:
    """Fail the deliveries whose every attempt ended with its worker gone (e.g. killed while
    processing it, each time): taking them back again would loop for ever."""
    return (
        InboundDelivery.objects.filter(_lapsed(now), attempts__gte=settings.WEBHOOK_MAX_ATTEMPTS)
        .exclude(signature_valid=False)
        .update(
            status=DeliveryStatus.FAILED,
            error=(
                f"Gave up after {settings.WEBHOOK_MAX_ATTEMPTS} attempts: each time, the worker "
                "stopped before finishing (see the worker logs). Replay to try again."
            ),
            processed_at=now,
        )
    )


def requeue_due() -> int:
    """Queue again what no worker is on: stored rows whose task message was lost, retries that
    are due, and claims whose lease lapsed (a worker that died). Returns how many."""
    now = timezone.now()
    _give_up_lapsed(now)
    due = InboundDelivery.objects.filter(
        Q(
            status=DeliveryStatus.RECEIVED,
            next_attempt_at__isnull=True,
            received_at__lt=now - LOST_AFTER,
        )
        | Q(status=DeliveryStatus.RECEIVED, next_attempt_at__lte=now)
        | _lapsed(now)
    ).exclude(signature_valid=False)
    ids = list(due.values_list("pk", flat=True))
    for delivery in InboundDelivery.objects.filter(pk__in=ids).only("pk"):
        enqueue(delivery)
    return len(ids)


def replayable(now=None) -> Q:
    """Rows replay may take: finished ones, held ones whose lease lapsed, and ones rejected for
    their signature only (a signing key pasted wrong: CallRail never sends again), which replay
    takes only once today's key verifies them. Never one rejected for what it held."""
    now = now or timezone.now()
    finished = Q(
        status__in=[DeliveryStatus.FAILED, DeliveryStatus.PROCESSED, DeliveryStatus.IGNORED]
    )
    unsigned = Q(status=DeliveryStatus.REJECTED, error=INVALID_SIGNATURE)
    return finished | _lapsed(now) | unsigned


def reverify(delivery) -> bool | None:
    """The signature verdict of a stored delivery, checked again with today's signing key."""
    endpoint_class = ENDPOINTS.get(delivery.source)
    if endpoint_class is None:
        return delivery.signature_valid
    endpoint = endpoint_class()
    try:
        target = endpoint.target_for(delivery)
    except Exception:
        logger.warning("No target for replaying %s", delivery, exc_info=True)
        return False
    if target is None:
        return delivery.signature_valid
    return endpoint.verdict(delivery, target)


def replay_deliveries(queryset) -> int:
    """Process stored deliveries again (`replayed`); returns how many were queued."""
    return len(replayed(queryset))


def replayed(queryset) -> list[int]:
    """Process stored deliveries again; processors are idempotent, so this never duplicates.

    Each delivery's signature is verified again first, with today's signing key: one that
    fails is marked (or stays) rejected and is not replayed; one rejected for its signature
    that today's key verifies is processed at last. Deliveries rejected for what they held and
    rows held by a live claim are skipped. They are queued in the order they arrived, so a
    later correction of one lead (a repeated `external_id`) is applied after what it corrects.
    A row is claimed only in the status it was read in (one conditional UPDATE), so replays
    running at once queue each row once. Returns the ids of those queued, in that order.
    """
    queued = []
    for delivery in queryset.filter(replayable()).order_by("received_at", "id"):
        verdict = reverify(delivery)
        if verdict is False:
            InboundDelivery.objects.filter(pk=delivery.pk).update(
                signature_valid=False, status=DeliveryStatus.REJECTED, error=INVALID_SIGNATURE
            )
            continue
        if delivery.status == DeliveryStatus.REJECTED and verdict is not True:
            continue  # Rejected for its signature: only a verified one is taken.
        # Claimed only in the state it was read in: a replay running beside this one may have
        # queued it (and a worker finished it) since, and it is queued once.
        reset = InboundDelivery.objects.filter(
            replayable(), pk=delivery.pk, status=delivery.status
        ).update(
            status=DeliveryStatus.RECEIVED,
            signature_valid=verdict,
            attempts=0,
            claimed_at=None,
            next_attempt_at=None,
        )
        if reset:
            enqueue(delivery)
            queued.append(delivery.pk)
    return queued


def queued_message(count: int) -> str:
    """What a replay that queued `count` deliveries says (the admin's action and the Incoming
    deliveries page alike): "1 delivery queued for processing again."."""
    return (
        ngettext(
            "%d delivery queued for processing again.",
            "%d deliveries queued for processing again.",
            count,
        )
        % count
    )


def skipped_message(count: int) -> str:
    """What a replay says of the `count` deliveries it did not take (`replay_deliveries`)."""
    return (
        f"{count} skipped: rejected for what it held or for a signature today's key does not "
        "verify, or held by a worker whose lease has not lapsed."
    )
