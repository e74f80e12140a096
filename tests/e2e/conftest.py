"""Browser tests: a real ASGI server (Daphne, in a second process) and Debian's Chromium."""

import shutil
import socket
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest
from asgiref.sync import SyncToAsync
from channels.layers import channel_layers
from channels.testing.live import make_application
from daphne.testing import DaphneProcess
from django.conf import settings
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.db import connections
from django.test import override_settings

from tests.conftest import start_sandbox

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_itemcollected(item):
    # Marked as each test is collected, before `-m` selects: `-m e2e` runs exactly these and
    # `-m "not e2e"` none of them. (tests/conftest.py runs them last.)
    item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def e2e_sandbox():
    """A fresh sandbox for the browser tests (other tests change the shared one's state)."""
    running = start_sandbox()
    yield running
    running.server.shutdown()


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, django_db_blocker, e2e_sandbox, tmp_path_factory):
    """Serve the whole ASGI application (HTTP, websockets, static) against the test database.

    The app is told its public address (for the webhook URLs it registers upstream) and uses
    the sandbox as CallRail, like `make run`. The server and the tests share one cache (files),
    as a production server and its workers share Redis: who is watching live, rate limits.
    """
    shared_cache = override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                "LOCATION": str(tmp_path_factory.mktemp("cache")),
                # Never culled (Django culls a third of the files, at random, past 300): a
                # culled count of live watchers silently stops a page's live updates.
                "OPTIONS": {"MAX_ENTRIES": 1_000_000},
            }
        }
    )
    shared_cache.enable()
    port = free_port()
    settings.PUBLIC_BASE_URL = f"http://localhost:{port}"
    settings.CALLRAIL_API_BASE = f"{e2e_sandbox.url}/v3"
    settings.DIALER_API_BASE = f"{e2e_sandbox.url}/dialer"
    settings.INVOCA_API_BASE = f"{e2e_sandbox.url}/invoca"

    def setup():
        # The server is forked after the test database exists, so it inherits its settings;
        # pytest-django's guard against database access must not apply there.
        django_db_blocker.unblock()
        # A fork copies objects but not threads: earlier async tests left asgiref's executor
        # (whose worker thread is gone) and channel layers bound to dead loops. Start fresh.
        SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)
        channel_layers.backends.clear()

    with django_db_blocker.unblock():
        connections.close_all()
        # A fork inherits open sockets: with PostgreSQL's pool, the server and the tests would
        # share the pooled connections. Close the pools so each side opens its own.
        for connection in connections.all(initialized_only=True):
            if hasattr(connection, "close_pool"):
                connection.close_pool()
    process = DaphneProcess(
        "localhost",
        partial(make_application, static_wrapper=ASGIStaticFilesHandler),
        setup=setup,
        port=port,
    )
    process.start()
    if not process.ready.wait(timeout=30):
        process.terminate()
        raise RuntimeError("The test server did not start.")
    yield f"http://localhost:{process.port.value}"
    process.terminate()
    process.join(timeout=10)
    shared_cache.disable()


@pytest.fixture
def server(asgi_server, transactional_db, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # synchronous and safe, so Django's async guard is lifted for browser tests only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return asgi_server
