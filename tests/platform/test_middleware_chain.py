"""Under ASGI the middleware chain runs on the request's thread, with no hops of its own."""

from unittest import mock

import pytest
from django.conf import settings
from django.test import AsyncClient
from django.utils.deprecation import MiddlewareMixin
from django.utils.module_loading import import_string

from tests.factories import logged_in_client

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_innermost_middleware_is_sync_only():
    """Django runs every middleware inside the innermost sync-only one in async mode."""
    innermost = import_string(settings.MIDDLEWARE[-1])

    assert not getattr(innermost, "async_capable", False)


async def test_no_middleware_runs_in_async_mode_for_a_page_or_a_webhook(tenant_a):
    """In async mode a `MiddlewareMixin` hops threads for its request and its response: with
    the chain in sync mode, `__acall__` is never used."""
    from asgiref.sync import sync_to_async

    cookies = (await sync_to_async(logged_in_client)(tenant_a.admin)).cookies
    client = AsyncClient()
    client.cookies = cookies
    with mock.patch.object(
        MiddlewareMixin, "__acall__", autospec=True, side_effect=AssertionError("async mode")
    ) as async_mode:
        page = await client.get("/campaigns/")
        webhook = await client.post("/webhooks/leads/no-such-token/", {})

    assert page.status_code == 200
    assert webhook.status_code == 404
    assert async_mode.call_count == 0
