"""Live events to open browsers: `push(...)` is the only way code sends them, and
`close_member_sockets(...)` and `recheck_sessions(...)` the only ways it closes them."""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)

LIVE_MESSAGE_TYPE = "live.event"
# Tells a socket its person left the account it works in: the consumer closes it.
MEMBER_REMOVED_MESSAGE_TYPE = "member.removed"
# Tells a person's sockets that one of their sessions ended or may have: each checks its own.
SESSION_RECHECK_MESSAGE_TYPE = "session.recheck"


def user_group(user_id) -> str:
    return f"user-{user_id}"


def account_group(account_id) -> str:
    return f"account-{account_id}"


def member_group(account_id, user_id) -> str:
    """One person's sockets while they work in one account: events about that account's rows."""
    return f"account-{account_id}-user-{user_id}"


def _watchers_key(account_id, user_id=None) -> str:
    person = "" if user_id is None else f":{user_id}"
    return f"live-watchers:{account_id}{person}"


async def watcher_joined(account_id, user_id) -> None:
    """A socket of `user_id` working in `account_id` opened (the consumer calls this): counted
    for the account and for the person."""
    try:
        for key in (_watchers_key(account_id), _watchers_key(account_id, user_id)):
            await cache.aadd(key, 0, timeout=None)
            await cache.aincr(key)
    except Exception:
        logger.warning("Live watchers of account %s not counted", account_id, exc_info=True)


async def watcher_left(account_id, user_id) -> None:
    """That socket closed."""
    try:
        for key in (_watchers_key(account_id), _watchers_key(account_id, user_id)):
            if await cache.aget(key, 0) > 0:
                await cache.adecr(key)
    except Exception:
        logger.warning("Live watchers of account %s not counted", account_id, exc_info=True)


def watching(account_id) -> bool:
    """Whether any socket is open in `account_id`: when none is, live rows need not be
    rendered at all (the work would hold up whatever triggered them, e.g. a lead's alerts).
    A cache outage answers True (rendering for nobody only costs work); a count lost with the
    cache went with the channel layer's groups too, and reconnecting sockets count again."""
    try:
        return cache.get(_watchers_key(account_id), 0) > 0
    except Exception:
        return True


def watching_members(account_id, user_ids) -> set:
    """Which of `user_ids` (a collection of user ids) have a socket open in `account_id`, read
    in one cache round trip: what is rendered for one person at a time (their counts, the row
    that moves up on their list) is rendered only for these. A cache outage answers all of
    them, as `watching` does."""
    user_ids = set(user_ids)
    if not user_ids:
        return set()
    keys = {_watchers_key(account_id, user_id): user_id for user_id in user_ids}
    try:
        counts = cache.get_many(list(keys))
    except Exception:
        return user_ids
    return {user_id for key, user_id in keys.items() if counts.get(key, 0) > 0}


def render(account, template: str, context: dict) -> str:
    """A fragment as the account's people see it outside a request: times in the account's
    time zone, phone numbers in its country's format (`phone_region`)."""
    from campaignhub.tenancy import account_zone

    with timezone.override(account_zone(account)):
        return render_to_string(template, {"phone_region": account.country, **context})


def push(group: str, event: str, html: str) -> None:
    """Send `html` (fragments with ids, swapped out-of-band by htmx) to every socket in `group`.

    Live updates are a convenience on top of the stored state: a layer outage is logged and
    never fails the write that triggered the event.
    """
    _send([group], event, html)


def push_to_members(account_id, user_ids, event: str, html: str) -> None:
    """Send to these people, only on pages where they are working in `account_id`."""
    groups = [member_group(account_id, user_id) for user_id in sorted(set(user_ids))]
    if groups:
        _send(groups, event, html)


def _send(groups, event, html):
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": LIVE_MESSAGE_TYPE, "event": event, "html": html}

    async def send_all():
        # One trip into the event loop for every group, not one per group.
        for group in groups:
            await layer.group_send(group, message)

    try:
        async_to_sync(send_all)()
    except Exception:
        logger.exception("Live event %s to %s could not be sent", event, ", ".join(groups))


def close_member_sockets(account_id, user_id) -> None:
    """Close every socket this person has open while working in `account_id` (they were removed).

    A browser that reconnects is joined to the groups of the accounts it is still a member of.
    A layer outage is logged: the membership is gone either way, and no event reaches them
    through the account's member groups any more.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    group = member_group(account_id, user_id)
    try:
        async_to_sync(layer.group_send)(
            group, {"type": MEMBER_REMOVED_MESSAGE_TYPE, "account_id": account_id}
        )
    except Exception:
        logger.exception("Sockets of %s could not be closed", group)


def session_ref(session_key: str) -> str:
    """A stand-in for a session key in messages: equal for equal keys, useless as a cookie."""
    return salted_hmac("campaignhub.live.session", session_key).hexdigest()


def recheck_sessions(user_id, *, ended: str | None = None, moved: tuple[str, str] | None = None):
    """Have every socket of this person check that the session it was opened in still holds.

    `ended` is the key of a session being signed out: the sockets opened in it close (close
    code 4440) and the others need not look at the database. `moved` is `(old_key, new_key)`
    of a session whose key was renewed (a password change keeps its own session that way):
    its sockets follow it to the new key before checking. Without either, each socket reads
    its session and closes unless it still signs this person in (it exists, is theirs, carries
    their current password's hash, and they are active). Call it once the change is
    committed. A layer outage is logged: a browser whose session ended is refused when it
    reconnects and on its next page either way.
    """
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": SESSION_RECHECK_MESSAGE_TYPE}
    if ended is not None:
        message["ended"] = session_ref(ended)
    if moved is not None:
        # The new key itself travels, as the socket needs it to check its session later on.
        message["moved"] = [session_ref(moved[0]), moved[1]]
    try:
        async_to_sync(layer.group_send)(user_group(user_id), message)
    except Exception:
        logger.exception("Sessions of user %s could not be checked", user_id)
