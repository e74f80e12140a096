import json

import pytest
from django.core.exceptions import ValidationError

from campaignhub.api import ApiProblem
from dialer import services
from dialer.models import DialerCampaign, DialerConnection, PendingAction
from tests.dialer.conftest import API, KEY, make_agent, make_campaign, notify

pytestmark = pytest.mark.django_db


def _calls(upstream):
    return [
        (
            call.request.method,
            call.request.url.removeprefix(API),
            json.loads(call.request.body or "null"),
        )
        for call in upstream.calls
    ]


def test_connect_checks_the_key_with_a_list_call_and_registers_our_receiver(tenant_a, upstream):
    upstream.get(f"{API}/campaigns", json=[])
    upstream.put(f"{API}/webhook", json={"url": "x"})
    services.connect(account=tenant_a.account, base_url=API + "/", api_key=KEY)
    connection = DialerConnection.objects.get(account=tenant_a.account)
    assert (connection.base_url, connection.secret) == (API, KEY)
    assert upstream.calls[0].request.headers["Authorization"] == f"Bearer {KEY}"
    assert _calls(upstream)[1] == (
        "PUT",
        "/webhook",
        {"url": services.receiver_url(tenant_a.account)},
    )


def test_a_refused_key_is_a_validation_error_and_nothing_is_kept(tenant_a, upstream):
    upstream.get(f"{API}/campaigns", status=401, json={"error": "bad key"})
    with pytest.raises(ValidationError):
        services.connect(account=tenant_a.account, base_url=API, api_key="wrong")
    assert not DialerConnection.objects.exists()


def test_create_sends_our_generated_ref_name_and_settings(tenant_a, connected, upstream):
    upstream.post(f"{API}/campaigns", status=201, json={})
    campaign = services.create_campaign(
        account=tenant_a.account,
        name="Renewals",
        aggression="2.5",
        max_attempts=2,
        retry_delay_s=600,
    )
    assert campaign.ref.startswith("ch-")
    assert _calls(upstream) == [
        (
            "POST",
            "/campaigns",
            {
                "ref": campaign.ref,
                "name": "Renewals",
                "settings": {
                    "aggression": 2.5,
                    "max_attempts": 2,
                    "retry_delay_s": 600,
                    "caller_id": None,
                    "record_calls": False,
                },
                "agents": [],
            },
        )
    ]


def test_a_refused_create_keeps_nothing(tenant_a, connected, upstream):
    upstream.post(f"{API}/campaigns", status=409, json={"error": "ref exists"})
    with pytest.raises(ApiProblem) as refused:
        services.create_campaign(
            account=tenant_a.account,
            name="Renewals",
            aggression=2,
            max_attempts=2,
            retry_delay_s=600,
        )
    assert refused.value.status == 409
    assert not DialerCampaign.objects.exists()


def test_refs_are_never_reused_even_after_removal(tenant_a, connected):
    first = make_campaign(tenant_a)
    DialerCampaign.objects.filter(pk=first.pk).update(deleted_at="2026-01-01T00:00Z")
    second = make_campaign(tenant_a)
    assert first.ref != second.ref
    assert DialerCampaign.objects.filter(ref=first.ref).exists()


def test_apply_sends_only_the_ref_and_the_settings_in_any_state(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a, state="started")
    upstream.put(f"{API}/campaigns/{campaign.ref}", status=202)
    services.apply_settings(campaign=campaign, aggression="3.7", name="Renamed")
    assert _calls(upstream) == [
        (
            "PUT",
            f"/campaigns/{campaign.ref}",
            {
                "ref": campaign.ref,
                "settings": {
                    "aggression": 3.7,
                    "max_attempts": 3,
                    "retry_delay_s": 3600,
                    "caller_id": None,
                    "record_calls": False,
                },
            },
        )
    ]
    campaign.refresh_from_db()
    assert (str(campaign.aggression), campaign.name, campaign.state) == (
        "3.7",
        "Renamed",
        "started",
    )


def test_settings_the_dialer_refuses_are_not_kept(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a)
    upstream.put(f"{API}/campaigns/{campaign.ref}", status=400, json={"error": "no"})
    with pytest.raises(ApiProblem):
        services.apply_settings(campaign=campaign, aggression="9.9")
    campaign.refresh_from_db()
    assert str(campaign.aggression) == "1.5"


