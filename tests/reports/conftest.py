"""A hand-counted month start in a New York account: the figures every report test checks.

Period 2025-01-01 .. 2025-01-03 (EST, UTC-5). Roofing (form) goes to the member, Solar
(webhook) to the admin.

    lead  campaign  source   rep        arrives (local)      status     revenue  first resp.
    L1    Roofing   form     member     Jan 1 10:00          won        1000.00  60 s
    L2    Roofing   form     member     Jan 1 23:30 (Jan 2Z) lost        500.00  120 s
    L3    Roofing   call     member     Jan 2 09:00          contacted       —   300 s
    L4    Solar     webhook  admin      Jan 2 12:00          won         250.50  30 s
    L5    Solar     webhook  admin      Jan 3 00:30 (05:30Z) new             —   —
    L6    Solar     webhook  unassigned Jan 3 18:00          won         100.00  90 s
    out   Roofing   form     member     Dec 31 23:59 (Jan 1Z), Solar Jan 4 00:00 local,
          and a lead of another account inside the period.
"""

from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from campaigns import services
from campaigns.models import Lead
from tests.campaigns.factories import make_campaign
from tests.notifications.conftest import committed  # noqa: F401  (shared fixture)

NEW_YORK = ZoneInfo("America/New_York")
START, END = date(2025, 1, 1), date(2025, 1, 3)


def local(*parts):
    return datetime(*parts, tzinfo=NEW_YORK)


def add_lead(campaign, ref, source, arrived, status="new", revenue=None, first_response_s=None):
    lead, _ = services.capture_lead(
        campaign=campaign, source=source, external_id=ref, name=ref, phone="+14155550100"
    )
    Lead.objects.filter(pk=lead.pk).update(
        created_at=arrived,
        status=status,
        revenue=Decimal(revenue) if revenue is not None else None,
        first_response_s=first_response_s,
        first_response_at=arrived if first_response_s is not None else None,
    )
    return Lead.objects.get(pk=lead.pk)


@pytest.fixture
def month(tenant_a, tenant_b):
    account = tenant_a.account
    account.timezone = "America/New_York"
    account.currency = "EUR"
    account.save()
    roofing = make_campaign(
        tenant_a, campaign_name="Roofing", selected_user=[{"id": tenant_a.member.pk}]
    )
    solar = make_campaign(
        tenant_a,
        campaign_name="Solar",
        integration="webhook",
        selected_user=[{"id": tenant_a.admin.pk}],
    )
    leads = SimpleNamespace(
        l1=add_lead(roofing, "L1", "form", local(2025, 1, 1, 10), "won", "1000.00", 60),
        l2=add_lead(roofing, "L2", "form", local(2025, 1, 1, 23, 30), "lost", "500.00", 120),
        l3=add_lead(roofing, "L3", "call", local(2025, 1, 2, 9), "contacted", None, 300),
        l4=add_lead(solar, "L4", "webhook", local(2025, 1, 2, 12), "won", "250.50", 30),
        l5=add_lead(solar, "L5", "webhook", local(2025, 1, 3, 0, 30)),
        l6=add_lead(solar, "L6", "webhook", local(2025, 1, 3, 18), "won", "100.00", 90),
        before=add_lead(roofing, "early", "form", local(2024, 12, 31, 23, 59), "won", "9", 5),
        after=add_lead(solar, "late", "webhook", local(2025, 1, 4, 0, 0), "won", "9", 5),
    )
    Lead.objects.filter(pk=leads.l6.pk).update(representative=None)
    other = make_campaign(tenant_b, campaign_name="Bolt secret campaign")
    add_lead(other, "B1", "form", local(2025, 1, 2, 12), "won", "7777", 10)
    return SimpleNamespace(
        a=tenant_a, b=tenant_b, roofing=roofing, solar=solar, leads=leads, start=START, end=END
    )
