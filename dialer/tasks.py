"""Celery tasks of the dialer: sending an upload's batches (the `bulk` queue), the sweeper that
retries uploads left unsent (a beat task every `DIALER_UPLOAD_SWEEP_SECONDS`), the delete
that ends the remove flow once the dialer reported the campaign stopped, and taking a member
who left the account off the dialer's campaigns."""

import logging

from celery import shared_task

from campaignhub.http import ApiError
from dialer import services, uploads

logger = logging.getLogger(__name__)

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


@shared_task(ignore_result=True)
def retry_stuck_uploads():
    """The beat sweeper: queue sending again for uploads past their backoff, failing for good
    those out of automatic retries (`uploads.retry_stuck_uploads`; safe to run twice)."""
    uploads.retry_stuck_uploads()


@shared_task(bind=True, ignore_result=True, acks_late=True)
def remove_departed_agent(self, campaign_id, extension):
    """Delete the agent `extension` of campaign `campaign_id` on the dialer after its member
    left the account (`services.withdraw_agent`; safe to run twice). A transient failure is
    retried later; one that trying again cannot help, or the last try, is logged with the
    campaign and extension, since the dialer then keeps an agent nobody here has any more."""
    try:
        services.remove_departed_agent(campaign_id=campaign_id, extension=extension)
    except ApiError as exc:
        if exc.permanent or self.request.is_eager or self.request.retries >= len(RETRY_DELAYS):
            logger.error(
                "Agent %s of dialer campaign %s left the account but is still on the dialer: %s",
                extension,
                campaign_id,
                exc,
            )
            return
        logger.warning(
            "Removing agent %s of campaign %s failed, retrying: %s", extension, campaign_id, exc
        )
        raise self.retry(countdown=RETRY_DELAYS[self.request.retries]) from None
