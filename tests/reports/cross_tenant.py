"""Cross-tenant cases for report URLs: B's reports never count or name A's leads and
campaigns (see tests/test_cross_tenant.py)."""

from datetime import timedelta

from django.test import Client
from django.utils import timezone

from campaigns import services
from campaigns.models import Lead
from tests.campaigns.factories import make_campaign
from tests.factories import bearer

SECRET = "Acme secret campaign"


def _won_lead(a):
    campaign = make_campaign(a, campaign_name=SECRET, selected_user=[{"id": a.member.pk}])
    lead, _ = services.capture_lead(
        campaign=campaign, source="form", external_id="x", name="Acme secret lead"
    )
    Lead.objects.filter(pk=lead.pk).update(
        status="won", revenue="4321.00", created_at=timezone.now() - timedelta(hours=1)
    )
    return campaign


def reports(a, b):
    campaign = _won_lead(a)
    own = a.admin_client.get("/reports/").content.decode()
    assert SECRET in own and "4,321.00" in own
    other = b.admin_client.get("/reports/").content.decode()
    assert SECRET not in other and "4,321.00" not in other
    assert b.admin_client.get(f"/reports/?campaign={campaign.pk}").status_code == 400


def api_report_leads(a, b):
    campaign = _won_lead(a)
    own = Client().get("/v1/reports/leads?group=campaign", **bearer(a.token.raw)).json()
    assert [row["label"] for row in own["data"]] == [SECRET]
    other = Client().get("/v1/reports/leads?group=campaign", **bearer(b.token.raw))
    assert other.json()["data"] == []
    refused = Client().get(f"/v1/reports/leads?campaign={campaign.pk}", **bearer(b.token.raw))
    assert refused.status_code == 400
    assert SECRET not in refused.content.decode()


def report_export(a, b):
    campaign = _won_lead(a)
    own = b"".join(a.admin_client.get("/reports/export/?group=campaign").streaming_content)
    assert SECRET in own.decode() and "4321.00" in own.decode()
    other = b"".join(b.admin_client.get("/reports/export/?group=campaign").streaming_content)
    assert SECRET not in other.decode() and "4321.00" not in other.decode()
    refused = b.admin_client.get(f"/reports/export/?campaign={campaign.pk}")
    assert refused.status_code == 400
    assert SECRET not in refused.content.decode()


def api_report_export(a, b):
    campaign = _won_lead(a)
    url = "/v1/reports/leads/export?group=campaign"
    own = b"".join(Client().get(url, **bearer(a.token.raw)).streaming_content).decode()
    assert SECRET in own
    other = b"".join(Client().get(url, **bearer(b.token.raw)).streaming_content).decode()
    assert SECRET not in other and "4321.00" not in other
    refused = Client().get(f"{url}&campaign={campaign.pk}", **bearer(b.token.raw))
    assert refused.status_code == 400
    assert SECRET not in refused.content.decode()


CASES = {
    "reports": reports,
    "api_report_leads": api_report_leads,
    "report_export": report_export,
    "api_report_export": api_report_export,
}

EXEMPT = {}
