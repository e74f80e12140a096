"""Cross-tenant cases for CallRail URLs: B never reaches CallRail through A's key or settings."""

import json
import re

import responses
from django.test import Client
from django.utils import timezone

from callrail.models import CallRailKey, CallRailSettings
from campaignhub.models import DeliveryStatus, InboundDelivery
from tests.callrail.conftest import API, KEY, connect, page, post
from tests.factories import bearer

NO_KEY = "API key not found. Please add your CallRail API key first."


def _a_connected(a):
    connect(a)
    CallRailSettings.objects.filter(account=a.account).update(
        signing_key="a-secret", webhook_id="WHKA"
    )


def _a_untouched(a):
    key = CallRailKey.objects.get(account=a.account)
    assert key.deleted_at is None and key.secret == KEY
    chosen = CallRailSettings.objects.get(account=a.account)
    assert (chosen.signing_key, chosen.webhook_id) == ("a-secret", "WHKA")


def _callrail_answering_404():
    upstream = responses.RequestsMock(assert_all_requests_are_fired=False)
    for method in (responses.GET, responses.POST, responses.PUT, responses.DELETE):
        upstream.add(method, re.compile(re.escape(API) + ".*"), status=404, json={"error": "?"})
    return upstream


def _a_reaches_callrail(send):
    """Control: the owner's same request does reach CallRail, with A's key."""
    with _callrail_answering_404() as upstream:
        send()
        assert len(upstream.calls) >= 1
        assert KEY in upstream.calls[0].request.headers["Authorization"]


def _page_says_no_key(a, b, path, method="get", status=400, data=None):
    """A's request reaches CallRail; B's, the same, answers `status` saying B has no key."""
    _a_reaches_callrail(lambda: getattr(a.admin_client, method)(path, data))
    with responses.RequestsMock() as upstream:
        response = getattr(b.admin_client, method)(path, data, follow=True)
        assert len(upstream.calls) == 0
    assert response.status_code == status
    assert NO_KEY in response.content.decode()


def callrail_home(a, b):
    _a_connected(a)
    token = CallRailSettings.objects.get(account=a.account).webhook_token
    own = a.admin_client.get("/callrail/").content.decode()
    assert KEY[-4:] in own and token in own
    response = b.admin_client.get("/callrail/")
    assert response.status_code == 200
    content = response.content.decode()
    assert KEY[-4:] not in content and token not in content


def callrail_live(a, b):
    _a_connected(a)
    CallRailSettings.objects.filter(account=a.account).update(
        signing_key="a-secret", signing_key_saved_at=None
    )
    assert "signed deliveries checked" in a.admin_client.get("/callrail/live/").content.decode()
    response = b.admin_client.get("/callrail/live/")
    assert response.status_code == 200
    assert "signed deliveries checked" not in response.content.decode()


def callrail_connect_key(a, b):
    _a_connected(a)
    with responses.RequestsMock() as upstream:
        upstream.get(f"{API}/a.json", json=page("accounts", []))
        response = b.admin_client.post("/callrail/key/", {"api_key": "bolt-key-5678"})
    assert response.status_code == 302
    assert CallRailKey.objects.get(account=b.account, deleted_at__isnull=True).last4 == "5678"
    _a_untouched(a)


def callrail_remove_key(a, b):
    _a_connected(a)
    connect(b, api_key="bolt-key-5678")
    assert b.admin_client.post("/callrail/key/remove/").status_code == 302
    assert CallRailKey.objects.get(account=b.account).deleted_at is not None
    _a_untouched(a)


def callrail_accounts(a, b):
    _a_connected(a)
    _page_says_no_key(a, b, "/callrail/accounts/")


def callrail_companies(a, b):
    _a_connected(a)
    _page_says_no_key(a, b, "/callrail/companies/")


def callrail_choose(a, b):
    _a_connected(a)
    connect(b, api_key="bolt-key-5678")
    response = b.admin_client.post(
        "/callrail/choose/", {"account_id": "ACCbolt", "account_name": "Bolt"}
    )
    assert response.status_code == 302
    assert CallRailSettings.objects.get(account=b.account).callrail_account_name == "Bolt"
    assert CallRailSettings.objects.get(account=a.account).callrail_account_name == "Acme CallRail"


def callrail_connect_webhook(a, b):
    _a_connected(a)
    _page_says_no_key(a, b, "/callrail/webhook/", method="post", status=200)
    _a_untouched(a)


