import hashlib
import hmac
import json

import pytest
from django.test import Client

from campaignhub import webhooks
from campaignhub.models import Account, DeliveryStatus, InboundDelivery
from campaignhub.tasks import process_inbound_delivery
from tests.platform import webhook_urls

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.platform.webhook_urls"),
]


@pytest.fixture(autouse=True)
def _reset():
    webhook_urls.processed.clear()


@pytest.fixture
def account():
    return Account.objects.create(name="Acme")


def post(token, payload, **headers):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return Client().post(
        f"/webhooks/example/{token}/", body, content_type="application/json", **headers
    )


def test_delivery_is_stored_raw_then_processed(account):
    response = post("Acme", {"event": "lead", "name": "Ann"}, HTTP_COOKIE="sessionid=x")
    assert response.status_code == 200
    delivery = InboundDelivery.objects.get()
    assert response.json() == {"received": True, "id": delivery.pk}
    assert bytes(delivery.body) == b'{"event": "lead", "name": "Ann"}'
    assert delivery.account == account
    assert delivery.status == DeliveryStatus.PROCESSED
    assert delivery.event == "lead"
    assert delivery.attempts == 1
    assert delivery.signature_valid is None
    assert "Cookie" not in delivery.headers
    assert delivery.headers["Content-Type"] == "application/json"
    assert webhook_urls.processed == [delivery.pk]


def test_known_but_ignored_event_is_200_and_marked_ignored(account):
    assert post("Acme", {"event": "ignored"}).status_code == 200
    assert InboundDelivery.objects.get().status == DeliveryStatus.IGNORED


def test_processing_failure_is_recorded_and_still_answers_200(account):
    response = post("Acme", {"event": "lead", "explode": True})
    assert response.status_code == 200
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.error == "RuntimeError: processor failed"
    assert "Traceback" in delivery.traceback


def test_unparseable_body_is_kept_and_marked_failed(account):
    assert post("Acme", b"\xff not json").status_code == 200
    delivery = InboundDelivery.objects.get()
    assert bytes(delivery.body) == b"\xff not json"
    assert delivery.status == DeliveryStatus.FAILED


def test_a_delivery_processed_twice_runs_its_processor_once(account):
    post("Acme", {"event": "lead"})
    delivery = InboundDelivery.objects.get()
    process_inbound_delivery(delivery.pk)
    process_inbound_delivery.delay(delivery.pk)
    assert webhook_urls.processed == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_failed_delivery_can_be_replayed(account):
    post("Acme", {"event": "lead", "explode": True})
    delivery = InboundDelivery.objects.get()
    payload = json.loads(delivery.text)
    payload.pop("explode")
    InboundDelivery.objects.filter(pk=delivery.pk).update(body=json.dumps(payload).encode())
    assert webhooks.replay_deliveries(InboundDelivery.objects.all()) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PROCESSED
    assert delivery.attempts == 2


def sign(body):
    return hmac.new(webhook_urls.SIGNING_KEY.encode(), body, hashlib.sha256).hexdigest()


def test_good_signature_is_accepted(db):
    Account.objects.create(name="Signed Co")
    body = b'{"event": "lead"}'
    assert post("Signed Co", body, HTTP_X_SIGNATURE=sign(body)).status_code == 200
    delivery = InboundDelivery.objects.get()
    assert delivery.signature_valid is True
    assert delivery.status == DeliveryStatus.PROCESSED


@pytest.mark.parametrize("signature", [None, "bad", sign(b"other body")])
def test_bad_or_missing_signature_is_stored_rejected_and_not_processed(db, signature):
    Account.objects.create(name="Signed Co")
    headers = {"HTTP_X_SIGNATURE": signature} if signature else {}
    response = post("Signed Co", b'{"event": "lead"}', **headers)
    assert response.status_code == 400
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.REJECTED
    assert delivery.signature_valid is False
    assert webhook_urls.processed == []
    assert webhooks.replay_deliveries(InboundDelivery.objects.all()) == 0


def test_unknown_endpoint_is_404_and_stores_nothing(db):
    assert post("Nobody", {"event": "lead"}).status_code == 404
    assert not InboundDelivery.objects.exists()


def test_oversized_body_is_413(account, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 64
    assert post("Acme", {"event": "lead", "pad": "x" * 100}).status_code == 413
    assert not InboundDelivery.objects.exists()


def test_rate_limit_is_429(account, settings):
    settings.WEBHOOK_RATE_LIMIT_PER_MINUTE = 2
    from django.core.cache import cache

    cache.clear()
    codes = [post("Acme", {"event": "lead"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert InboundDelivery.objects.count() == 2


def test_get_is_405(account):
    assert Client().get("/webhooks/example/Acme/").status_code == 405
