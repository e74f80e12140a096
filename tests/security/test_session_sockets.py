"""Ending a session closes its open live sockets; the person's other sessions stay open."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings

from campaignhub import live
from campaignhub.consumers import SESSION_ENDED
from campaignhub.models import User
from tests.factories import PASSWORD, logged_in_client
from tests.platform.test_live import application

pytestmark = pytest.mark.django_db(transaction=True)

CLOSED = {"type": "websocket.close", "code": SESSION_ENDED}


@pytest.fixture
def channel_layer(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}


async def sign_in(user):
    """A browser of its own: one session."""
    return await sync_to_async(logged_in_client)(user)


async def open_tab(client):
    """A page of that browser: a live socket in its session."""
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    header = f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode()
    socket = WebsocketCommunicator(application(), "/ws/live/", headers=[(b"cookie", header)])
    connected, _ = await socket.connect()
    assert connected
    return socket


async def still_hear(user, *sockets):
    await sync_to_async(live.push)(live.user_group(user.pk), "hello", '<p id="x">still</p>')
    for socket in sockets:
        assert await socket.receive_from() == '<p id="x">still</p>'


async def test_signing_out_closes_every_tab_of_that_browser_and_no_other(channel_layer, tenant_a):
    browser_a, browser_b = await sign_in(tenant_a.admin), await sign_in(tenant_a.admin)
    tab, other_tab = await open_tab(browser_a), await open_tab(browser_a)
    elsewhere = await open_tab(browser_b)

    response = await sync_to_async(browser_a.post)("/logout/")
    assert response.status_code == 302

    assert await tab.receive_output() == CLOSED
    assert await other_tab.receive_output() == CLOSED
    await sync_to_async(live.push)(
        live.account_group(tenant_a.account.pk), "hello", '<p id="y">team</p>'
    )
    assert await elsewhere.receive_from() == '<p id="y">team</p>'
    assert await tab.receive_nothing(timeout=0.2)
    assert await other_tab.receive_nothing(timeout=0.2)
    await elsewhere.disconnect()


async def test_a_password_change_closes_the_other_sessions_and_keeps_its_own(
    channel_layer, tenant_a
):
    browser_a, browser_b = await sign_in(tenant_a.admin), await sign_in(tenant_a.admin)
    tab, other_tab = await open_tab(browser_a), await open_tab(browser_a)
    elsewhere = await open_tab(browser_b)

    response = await sync_to_async(browser_a.post)(
        "/password-change/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-long-password",
            "new_password2": "a-new-long-password",
        },
    )
    assert response.status_code == 302

    assert await elsewhere.receive_output() == CLOSED
    await still_hear(tenant_a.admin, tab, other_tab)
    # The sockets followed their session to its renewed key: signing out there closes them.
    await sync_to_async(browser_a.post)("/logout/")
    assert await tab.receive_output() == CLOSED
    assert await other_tab.receive_output() == CLOSED


async def test_a_password_set_elsewhere_closes_every_session(channel_layer, tenant_a):
    tab = await open_tab(await sign_in(tenant_a.member))

    def reset_password():
        member = User.objects.get(pk=tenant_a.member.pk)
        member.set_password("a-new-long-password")
        member.save()

    await sync_to_async(reset_password)()

    assert await tab.receive_output() == CLOSED


async def test_deactivating_a_person_closes_their_sockets_only(channel_layer, tenant_a):
    tab = await open_tab(await sign_in(tenant_a.member))
    admin_tab = await open_tab(await sign_in(tenant_a.admin))

    def deactivate():
        member = User.objects.get(pk=tenant_a.member.pk)
        member.is_active = False
        member.save()

    await sync_to_async(deactivate)()

    assert await tab.receive_output() == CLOSED
    await still_hear(tenant_a.admin, admin_tab)
    await sync_to_async(live.push)(
        live.account_group(tenant_a.account.pk), "hello", '<p id="y">team</p>'
    )
    assert await admin_tab.receive_from() == '<p id="y">team</p>'
    assert await tab.receive_nothing(timeout=0.2)
    await admin_tab.disconnect()


async def test_other_changes_to_a_person_keep_their_sockets_open(channel_layer, tenant_a):
    tab = await open_tab(await sign_in(tenant_a.member))

    response = await sync_to_async(tenant_a.member_client.post)(
        "/settings/profile/", {"name": "Riley Renamed", "phone": ""}
    )
    assert response.status_code == 302

    await still_hear(tenant_a.member, tab)
    await tab.disconnect()
