"""Demo data for deals: the roofing campaign opens a deal for each lead on the Sales pipeline,
and its deals stand in several stages, two of them won with their value as revenue."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from campaigns import services as campaign_services
from campaigns.demo import capture_form_leads
from campaigns.models import Campaign, Lead
from crm import deals, pipelines
from crm.models import StageKind

DEMO_CAMPAIGN = "Spring roofing offer"
DEAL_VALUE = Decimal("4500.00")
MORE_LEADS = [
    ("Amara Okafor", "+14155550184", "amara@example.com", "Whole roof replacement, 2 storeys."),
    ("Ben Carter", "+14155550185", "ben@example.com", "Storm damage on the garage roof."),
    ("Chloe Nguyen", "+14155550186", "", "Skylight leak."),
]
# Where the demo deals stand, oldest first: (stage name, value or None for the campaign's).
PLAN = [
    ("Won", Decimal("5200.00")),
    ("Qualified", None),
    ("New", None),
    ("Won", Decimal("3800.00")),
    ("Contacted", None),
    ("Lost", None),
]


# Today's demo leads arrive this many minutes apart, the newest now, each alerted as it came; a
# worked one was answered a few minutes after its alert.
ARRIVAL_GAP_MINUTES = 7
RESPONSE_MINUTES = (3, 9, 4, 12, 6, 2, 8)


def _spread_over_the_last_hour(leads):
    """Today's demo leads, captured and worked within the same second, read as a real morning:
    arrived `ARRIVAL_GAP_MINUTES` apart up to now (ids keep their order), alerted as they came,
    and those worked answered minutes after that alert (`RESPONSE_MINUTES`), so the lead pages
    and today's report show first responses in minutes rather than 0 s.

    Each is alerted (captured with alerts on, to a campaign with representatives), but the demo
    runs in one transaction and alerts go out after its commit: `alerted_at` is set here, at
    arrival, so the first response (measured from the alert) never precedes it, and the alert
    sent after the commit does not overwrite it (`outcomes.record_alert_sent` keeps the first)."""
    now = timezone.now()
    leads = list(leads)
    for n, lead in enumerate(leads):
        arrived = now - timedelta(minutes=ARRIVAL_GAP_MINUTES * (len(leads) - n))
        update = {"created_at": arrived, "alerted_at": arrived}
        if lead.first_response_at is not None:
            response = timedelta(minutes=RESPONSE_MINUTES[n % len(RESPONSE_MINUTES)], seconds=n)
            update["first_response_at"] = arrived + response
            update["first_response_s"] = int(response.total_seconds())
        Lead.objects.filter(pk=lead.pk).update(**update)


def _campaign(account):
    return (
        Campaign.objects.for_account(account)
        .filter(campaign_name=DEMO_CAMPAIGN, is_deleted=False)
        .first()
    )


def load(*, account, admin, member, stdout):
    """The Sales pipeline, and the roofing campaign set to open a deal for each new lead."""
    campaign = _campaign(account)
    if campaign is None:
        stdout.write(f"Deals: no “{DEMO_CAMPAIGN}” campaign to open deals from.")
        return
    pipeline = pipelines.create_default_pipeline(account)
    if not campaign.create_deal:
        campaign_services.update_campaign(
            campaign=campaign,
            changes={
                "create_deal": True,
                "pipeline_id": str(pipeline.pk),
                "stage_id": str(pipelines.first_stage(pipeline, StageKind.OPEN).pk),
                "deal_value": DEAL_VALUE,
                "currency": account.currency,
            },
        )


def arrive(*, account, admin, member, stdout):
    """Three more of today's roofing leads; the deals of today's leads (the campaigns demo's and
    these) then stand in `PLAN`'s stages. Once."""
    campaign = _campaign(account)
    if campaign is None or not campaign.create_deal:
        return
    if campaign.leads.filter(external_id="demo-deal-0").exists():
        stdout.write(f"Deals: on the board from “{campaign.campaign_name}”.")
        return
    capture_form_leads(campaign, MORE_LEADS, prefix="demo-deal-")
    today = campaign.leads.filter(external_id__startswith="demo-").order_by("id")
    # Leads that came before the campaign opened deals get theirs now.
    opened = [deals.open_for_lead(lead) for lead in today]
    pipeline = pipelines.pipeline_of(account, campaign.pipeline_id)
    stages = {stage.name: stage for stage in pipeline.stages.all()} if pipeline else {}
    for deal, (stage_name, value) in zip(opened, PLAN, strict=False):
        changes = {"stage": stages[stage_name]} if stage_name in stages else {}
        if value is not None:
            changes["value"] = value
        deals.update_deal(deal=deal, changes=changes, actor=admin)
    _spread_over_the_last_hour(today.all())  # read again: the moves above answered some
    stdout.write(f"Deals: {len(opened)} of today's leads on the board from “{DEMO_CAMPAIGN}”.")
