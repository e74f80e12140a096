"""A member removed from an account leaves its dialer campaigns: our agent rows go with the
removal, and the dialer is told after commit by a task that retries and never blocks it."""

import logging

import pytest
from celery.exceptions import Retry
from django.db import transaction
from django.utils import timezone

from campaignhub import services as platform
from campaignhub.models import Membership
from dialer import services, tasks
from dialer.models import AgentExtension, DialerAgent, DialerConnection, PendingAction
from tests.dialer.conftest import API, connect, make_agent, make_campaign

pytestmark = pytest.mark.django_db


def _remove(tenant, user, capture):
    with capture(execute=True) as callbacks:
        platform.remove_member(
            membership=Membership.objects.get(account=tenant.account, user=user),
            removed_by=tenant.admin,
        )
    return callbacks


def _deletes(upstream):
    return [
        call.request.url.removeprefix(API)
        for call in upstream.calls
        if call.request.method == "DELETE"
    ]


@pytest.fixture(autouse=True)
def _no_backoff(monkeypatch):
    """The task's client retries with backoff of its own; here one try shows the outcome."""
    monkeypatch.setattr("campaignhub.http.BaseClient.max_retries", 0)


@pytest.fixture
def two_campaigns(tenant_a, connected):
    spring = make_campaign(tenant_a, name="Spring")
    autumn = make_campaign(tenant_a, name="Autumn")
    make_agent(spring, tenant_a.member, "101")
    autumn.agents.create(
        account=tenant_a.account, user=tenant_a.member, extension="101", default_state="offline"
    )
    make_agent(spring, tenant_a.admin, "100")
    return spring, autumn


def test_removal_deletes_their_agent_rows_and_then_the_agents_on_the_dialer(
    tenant_a, two_campaigns, upstream, django_capture_on_commit_callbacks
):
    spring, autumn = two_campaigns
    for campaign in (spring, autumn):
        upstream.delete(f"{API}/campaigns/{campaign.ref}/agents/101", status=204)

    _remove(tenant_a, tenant_a.member, django_capture_on_commit_callbacks)

    assert not DialerAgent.objects.filter(user=tenant_a.member).exists()
    assert not AgentExtension.objects.filter(membership__user=tenant_a.member).exists()
    assert list(spring.agents.values_list("extension", flat=True)) == ["100"]
    assert sorted(_deletes(upstream)) == sorted(
        f"/campaigns/{campaign.ref}/agents/101" for campaign in (spring, autumn)
    )


