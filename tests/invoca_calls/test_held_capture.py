"""Capturing the account's held Invoca calls: captures sent at once (two admins pressing
"Capture held calls", a press while an activation captures) take turns, so each held call is
queued once and the leads are made in the order the calls came; and a press says how many calls
it captured itself, not those another capture took first."""

import threading
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connections
from django.utils import timezone

from campaignhub import intake
from campaignhub.models import DeliveryStatus, InboundDelivery
from campaigns.models import Campaign, Lead
from invoca import leads
from tests.invoca_calls.conftest import fixture, invoca_campaign, post_json

pytestmark = pytest.mark.django_db(transaction=True)

CAPTURE = "/invoca/connection/held-calls/"


def held_calls(tenant, roofing, receiver, count=3):
    """`count` calls held while the Invoca campaign they feed was paused (the last to come
    stored first, so arrival order is not id order), the campaign then switched on without a
    save (so nothing captured them on its own). Returns the calls' transaction ids in the order
    they came."""
    campaign = invoca_campaign(tenant, roofing, status=False)
    call = fixture("post_call__json")
    for n in range(count):
        transaction_id = f"6A1F0C2B-0000009{n}"
        assert post_json(receiver, {**call, "transaction_id": transaction_id}).status_code == 200
    held = list(InboundDelivery.objects.filter(status=DeliveryStatus.IGNORED).order_by("id"))
    assert len(held) == count
    start = timezone.now() - timedelta(hours=1)
    order = [2, 0, 1][:count]
    for minutes, index in enumerate(order):
        InboundDelivery.objects.filter(pk=held[index].pk).update(
            received_at=start + timedelta(minutes=minutes)
        )
    Campaign.objects.filter(pk=campaign.pk).update(status=True)
    return [f"6A1F0C2B-0000009{index}" for index in order]


def made():
    return list(Lead.objects.order_by("id").values_list("external_id", flat=True))


def test_a_capture_sent_while_another_runs_waits_and_the_counts_add_up(
    tenant_a, connection, roofing, receiver, monkeypatch
):
    """The second capture is sent while the first is about to claim its first delivery: it
    waits for the first to finish, then finds nothing held (before, it ran through first and
    queued all three, and the one pressed first queued none)."""
    arrival = held_calls(tenant_a, roofing, receiver)
    account = tenant_a.account
    reverify = intake.reverify
    started = threading.Event()
    pool = ThreadPoolExecutor(max_workers=1)
    second = []

    def capture():
        try:
            return leads.capture_held_calls(account)
        finally:
            connections.close_all()

    def reverify_then_let_another_in(delivery):
        if not started.is_set():
            started.set()
            second.append(pool.submit(capture))
            wait(second, timeout=1)
        return reverify(delivery)

    monkeypatch.setattr(intake, "reverify", reverify_then_let_another_in)
    try:
        first = leads.capture_held_calls(account)
        later = second[0].result(timeout=30)
    finally:
        pool.shutdown(wait=True)
    assert (len(first), later) == (3, [])
    assert made() == arrival
    assert not leads.held_calls(account).exists()


def test_a_press_after_another_capture_took_some_counts_only_its_own(
    tenant_a, connection, roofing, receiver, monkeypatch
):
    """The page showed three held calls; another capture (another admin's press, an
    activation's) took the first two while this press was on its way, so this one captured
    one call, and says so (it said all three were captured as leads)."""
    arrival = held_calls(tenant_a, roofing, receiver)
    capture_held_calls = leads.capture_held_calls

    def another_capture_first(account):
        taken = leads.held_calls(account).order_by("received_at", "id")[:2]
        assert len(intake.replayed(InboundDelivery.objects.filter(pk__in=taken))) == 2
        return capture_held_calls(account)

    monkeypatch.setattr(leads, "capture_held_calls", another_capture_first)
    response = tenant_a.admin_client.post(CAPTURE)
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said[-1:] == ["1 held call captured as a lead."]
    assert made() == arrival
