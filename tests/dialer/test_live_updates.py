"""The dialer's live fragments: who gets them (those who may see the campaign), what each
gets (admins the buttons, agents read-only), and what a removed campaign sends."""

import pytest
from django.utils import timezone

from campaignhub import live
from dialer import live_updates
from dialer.models import LeadListUpload
from tests.dialer.conftest import make_agent, make_campaign, notify

pytestmark = pytest.mark.django_db


def test_a_state_change_sends_the_badge_and_the_buttons_to_the_admins(
    tenant_a, connected, live_events
):
    campaign = make_campaign(tenant_a, state="started")
    live_updates.campaign_changed(campaign.pk)
    (frame,) = live_events.to(tenant_a.account, tenant_a.admin)
    assert f'id="dialer-state-{campaign.pk}"' in frame["html"]
    assert 'data-state="started"' in frame["html"]
    assert f'id="dialer-controls-{campaign.pk}"' in frame["html"]
    assert 'hx-swap-oob="delete"' not in frame["html"]


def test_a_member_gets_only_the_campaigns_they_are_an_agent_of_and_read_only(
    tenant_a, connected, live_events
):
    theirs = make_campaign(tenant_a, state="started")
    make_agent(theirs, tenant_a.member, "101")
    other = make_campaign(tenant_a, name="Not theirs", state="started")
    live_updates.campaign_changed(other.pk)
    assert live_events.to(tenant_a.account, tenant_a.member) == []

    live_updates.campaign_changed(theirs.pk)
    (frame,) = live_events.to(tenant_a.account, tenant_a.member)
    assert 'data-state="started"' in frame["html"]
    assert f'id="dialer-board-{theirs.pk}"' in frame["html"]
    assert f'id="dialer-controls-{theirs.pk}"' not in frame["html"]
    assert "/agents/101/remove/" not in frame["html"]
    # The admins got both campaigns, the last one with its buttons.
    admin_frames = live_events.to(tenant_a.account, tenant_a.admin, live_updates.CAMPAIGN_EVENT)
    assert len(admin_frames) == 2
    assert admin_frames[-1]["html"].count("/agents/101/remove/") == 1


def test_an_agents_upload_progress_has_no_resume_button(tenant_a, connected, live_events):
    campaign = make_campaign(tenant_a)
    make_agent(campaign, tenant_a.member, "101")
    upload = LeadListUpload.objects.create(
        account=tenant_a.account, campaign=campaign, original_name="x.csv", status="failed"
    )
    live_updates.upload_changed(upload.pk)
    (member_frame,) = live_events.to(tenant_a.account, tenant_a.member)
    (admin_frame,) = live_events.to(tenant_a.account, tenant_a.admin)
    assert "Resume sending" in admin_frame["html"]
    assert "Resume sending" not in member_frame["html"]
    assert f'id="dialer-upload-{upload.pk}"' in member_frame["html"]


def test_upload_progress_brings_the_campaigns_count_of_contacts_sent(
    tenant_a, connected, live_events
):
    campaign = make_campaign(tenant_a)
    upload = LeadListUpload.objects.create(
        account=tenant_a.account, campaign=campaign, original_name="x.csv", status="sending"
    )
    campaign.contacts_total, campaign.contacts_sent = 227, 100
    campaign.save(update_fields=["contacts_total", "contacts_sent"])

    live_updates.upload_changed(upload.pk)

    (frame,) = live_events.to(tenant_a.account, tenant_a.admin)
    assert f'id="dialer-upload-{upload.pk}"' in frame["html"]
    sent = f'<span id="dialer-sent-{campaign.pk}" hx-swap-oob="true">100 of 227</span>'
    assert sent in frame["html"]


def test_a_removed_campaign_leaves_the_overview_live(tenant_a, connected, live_events):
    campaign = make_campaign(tenant_a, deleted_at=timezone.now())
    live_updates.campaign_changed(campaign.pk)
    fragments, row = live_events.pushed
    assert row["html"] == f'<tr id="dialer-campaign-{campaign.pk}" hx-swap-oob="delete"></tr>'
    assert 'data-state="stopped"' not in fragments["html"]
    assert "removed" in fragments["html"]


def test_with_nobody_watching_nothing_is_rendered(tenant_a, connected, monkeypatch):
    sent = []
    monkeypatch.setattr(live, "_send", lambda groups, event, html: sent.append(event))
    campaign = make_campaign(tenant_a, state="started")
    live_updates.campaign_changed(campaign.pk)
    assert sent == []


def test_the_pending_start_notice_goes_once_the_dialer_reports_the_state(
    tenant_a, connected, live_events
):
    campaign = make_campaign(tenant_a, state="stopped", pending_action="start_requested")
    live_updates.campaign_changed(campaign.pk)
    (frame,) = live_events.to(tenant_a.account, tenant_a.admin)
    notice = frame["html"].split(f'id="dialer-pending-{campaign.pk}"')[1].split("</div>")[0]
    assert "Start requested; the dialer will report when it has started." in notice
    assert " hidden" not in notice.split(">")[0]

    campaign.state, campaign.pending_action = "started", ""
    campaign.save(update_fields=["state", "pending_action"])
    live_updates.campaign_changed(campaign.pk)
    frame = live_events.to(tenant_a.account, tenant_a.admin)[-1]
    notice = frame["html"].split(f'id="dialer-pending-{campaign.pk}"')[1].split("</div>")[0]
    assert "requested" not in notice
    assert " hidden" in notice.split(">")[0]


def _nothing_dialled(frame, campaign):
    return frame["html"].split(f'id="dialer-nothing-dialled-{campaign.pk}"')[1].split("</div>")[0]


def test_the_nothing_dialled_warning_follows_the_agents_statuses_live(
    tenant_a, connected, live_events
):
    """Started with its one agent offline, the campaign page is told nothing is dialled; the
    agent's `available` notification takes the warning away, their `offline` brings it back."""
    campaign = make_campaign(tenant_a, state="started")
    make_agent(campaign, tenant_a.member, "101", status="offline")
    live_updates.campaign_changed(campaign.pk)
    for user in (tenant_a.admin, tenant_a.member):
        warning = _nothing_dialled(live_events.to(tenant_a.account, user)[-1], campaign)
        assert 'hx-swap-oob="true"' in warning.split(">")[0]
        assert " hidden" not in warning.split(">")[0]
        assert "No agent is available, so nothing is dialled" in warning

    notify(tenant_a.account, "status", status="available", campaign_ref=campaign.ref, ref="101")
    warning = _nothing_dialled(live_events.to(tenant_a.account, tenant_a.admin)[-1], campaign)
    assert " hidden" in warning.split(">")[0]
    assert "nothing is dialled" not in warning

    notify(tenant_a.account, "status", status="offline", campaign_ref=campaign.ref, ref="101")
    warning = _nothing_dialled(live_events.to(tenant_a.account, tenant_a.admin)[-1], campaign)
    assert " hidden" not in warning.split(">")[0]
    assert "No agent is available, so nothing is dialled" in warning


def test_a_start_request_with_no_agents_sends_the_warning_naming_it(
    tenant_a, connected, live_events
):
    campaign = make_campaign(tenant_a, pending_action="start_requested")
    live_updates.campaign_changed(campaign.pk)
    warning = _nothing_dialled(live_events.to(tenant_a.account, tenant_a.admin)[-1], campaign)
    assert " hidden" not in warning.split(">")[0]
    assert "This campaign has no agents, so nothing is dialled" in warning
