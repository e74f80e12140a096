"""Cross-tenant cases for campaign and lead URLs (see tests/test_cross_tenant.py)."""

import json

from django.test import Client

from campaigns import services
from campaigns.models import Campaign, Lead, LeadSource
from tests.campaigns.factories import make_campaign
from tests.factories import bearer

SECRET = "Acme secret campaign"


def _campaign(a, **overrides):
    return make_campaign(a, campaign_name=SECRET, **overrides)


def _lead(a):
    campaign = _campaign(a)
    lead, _ = services.capture_lead(
        campaign=campaign,
        source=LeadSource.FORM,
        external_id="x",
        name="Acme secret lead",
        phone="+14155550111",
    )
    return lead


def _unchanged(campaign):
    campaign.refresh_from_db()
    assert (campaign.campaign_name, campaign.status, campaign.is_deleted) == (SECRET, True, False)


def campaign_list(a, b):
    _campaign(a)
    content = b.admin_client.get("/campaigns/").content.decode()
    assert SECRET not in content and "<strong>0</strong><span>Total</span>" in content


def campaign_create(a, b):
    b.admin_client.post(
        "/campaigns/new/",
        {"campaign_name": "B", "integration": "form", "representatives": [a.member.pk]},
    )
    assert not Campaign.objects.filter(account=b.account).exists()


def campaign_preview(a, b):
    response = b.admin_client.post(
        "/campaigns/preview/", {"campaign_name": "B", "email_subject": "{{lead_name}}"}
    )
    assert response.status_code == 200


def campaign_test_alert(a, b):
    b.admin_client.post("/campaigns/test-alert/", {"notification_type": "only_send_email"})
    from notifications.models import Delivery

    assert not Delivery.objects.filter(account=a.account).exists()


def campaign_detail(a, b):
    assert b.admin_client.get(f"/campaigns/{_campaign(a).pk}/").status_code == 404


def campaign_edit(a, b):
    campaign = _campaign(a)
    assert b.admin_client.get(f"/campaigns/{campaign.pk}/edit/").status_code == 404
    response = b.admin_client.post(
        f"/campaigns/{campaign.pk}/edit/", {"campaign_name": "Hijacked", "integration": "form"}
    )
    assert response.status_code == 404
    _unchanged(campaign)


def campaign_status(a, b):
    campaign = _campaign(a)
    assert b.admin_client.post(f"/campaigns/{campaign.pk}/status/").status_code == 404
    _unchanged(campaign)


def campaign_delete(a, b):
    campaign = _campaign(a)
    assert b.admin_client.post(f"/campaigns/{campaign.pk}/delete/").status_code == 404
    _unchanged(campaign)


def lead_list(a, b):
    _lead(a)
    assert "Acme secret lead" not in b.admin_client.get("/leads/").content.decode()


def lead_detail(a, b):
    assert b.admin_client.get(f"/leads/{_lead(a).pk}/").status_code == 404


def api_campaigns(a, b):
    _campaign(a)
    assert Client().get("/v1/campaigns", **bearer(b.token.raw)).json()["data"] == []
    response = Client().post(
        "/v1/campaigns",
        json.dumps(
            {
                "campaigndata": {
                    "campaign_name": "B",
                    "integration": "form",
                    "selected_user": [{"id": a.admin.pk}],
                }
            }
        ),
        content_type="application/json",
        **bearer(b.token.raw),
    )
    assert response.status_code == 400


def api_campaign(a, b):
    campaign = _campaign(a)
    client, auth = Client(), bearer(b.token.raw)
    assert client.get(f"/v1/campaigns/{campaign.pk}", **auth).status_code == 404
    put = client.put(
        f"/v1/campaigns/{campaign.pk}",
        json.dumps({"campaigndata": {"status": False}}),
        content_type="application/json",
        **auth,
    )
    assert put.status_code == 404
    assert client.delete(f"/v1/campaigns/{campaign.pk}", **auth).status_code == 404
    _unchanged(campaign)


def api_campaign_filters(a, b):
    _campaign(a)
    assert Client().get("/v1/campaigns/filters", **bearer(b.token.raw)).json()["data"]["total"] == 0


def api_tracking_numbers(a, b):
    _campaign(a, integration="callrail", tracking_number="+14155551234")
    assert (
        Client().get("/v1/campaigns/tracking-numbers", **bearer(b.token.raw)).json()["data"] == []
    )


def api_leads(a, b):
    _lead(a)
    assert Client().get("/v1/leads", **bearer(b.token.raw)).json()["data"] == []


def api_lead(a, b):
    assert Client().get(f"/v1/leads/{_lead(a).pk}", **bearer(b.token.raw)).status_code == 404


def public_form(a, b):
    # Public by design; what matters is that a lead lands only in the form's own campaign.
    campaign = _campaign(a)
    Client().post(f"/f/{campaign.form_secret_id}/", {"phone": "4155550111"})
    assert Lead.objects.get().account == a.account


CASES = {
    "campaign_list": campaign_list,
    "campaign_create": campaign_create,
    "campaign_preview": campaign_preview,
    "campaign_test_alert": campaign_test_alert,
    "campaign_detail": campaign_detail,
    "campaign_edit": campaign_edit,
    "campaign_status": campaign_status,
    "campaign_delete": campaign_delete,
    "lead_list": lead_list,
    "lead_detail": lead_detail,
    "api_campaigns": api_campaigns,
    "api_campaign": api_campaign,
    "api_campaign_filters": api_campaign_filters,
    "api_tracking_numbers": api_tracking_numbers,
    "api_leads": api_leads,
    "api_lead": api_lead,
    "public_form": public_form,
}

EXEMPT = {
    "lead_webhook": "inbound webhook, addressed by an unguessable per-campaign token",
}
