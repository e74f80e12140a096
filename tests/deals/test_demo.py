"""The demo: the roofing campaign opens deals, which stand in several stages, some won."""

import io
from datetime import timedelta

import pytest

from campaigns import demo as campaigns_demo
from campaigns.models import Campaign, Lead
from crm import demo
from crm.models import Deal

pytestmark = pytest.mark.django_db


def test_the_demo_puts_deals_in_several_stages_and_runs_again_unchanged(tenant_a):
    out = io.StringIO()
    people = {"account": tenant_a.account, "admin": tenant_a.admin, "member": tenant_a.member}
    for _ in range(2):
        campaigns_demo.load(**people, stdout=out)
        demo.load(**people, stdout=out)
        campaigns_demo.arrive(**people, stdout=out)
        demo.arrive(**people, stdout=out)

    campaign = Campaign.objects.get(campaign_name=demo.DEMO_CAMPAIGN)
    assert campaign.create_deal is True
    deals = Deal.objects.filter(account=tenant_a.account).select_related("stage", "lead")
    assert deals.count() == len(demo.PLAN) == campaign.leads.count()
    assert {deal.stage.name for deal in deals} == {"New", "Contacted", "Qualified", "Won", "Lost"}
    won = [deal for deal in deals if deal.stage.kind == "won"]
    assert len(won) == 2
    for deal in won:
        assert deal.won_at is not None
        assert (deal.lead.status, deal.lead.revenue) == ("won", deal.value)
    assert "Deals: 6 of today's leads on the board" in out.getvalue()


def test_todays_demo_leads_came_over_the_last_hour_and_were_answered_in_minutes(tenant_a):
    people = {"account": tenant_a.account, "admin": tenant_a.admin, "member": tenant_a.member}
    out = io.StringIO()
    campaigns_demo.load(**people, stdout=out)
    demo.load(**people, stdout=out)
    campaigns_demo.arrive(**people, stdout=out)
    demo.arrive(**people, stdout=out)

    leads = list(Campaign.objects.get(campaign_name=demo.DEMO_CAMPAIGN).leads.order_by("id"))
    arrivals = [lead.created_at for lead in leads]
    assert arrivals == sorted(arrivals) and arrivals[-1] - arrivals[0] >= timedelta(minutes=30)
    worked = [lead for lead in leads if lead.first_response_at is not None]
    assert worked, "the demo works some of today's leads"
    for lead in worked:
        assert lead.first_response_s >= 120
        assert lead.first_response_at - lead.created_at == timedelta(seconds=lead.first_response_s)


def test_every_demo_lead_was_alerted_before_its_first_response(
    tenant_a, django_capture_on_commit_callbacks
):
    people = {"account": tenant_a.account, "admin": tenant_a.admin, "member": tenant_a.member}
    out = io.StringIO()
    # As `manage.py demo` runs: alerts go out once the whole load is committed.
    with django_capture_on_commit_callbacks(execute=True):
        campaigns_demo.load(**people, stdout=out)
        demo.load(**people, stdout=out)
        campaigns_demo.arrive(**people, stdout=out)
        demo.arrive(**people, stdout=out)

    leads = list(Lead.objects.filter(account=tenant_a.account).order_by("id"))
    assert leads and all(lead.alerted_at is not None for lead in leads)
    worked = [lead for lead in leads if lead.first_response_at is not None]
    assert worked, "the demo works some of today's leads"
    for lead in leads:
        assert lead.created_at <= lead.alerted_at, lead.name
    for lead in worked:
        assert lead.alerted_at <= lead.first_response_at, lead.name
        # Measured from the alert, as the lead page and the reports read it.
        assert lead.first_response_at - lead.alerted_at == timedelta(
            seconds=lead.first_response_s
        ), lead.name
