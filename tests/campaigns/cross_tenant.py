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


def _page(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status
    return response.content.decode()


def _api(tenant, path, status=200):
    response = Client().get(path, **bearer(tenant.token.raw))
    assert response.status_code == status
    return response.json()


def _unchanged(campaign):
    campaign.refresh_from_db()
    assert (campaign.campaign_name, campaign.status, campaign.is_deleted) == (SECRET, True, False)


def campaign_list(a, b):
    _campaign(a)
    assert SECRET in _page(a.admin_client, "/campaigns/")
    content = _page(b.admin_client, "/campaigns/")
    assert SECRET not in content and "<strong>0</strong><span>Total</span>" in content


def campaign_create(a, b):
    form = {"campaign_name": "B", "integration": "form", "notification_type": "only_send_email"}
    refused = b.admin_client.post("/campaigns/new/", {**form, "representatives": [a.member.pk]})
    assert refused.status_code == 400
    assert not Campaign.objects.filter(account=b.account).exists()
    # Control: the same form with B's own person is accepted.
    created = b.admin_client.post("/campaigns/new/", {**form, "representatives": [b.member.pk]})
    assert created.status_code == 302
    assert Campaign.objects.get(account=b.account).representatives.get() == b.member


def campaign_preview(a, b):
    # The preview is filled in with the signed-in person of the caller's own account only.
    rule = {"campaign_name": "B", "email_subject": "For {{representative_name}}"}
    own = a.admin_client.post("/campaigns/preview/", rule)
    assert own.status_code == 200 and "For Acme Agency Admin" in own.content.decode()
    response = b.admin_client.post("/campaigns/preview/", rule)
    assert response.status_code == 200
    assert "For Bolt Media Admin" in response.content.decode()
    assert "Acme" not in response.content.decode()


def campaign_test_alert(a, b):
    response = b.admin_client.post(
        "/campaigns/test-alert/", {"notification_type": "only_send_email"}
    )
    assert response.status_code == 200
    from notifications.models import Delivery

    assert Delivery.objects.get(account=b.account).recipient == b.admin.email
    assert not Delivery.objects.filter(account=a.account).exists()


def campaign_checks(a, b):
    campaign = _campaign(a)
    form = {"campaign_name": "B", "integration": "form"}
    own = a.admin_client.post(f"/campaigns/checks/?campaign={campaign.pk}", form)
    assert own.status_code == 200
    other = b.admin_client.post(f"/campaigns/checks/?campaign={campaign.pk}", form)
    assert other.status_code == 404


def campaign_attention(a, b):
    _campaign(a)  # no representatives: it needs attention
    own = a.admin_client.get("/campaigns/attention/")
    assert own.status_code == 200 and SECRET in own.content.decode()
    other = b.admin_client.get("/campaigns/attention/")
    assert other.status_code == 200 and SECRET not in other.content.decode()


def campaign_detail(a, b):
    campaign = _campaign(a)
    assert SECRET in _page(a.admin_client, f"/campaigns/{campaign.pk}/")
    _page(b.admin_client, f"/campaigns/{campaign.pk}/", status=404)


def campaign_edit(a, b):
    campaign = _campaign(a)
    assert SECRET in _page(a.admin_client, f"/campaigns/{campaign.pk}/edit/")
    assert b.admin_client.get(f"/campaigns/{campaign.pk}/edit/").status_code == 404
    response = b.admin_client.post(
        f"/campaigns/{campaign.pk}/edit/", {"campaign_name": "Hijacked", "integration": "form"}
    )
    assert response.status_code == 404
    _unchanged(campaign)


def campaign_status(a, b):
    campaign = _campaign(a)
    assert f"/campaigns/{campaign.pk}/status/" in _page(
        a.admin_client, f"/campaigns/{campaign.pk}/"
    )
    assert (
        b.admin_client.post(f"/campaigns/{campaign.pk}/status/", {"status": "off"}).status_code
        == 404
    )
    _unchanged(campaign)


def campaign_delete(a, b):
    campaign = _campaign(a)
    assert f"/campaigns/{campaign.pk}/delete/" in _page(
        a.admin_client, f"/campaigns/{campaign.pk}/"
    )
    assert b.admin_client.post(f"/campaigns/{campaign.pk}/delete/").status_code == 404
    _unchanged(campaign)


def campaign_held_leads(a, b):
    from django.test import Client

    from campaignhub.models import InboundDelivery

    campaign = _campaign(a)
    services.update_campaign(campaign=campaign, changes={"integration": "webhook"})
    services.update_campaign(campaign=campaign, changes={"status": False})
    url = f"/webhooks/leads/{Campaign.objects.get(pk=campaign.pk).webhook_token}/"
    Client().post(url, '{"phone": "+14155550111"}', content_type="application/json")
    services.update_campaign(campaign=campaign, changes={"status": True})
    assert f"/campaigns/{campaign.pk}/held-leads/" in _page(
        a.admin_client, f"/campaigns/{campaign.pk}/"
    )
    assert b.admin_client.post(f"/campaigns/{campaign.pk}/held-leads/").status_code == 404
    assert InboundDelivery.objects.get().status == "ignored"


def api_campaign_held_leads(a, b):
    from campaignhub.models import InboundDelivery

    campaign = _campaign(a, integration="webhook")
    services.update_campaign(campaign=campaign, changes={"status": False})
    url = f"/webhooks/leads/{Campaign.objects.get(pk=campaign.pk).webhook_token}/"
    Client().post(url, '{"phone": "+14155550111"}', content_type="application/json")
    services.update_campaign(campaign=campaign, changes={"status": True})
    assert _api(a, f"/v1/campaigns/{campaign.pk}")["data"]["held"]["count"] == 1
    path = f"/v1/campaigns/{campaign.pk}/held-leads"
    refused = Client().post(path, content_type="application/json", **bearer(b.token.raw))
    assert refused.status_code == 404, refused.content
    assert InboundDelivery.objects.get().status == "ignored"


def lead_list(a, b):
    _lead(a)
    assert "Acme secret lead" in _page(a.admin_client, "/leads/")
    assert "Acme secret lead" not in _page(b.admin_client, "/leads/")


def lead_detail(a, b):
    lead = _lead(a)
    assert "Acme secret lead" in _page(a.admin_client, f"/leads/{lead.pk}/")
    _page(b.admin_client, f"/leads/{lead.pk}/", status=404)


def api_campaigns(a, b):
    _campaign(a)
    assert [c["campaign_name"] for c in _api(a, "/v1/campaigns")["data"]] == [SECRET]
    assert _api(b, "/v1/campaigns")["data"] == []
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
    assert list(response.json()["errors"]) == ["selected_user"]
    assert not Campaign.objects.filter(account=b.account).exists()


def api_campaign(a, b):
    campaign = _campaign(a)
    assert _api(a, f"/v1/campaigns/{campaign.pk}")["data"]["campaign_name"] == SECRET
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
    assert _api(a, "/v1/campaigns/filters")["data"]["total"] == 1
    assert _api(b, "/v1/campaigns/filters")["data"]["total"] == 0


def api_tracking_numbers(a, b):
    _campaign(a, integration="callrail", tracking_number="+14155551234")
    numbers = _api(a, "/v1/campaigns/tracking-numbers")["data"]
    assert [row["tracking_number"] for row in numbers] == ["+14155551234"]
    assert _api(b, "/v1/campaigns/tracking-numbers")["data"] == []


def api_leads(a, b):
    _lead(a)
    assert [lead["name"] for lead in _api(a, "/v1/leads")["data"]] == ["Acme secret lead"]
    assert _api(b, "/v1/leads")["data"] == []


def api_lead(a, b):
    lead = _lead(a)
    assert _api(a, f"/v1/leads/{lead.pk}")["data"]["name"] == "Acme secret lead"
    assert _api(b, f"/v1/leads/{lead.pk}", status=404)["message"] == "Lead not found"
    response = Client().patch(
        f"/v1/leads/{lead.pk}",
        json.dumps({"status": "won", "revenue": 10}),
        content_type="application/json",
        **bearer(b.token.raw),
    )
    assert response.status_code == 404
    lead.refresh_from_db()
    assert (lead.status, lead.revenue) == ("new", None)
    for person in (b.admin.pk, a.admin.pk):
        response = Client().patch(
            f"/v1/leads/{lead.pk}",
            json.dumps({"representative": person}),
            content_type="application/json",
            **bearer(b.token.raw),
        )
        assert response.status_code == 404
    # A's admin cannot give A's lead to B's admin either: not a member of A.
    response = Client().patch(
        f"/v1/leads/{lead.pk}",
        json.dumps({"representative": b.admin.pk}),
        content_type="application/json",
        **bearer(a.token.raw),
    )
    assert response.status_code == 400
    assert response.json()["errors"]["representative"]
    lead.refresh_from_db()
    assert lead.representative is None


def lead_assign(a, b):
    lead = _lead(a)
    assert f"/leads/{lead.pk}/representative/" in _page(a.admin_client, f"/leads/{lead.pk}/")
    for person in (b.admin.pk, a.admin.pk):
        response = b.admin_client.post(
            f"/leads/{lead.pk}/representative/", {"representative": person}
        )
        assert response.status_code == 404
    refused = a.admin_client.post(
        f"/leads/{lead.pk}/representative/", {"representative": b.admin.pk}, HTTP_HX_REQUEST="true"
    )
    assert refused.status_code == 400 and "Bolt" not in refused.content.decode()
    lead.refresh_from_db()
    assert lead.representative is None


def lead_outcome(a, b):
    lead = _lead(a)
    assert f"/leads/{lead.pk}/outcome/" in _page(a.admin_client, f"/leads/{lead.pk}/")
    response = b.admin_client.post(f"/leads/{lead.pk}/outcome/", {"status": "won"})
    assert response.status_code == 404
    lead.refresh_from_db()
    assert (lead.status, lead.first_response_at) == ("new", None)


def public_form(a, b):
    # Public by design; what matters is that a lead lands only in the form's own campaign.
    campaign = _campaign(a)
    response = Client().post(f"/f/{campaign.form_secret_id}/", {"phone": "4155550111"})
    assert response.status_code == 200
    assert Lead.objects.get().account == a.account


def public_form_send(a, b):
    campaign = _campaign(a)
    response = Client().post(f"/f/{campaign.form_secret_id}/send/", {"phone": "4155550111"})
    assert response.status_code == 200
    assert Lead.objects.get().account == a.account


CASES = {
    "campaign_held_leads": campaign_held_leads,
    "api_campaign_held_leads": api_campaign_held_leads,
    "campaign_list": campaign_list,
    "campaign_create": campaign_create,
    "campaign_preview": campaign_preview,
    "campaign_test_alert": campaign_test_alert,
    "campaign_checks": campaign_checks,
    "campaign_attention": campaign_attention,
    "campaign_detail": campaign_detail,
    "campaign_edit": campaign_edit,
    "campaign_status": campaign_status,
    "campaign_delete": campaign_delete,
    "lead_list": lead_list,
    "lead_detail": lead_detail,
    "lead_outcome": lead_outcome,
    "lead_assign": lead_assign,
    "api_campaigns": api_campaigns,
    "api_campaign": api_campaign,
    "api_campaign_filters": api_campaign_filters,
    "api_tracking_numbers": api_tracking_numbers,
    "api_leads": api_leads,
    "api_lead": api_lead,
    "public_form": public_form,
    "public_form_send": public_form_send,
}

EXEMPT = {
    "lead_webhook": "inbound webhook, addressed by an unguessable per-campaign token",
    "lead_webhook_unslashed": "lead_webhook without its trailing slash: the same view",
}
