"""Adopting a campaign found only on the dialer: kept from the list, then the campaign itself
is fetched for its authoritative state and settings."""

import json

import pytest
import requests

from campaignhub.api import ApiProblem
from dialer import services
from dialer.models import DialerCampaign
from tests.dialer.conftest import API, connect, give_extension, notify

pytestmark = pytest.mark.django_db

LISTED = {
    "ref": "vendor-1",
    "name": "Theirs",
    "status": "stopped",
    "settings": {"aggression": 2.5, "max_attempts": 2},
    "agents": [],
    "contacts": 7,
}
SHOWN = {
    **LISTED,
    "name": "Theirs, renamed",
    "status": "started",
    "settings": {"aggression": 3.0, "max_attempts": 4, "retry_delay_s": 900},
    "agents": [
        {"extension": "101", "default_state": "available", "status": "offline"},
        {"extension": "555", "default_state": "offline", "status": "offline"},
    ],
    "contacts": 9,
}


def test_adopting_takes_the_shown_campaign_over_the_list(tenant_a, connected, upstream):
    give_extension(tenant_a.account, tenant_a.member, "101")
    upstream.get(f"{API}/campaigns", json=[LISTED])
    upstream.get(f"{API}/campaigns/vendor-1", json=SHOWN)
    adopted = services.adopt(account=tenant_a.account, ref="vendor-1")
    campaign = adopted.campaign
    assert [call.request.url.removeprefix(API) for call in upstream.calls] == [
        "/campaigns",
        "/campaigns/vendor-1",
    ]
    assert (campaign.ref, campaign.name, campaign.state) == (
        "vendor-1",
        "Theirs, renamed",
        "started",
    )
    assert (str(campaign.aggression), campaign.max_attempts, campaign.retry_delay_s) == (
        "3.0",
        4,
        900,
    )
    assert (campaign.contacts_total, campaign.contacts_sent) == (9, 9)
    agent = campaign.agents.get()
    assert (agent.extension, agent.user) == ("101", tenant_a.member)
    assert agent.default_state == "available"
    assert len(adopted.warnings) == 1 and "555" in adopted.warnings[0]


def test_a_notification_while_adopting_is_newer_than_the_shown_state(tenant_a, connected, upstream):
    def show(request):
        # The dialer reports `started` to us after answering the show with `stopped`.
        notify(tenant_a.account, "status", status="started", ref="vendor-1")
        return 200, {}, json.dumps({**SHOWN, "status": "stopped", "agents": []})

    upstream.get(f"{API}/campaigns", json=[LISTED])
    upstream.add_callback("GET", f"{API}/campaigns/vendor-1", callback=show)
    campaign = services.adopt(account=tenant_a.account, ref="vendor-1").campaign
    assert campaign.state == "started"
    assert str(campaign.aggression) == "3.0"


def test_a_dialer_without_a_show_call_keeps_the_lists_record(tenant_a, connected, upstream):
    upstream.get(f"{API}/campaigns", json=[LISTED])
    upstream.get(f"{API}/campaigns/vendor-1", status=405, json={"error": "Method not allowed"})
    adopted = services.adopt(account=tenant_a.account, ref="vendor-1")
    assert adopted.warnings == []
    campaign = adopted.campaign
    assert (campaign.name, campaign.state, str(campaign.aggression), campaign.max_attempts) == (
        "Theirs",
        "stopped",
        "2.5",
        2,
    )


def test_a_failed_show_keeps_the_lists_record_with_a_warning(tenant_a, connected, upstream):
    upstream.get(f"{API}/campaigns", json=[LISTED])
    upstream.get(f"{API}/campaigns/vendor-1", status=503, json={"error": "down"})
    adopted = services.adopt(account=tenant_a.account, ref="vendor-1")
    assert adopted.campaign.state == "stopped"
    assert len(adopted.warnings) == 1 and "list" in adopted.warnings[0]