def test_removing_a_started_campaign_stops_it_then_deletes_after_stopped(
    tenant_a, connected, upstream
):
    campaign = make_campaign(tenant_a, state="started")
    url = f"{API}/campaigns/{campaign.ref}"
    upstream.put(url, status=202)
    upstream.delete(url, status=204)
    services.remove_campaign(campaign=campaign)
    assert _calls(upstream) == [
        ("PUT", f"/campaigns/{campaign.ref}", {"ref": campaign.ref, "state": "stopped"})
    ]
    campaign.refresh_from_db()
    assert (campaign.state, campaign.pending_action, campaign.deleted_at) == (
        "started",
        "removing",
        None,
    )

    notify(tenant_a.account, "status", status="stopping", ref=campaign.ref)
    assert [c[0] for c in _calls(upstream)] == ["PUT"]  # never deleted while stopping
    notify(tenant_a.account, "status", status="stopped", ref=campaign.ref)
    assert [c[0] for c in _calls(upstream)] == ["PUT", "DELETE"]
    campaign.refresh_from_db()
    assert campaign.deleted_at is not None and campaign.state == "stopped"


def test_removing_a_stopped_campaign_deletes_it_at_once(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a)
    upstream.delete(f"{API}/campaigns/{campaign.ref}", status=204)
    campaign = services.remove_campaign(campaign=campaign)
    assert [c[0] for c in _calls(upstream)] == ["DELETE"]
    assert campaign.deleted_at is not None


def test_a_delete_the_dialer_refuses_as_running_sends_a_stop_and_waits(
    tenant_a, connected, upstream
):
    campaign = make_campaign(tenant_a)
    url = f"{API}/campaigns/{campaign.ref}"
    upstream.delete(url, status=409, json={"error": "campaign is started"})
    upstream.put(url, status=202)
    campaign = services.remove_campaign(campaign=campaign)
    assert [c[0] for c in _calls(upstream)] == ["DELETE", "PUT"]
    assert campaign.deleted_at is None and campaign.pending_action == PendingAction.REMOVING


def test_a_campaign_being_removed_refuses_other_changes(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a, state="started", pending_action=PendingAction.REMOVING)
    for change in (services.request_start, services.request_stop):
        with pytest.raises(ApiProblem) as refused:
            change(campaign=campaign)
        assert refused.value.status == 409
    assert len(upstream.calls) == 0


def test_adding_an_agent_in_another_started_campaign_warns_but_adds(tenant_a, connected, upstream):
    busy = make_campaign(tenant_a, name="Busy one", state="started")
    make_agent(busy, tenant_a.member, "101")
    campaign = make_campaign(tenant_a, default_agent_state="available")
    upstream.put(f"{API}/campaigns/{campaign.ref}/agents/101", status=200)
    added = services.add_agent(campaign=campaign, user=tenant_a.member)
    assert len(added.warnings) == 1 and "Busy one" in added.warnings[0]
    assert _calls(upstream) == [
        ("PUT", f"/campaigns/{campaign.ref}/agents/101", {"default_state": "available"})
    ]
    assert campaign.agents.get().extension == "101"


def test_an_agent_without_extension_is_refused(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a)
    with pytest.raises(ApiProblem) as refused:
        services.add_agent(campaign=campaign, user=tenant_a.member)
    assert refused.value.status == 400
    assert len(upstream.calls) == 0 and not campaign.agents.exists()


def test_the_list_is_correlated_both_only_dialer_only_here(tenant_a, connected):
    both = make_campaign(tenant_a, name="Both")
    here = make_campaign(tenant_a, name="Here")
    records = [
        {
            "ref": both.ref,
            "name": "Both",
            "status": "started",
            "settings": {},
            "agents": [],
            "contacts": 3,
        },
        {
            "ref": "vendor-1",
            "name": "Theirs",
            "status": "stopped",
            "settings": {},
            "agents": [],
            "contacts": 0,
        },
    ]
    lines = {
        line.ref: line.presence
        for line in services.correlate(account=tenant_a.account, upstream_records=records)
    }
    assert lines == {both.ref: "both", here.ref: "only_here", "vendor-1": "only_dialer"}
