"""Capturing a campaign's held leads: captures sent at once take turns, so their counts add up
to the held deliveries, and the leads are made in the order the deliveries arrived."""

import threading
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import timedelta

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from campaignhub import intake
from campaignhub.models import DeliveryStatus, InboundDelivery, Membership
from campaigns import services
from campaigns.models import Campaign, Lead
from tests.campaigns.factories import make_campaign


def held_campaign(tenant, count=3):
    """A webhook campaign that held `count` leads while paused (the last to arrive stored first,
    so arrival order is not id order), then was switched on again."""
    campaign = make_campaign(tenant, integration="webhook", campaign_name="Roofing")
    Campaign.objects.filter(pk=campaign.pk).update(status=False)
    url = f"/webhooks/leads/{campaign.webhook_token}/"
    for n in range(count):
        body = {"external_id": f"held-{n}", "phone": f"+1415555011{n}"}
        assert Client().post(url, body, content_type="application/json").status_code == 200
    held = list(InboundDelivery.objects.filter(status=DeliveryStatus.IGNORED).order_by("id"))
    assert len(held) == count
    start = timezone.now() - timedelta(hours=1)
    # Arrival order: held-2, held-0, held-1 (the deliveries' ids are in posting order).
    for minutes, index in enumerate([2, 0, 1][:count]):
        InboundDelivery.objects.filter(pk=held[index].pk).update(
            received_at=start + timedelta(minutes=minutes)
        )
    Campaign.objects.filter(pk=campaign.pk).update(status=True)
    return Campaign.objects.get(pk=campaign.pk)


def admin_of(tenant):
    return Membership.objects.get(account=tenant.account, user=tenant.admin)


@pytest.mark.django_db(transaction=True)
def test_two_captures_in_a_row_queue_each_held_lead_once_in_arrival_order(tenant_a):
    campaign = held_campaign(tenant_a)
    admin = admin_of(tenant_a)
    assert services.capture_held_leads(campaign=campaign, actor=admin) == 3
    assert services.capture_held_leads(campaign=campaign, actor=admin) == 0
    made = list(Lead.objects.order_by("id").values_list("external_id", flat=True))
    assert made == ["held-2", "held-0", "held-1"]


@pytest.mark.django_db(transaction=True)
def test_a_capture_sent_while_another_runs_waits_and_the_counts_add_up(tenant_a, monkeypatch):
    """The second capture is sent while the first is about to claim its first delivery: it
    waits for the first to finish, then finds nothing held (before, it queued all three, and
    the first queued them again: 6 for 3)."""
    campaign = held_campaign(tenant_a)
    admin = admin_of(tenant_a)
    reverify = intake.reverify
    started = threading.Event()
    pool = ThreadPoolExecutor(max_workers=1)
    second = []

    def capture():
        try:
            return services.capture_held_leads(campaign=campaign, actor=admin)
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
        first = services.capture_held_leads(campaign=campaign, actor=admin)
        later = second[0].result(timeout=30)
    finally:
        pool.shutdown(wait=True)
    assert (first, later) == (3, 0)
    made = list(Lead.objects.order_by("id").values_list("external_id", flat=True))
    assert made == ["held-2", "held-0", "held-1"]
