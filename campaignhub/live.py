"""Live events to open browsers: `push(...)` is the only way code sends them."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

LIVE_MESSAGE_TYPE = "live.event"


def user_group(user_id) -> str:
    return f"user-{user_id}"


def account_group(account_id) -> str:
    return f"account-{account_id}"


def member_group(account_id, user_id) -> str:
    """One person's sockets while they work in one account: events about that account's rows."""
    return f"account-{account_id}-user-{user_id}"


def push(group: str, event: str, html: str) -> None:
    """Send `html` (fragments with ids, swapped out-of-band by htmx) to every socket in `group`.

    Live updates are a convenience on top of the stored state: a layer outage is logged and
    never fails the write that triggered the event.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            group, {"type": LIVE_MESSAGE_TYPE, "event": event, "html": html}
        )
    except Exception:
        logger.exception("Live event %s to %s could not be sent", event, group)


def push_to_members(account_id, user_ids, event: str, html: str) -> None:
    """Send to these people, only on pages where they are working in `account_id`."""
    for user_id in sorted(set(user_ids)):
        push(member_group(account_id, user_id), event, html)
