"""The `/ws/live/` socket: signed-in users receive their own and their account's live events."""

from importlib import import_module

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth import (
    BACKEND_SESSION_KEY,
    HASH_SESSION_KEY,
    SESSION_KEY,
    get_user_model,
    load_backend,
)
from django.core.exceptions import ValidationError
from django.utils.crypto import constant_time_compare

from campaignhub.live import (
    account_group,
    member_group,
    session_ref,
    user_group,
    watcher_joined,
    watcher_left,
)
from campaignhub.tenancy import current_membership

# Close code for a refused handshake that browsers and htmx report as a policy failure.
UNAUTHENTICATED = 4401
# Close code for a socket whose person was removed from the account it was working in.
REMOVED_FROM_ACCOUNT = 4403
# Close code for a socket whose session ended: signed out (in any tab of that browser), its
# password changed elsewhere, or its person deactivated. The person's other sessions stay open.
SESSION_ENDED = 4440


def signed_in_user_id(session_key):
    """The id of the person the session `session_key` still signs in, else None: as Django's
    `get_user` decides on a request (the session exists and names an allowed backend, the
    backend finds the user, active, and the session's hash matches their password, or matched
    it under a fallback secret key), but reading only: nothing is flushed or renewed here."""
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    try:
        user_id = get_user_model()._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
    except (KeyError, ValidationError):
        return None
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None
    user = load_backend(backend_path).get_user(user_id)
    if user is None:
        return None
    stored = session.get(HASH_SESSION_KEY) or ""
    hashes = [user.get_session_auth_hash()] + [
        user._get_session_auth_hash(secret=secret) for secret in settings.SECRET_KEY_FALLBACKS
    ]
    if not any(constant_time_compare(stored, current) for current in hashes):
        return None
    return user.pk


class LiveConsumer(AsyncWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=UNAUTHENTICATED)
            return
        membership = await database_sync_to_async(current_membership)(user, self.scope["session"])
        self.groups_joined = [user_group(user.pk)]
        if membership is not None:
            self.groups_joined += [
                account_group(membership.account_id),
                member_group(membership.account_id, user.pk),
            ]
        self.user_id = user.pk
        self.session_key = self.scope["session"].session_key
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        self.watching = membership.account_id if membership is not None else None
        if self.watching is not None:
            await watcher_joined(self.watching, self.user_id)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        if getattr(self, "watching", None) is not None:
            await watcher_left(self.watching, self.user_id)
            self.watching = None

    async def receive(self, text_data=None, bytes_data=None):
        # The socket is server-to-browser only; anything a browser sends is ignored.
        return

    async def live_event(self, message):
        await self.send(text_data=message["html"])

    async def member_removed(self, message):
        await self._close(REMOVED_FROM_ACCOUNT)

    async def session_recheck(self, message):
        """`live.recheck_sessions`: close unless the session this socket was opened in (or the
        one it moved to) still signs in its person."""
        mine = session_ref(self.session_key)
        moved = message.get("moved")
        if moved is not None and moved[0] == mine:
            self.session_key = moved[1]
        if "ended" in message:
            if message["ended"] == mine:
                await self._close(SESSION_ENDED)
            return
        if await database_sync_to_async(signed_in_user_id)(self.session_key) != self.user_id:
            await self._close(SESSION_ENDED)

    async def _close(self, code):
        # Leave the groups first, so nothing more is routed to this socket while it closes.
        await self.disconnect(code)
        self.groups_joined = []
        await self.close(code=code)
