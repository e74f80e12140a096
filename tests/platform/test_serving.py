"""The ASGI app: webhook deliveries on the lean handler, every other request on the full stack."""

import json
import warnings
from unittest import mock

import pytest
from asgiref.sync import sync_to_async
from asgiref.testing import ApplicationCommunicator
from channels.testing import HttpCommunicator
from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware

from campaignhub.asgi import application
from campaignhub.cleaning import parse_json
from campaignhub.models import DeliveryStatus, InboundDelivery
from campaignhub.serving import is_webhook
from campaigns.models import Lead
from tests.campaigns.factories import make_campaign

pytestmark = pytest.mark.django_db(transaction=True)


async def call(method, path, body=b"", host=b"testserver", headers=()):
    """`method path` through the ASGI application; (status, JSON body or None)."""
    communicator = HttpCommunicator(
        application,
        method,
        path,
        body=body,
        headers=[(b"host", host), (b"content-type", b"application/json"), *headers],
    )
    response = await communicator.get_response(timeout=10)
    try:
        return response["status"], json.loads(response["body"])
    except ValueError:
        return response["status"], None


def scope(method, path, root_path=""):
    return {"type": "http", "method": method, "path": path, "root_path": root_path}


def test_only_posts_to_webhook_views_take_the_lean_handler():
    assert is_webhook(scope("POST", "/webhooks/leads/any-token/"))
    assert is_webhook(scope("POST", "/webhooks/callrail/any-token/"))
    assert is_webhook(scope("POST", "/webhooks/twilio/status/"))
    assert is_webhook(scope("POST", "/app/webhooks/leads/any-token/", root_path="/app"))
    assert not is_webhook(scope("GET", "/webhooks/leads/any-token/"))
    assert not is_webhook(scope("POST", "/v1/campaigns"))
    assert not is_webhook(scope("POST", "/no/such/page/"))
    # anymail's own views are plain Django views: they keep the full stack.
    assert not is_webhook(scope("POST", "/webhooks/anymail/amazon_ses/tracking/"))
    assert not is_webhook({"type": "websocket", "path": "/ws/live/"})


async def test_a_lead_webhook_is_stored_and_processed_without_any_middleware(tenant_a):
    campaign = await sync_to_async(make_campaign)(
        tenant_a, integration="webhook", campaign_name="Chat"
    )
    body = json.dumps({"external_id": "chat-1", "name": "Ann", "phone": "+14155550111"})
    with mock.patch.object(
        SessionMiddleware, "process_request", side_effect=AssertionError("middleware ran")
    ) as session:
        status, answer = await call(
            "POST", f"/webhooks/leads/{campaign.webhook_token}/", body.encode()
        )

    assert status == 200
    assert session.call_count == 0
    delivery = await InboundDelivery.objects.aget()
    assert answer == {"received": True, "id": delivery.pk}
    assert delivery.status == DeliveryStatus.PROCESSED
    assert (await Lead.objects.aget()).external_id == "chat-1"


async def test_a_webhook_to_a_host_not_allowed_is_refused_and_not_stored(tenant_a):
    campaign = await sync_to_async(make_campaign)(
        tenant_a, integration="webhook", campaign_name="Chat"
    )
    status, answer = await call(
        "POST",
        f"/webhooks/leads/{campaign.webhook_token}/",
        b'{"phone": "+14155550111"}',
        host=b"evil.example",
    )

    assert status == 400
    assert answer == {"success": False, "errno": 400, "message": "Invalid Host header."}
    assert not await InboundDelivery.objects.aexists()


async def test_an_unknown_token_is_answered_404_in_the_envelope():
    status, answer = await call("POST", "/webhooks/leads/no-such-token/", b"{}")

    assert status == 404
    assert answer == {"success": False, "errno": 404, "message": "Unknown webhook endpoint."}


async def test_pages_keep_the_full_middleware_stack():
    """The login rule is a middleware: a page still sends a visitor to sign in."""
    status, _ = await call("GET", "/campaigns/")

    assert status == 302


async def test_a_webhook_url_without_its_trailing_slash_takes_the_delivery(tenant_a):
    """A sender set up by hand may drop the slash: a redirect would lose the POST's body."""
    campaign = await sync_to_async(make_campaign)(
        tenant_a, integration="webhook", campaign_name="Chat"
    )
    body = json.dumps({"external_id": "chat-2", "phone": "+14155550111"}).encode()

    status, answer = await call("POST", f"/webhooks/leads/{campaign.webhook_token}", body)

    assert status == 200 and answer["received"] is True
    assert (await Lead.objects.aget()).external_id == "chat-2"


