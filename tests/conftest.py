import time
from types import SimpleNamespace

import pytest

from campaignhub import live, services
from campaignhub.models import Role
from tests.factories import logged_in_client, make_account, make_member


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    # Browser tests leave an event loop running in the main thread, so they go last. (They are
    # marked `e2e` as they are collected, in tests/e2e/conftest.py, so `-m` can select them.)
    items.sort(key=lambda item: item.get_closest_marker("e2e") is not None)


def _tenant(name, prefix):
    account = make_account(name, f"admin@{prefix}.test")
    admin = account.memberships.get().user
    admin.name = f"{name} Admin"
    admin.save()
    member = make_member(account, f"member@{prefix}.test", Role.MEMBER, name=f"{name} Member")
    return SimpleNamespace(
        account=account,
        admin=admin,
        member=member,
        admin_client=logged_in_client(admin),
        member_client=logged_in_client(member),
        token=services.issue_token(account=account, user=admin, name=f"{prefix} token"),
    )


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Rate-limit windows live in the cache, and webhook endpoints in a per-process cache,
    keyed by ids that a rolled-back test hands on to the next one: each test starts empty."""
    from django.core.cache import cache

    from campaignhub.webhooks import forget_targets

    cache.clear()
    forget_targets()


@pytest.fixture(autouse=True)
def _one_rate_limit_window(monkeypatch):
    """django-ratelimit counts in fixed windows from its clock; a test whose requests straddle
    a window's end (a slow machine) would see its count start again. Its clock stands still
    for each test, so a test's hits all fall in one window."""
    from django_ratelimit import core

    now = time.time()
    monkeypatch.setattr(core, "time", SimpleNamespace(time=lambda: now))


@pytest.fixture
def tenant_a(db):
    """Account A: an admin, a member, and an API token of the admin."""
    return _tenant("Acme Agency", "acme")


@pytest.fixture
def tenant_b(db):
    """Account B, whose people are outsiders to account A."""
    return _tenant("Bolt Media", "bolt")


@pytest.fixture
def outsider(tenant_b):
    return tenant_b.admin


class LiveRecorder:
    """What code pushed to the live channel, by group (the layer itself is tested apart)."""

    def __init__(self):
        self.pushed = []

    def __call__(self, groups, event, html):
        for group in groups:
            self.pushed.append({"group": group, "event": event, "html": html})

    def to(self, account, user, event=None):
        group = live.member_group(account.pk, user.pk)
        return [p for p in self.pushed if p["group"] == group and event in (None, p["event"])]


@pytest.fixture
def live_events(monkeypatch):
    recorder = LiveRecorder()
    # Every live event goes through `_send`, one call per event with its groups; someone is
    # taken to be watching every account (the consumer's count is tested on its own).
    monkeypatch.setattr(live, "_send", recorder)
    monkeypatch.setattr(live, "watching", lambda account_id: True)
    monkeypatch.setattr(live, "watching_members", lambda account_id, user_ids: set(user_ids))
    return recorder


def start_sandbox():
    """The sandbox (fake CallRail, …) served from a thread, as `make run` serves it."""
    import threading

    from sandbox.app import build
    from sandbox.web import serve

    app = build()
    server = serve(app, "127.0.0.1", 0, verbose=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return SimpleNamespace(url=f"http://127.0.0.1:{server.server_port}", app=app, server=server)


@pytest.fixture(scope="session")
def sandbox():
    running = start_sandbox()
    yield running
    running.server.shutdown()
