"""The demo's month of leads: spread over 30 local days, with outcomes, sent no alerts, loaded
once."""

from datetime import timedelta
from io import StringIO

import pytest
from django.utils import timezone

from campaignhub.models import Membership
from campaignhub.tenancy import account_zone
from campaigns.models import Lead
from notifications.models import Delivery
from reports import demo, selectors
from tests.campaigns.factories import make_campaign

pytestmark = pytest.mark.django_db


def test_a_month_of_leads_loads_once_without_alerts(tenant_a, monkeypatch, committed):
    monkeypatch.setattr(demo, "LEADS", 60)
    account = tenant_a.account
    account.timezone = "America/New_York"
    account.save()
    reps = [{"id": tenant_a.member.pk}, {"id": tenant_a.admin.pk}]
    make_campaign(tenant_a, campaign_name="Roofing", selected_user=reps)
    make_campaign(tenant_a, campaign_name="Chat", integration="webhook", selected_user=reps)
    load = {"account": account, "admin": tenant_a.admin, "member": tenant_a.member}

    with committed():
        demo.load(**load, stdout=StringIO())
    leads = Lead.objects.filter(account=account)
    assert leads.count() == 60
    assert not Delivery.objects.exists()
    assert {lead.source for lead in leads} == {"form", "webhook"}
    assert {"new", "contacted", "qualified", "won", "lost"} <= set(
        leads.values_list("status", flat=True)
    )
    assert all(lead.revenue for lead in leads.filter(status="won"))
    assert not leads.exclude(status="won").exclude(revenue=None).exists()
    responded = leads.exclude(status="new")
    assert all(lead.first_response_s is not None for lead in responded)
    # No alert went out about the history, and none is claimed on its pages.
    assert not leads.exclude(alerted_at=None).exists()
    now = timezone.now()
    assert all(now - timedelta(days=31) < lead.created_at < now for lead in leads)
    # Lists are newest first by id: the demo's ids follow its leads' arrival.
    by_id = list(leads.order_by("id").values_list("created_at", flat=True))
    assert by_id == sorted(by_id)

    admin = Membership.objects.get(account=account, user=tenant_a.admin)
    start = timezone.localdate(now, timezone=account_zone(account)) - timedelta(days=29)
    days = selectors.lead_report(admin, group="day", start=start, end=start + timedelta(days=29))
    assert sum(row.leads for row in days) == 60
    assert sum(1 for row in days if row.leads) > 15

    out = StringIO()
    demo.load(**load, stdout=out)
    assert leads.count() == 60
    assert "loaded already" in out.getvalue()
