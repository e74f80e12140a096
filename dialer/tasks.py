"""Celery tasks of the dialer: sending an upload's batches (the `bulk` queue) and the delete
that ends the remove flow once the dialer reported the campaign stopped."""

from celery import shared_task

from campaignhub.http import ApiError
from dialer import services, uploads

RETRY_DELAYS = (10, 30, 60, 120, 300)


@shared_task(bind=True, ignore_result=True, acks_late=True)
def bulk_send_batches(self, upload_id):
    """Send the upload's unsent batches; a transient failure is retried later, resuming at
    the first unsent batch (safe to run twice: batches are claimed)."""
    try:
        uploads.send_batches(upload_id)
    except ApiError:
        if self.request.is_eager or self.request.retries >= len(RETRY_DELAYS):
            # No more tries here: the upload shows as failed, with a Resume button.
            uploads.give_up(upload_id)
            return
        raise self.retry(countdown=RETRY_DELAYS[self.request.retries]) from None


@shared_task(bind=True, ignore_result=True)
def finish_removal(self, campaign_id):
    """Delete a campaign being removed on the dialer now that it reported it stopped."""
    try:
        services.finish_removal(campaign_id)
    except ApiError as exc:
        if exc.permanent or self.request.is_eager or self.request.retries >= len(RETRY_DELAYS):
            raise
        raise self.retry(countdown=RETRY_DELAYS[self.request.retries]) from None
