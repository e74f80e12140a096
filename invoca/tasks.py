"""Celery tasks of the Invoca calls side: the Transactions API poll (beat fans out one task per
live connection) and the sale signals sent back through the Signal API, with their sweeper."""

from celery import shared_task

from campaignhub.http import ApiError
from invoca import sale, transactions

# Seconds before each retry of a transient failure; then the next beat run tries again.
RETRY_DELAYS = (30, 60, 120, 300, 600)


@shared_task(ignore_result=True)
def poll_all_transactions():
    """Beat (every `INVOCA_TRANSACTIONS_POLL_SECONDS`): one poll task per live connection."""
    for connection_id in transactions.live_connections().values_list("pk", flat=True):
        poll_transactions.delay(connection_id)


@shared_task(bind=True, ignore_result=True)
def poll_transactions(self, connection_id):
    """Read one connection's new transactions into leads; safe to run twice (the connection is
    claimed). A transient Invoca failure is retried with backoff; a refusal is not."""
    try:
        transactions.poll(connection_id)
    except ApiError as exc:
        if exc.permanent or self.request.is_eager or self.request.retries >= len(RETRY_DELAYS):
            return
        raise self.retry(countdown=RETRY_DELAYS[self.request.retries]) from None


@shared_task(bind=True, ignore_result=True)
def send_sale_signal(self, signal_id):
    """Send one sale signal to Invoca; safe to run twice (the row is claimed). A transient
    failure is retried with backoff; in-process mode (no broker to hold a retry) leaves the
    row pending for the sweeper or the lead's next change."""
    try:
        sale.send(signal_id)
    except ApiError:
        if self.request.is_eager or self.request.retries >= len(RETRY_DELAYS):
            return
        raise self.retry(countdown=RETRY_DELAYS[self.request.retries]) from None


@shared_task(ignore_result=True)
def requeue_sale_signals():
    """Beat: queue again sale signals whose task was lost or whose worker died."""
    sale.requeue_pending()
