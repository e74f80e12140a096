"""The demo connects to the sandbox's Invoca, stages one campaign, links an inbound campaign to
it and registers our post-call webhook with the sandbox; running it again changes nothing, and
without a reachable Invoca (or sandbox) it says so and stops."""

import io
import json

import pytest
from django.test import Client

from campaignhub.intake import process_delivery
from campaigns.models import Campaign, Integration, Lead
from invoca import demo, services
from invoca.models import AdvertiserCampaign, InvocaConnection
from invoca.webhooks import webhook_url
from sandbox.invoca_calls import WEBHOOK_COLUMNS
from tests.conftest import start_sandbox


@pytest.fixture
def own_sandbox():
    """A sandbox of this test's own: going live there changes no other test's campaigns."""
    running = start_sandbox()
    yield running
    running.server.shutdown()


def run(tenant):
    out = io.StringIO()
    demo.load(account=tenant.account, admin=tenant.admin, member=tenant.member, stdout=out)
    return out.getvalue()


def test_demo_stages_one_campaign_once(tenant_a, own_sandbox, settings, monkeypatch):
    settings.INVOCA_API_BASE = f"{own_sandbox.url}/invoca"
    monkeypatch.setenv("DEMO_INVOCA_API_TOKEN", "sandbox-invoca-token")
    assert "ready to go live" in run(tenant_a)
    assert "ready to go live" in run(tenant_a)
    campaign = AdvertiserCampaign.objects.get()
    assert (campaign.advertiser_id_from_network, campaign.status) == (demo.DEMO_ADVERTISER, "entry")
    assert campaign.future_terms["budget_activities"]["budget_cap_alert"]["budget_amount"] == 5000
    assert InvocaConnection.objects.filter(deleted_at__isnull=True).count() == 1


def test_demo_skips_cleanly_without_invoca(tenant_a, settings, monkeypatch):
    settings.INVOCA_API_BASE = "http://127.0.0.1:9"
    monkeypatch.setenv("DEMO_INVOCA_API_TOKEN", "sandbox-invoca-token")
    assert "could not reach" in run(tenant_a)
    assert not InvocaConnection.objects.exists()
    monkeypatch.delenv("DEMO_INVOCA_API_TOKEN")
    assert "not connected" in run(tenant_a)


def test_demo_links_an_inbound_campaign_and_registers_the_webhook_once(
    tenant_a, own_sandbox, settings, monkeypatch
):
    settings.INVOCA_API_BASE = f"{own_sandbox.url}/invoca"
    monkeypatch.setenv("DEMO_INVOCA_API_TOKEN", "sandbox-invoca-token")
    first = run(tenant_a)
    assert f"calls become leads of “{demo.DEMO_INBOUND}”" in first
    assert "the sandbox posts network 1001's calls to" in first
    run(tenant_a)
    inbound = Campaign.objects.get(campaign_name=demo.DEMO_INBOUND)
    advertiser_campaign = AdvertiserCampaign.objects.get()
    assert inbound.integration == Integration.INVOCA and inbound.status
    assert advertiser_campaign.inbound_campaign == inbound
    url = webhook_url(tenant_a.account)
    assert own_sandbox.app.invoca_calls.webhooks == [
        {"network_id": "1001", "url": url, "format": "json"}
    ]

    # Once live, a call simulated in the sandbox is a lead of the demo's inbound campaign,
    # posted to the registered URL as the sandbox posts it.
    services.go_live(campaign=advertiser_campaign, timeout=5)
    row = own_sandbox.app.invoca_calls.simulate_call(
        "1001", demo.DEMO_CAMPAIGN, advertiser_id=demo.DEMO_ADVERTISER, webhook=False
    )
    body = {column: row.get(column) for column in WEBHOOK_COLUMNS}
    path = url.removeprefix(settings.PUBLIC_BASE_URL)
    response = Client().post(path, json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    process_delivery(response.json()["id"])
    lead = Lead.objects.get()
    assert (lead.campaign, lead.external_id, lead.phone) == (
        inbound,
        row["transaction_id"],
        "+14155550199",
    )


def test_demo_keeps_a_campaign_someone_linked_otherwise(
    tenant_a, own_sandbox, settings, monkeypatch
):
    settings.INVOCA_API_BASE = f"{own_sandbox.url}/invoca"
    monkeypatch.setenv("DEMO_INVOCA_API_TOKEN", "sandbox-invoca-token")
    run(tenant_a)
    AdvertiserCampaign.objects.update(inbound_campaign=None)
    assert "keeps the lead source it has" in run(tenant_a)
    assert Campaign.objects.filter(campaign_name=demo.DEMO_INBOUND).count() == 1


def test_demo_skips_the_webhook_when_the_sandbox_is_gone(tenant_a, settings, monkeypatch):
    running = start_sandbox()
    settings.INVOCA_API_BASE = f"{running.url}/invoca"
    monkeypatch.setenv("DEMO_INVOCA_API_TOKEN", "sandbox-invoca-token")
    run(tenant_a)
    running.server.shutdown()
    running.server.server_close()
    out = run(tenant_a)
    assert "could not register the post-call webhook with the sandbox" in out
    assert AdvertiserCampaign.objects.get().inbound_campaign.campaign_name == demo.DEMO_INBOUND


@pytest.mark.parametrize(
    ("base", "root"),
    [
        ("http://127.0.0.1:8001/invoca", "http://127.0.0.1:8001"),
        ("http://127.0.0.1:8001/invoca/", "http://127.0.0.1:8001"),
        ("https://invoca.net", None),
        ("https://acme.invoca.net/", None),
        ("", None),
    ],
)
def test_the_sandbox_is_known_by_its_invoca_path(base, root):
    assert demo.sandbox_root(base) == root


def test_a_real_invoca_gets_the_url_to_paste(tenant_a):
    said = demo.register_webhook(
        account=tenant_a.account, network_id="1001", base_url="https://acme.invoca.net"
    )
    assert said.endswith(webhook_url(tenant_a.account))
