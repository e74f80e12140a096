"""Celery tasks of the platform: processing stored inbound deliveries, and their sweeper."""

from celery import shared_task

from campaignhub import intake


@shared_task(bind=True, ignore_result=True)
def process_inbound_delivery(self, delivery_id):
    """Process one stored delivery; safe to run twice (the claim is a conditional UPDATE)."""
    if self.request.is_eager:
        # In-process mode has no broker to hold a delayed retry: try again at once.
        while intake.process_delivery(delivery_id, retry_now=True) is not None:
            pass
        return
    retry_in = intake.process_delivery(delivery_id)
    if retry_in is not None:
        process_inbound_delivery.apply_async((delivery_id,), countdown=retry_in)


@shared_task(ignore_result=True)
def requeue_received_deliveries():
    """Beat: queue again lost task messages, due retries and lapsed claims."""
    intake.requeue_due()