def test_the_dialer_is_called_only_after_the_removal_commits(
    tenant_a, two_campaigns, upstream, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        platform.remove_member(
            membership=Membership.objects.get(account=tenant_a.account, user=tenant_a.member),
            removed_by=tenant_a.admin,
        )
        assert not DialerAgent.objects.filter(user=tenant_a.member).exists()
        assert len(upstream.calls) == 0
    assert len(upstream.calls) == 0
    assert callbacks


def test_a_removal_rolled_back_keeps_the_agents_and_calls_nothing(
    tenant_a, two_campaigns, upstream, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(**kwargs):
        raise RuntimeError("the delivery log is down")

    monkeypatch.setattr("notifications.services.cancel_pending_for", broken)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        platform.remove_member(
            membership=Membership.objects.get(account=tenant_a.account, user=tenant_a.member),
            removed_by=tenant_a.admin,
        )
    assert DialerAgent.objects.filter(user=tenant_a.member).count() == 2
    assert len(upstream.calls) == 0


def test_a_dialer_failure_does_not_block_the_removal_and_is_logged(
    tenant_a, two_campaigns, upstream, django_capture_on_commit_callbacks, caplog
):
    spring, autumn = two_campaigns
    upstream.delete(f"{API}/campaigns/{spring.ref}/agents/101", status=503)
    upstream.delete(f"{API}/campaigns/{autumn.ref}/agents/101", status=204)

    with caplog.at_level(logging.ERROR, logger="dialer.tasks"):
        _remove(tenant_a, tenant_a.member, django_capture_on_commit_callbacks)

    assert not Membership.objects.filter(account=tenant_a.account, user=tenant_a.member).exists()
    assert not DialerAgent.objects.filter(user=tenant_a.member).exists()
    assert f"/campaigns/{autumn.ref}/agents/101" in _deletes(upstream)
    assert "still on the dialer" in caplog.text and "101" in caplog.text


def test_an_unreachable_dialer_does_not_block_the_removal(
    tenant_a, two_campaigns, django_capture_on_commit_callbacks
):
    DialerConnection.objects.filter(account=tenant_a.account).update(
        base_url="http://127.0.0.1:9/api"
    )
    _remove(tenant_a, tenant_a.member, django_capture_on_commit_callbacks)
    assert not Membership.objects.filter(account=tenant_a.account, user=tenant_a.member).exists()
    assert not DialerAgent.objects.filter(user=tenant_a.member).exists()


def test_a_campaign_deleted_on_the_dialer_only_loses_the_row(
    tenant_a, connected, upstream, django_capture_on_commit_callbacks
):
    gone = make_campaign(tenant_a, deleted_at=timezone.now())
    make_agent(gone, tenant_a.member, "101")
    _remove(tenant_a, tenant_a.member, django_capture_on_commit_callbacks)
    assert not gone.agents.exists()
    assert len(upstream.calls) == 0


def test_agents_in_other_accounts_stay(
    tenant_a, tenant_b, connected, upstream, django_capture_on_commit_callbacks
):
    from tests.factories import make_member

    make_member(tenant_b.account, tenant_a.member.email)
    connect(tenant_b)
    theirs = make_campaign(tenant_b)
    make_agent(theirs, tenant_a.member, "101")
    _remove(tenant_a, tenant_a.member, django_capture_on_commit_callbacks)
    assert theirs.agents.get().user == tenant_a.member
    assert len(upstream.calls) == 0


def test_the_task_is_safe_to_run_twice(tenant_a, campaign, upstream):
    upstream.delete(f"{API}/campaigns/{campaign.ref}/agents/101", status=204)
    upstream.delete(
        f"{API}/campaigns/{campaign.ref}/agents/101", status=404, json={"error": "no agent"}
    )
    assert services.remove_departed_agent(campaign_id=campaign.pk, extension="101") is True
    assert services.remove_departed_agent(campaign_id=campaign.pk, extension="101") is False
    tasks.remove_departed_agent.delay(campaign.pk, "101")
    assert len(upstream.calls) == 3


def test_the_task_leaves_an_extension_that_is_an_agent_here_again(tenant_a, campaign, upstream):
    make_agent(campaign, tenant_a.admin, "101")
    assert services.remove_departed_agent(campaign_id=campaign.pk, extension="101") is False
    assert len(upstream.calls) == 0


def test_the_task_does_nothing_for_a_removed_or_unknown_campaign_or_no_connection(
    tenant_a, campaign, upstream
):
    assert services.remove_departed_agent(campaign_id=campaign.pk + 999, extension="101") is False
    services.disconnect(account=tenant_a.account)
    assert services.remove_departed_agent(campaign_id=campaign.pk, extension="101") is False
    assert len(upstream.calls) == 0


def test_a_campaign_being_removed_still_loses_the_agent_on_the_dialer(tenant_a, campaign, upstream):
    type(campaign).objects.filter(pk=campaign.pk).update(pending_action=PendingAction.REMOVING)
    upstream.delete(f"{API}/campaigns/{campaign.ref}/agents/101", status=204)
    assert services.remove_departed_agent(campaign_id=campaign.pk, extension="101") is True


def test_a_rejected_key_is_marked_and_not_retried(tenant_a, campaign, upstream, caplog):
    upstream.delete(
        f"{API}/campaigns/{campaign.ref}/agents/101", status=401, json={"error": "bad key"}
    )
    with caplog.at_level(logging.ERROR, logger="dialer.tasks"):
        tasks.remove_departed_agent.delay(campaign.pk, "101")
    assert DialerConnection.objects.get(account=tenant_a.account).rejected_at is not None
    assert "still on the dialer" in caplog.text


def _run_in_worker(task, *args, retries=0):
    """Run the task body as a worker would (not eagerly), at its `retries`-th retry."""
    task.push_request(is_eager=False, retries=retries, called_directly=False)
    try:
        return task.run(*args)
    finally:
        task.pop_request()


def test_a_transient_failure_is_retried_later_in_a_worker(
    tenant_a, campaign, upstream, monkeypatch
):
    upstream.delete(f"{API}/campaigns/{campaign.ref}/agents/101", status=503)
    scheduled = []

    def retry(**kwargs):
        scheduled.append(kwargs["countdown"])
        raise Retry()

    monkeypatch.setattr(tasks.remove_departed_agent, "retry", retry)
    with pytest.raises(Retry):
        _run_in_worker(tasks.remove_departed_agent, campaign.pk, "101")
    with pytest.raises(Retry):
        _run_in_worker(tasks.remove_departed_agent, campaign.pk, "101", retries=2)
    assert scheduled == [tasks.RETRY_DELAYS[0], tasks.RETRY_DELAYS[2]]


def test_the_last_try_gives_up_with_an_error_logged(
    tenant_a, campaign, upstream, monkeypatch, caplog
):
    upstream.delete(f"{API}/campaigns/{campaign.ref}/agents/101", status=503)
    with caplog.at_level(logging.ERROR, logger="dialer.tasks"):
        _run_in_worker(
            tasks.remove_departed_agent, campaign.pk, "101", retries=len(tasks.RETRY_DELAYS)
        )
    assert "still on the dialer" in caplog.text


def test_the_campaign_page_drops_the_agent_live(
    tenant_a, two_campaigns, upstream, django_capture_on_commit_callbacks, live_events
):
    spring, _ = two_campaigns
    upstream.delete(f"{API}/campaigns/{spring.ref}/agents/101", status=204)
    live_events.pushed.clear()
    _remove(tenant_a, tenant_a.member, django_capture_on_commit_callbacks)
    boards = [
        pushed["html"]
        for pushed in live_events.to(tenant_a.account, tenant_a.admin, "dialercampaign")
        if f"dialer-board-{spring.pk}" in pushed["html"]
    ]
    assert boards and "Acme Agency Member" not in boards[-1]