def test_settings_outside_our_ranges_keep_ours(tenant_a, connected, upstream):
    upstream.get(f"{API}/campaigns", json=[LISTED])
    upstream.get(
        f"{API}/campaigns/vendor-1", json={**SHOWN, "settings": {"aggression": 40}, "agents": []}
    )
    campaign = services.adopt(account=tenant_a.account, ref="vendor-1").campaign
    assert (str(campaign.aggression), campaign.max_attempts) == ("1.5", 3)


def test_a_campaign_not_on_the_dialers_list_is_404_and_nothing_is_kept(
    tenant_a, connected, upstream
):
    upstream.get(f"{API}/campaigns", json=[])
    with pytest.raises(ApiProblem) as refused:
        services.adopt(account=tenant_a.account, ref="vendor-1")
    assert refused.value.status == 404
    assert not DialerCampaign.objects.exists()
    assert len(upstream.calls) == 1


def test_adopt_through_the_api_answers_with_the_warnings(tenant_a, connected, upstream):
    upstream.get(f"{API}/campaigns", json=[LISTED])
    upstream.get(f"{API}/campaigns/vendor-1", json=SHOWN)
    response = tenant_a.admin_client.post(
        "/v1/dialer/campaigns", {"adopt_ref": "vendor-1"}, content_type="application/json"
    )
    assert response.status_code == 201
    data = response.json()["data"]
    assert (data["state"], data["settings"]["aggression"]) == ("started", 3.0)
    # Neither 101 nor 555 is a member's extension here: one warning names both.
    assert len(data["warnings"]) == 1 and "101, 555" in data["warnings"][0]


def test_adopting_from_the_sandbox_dialer_uses_its_show_call(tenant_a, sandbox):
    key = "sandbox-dialer-key"
    base = f"{sandbox.url}/dialer"
    connect(tenant_a, api_key=key, base_url=base)
    give_extension(tenant_a.account, tenant_a.admin, "321")
    ref = "vendor-adopt-sandbox"
    created = requests.post(
        f"{base}/campaigns",
        json={
            "ref": ref,
            "name": "Made on the dialer",
            "settings": {"aggression": 4.5, "record_calls": True},
            "agents": [{"extension": "321", "default_state": "available"}],
        },
        headers={"Authorization": f"Bearer {key}"},
        timeout=5,
    )
    assert created.status_code == 201, created.text
    campaign = services.adopt(account=tenant_a.account, ref=ref).campaign
    assert (campaign.name, campaign.state, str(campaign.aggression), campaign.record_calls) == (
        "Made on the dialer",
        "stopped",
        "4.5",
        True,
    )
    assert list(campaign.agents.values_list("extension", "default_state")) == [("321", "available")]


def _adopt(tenant, ref):
    return tenant.admin_client.post(
        "/v1/dialer/campaigns", {"adopt_ref": ref}, content_type="application/json"
    )


def test_another_accounts_campaign_is_not_revealed_to_one_without_a_dialer(tenant_a, tenant_b):
    """An account without a connection is told so, whether or not another account manages the
    reference: the answer says nothing about other accounts."""
    DialerCampaign.objects.create(account=tenant_a.account, ref="ch-aaaa11112222", name="A")
    theirs, unknown = _adopt(tenant_b, "ch-aaaa11112222"), _adopt(tenant_b, "ch-ffff00009999")
    assert theirs.status_code == unknown.status_code == 400
    assert theirs.json()["message"] == unknown.json()["message"]


def test_a_reference_their_own_dialer_does_not_list_is_not_on_the_dialer(
    tenant_a, tenant_b, upstream
):
    DialerCampaign.objects.create(account=tenant_a.account, ref="vendor-1", name="A")
    connect(tenant_b)
    upstream.get(f"{API}/campaigns", json=[])
    assert _adopt(tenant_b, "vendor-1").status_code == 404


def test_one_already_managed_here_is_a_409_without_asking_the_dialer(tenant_a, connected, upstream):
    DialerCampaign.objects.create(account=tenant_a.account, ref="vendor-1", name="Mine")
    response = _adopt(tenant_a, "vendor-1")
    assert response.status_code == 409
    assert response.json()["message"] == "That campaign is already managed here."
    assert len(upstream.calls) == 0


