"""A removed member's open live sockets for the account are closed at once."""

import pytest
from asgiref.sync import sync_to_async

from campaignhub import live, services
from campaignhub.consumers import REMOVED_FROM_ACCOUNT
from campaignhub.models import Membership
from tests.platform.test_live import connect

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def channel_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


def _remove(tenant, user):
    services.remove_member(
        membership=Membership.objects.get(account=tenant.account, user=user),
        removed_by=tenant.admin,
    )


async def test_a_removed_members_socket_is_closed_and_hears_nothing_more(channel_layer, tenant_a):
    member, connected, _ = await connect(tenant_a.member)
    admin, _, _ = await connect(tenant_a.admin)
    assert connected

    await sync_to_async(_remove)(tenant_a, tenant_a.member)

    assert await member.receive_output() == {
        "type": "websocket.close",
        "code": REMOVED_FROM_ACCOUNT,
    }
    await sync_to_async(live.push)(
        live.account_group(tenant_a.account.pk), "hello", '<p id="y">team</p>'
    )
    assert await admin.receive_from() == '<p id="y">team</p>'
    assert await member.receive_nothing(timeout=0.2)
    await admin.disconnect()


async def test_their_sockets_in_another_account_stay_open(channel_layer, tenant_a, tenant_b):
    await sync_to_async(Membership.objects.create)(account=tenant_b.account, user=tenant_a.admin)
    # Their socket works in A (their first account); B removes them from B only.
    socket, connected, _ = await connect(tenant_a.admin)
    assert connected

    await sync_to_async(_remove)(tenant_b, tenant_a.admin)

    await sync_to_async(live.push)(
        live.account_group(tenant_a.account.pk), "hello", '<p id="y">still here</p>'
    )
    assert await socket.receive_from() == '<p id="y">still here</p>'
    await socket.disconnect()
