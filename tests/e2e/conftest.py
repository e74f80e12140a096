"""Browser tests: a real ASGI server (Daphne, in a second process) and Debian's Chromium."""

import shutil
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest
from asgiref.sync import SyncToAsync
from channels.layers import channel_layers
from channels.testing.live import make_application
from daphne.testing import DaphneProcess
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.db import connections

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


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def asgi_server(django_db_setup, django_db_blocker):
    """Serve the whole ASGI application (HTTP, websockets, static) against the test database."""

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
    process = DaphneProcess(
        "localhost",
        partial(make_application, static_wrapper=ASGIStaticFilesHandler),
        setup=setup,
    )
    process.start()
    if not process.ready.wait(timeout=30):
        process.terminate()
        raise RuntimeError("The test server did not start.")
    yield f"http://localhost:{process.port.value}"
    process.terminate()
    process.join(timeout=10)


@pytest.fixture
def server(asgi_server, transactional_db, monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # synchronous and safe, so Django's async guard is lifted for browser tests only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return asgi_server
