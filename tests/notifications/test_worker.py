"""Sending through a real Celery worker on Redis (the scaled mode), not eagerly."""

import os
import time

import pytest
import responses

from campaignhub.celery import app
from notifications.models import Delivery, Status
from notifications.services import notify
from tests.notifications.conftest import twilio_error, twilio_message

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"), reason="needs Redis; runs in the PostgreSQL + Redis suite"
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def worker(settings):
    import celery.contrib.testing.tasks  # noqa: F401  (registers the ping task the worker expects)
    from celery.contrib.testing.worker import start_worker

    settings.NOTIFICATION_RETRY_BACKOFF = 0.05
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        app.conf.task_always_eager = True


def wait_for(condition, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


@responses.activate
def test_worker_retries_transient_failures_with_backoff_then_sends(tenant_a, twilio, worker):
    responses.post(twilio, status=503, json=twilio_error(20503, "Unavailable", 503))
    responses.post(twilio, status=503, json=twilio_error(20503, "Unavailable", 503))
    responses.post(twilio, status=201, json=twilio_message(sid="SMworker"))
    tenant_a.member.phone = "+14155550100"
    tenant_a.member.save()
    notify(
        account=tenant_a.account,
        event="test",
        recipients=[tenant_a.member],
        context={"account": tenant_a.account, "user": tenant_a.member},
        channels=["sms"],
    )
    delivery = Delivery.objects.get()
    assert wait_for(lambda: Delivery.objects.get(pk=delivery.pk).status == Status.SENT)
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.provider_message_id) == (3, "SMworker")


@responses.activate
def test_worker_gives_up_at_once_on_a_permanent_failure(tenant_a, twilio, worker):
    responses.post(twilio, status=400, json=twilio_error(21211, "Invalid 'To' number", 400))
    notify(
        account=tenant_a.account,
        event="test",
        recipients=["+14155550111"],
        context={"account": tenant_a.account, "user": None},
        channels=["sms"],
    )
    assert wait_for(lambda: Delivery.objects.get().status == Status.FAILED)
    assert Delivery.objects.get().attempts == 1
    assert len(responses.calls) == 1
