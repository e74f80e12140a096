"""Celery tasks of the platform: processing stored inbound deliveries."""

import logging
import traceback
from datetime import timedelta

from celery import shared_task
from django.db.models import F
from django.utils import timezone

from campaignhub.models import DeliveryStatus, InboundDelivery
from campaignhub.webhooks import PROCESSORS

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def process_inbound_delivery(delivery_id):
    """Run the source's processor once; a second run of the same delivery does nothing."""
    claimed = InboundDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.RECEIVED).update(
        status=DeliveryStatus.PROCESSING, attempts=F("attempts") + 1
    )
    if not claimed:
        return
    delivery = InboundDelivery.objects.get(pk=delivery_id)
    processor = PROCESSORS.get(delivery.source)
    # A processor may explain why it ignored a delivery; a replay starts with a clean slate.
    delivery.error = delivery.traceback = ""
    try:
        if processor is None:
            raise LookupError(f"No processor is registered for {delivery.source!r} deliveries.")
        handled = processor(delivery)
    except Exception as exc:
        logger.exception("Processing %s failed", delivery)
        delivery.status = DeliveryStatus.FAILED
        delivery.error = f"{type(exc).__name__}: {exc}"
        delivery.traceback = traceback.format_exc()
    else:
        delivery.status = DeliveryStatus.PROCESSED if handled else DeliveryStatus.IGNORED
    delivery.processed_at = timezone.now()
    delivery.save(
        update_fields=["account", "event", "status", "error", "traceback", "processed_at"]
    )


@shared_task(ignore_result=True)
def requeue_received_deliveries():
    """Deliveries stored but never processed (the task message was lost) are queued again."""
    from campaignhub.webhooks import enqueue

    cutoff = timezone.now() - timedelta(minutes=5)
    for delivery in InboundDelivery.objects.filter(
        status=DeliveryStatus.RECEIVED, received_at__lt=cutoff
    ):
        enqueue(delivery)
