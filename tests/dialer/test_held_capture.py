"""Capturing a dialer campaign's held calls: captures into one inbound campaign sent at once (two
saves of it, each capturing after commit) take turns, so each held call is queued once and the
leads are made in the order the calls came."""

import threading
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import timedelta

import pytest
from django.db import connections
from django.utils import timezone

from campaignhub import intake
from campaignhub.models import DeliveryStatus, InboundDelivery
from campaigns.models import Campaign, Lead
from dialer import services
from tests.dialer.test_notifications import _cdr, _held_campaign

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_capture_sent_while_another_runs_waits_and_the_counts_add_up(
    tenant_a, connected, monkeypatch
):
    """The second capture is sent while the first is about to claim its first delivery: it
    waits for the first to finish, then finds nothing held (before, it ran through first and
    queued all three, and the first queued none)."""
    inbound, campaign = _held_campaign(tenant_a)
    Campaign.objects.filter(pk=inbound.pk).update(status=False)
    for call_ref in ("c0", "c1", "c2"):
        _cdr(campaign, call_ref=call_ref)
    held = list(InboundDelivery.objects.filter(status=DeliveryStatus.IGNORED).order_by("id"))
    assert len(held) == 3
    # The calls came c2, c0, c1 (their deliveries' ids are in posting order).
    start = timezone.now() - timedelta(hours=1)
    for minutes, index in enumerate([2, 0, 1]):
        InboundDelivery.objects.filter(pk=held[index].pk).update(
            received_at=start + timedelta(minutes=minutes)
        )
    Campaign.objects.filter(pk=inbound.pk).update(status=True)
    reverify = intake.reverify
    started = threading.Event()
    pool = ThreadPoolExecutor(max_workers=1)
    second = []

    def capture():
        try:
            return services.capture_held_calls(campaign=campaign)
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
        first = services.capture_held_calls(campaign=campaign)
        later = second[0].result(timeout=30)
    finally:
        pool.shutdown(wait=True)
    assert (first, later) == (3, 0)
    made = list(Lead.objects.order_by("id").values_list("external_id", flat=True))
    assert made == ["c2", "c0", "c1"]
