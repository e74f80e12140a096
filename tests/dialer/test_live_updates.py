"""The dialer's live fragments: who gets them, and what a removed campaign sends."""

import pytest
from django.utils import timezone

from campaignhub import live
from dialer import live_updates
from tests.dialer.conftest import make_campaign

pytestmark = pytest.mark.django_db


def test_a_state_change_sends_the_badge_and_the_buttons_to_the_account(
    tenant_a, connected, live_events
):
    campaign = make_campaign(tenant_a, state="started")
    live_updates.campaign_changed(campaign.pk)
    (frame,) = [
        p for p in live_events.pushed if p["group"] == live.account_group(tenant_a.account.pk)
    ]
    assert f'id="dialer-state-{campaign.pk}"' in frame["html"]
    assert 'data-state="started"' in frame["html"]
    assert f'id="dialer-controls-{campaign.pk}"' in frame["html"]
    assert 'hx-swap-oob="delete"' not in frame["html"]


def test_a_removed_campaign_leaves_the_overview_live(tenant_a, connected, live_events):
    campaign = make_campaign(tenant_a, deleted_at=timezone.now())
    live_updates.campaign_changed(campaign.pk)
    (frame,) = live_events.pushed
    assert f'<tr id="dialer-campaign-{campaign.pk}" hx-swap-oob="delete"></tr>' in frame["html"]


def test_with_nobody_watching_nothing_is_rendered(tenant_a, connected, monkeypatch):
    sent = []
    monkeypatch.setattr(live, "_send", lambda groups, event, html: sent.append(event))
    campaign = make_campaign(tenant_a, state="started")
    live_updates.campaign_changed(campaign.pk)
    assert sent == []
