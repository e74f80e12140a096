"""The campaign's deal settings: only the account's pipelines and open stages, on the page's
selects and through the API; another account's ids are refused (form error / 400)."""

import json

import pytest
from django.test import Client

from campaigns.models import Campaign
from crm import pipelines
from tests.deals.conftest import deal_campaign, sales, stage
from tests.factories import bearer

pytestmark = pytest.mark.django_db


def _post_campaign(tenant, data, campaign=None):
    path = f"/v1/campaigns/{campaign.pk}" if campaign else "/v1/campaigns"
    method = Client().put if campaign else Client().post
    return method(
        path,
        json.dumps({"campaigndata": data}),
        content_type="application/json",
        **bearer(tenant.token.raw),
    )


BASE = {"campaign_name": "Roofing", "integration": "form", "create_deal": True}


def test_the_api_takes_the_accounts_pipeline_and_open_stage(tenant_a):
    data = {
        **BASE,
        "pipeline_id": str(sales(tenant_a).pk),
        "stage_id": str(stage(tenant_a, "Qualified").pk),
    }
    response = _post_campaign(tenant_a, data)
    assert response.status_code == 201, response.json()
    assert response.json()["data"]["pipeline_id"] == data["pipeline_id"]


@pytest.mark.parametrize(
    ("which", "field", "message"),
    [
        ("foreign_pipeline", "pipeline_id", "Choose one of this account's pipelines."),
        ("foreign_stage", "stage_id", "Choose an open stage of the chosen pipeline."),
        ("other_pipeline_stage", "stage_id", "Choose an open stage of the chosen pipeline."),
        ("won_stage", "stage_id", "Choose an open stage of the chosen pipeline."),
        ("not_an_id", "pipeline_id", "Choose one of this account's pipelines."),
    ],
)
def test_the_api_refuses_ids_that_are_not_the_accounts(tenant_a, tenant_b, which, field, message):
    ours, theirs = sales(tenant_a), sales(tenant_b)
    renewals = pipelines.create_pipeline(account=tenant_a.account, name="Renewals")
    ids = {
        "foreign_pipeline": (theirs.pk, stage(tenant_b, "New").pk),
        "foreign_stage": (ours.pk, stage(tenant_b, "New").pk),
        "other_pipeline_stage": (ours.pk, renewals.stages.get(name="New").pk),
        "won_stage": (ours.pk, stage(tenant_a, "Won").pk),
        "not_an_id": ("p1", "s1"),
    }[which]
    data = {**BASE, "pipeline_id": str(ids[0]), "stage_id": str(ids[1])}
    response = _post_campaign(tenant_a, data)
    assert response.status_code == 400
    body = response.json()
    assert body["errors"][field] == [message]
    assert not Campaign.objects.exists()


def test_a_put_cannot_point_a_campaign_at_another_accounts_pipeline(tenant_a, tenant_b):
    campaign = deal_campaign(tenant_a)
    response = _post_campaign(
        tenant_a,
        {"pipeline_id": str(sales(tenant_b).pk), "stage_id": str(stage(tenant_b, "New").pk)},
        campaign,
    )
    assert response.status_code == 400
    assert "pipeline_id" in response.json()["errors"]
    campaign.refresh_from_db()
    assert campaign.pipeline_id == str(sales(tenant_a).pk)


def test_the_campaign_page_offers_only_the_accounts_pipelines_and_open_stages(tenant_a, tenant_b):
    pipelines.create_pipeline(account=tenant_b.account, name="Bolt secret pipeline")
    page = tenant_a.admin_client.get("/campaigns/new/").content.decode()
    assert '<select id="id_pipeline_id" name="pipeline_id"' in page
    assert f'<option value="{sales(tenant_a).pk}" selected>Sales</option>' in page
    assert "Bolt secret pipeline" not in page
    assert f'<option value="{stage(tenant_a, "New").pk}">New</option>' in page
    assert f'value="{stage(tenant_a, "Won").pk}"' not in page
    assert 'hx-get="/deals/stage-options/"' in page


def test_the_campaign_page_refuses_another_accounts_pipeline_with_a_form_error(tenant_a, tenant_b):
    response = tenant_a.admin_client.post(
        "/campaigns/new/",
        {
            "campaign_name": "Roofing",
            "integration": "form",
            "create_deal": "on",
            "pipeline_id": str(sales(tenant_b).pk),
            "stage_id": str(stage(tenant_b, "New").pk),
            "notification_type": "only_send_email",
            "currency": "USD",
        },
    )
    assert response.status_code == 400
    assert "Choose one of this account&#x27;s pipelines." in response.content.decode()
    assert not Campaign.objects.exists()


def test_the_campaign_page_saves_the_chosen_pipeline_and_stage(tenant_a):
    renewals = pipelines.create_pipeline(account=tenant_a.account, name="Renewals")
    contacted = renewals.stages.get(name="Contacted")
    response = tenant_a.admin_client.post(
        "/campaigns/new/",
        {
            "campaign_name": "Roofing",
            "integration": "form",
            "create_deal": "on",
            "pipeline_id": str(renewals.pk),
            "stage_id": str(contacted.pk),
            "deal_value": "250",
            "notification_type": "only_send_email",
            "currency": "USD",
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.pipeline_id, campaign.stage_id) == (str(renewals.pk), str(contacted.pk))
    edit = tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/edit/").content.decode()
    assert f'<option value="{renewals.pk}" selected>Renewals</option>' in edit
    assert f'<option value="{contacted.pk}" selected>Contacted</option>' in edit


def test_stage_options_follow_the_chosen_pipeline(tenant_a, tenant_b):
    renewals = pipelines.create_pipeline(account=tenant_a.account, name="Renewals")
    renewals.stages.filter(name="New").update(name="Inbound")
    html = tenant_a.member_client.get(
        "/deals/stage-options/", {"pipeline_id": renewals.pk}
    ).content.decode()
    inbound = renewals.stages.get(name="Inbound")
    assert f'<option value="{inbound.pk}">Inbound</option>' in html
    assert ">Won<" not in html
    foreign = tenant_a.member_client.get(
        "/deals/stage-options/", {"pipeline_id": sales(tenant_b).pk}
    ).content.decode()
    assert foreign.strip() == '<option value="">No stage</option>'
    # "No pipeline" chosen: no stage either.
    none = tenant_a.member_client.get("/deals/stage-options/", {"pipeline_id": ""})
    assert none.content.decode().strip() == '<option value="">No stage</option>'


def test_the_campaign_page_says_what_it_does_with_its_leads(tenant_a):
    opens_deals = deal_campaign(tenant_a, name="Roofing", deal_value="1500.00")
    page = tenant_a.admin_client.get(f"/campaigns/{opens_deals.pk}/").content.decode()
    assert "<dt>CRM</dt><dd>Adds each lead as a person contact</dd>" in page
    assert "<dt>Deals</dt><dd>One per lead, worth USD 1,500.00</dd>" in page
    quiet = deal_campaign(tenant_a, name="Chat", create_deal=False, add_to_crm=False, deal_value="")
    page = tenant_a.admin_client.get(f"/campaigns/{quiet.pk}/").content.decode()
    assert "<dt>CRM</dt><dd>Off</dd>" in page and "<dt>Deals</dt><dd>Off</dd>" in page
