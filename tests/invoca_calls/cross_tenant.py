"""Cross-tenant cases for the Invoca calls URLs: a call posted with B's webhook token never
becomes a lead of A, even when it names A's advertiser campaign; B's "Poll now" and "Capture
held calls" never touch A's connection or A's held calls."""

import json

import responses
from django.test import Client

from campaignhub.intake import process_delivery
from campaignhub.models import DeliveryStatus, InboundDelivery
from campaigns.models import Lead
from invoca.webhooks import receiver_for
from tests.invoca_calls.conftest import advertiser_campaign, connect, fixture, invoca_campaign


def invoca_webhook(a, b):
    invoca_campaign(a, advertiser_campaign(a))
    a_token = receiver_for(a.account).webhook_token
    b_token = receiver_for(b.account).webhook_token
    call = fixture("post_call__json")

    def post(token, payload):
        response = Client().post(
            f"/webhooks/invoca/{token}/", json.dumps(payload), content_type="application/json"
        )
        # Processing is queued after commit, which a test in one transaction never reaches.
        process_delivery(response.json()["id"])
        return response

    assert post(b_token, call).status_code == 200
    stored = InboundDelivery.objects.get(account=b.account)
    assert stored.status == DeliveryStatus.IGNORED
    assert not Lead.objects.exists()
    # Control: the same call through A's own receiver is A's lead.
    assert post(a_token, call).status_code == 200
    assert Lead.objects.get().account == a.account
    assert not Lead.objects.filter(account=b.account).exists()


def invoca_poll_now(a, b):
    theirs = connect(a)
    with responses.RequestsMock() as upstream:
        response = b.admin_client.post("/invoca/connection/poll/")
        assert len(upstream.calls) == 0
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert (theirs.transactions_polled_at, theirs.transactions_cursor) == (None, "")


def invoca_capture_held(a, b):
    advertiser_campaign(a)  # no inbound campaign takes its calls: they are held
    token = receiver_for(a.account).webhook_token
    response = Client().post(
        f"/webhooks/invoca/{token}/",
        json.dumps(fixture("post_call__json")),
        content_type="application/json",
    )
    process_delivery(response.json()["id"])
    held = InboundDelivery.objects.get(account=a.account)
    assert held.status == DeliveryStatus.IGNORED
    page = b.admin_client.get("/invoca/connection/").content.decode()
    assert "roof-2026" not in page
    assert b.admin_client.post("/invoca/connection/held-calls/").status_code == 302
    after = InboundDelivery.objects.get(pk=held.pk)
    assert (after.status, after.attempts, after.error) == (held.status, held.attempts, held.error)


CASES = {
    "invoca_webhook": invoca_webhook,
    "invoca_poll_now": invoca_poll_now,
    "invoca_capture_held": invoca_capture_held,
}
EXEMPT = {
    "invoca_webhook_unslashed": "invoca_webhook without its trailing slash: the same view",
}
