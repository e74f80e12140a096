"""Celery tasks for notifications: send one delivery; requeue stalled ones."""

from celery import shared_task

from notifications import services


@shared_task(bind=True, ignore_result=True)
def send_delivery(self, delivery_id):
    retry_in = services.attempt_delivery(delivery_id)
    if self.request.is_eager:
        # In-process mode has no broker to hold a delayed retry: try again at once.
        while retry_in is not None:
            retry_in = services.attempt_delivery(delivery_id)
    elif retry_in is not None:
        send_delivery.apply_async((delivery_id,), countdown=retry_in)


@shared_task(ignore_result=True)
def requeue_stalled_deliveries():
    services.requeue_stalled()