def callrail_signing_key(a, b):
    _a_connected(a)
    connect(b, api_key="bolt-key-5678")
    assert b.admin_client.post("/callrail/signing-key/", {"signing_key": "bolt"}).status_code == 302
    assert CallRailSettings.objects.get(account=b.account).signing_key == "bolt"
    _a_untouched(a)


def callrail_process_rejected(a, b):
    """B's button never processes A's deliveries rejected for their signature."""
    _a_connected(a)
    chosen = CallRailSettings.objects.get(account=a.account)
    chosen.signing_key = "pasted-wrong"
    chosen.save()
    post(
        chosen,
        {"resource_id": "CALa", "tracking_phone_number": "+14155550134"},
        sign_with="a-secret",
    )
    rejected = InboundDelivery.objects.get(account=a.account)
    assert rejected.status == DeliveryStatus.REJECTED
    CallRailSettings.objects.filter(account=a.account).update(
        signing_key="a-secret", signing_key_saved_at=timezone.now()
    )
    connect(b, api_key="bolt-key-5678")
    assert b.admin_client.post("/callrail/rejected/").status_code == 302
    rejected.refresh_from_db()
    assert rejected.status == DeliveryStatus.REJECTED
    _a_untouched(a)
    assert a.admin_client.post("/callrail/rejected/").status_code == 302
    rejected.refresh_from_db()
    assert rejected.status != DeliveryStatus.REJECTED


def callrail_trackers(a, b):
    _a_connected(a)
    _page_says_no_key(a, b, "/callrail/trackers/")


def callrail_tracker_new(a, b):
    _a_connected(a)
    tracker = {"type": "source", "name": "X", "destination_number": "+14125551234"}
    _page_says_no_key(a, b, "/callrail/trackers/new/", method="post", data=tracker)


def callrail_tracker_edit(a, b):
    _a_connected(a)
    _page_says_no_key(a, b, "/callrail/trackers/TRK1/edit/")


def callrail_tracker_disable(a, b):
    _a_connected(a)
    _page_says_no_key(a, b, "/callrail/trackers/TRK1/disable/", method="post")


def callrail_tracker_picker(a, b):
    _a_connected(a)
    _page_says_no_key(a, b, "/callrail/tracker-picker/", status=200)


def _api_needs_b_key(a, b, method, path, body=None):
    def send(tenant):
        kwargs = bearer(tenant.token.raw)
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type="application/json")
        return getattr(Client(), method)(f"/v1/e/callrail/{path}", **kwargs)

    _a_reaches_callrail(lambda: send(a))
    with responses.RequestsMock() as upstream:
        response = send(b)
        assert len(upstream.calls) == 0
    assert response.status_code == 400
    assert response.json()["message"] == NO_KEY


def api_callrail_key(a, b):
    _a_connected(a)
    own = Client().get("/v1/e/callrail/key", **bearer(a.token.raw)).json()["data"]
    assert own["connected"] is True and own["last4"] == KEY[-4:]
    response = Client().get("/v1/e/callrail/key", **bearer(b.token.raw))
    assert response.status_code == 200
    assert response.json()["data"]["connected"] is False
    assert response.json()["data"]["last4"] is None
    removed = Client().delete("/v1/e/callrail/key", **bearer(b.token.raw))
    assert (removed.status_code, removed.json()["message"]) == (400, NO_KEY)
    _a_untouched(a)


def api_callrail_accounts(a, b):
    _a_connected(a)
    _api_needs_b_key(a, b, "get", "accounts")


def api_callrail_companies(a, b):
    _a_connected(a)
    _api_needs_b_key(a, b, "get", "companies?account_id=ACC1")


def api_callrail_webhook(a, b):
    _a_connected(a)
    _api_needs_b_key(
        a,
        b,
        "post",
        "companies/webhook",
        {"account_id": "A", "company_id": "C", "webhook_url": "https://x.test/"},
    )


def api_callrail_trackers(a, b):
    _a_connected(a)
    _api_needs_b_key(a, b, "get", "trackers")


def api_callrail_tracker(a, b):
    _a_connected(a)
    _api_needs_b_key(a, b, "get", "trackers/TRK1")
    _api_needs_b_key(a, b, "delete", "trackers/TRK1")


CASES = {
    name: function
    for name, function in list(globals().items())
    if name.startswith(("callrail_", "api_callrail_")) and callable(function)
}

EXEMPT = {
    "callrail_webhook": "CallRail's own deliveries, addressed by an unguessable per-account token",
    "callrail_webhook_unslashed": "callrail_webhook without its trailing slash: the same view",
}
