"""The `/ws/live/` socket: signed-in users receive their own and their account's live events."""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from campaignhub.live import (
    account_group,
    member_group,
    user_group,
    watcher_joined,
    watcher_left,
)
from campaignhub.tenancy import current_membership

# Close code for a refused handshake that browsers and htmx report as a policy failure.
UNAUTHENTICATED = 4401
# Close code for a socket whose person was removed from the account it was working in.
REMOVED_FROM_ACCOUNT = 4403


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
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        self.watching = membership.account_id if membership is not None else None
        if self.watching is not None:
            await watcher_joined(self.watching)
        await self.accept()

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)
        if getattr(self, "watching", None) is not None:
            await watcher_left(self.watching)
            self.watching = None

    async def receive(self, text_data=None, bytes_data=None):
        # The socket is server-to-browser only; anything a browser sends is ignored.
        return

    async def live_event(self, message):
        await self.send(text_data=message["html"])

    async def member_removed(self, message):
        # Leave the groups first, so nothing more is routed to this socket while it closes.
        await self.disconnect(REMOVED_FROM_ACCOUNT)
        self.groups_joined = []
        await self.close(code=REMOVED_FROM_ACCOUNT)
