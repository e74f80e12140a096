"""Reading Invoca's Transactions API, so calls the post-call webhook missed still become leads.

Each live connection keeps a cursor, the last `transaction_id` read (external-apis.md §2.5: poll
with `start_after_transaction_id` and `limit` until a page comes back empty). A page's rows are
stored as inbound deliveries (`TRANSACTIONS_SOURCE`) in the same transaction that moves the
cursor past them, so a row is never lost nor read twice by a run that stops half-way; then they
are processed in order, like webhook deliveries (`invoca.leads.process`). One run at a time per
connection: a run claims the connection with a conditional UPDATE that lapses after
`INVOCA_POLL_LEASE_SECONDS` (renewed with each page), so a second run, or one after a crash,
never polls it twice at once.
"""

import json
import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from campaignhub import intake
from campaignhub.cleaning import bounded_id, clean_text
from campaignhub.http import ApiError
from campaignhub.models import DeliveryStatus, InboundDelivery
from invoca.client import TRANSACTIONS_API_VERSION
from invoca.leads import TRANSACTIONS_SOURCE
from invoca.models import InvocaConnection
from invoca.upstream import INVOCA

# Invoca's transaction ids fit 64 characters; a longer one cannot be sent back as the cursor.
TRANSACTION_ID_LENGTH = 64

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PollResult:
    """One run over a connection: `pages` and `rows` stored, the `cursor` reached, and whether
    the feed was read to its end (`finished`; False when the run stopped at
    `INVOCA_TRANSACTIONS_MAX_PAGES` and the next run goes on)."""

    pages: int
    rows: int
    cursor: str
    finished: bool


def live_connections():
    """Connections to poll: not removed, and the token not refused by Invoca (a 401 stops the
    poll until someone reconnects)."""
    return InvocaConnection.objects.filter(deleted_at__isnull=True, rejected_at__isnull=True)


def _lease() -> timedelta:
    return timedelta(seconds=settings.INVOCA_POLL_LEASE_SECONDS)


def _claim(connection_id):
    """Take the connection for one run; the claim's time, or None when another run holds it."""
    now = timezone.now()
    free = Q(transactions_claimed_at__isnull=True) | Q(transactions_claimed_at__lt=now - _lease())
    taken = live_connections().filter(free, pk=connection_id).update(transactions_claimed_at=now)
    return now if taken else None


def _cursor_after(rows, cursor) -> str:
    """The last transaction id of a page (rows without one are stored but cannot be a cursor)."""
    for row in reversed(rows):
        found = clean_text(row.get("transaction_id"))
        if found and len(found) <= TRANSACTION_ID_LENGTH:
            return found
    return cursor


def _delivery(connection, row, path) -> InboundDelivery:
    return InboundDelivery(
        account_id=connection.account_id,
        source=TRANSACTIONS_SOURCE,
        target_id=bounded_id(row.get("transaction_id"), TRANSACTION_ID_LENGTH),
        headers={"Content-Type": "application/json"},
        body=json.dumps(row).encode(),
        path=path[:500],
        status=DeliveryStatus.RECEIVED,
    )


def _store_page(connection, claimed_at, rows, cursor, next_cursor):
    """Store the page's rows and move the cursor past them in one transaction, renewing the
    claim; the stored ids in feed order, or None when the claim was lost (nothing stored)."""
    path = (
        f"api/{TRANSACTIONS_API_VERSION}/networks/transactions/{connection.network_id}.json"
        f"?start_after_transaction_id={cursor}"
    )
    renewed = timezone.now()
    with transaction.atomic():
        moved = InvocaConnection.objects.filter(
            pk=connection.pk, transactions_claimed_at=claimed_at
        ).update(transactions_cursor=next_cursor, transactions_claimed_at=renewed)
        if not moved:
            return None, claimed_at
        stored = InboundDelivery.objects.bulk_create(
            [_delivery(connection, row, path) for row in rows]
        )
    return [delivery.pk for delivery in stored], renewed


def poll(connection_id) -> PollResult | None:
    """Read the connection's new transactions, page by page, from its cursor to the end (at
    most `INVOCA_TRANSACTIONS_MAX_PAGES` pages of `INVOCA_TRANSACTIONS_PAGE_SIZE` rows), store
    each page, move the cursor, and process the rows in order. Returns None when the connection
    is not live or another run holds it.

    Raises ApiError when Invoca fails after the client's own retries; a 401 marks the
    connection's token rejected (polling stops until a reconnect). The failure is kept in
    `transactions_error`; what was stored before it stays stored and the cursor stays past it.
    """
    claimed_at = _claim(connection_id)
    if claimed_at is None:
        return None
    connection = InvocaConnection.objects.get(pk=connection_id)
    cursor = connection.transactions_cursor
    pages = rows_stored = 0
    finished = False
    error = ""
    try:
        client = INVOCA.make_client(
            connection.secret, web_request=False, **INVOCA.client_fields(connection)
        )
        for _ in range(settings.INVOCA_TRANSACTIONS_MAX_PAGES):
            rows = client.transactions(
                start_after_transaction_id=cursor, limit=settings.INVOCA_TRANSACTIONS_PAGE_SIZE
            )
            if not rows:
                finished = True
                break
            next_cursor = _cursor_after(rows, cursor)
            if next_cursor == cursor:
                raise ApiError(
                    "Invoca sent transactions without a transaction_id; the poll cannot move on.",
                    payload=str(rows[:3])[:2000],
                )
            stored, claimed_at = _store_page(connection, claimed_at, rows, cursor, next_cursor)
            if stored is None:
                logger.warning("Invoca poll of connection %s lost its claim", connection_id)
                return PollResult(pages, rows_stored, cursor, False)
            cursor = next_cursor
            pages += 1
            rows_stored += len(stored)
            for delivery_id in stored:
                intake.process_delivery(delivery_id)
    except ApiError as exc:
        if exc.status == 401:
            INVOCA.mark_rejected(connection)
        error = clean_text(str(exc), 2000)
        raise
    except Exception as exc:
        error = clean_text(f"{type(exc).__name__}: {exc}", 2000)
        raise
    finally:
        done = {"transactions_claimed_at": None, "transactions_error": error}
        if not error:
            done["transactions_polled_at"] = timezone.now()
        InvocaConnection.objects.filter(
            pk=connection_id, transactions_claimed_at=claimed_at
        ).update(**done)
    return PollResult(pages, rows_stored, cursor, finished)