def test_an_adopted_campaigns_page_says_its_contacts_were_added_on_the_dialer(
    tenant_a, connected, upstream
):
    upstream.get(f"{API}/campaigns", json=[LISTED])
    upstream.get(f"{API}/campaigns/vendor-1", json={**SHOWN, "agents": []})
    campaign = services.adopt(account=tenant_a.account, ref="vendor-1").campaign
    page = tenant_a.admin_client.get(f"/dialer/campaigns/{campaign.ref}/").content.decode()
    sent = page.split(f'id="dialer-sent-{campaign.pk}"')[1].split("</span>")[0]
    assert sent == ">9 contacts added on the dialer itself"
    assert "contacts sent to the dialer" not in page

    # A lead list uploaded here later is counted apart, as it is sent.
    DialerCampaign.objects.filter(pk=campaign.pk).update(contacts_total=12, contacts_sent=10)
    page = tenant_a.admin_client.get(f"/dialer/campaigns/{campaign.ref}/").content.decode()
    sent = page.split(f'id="dialer-sent-{campaign.pk}"')[1].split("</span>")[0]
    assert sent == (
        ">9 contacts added on the dialer itself, 1 of 3 uploaded here sent to the dialer"
    )


def test_a_campaign_made_here_counts_its_contacts_sent(tenant_a, connected):
    campaign = DialerCampaign.objects.create(
        account=tenant_a.account, name="Ours", contacts_total=5, contacts_sent=2
    )
    page = tenant_a.admin_client.get(f"/dialer/campaigns/{campaign.ref}/").content.decode()
    assert f'id="dialer-sent-{campaign.pk}">2 of 5</span>' in page
    assert "contacts sent to the dialer" in page


def _board(tenant, campaign):
    page = tenant.admin_client.get(f"/dialer/campaigns/{campaign.ref}/").content.decode()
    return page.split(f'id="dialer-board-{campaign.pk}"')[1].split("</table>")[0]


def test_an_adopted_running_campaigns_agents_show_the_status_the_dialer_gives(
    tenant_a, connected, upstream
):
    give_extension(tenant_a.account, tenant_a.member, "101")
    shown = {
        **SHOWN,
        "agents": [{"extension": "101", "default_state": "offline", "status": "busy"}],
    }
    upstream.get(f"{API}/campaigns", json=[LISTED])
    upstream.get(f"{API}/campaigns/vendor-1", json=shown)
    campaign = services.adopt(account=tenant_a.account, ref="vendor-1").campaign
    assert campaign.agents.get().status == "busy"
    board = _board(tenant_a, campaign)
    assert 'data-agent-status="busy"' in board
    assert "not reported" not in board


def test_an_adopted_stopped_campaigns_agents_are_offline_not_awaited(tenant_a, connected, upstream):
    give_extension(tenant_a.account, tenant_a.member, "101")
    shown = {**SHOWN, "status": "stopped", "agents": ["101"]}
    upstream.get(f"{API}/campaigns", json=[LISTED])
    upstream.get(f"{API}/campaigns/vendor-1", json=shown)
    campaign = services.adopt(account=tenant_a.account, ref="vendor-1").campaign
    board = _board(tenant_a, campaign)
    assert 'data-agent-status="offline"' in board
    assert "not reported" not in board


def test_an_adopted_running_campaign_without_agent_statuses_says_since_adopted(
    tenant_a, connected, upstream
):
    give_extension(tenant_a.account, tenant_a.member, "101")
    shown = {**SHOWN, "agents": [{"extension": "101", "default_state": "available"}]}
    upstream.get(f"{API}/campaigns", json=[LISTED])
    upstream.get(f"{API}/campaigns/vendor-1", json=shown)
    campaign = services.adopt(account=tenant_a.account, ref="vendor-1").campaign
    board = _board(tenant_a, campaign)
    assert "not reported since adopted" in board
    assert "not reported yet" not in board
