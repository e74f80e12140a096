"""The live websocket accepts exactly the site's own origins (PUBLIC_BASE_URL and CSRF ones)."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings

from campaignhub.asgi import application
from campaignhub.origins import site_origins
from tests.factories import logged_in_client

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def site(settings):
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    settings.PUBLIC_BASE_URL = "https://hub.example.com"
    settings.CSRF_TRUSTED_ORIGINS = ["http://127.0.0.1:8000", "https://*.agency.example"]
    return settings


async def connect(user, origin):
    client = await sync_to_async(logged_in_client)(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    headers = [(b"cookie", f"{django_settings.SESSION_COOKIE_NAME}={cookie}".encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode()))
    communicator = WebsocketCommunicator(application, "/ws/live/", headers=headers)
    connected, _ = await communicator.connect()
    if connected:
        await communicator.disconnect()
    return connected


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:9999",
        "http://hub.example.com",
        "https://hub.example.com:8443",
        "https://hub.example.com.evil.test",
        "https://evilhub.example.com",
        "http://127.0.0.1:8001",
        "https://127.0.0.1:8000",
        "null",
        None,
    ],
)
async def test_a_foreign_origin_is_refused_even_with_a_valid_session(site, tenant_a, origin):
    assert await connect(tenant_a.member, origin) is False


@pytest.mark.parametrize(
    "origin",
    [
        "https://hub.example.com",
        "https://hub.example.com:443",
        "HTTPS://HUB.example.com",
        "http://127.0.0.1:8000",
        "https://team.agency.example",
    ],
)
async def test_the_site_own_origins_are_accepted(site, tenant_a, origin):
    assert await connect(tenant_a.member, origin) is True


def test_site_origins_take_scheme_host_and_port_from_the_settings():
    assert site_origins(
        "https://Hub.example.com/base/", ["http://127.0.0.1:8000", "https://*.agency.example", "x"]
    ) == ["http://127.0.0.1:8000", "https://.agency.example", "https://hub.example.com"]