async def test_a_body_over_djangos_upload_limit_is_413_in_the_envelope(tenant_a, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    campaign = await sync_to_async(make_campaign)(
        tenant_a, integration="webhook", campaign_name="Chat"
    )
    body = json.dumps({"phone": "+14155550111", "message": "x" * 2000}).encode()

    status, answer = await call("POST", f"/webhooks/leads/{campaign.webhook_token}/", body)

    assert status == 413
    assert answer == {"success": False, "errno": 413, "message": "Payload too large."}
    assert not await InboundDelivery.objects.aexists()


async def test_credentials_a_sender_sends_are_not_stored(tenant_a):
    campaign = await sync_to_async(make_campaign)(
        tenant_a, integration="webhook", campaign_name="Chat"
    )
    secrets = [
        (b"authorization", b"Bearer a"),
        (b"proxy-authorization", b"Basic c2VjcmV0"),
        (b"x-api-key", b"SECRETKEY"),
        (b"cookie", b"sessionid=b"),
        (b"x-request-id", b"kept"),
    ]
    status, _ = await call(
        "POST",
        f"/webhooks/leads/{campaign.webhook_token}/",
        b'{"phone": "+14155550111"}',
        headers=secrets,
    )

    assert status == 200
    stored = {key.lower() for key in (await InboundDelivery.objects.aget()).headers}
    assert "x-request-id" in stored
    assert not stored & {"authorization", "proxy-authorization", "x-api-key", "cookie"}


@pytest.mark.parametrize("method", ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"])
async def test_other_methods_get_405_in_the_envelope(method):
    status, answer = await call(method, "/webhooks/leads/any-token/")

    assert status == 405
    if method != "HEAD":
        assert answer == {
            "success": False,
            "errno": 405,
            "message": "Method not allowed: deliveries are POSTed.",
        }


def test_a_json_body_may_start_with_a_byte_order_mark():
    assert parse_json('\ufeff{"phone": "+14155550111"}') == {"phone": "+14155550111"}
    assert parse_json(b"\xef\xbb\xbf{}") == {}


async def raw_call(method, path, headers=()):
    """`method path` through the ASGI application: (response start, body messages). The
    messages as sent: Django ends a streamed body with one that has no `body` key, which
    `HttpCommunicator` does not take."""
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "scheme": "http",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    communicator = ApplicationCommunicator(application, scope)
    await communicator.send_input({"type": "http.request", "body": b""})
    start = await communicator.receive_output(timeout=10)
    parts = [await communicator.receive_output(timeout=10)]
    while parts[-1].get("more_body"):
        parts.append(await communicator.receive_output(timeout=10))
    await communicator.wait(timeout=10)
    return start, parts


@pytest.mark.parametrize("method", ["GET", "HEAD"])
async def test_a_static_file_is_streamed_over_asgi_without_a_warning(method):
    """Django warns when an ASGI response's body is a synchronous iterator, as WhiteNoise's
    `FileResponse` is, and then reads the file whole before sending any of it."""
    path = settings.BASE_DIR / "static" / "vendor" / "chartjs" / "chart.umd.min.js"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        start, parts = await raw_call(method, "/static/vendor/chartjs/chart.umd.min.js")
    assert start["status"] == 200
    assert dict(start["headers"])[b"Content-Length"] == str(path.stat().st_size).encode()
    body = b"".join(part.get("body", b"") for part in parts)
    assert body == (path.read_bytes() if method == "GET" else b"")
    assert [str(w.message) for w in caught if "StreamingHttpResponse" in str(w.message)] == []


async def test_a_range_of_a_static_file_is_streamed_over_asgi():
    path = settings.BASE_DIR / "static" / "vendor" / "chartjs" / "chart.umd.min.js"
    start, parts = await raw_call(
        "GET", "/static/vendor/chartjs/chart.umd.min.js", headers=[(b"range", b"bytes=100-70099")]
    )
    assert start["status"] == 206
    assert b"".join(part.get("body", b"") for part in parts) == path.read_bytes()[100:70100]
