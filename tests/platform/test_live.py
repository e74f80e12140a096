import os

import pytest
from asgiref.sync import sync_to_async
from channels.auth import AuthMiddlewareStack
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings

from campaignhub import live
from campaignhub.consumers import UNAUTHENTICATED
from campaignhub.routing import websocket_urlpatterns
from tests.factories import logged_in_client

pytestmark = pytest.mark.django_db(transaction=True)

LAYERS = {
    "in-memory": {"BACKEND": "channels.layers.InMemoryChannelLayer"},
    "redis": {
        "BACKEND": "channels_redis.core.RedisChannelLayer",
        "CONFIG": {"hosts": [os.environ.get("REDIS_URL", "")]},
    },
}


@pytest.fixture(params=["in-memory", "redis"])
def channel_layer(request, settings):
    if request.param == "redis" and not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set; the channels-redis run happens in the scaled suite")
    settings.CHANNEL_LAYERS = {"default": LAYERS[request.param]}
    return request.param


def application():
    return AuthMiddlewareStack(URLRouter(websocket_urlpatterns))


async def connect(user=None):
    headers = []
    if user is not None:
        client = await sync_to_async(logged_in_client)(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
        headers.append((b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    communicator = WebsocketCommunicator(application(), "/ws/live/", headers=headers)
    connected, code = await communicator.connect()
    return communicator, connected, code


async def test_anonymous_socket_is_refused(channel_layer):
    _, connected, code = await connect()
    assert connected is False
    assert code == UNAUTHENTICATED


async def test_user_receives_own_and_account_events_only(channel_layer, tenant_a, tenant_b):
    a_admin, _, _ = await connect(tenant_a.admin)
    a_member, _, _ = await connect(tenant_a.member)
    b_admin, _, _ = await connect(tenant_b.admin)

    await sync_to_async(live.push)(
        live.user_group(tenant_a.admin.pk), "hello", '<p id="x">mine</p>'
    )
    assert await a_admin.receive_from() == '<p id="x">mine</p>'
    assert await a_member.receive_nothing(timeout=0.2)

    await sync_to_async(live.push)(
        live.account_group(tenant_a.account.pk), "hello", '<p id="y">team</p>'
    )
    assert await a_admin.receive_from() == '<p id="y">team</p>'
    assert await a_member.receive_from() == '<p id="y">team</p>'
    assert await b_admin.receive_nothing(timeout=0.2)

    await sync_to_async(live.push_to_members)(
        tenant_a.account.pk, [tenant_a.member.pk], "hello", '<p id="z">for you here</p>'
    )
    assert await a_member.receive_from() == '<p id="z">for you here</p>'
    assert await a_admin.receive_nothing(timeout=0.2)

    for communicator in (a_admin, a_member, b_admin):
        await communicator.disconnect()


async def test_messages_from_the_browser_are_ignored(channel_layer, tenant_a):
    communicator, connected, _ = await connect(tenant_a.admin)
    assert connected
    await communicator.send_to(text_data="anything")
    assert await communicator.receive_nothing(timeout=0.2)
    await communicator.disconnect()


def test_push_never_raises_when_the_layer_is_down(settings, caplog):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    live.push("user-1", "hello", "<p>x</p>")
    assert "Live event hello to user-1 could not be sent" in caplog.text


async def test_sockets_are_counted_per_account_so_nobody_watching_means_no_rendering(
    channel_layer, tenant_a, tenant_b
):
    watching = sync_to_async(live.watching)
    assert not await watching(tenant_a.account.pk)
    first, _, _ = await connect(tenant_a.admin)
    second, _, _ = await connect(tenant_a.member)
    assert await watching(tenant_a.account.pk)
    assert not await watching(tenant_b.account.pk)
    await first.disconnect()
    assert await watching(tenant_a.account.pk)
    await second.disconnect()
    assert not await watching(tenant_a.account.pk)


async def test_a_count_of_watchers_outlives_a_busy_embedded_cache(
    channel_layer, tenant_a, settings
):
    # Rate-limit windows and other entries pile up in `make run`'s local cache; culling the
    # count among them would read as nobody watching, and the open page would go quiet.
    from django.core.cache import cache

    from campaignhub.settings import EMBEDDED_CACHE

    settings.CACHES = {"default": EMBEDDED_CACHE}
    socket, _, _ = await connect(tenant_a.admin)
    for n in range(1000):
        await cache.aset(f"rate-window:{n}", n)
    assert await sync_to_async(live.watching)(tenant_a.account.pk)
    assert await sync_to_async(live.watching_members)(tenant_a.account.pk, {tenant_a.admin.pk}) == {
        tenant_a.admin.pk
    }
    await socket.disconnect()


async def test_sockets_are_counted_per_person_so_per_person_work_skips_who_is_away(
    channel_layer, tenant_a, tenant_b
):
    members = sync_to_async(live.watching_members)
    people = {tenant_a.admin.pk, tenant_a.member.pk}
    assert await members(tenant_a.account.pk, people) == set()
    first, _, _ = await connect(tenant_a.admin)
    again, _, _ = await connect(tenant_a.admin)
    assert await members(tenant_a.account.pk, people) == {tenant_a.admin.pk}
    assert await members(tenant_b.account.pk, {tenant_a.admin.pk}) == set()
    await first.disconnect()
    assert await members(tenant_a.account.pk, people) == {tenant_a.admin.pk}
    await again.disconnect()
    assert await members(tenant_a.account.pk, people) == set()


def test_with_nobody_watching_a_lead_renders_and_sends_no_live_rows(tenant_a, monkeypatch):
    from campaigns import events
    from campaigns.services import capture_lead
    from tests.campaigns.factories import make_campaign

    sent = []
    monkeypatch.setattr(live, "_send", lambda groups, event, html: sent.append(event))
    rendered = []
    monkeypatch.setattr(live, "render", lambda *args: rendered.append(args) or "")
    campaign = make_campaign(tenant_a, selected_user=[{"id": tenant_a.member.pk}])
    lead, _ = capture_lead(campaign=campaign, source="form", external_id="w-1", phone="")
    events.lead_arrived(lead.pk)
    assert (sent, rendered) == ([], [])


def test_with_nobody_watching_lead_events_read_nothing_when_the_account_is_known(
    tenant_a, django_assert_num_queries
):
    from campaigns import events
    from campaigns.services import capture_lead
    from tests.campaigns.factories import make_campaign

    campaign = make_campaign(tenant_a)
    lead, _ = capture_lead(campaign=campaign, source="form", external_id="w-2", phone="")
    with django_assert_num_queries(0):
        events.lead_arrived(lead.pk, account_id=lead.account_id)
        events.lead_updated(lead.pk, account_id=lead.account_id)
        events.lead_alerted(lead.pk, account_id=lead.account_id)
