"""Cross-tenant cases for CallRail URLs: B never reaches CallRail through A's key or settings."""

import json

import responses
from django.test import Client

from callrail.models import CallRailKey, CallRailSettings
from tests.callrail.conftest import API, KEY, connect, page
from tests.factories import bearer

NO_KEY = "API key not found. Please add your CallRail API key first."


def _a_connected(a):
    connect(a)
    CallRailSettings.objects.filter(account=a.account).update(
        signing_key="a-secret", webhook_id="WHKA"
    )


def _a_untouched(a):
    key = CallRailKey.objects.get(account=a.account)
    assert key.deleted_at is None and key.api_key == KEY
    chosen = CallRailSettings.objects.get(account=a.account)
    assert (chosen.signing_key, chosen.webhook_id) == ("a-secret", "WHKA")


def _page_says_no_key(b, path, method="get"):
    with responses.RequestsMock() as upstream:
        response = getattr(b.admin_client, method)(path, follow=True)
        assert len(upstream.calls) == 0
    assert NO_KEY in response.content.decode()


def callrail_home(a, b):
    _a_connected(a)
    content = b.admin_client.get("/callrail/").content.decode()
    assert KEY[-4:] not in content
    assert CallRailSettings.objects.get(account=a.account).webhook_token not in content


def callrail_connect_key(a, b):
    _a_connected(a)
    with responses.RequestsMock() as upstream:
        upstream.get(f"{API}/a.json", json=page("accounts", []))
        b.admin_client.post("/callrail/key/", {"api_key": "bolt-key-5678"})
    assert CallRailKey.objects.get(account=b.account, deleted_at__isnull=True).last4 == "5678"
    _a_untouched(a)


def callrail_remove_key(a, b):
    _a_connected(a)
    b.admin_client.post("/callrail/key/remove/")
    _a_untouched(a)


def callrail_accounts(a, b):
    _a_connected(a)
    _page_says_no_key(b, "/callrail/accounts/")


def callrail_companies(a, b):
    _a_connected(a)
    _page_says_no_key(b, "/callrail/companies/")


def callrail_choose(a, b):
    _a_connected(a)
    b.admin_client.post("/callrail/choose/", {"account_id": "ACCbolt", "account_name": "Bolt"})
    assert CallRailSettings.objects.get(account=a.account).callrail_account_name == "Acme CallRail"


def callrail_connect_webhook(a, b):
    _a_connected(a)
    _page_says_no_key(b, "/callrail/webhook/", method="post")
    _a_untouched(a)


def callrail_signing_key(a, b):
    _a_connected(a)
    b.admin_client.post("/callrail/signing-key/", {"signing_key": "bolt"})
    _a_untouched(a)


def callrail_trackers(a, b):
    _a_connected(a)
    _page_says_no_key(b, "/callrail/trackers/")


def callrail_tracker_new(a, b):
    _a_connected(a)
    with responses.RequestsMock() as upstream:
        b.admin_client.post(
            "/callrail/trackers/new/",
            {"type": "source", "name": "X", "destination_number": "+14125551234"},
        )
        assert len(upstream.calls) == 0


def callrail_tracker_edit(a, b):
    _a_connected(a)
    _page_says_no_key(b, "/callrail/trackers/TRK1/edit/")


def callrail_tracker_disable(a, b):
    _a_connected(a)
    _page_says_no_key(b, "/callrail/trackers/TRK1/disable/", method="post")


def callrail_tracker_picker(a, b):
    _a_connected(a)
    with responses.RequestsMock() as upstream:
        content = b.admin_client.get("/callrail/tracker-picker/").content.decode()
        assert len(upstream.calls) == 0
    assert NO_KEY in content


def _api_needs_b_key(b, method, path, body=None):
    kwargs = bearer(b.token.raw)
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    with responses.RequestsMock() as upstream:
        response = getattr(Client(), method)(f"/v1/e/callrail/{path}", **kwargs)
        assert len(upstream.calls) == 0
    assert response.json()["message"] == NO_KEY


def api_callrail_key(a, b):
    _a_connected(a)
    data = Client().get("/v1/e/callrail/key", **bearer(b.token.raw)).json()["data"]
    assert data["connected"] is False and data["last4"] is None
    Client().delete("/v1/e/callrail/key", **bearer(b.token.raw))
    _a_untouched(a)


def api_callrail_accounts(a, b):
    _a_connected(a)
    _api_needs_b_key(b, "get", "accounts")


def api_callrail_companies(a, b):
    _a_connected(a)
    _api_needs_b_key(b, "get", "companies?account_id=ACC1")


def api_callrail_webhook(a, b):
    _a_connected(a)
    _api_needs_b_key(
        b,
        "post",
        "companies/webhook",
        {"account_id": "A", "company_id": "C", "webhook_url": "https://x.test/"},
    )


def api_callrail_trackers(a, b):
    _a_connected(a)
    _api_needs_b_key(b, "get", "trackers")


def api_callrail_tracker(a, b):
    _a_connected(a)
    _api_needs_b_key(b, "get", "trackers/TRK1")
    _api_needs_b_key(b, "delete", "trackers/TRK1")


CASES = {
    name: function
    for name, function in list(globals().items())
    if name.startswith(("callrail_", "api_callrail_")) and callable(function)
}

EXEMPT = {
    "callrail_webhook": "CallRail's own deliveries, addressed by an unguessable per-account token",
}
