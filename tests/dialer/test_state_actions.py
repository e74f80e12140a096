"""Which of Start, Stop and Remove a campaign's state allows, on the page and in the API.

The guide (reference 003) keeps Start and Stop clickable where asking again changes nothing
(a started campaign started again, a stopped one stopped again): those are sent, await nothing
and say so. A completed campaign has called every lead and used every retry: a start has
nothing to call (unless a lead list came since) and a stop nothing to stop, so both are
refused with a 409 naming the state and nothing reaches the dialer.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from dialer.models import LeadListUpload, PendingAction
from tests.dialer.conftest import API, csv_file, make_campaign

pytestmark = pytest.mark.django_db

NOTHING_LEFT = (
    "Spring renewals is completed: the dialer has called every lead and used every retry, so "
    "there is nothing left to call. Upload another lead list to call more."
)
NOTHING_TO_STOP = "Spring renewals is completed: it has already ended, so there is nothing to stop."


def _completed(tenant, **fields):
    return make_campaign(
        tenant, state="completed", state_changed_at=timezone.now() - timedelta(hours=1), **fields
    )


def _controls(tenant, campaign) -> str:
    page = tenant.admin_client.get(f"/dialer/campaigns/{campaign.ref}/").content.decode()
    start = page.index(f'id="dialer-controls-{campaign.pk}"')
    return page[start : page.index("</div>", start)]


def _buttons(controls) -> list[str]:
    return [name for name in ("Start", "Stop", "Remove") if f">{name}</button>" in controls]


@pytest.mark.parametrize(
    ("state", "offered"),
    [
        ("stopped", ["Start", "Stop", "Remove"]),
        ("started", ["Start", "Stop", "Remove"]),
        ("stopping", ["Start", "Stop", "Remove"]),
        ("completed", ["Remove"]),
    ],
)
def test_the_page_offers_what_the_state_allows(tenant_a, connected, state, offered):
    campaign = make_campaign(tenant_a, state=state, state_changed_at=timezone.now())
    controls = _controls(tenant_a, campaign)
    assert _buttons(controls) == offered
    assert ("Nothing left to call" in controls) == (state == "completed")


def _primary(controls) -> list[str]:
    """The buttons drawn filled (the page's primary action)."""
    return re.findall(r'<button class="[^"]*\bprimary\b[^"]*"[^>]*>(\w+)</button>', controls)


@pytest.mark.parametrize(
    ("state", "primary"),
    [("stopped", ["Start"]), ("started", ["Stop"]), ("stopping", ["Start"]), ("completed", [])],
)
def test_the_filled_button_is_the_one_that_changes_the_state(tenant_a, connected, state, primary):
    campaign = make_campaign(tenant_a, state=state, state_changed_at=timezone.now())
    assert _primary(_controls(tenant_a, campaign)) == primary


def test_asking_again_is_offered_and_says_it_changes_nothing(tenant_a, connected):
    stopped = make_campaign(tenant_a, state="stopped")
    assert 'title="Stopped already: stopping it again changes nothing."' in _controls(
        tenant_a, stopped
    )
    started = make_campaign(tenant_a, state="started")
    assert 'title="Started already: starting it again changes nothing."' in _controls(
        tenant_a, started
    )


def _upload(tenant, campaign):
    """A lead list of one valid row uploaded to `campaign` now."""
    return LeadListUpload.objects.create(
        account=tenant.account,
        campaign=campaign,
        file=csv_file(["+14155550100,A,B,"]),
        original_name="more.csv",
        rows_total=1,
        rows_valid=1,
    )


def test_a_lead_list_uploaded_since_it_completed_brings_start_back(tenant_a, connected):
    campaign = _completed(tenant_a)
    _upload(tenant_a, campaign)
    assert _buttons(_controls(tenant_a, campaign)) == ["Start", "Remove"]


def test_a_lead_list_from_before_it_completed_does_not(tenant_a, connected):
    campaign = _completed(tenant_a)
    upload = _upload(tenant_a, campaign)
    LeadListUpload.objects.filter(pk=upload.pk).update(
        created_at=timezone.now() - timedelta(hours=2)
    )
    assert _buttons(_controls(tenant_a, campaign)) == ["Remove"]


@pytest.mark.parametrize(
    ("action", "message"), [("start", NOTHING_LEFT), ("stop", NOTHING_TO_STOP)]
)
def test_the_api_refuses_start_and_stop_of_a_completed_campaign_with_409(
    tenant_a, connected, upstream, action, message
):
    campaign = _completed(tenant_a)
    response = tenant_a.admin_client.post(
        f"/v1/dialer/campaigns/{campaign.ref}/{action}", content_type="application/json"
    )
    assert response.status_code == 409
    assert response.json() == {
        "success": False,
        "errno": 409,
        "message": message,
        "errors": {"state": ["completed"]},
    }
    assert len(upstream.calls) == 0
    campaign.refresh_from_db()
    assert (campaign.state, campaign.pending_action) == ("completed", PendingAction.NONE)


def test_the_api_starts_a_completed_campaign_with_new_leads(tenant_a, connected, upstream):
    campaign = _completed(tenant_a)
    _upload(tenant_a, campaign)
    upstream.put(f"{API}/campaigns/{campaign.ref}", status=202)
    response = tenant_a.admin_client.post(
        f"/v1/dialer/campaigns/{campaign.ref}/start", content_type="application/json"
    )
    assert response.status_code == 202
    data = response.json()["data"]
    assert (data["state"], data["pending_action"]) == ("completed", "start_requested")
    assert len(upstream.calls) == 1


@pytest.mark.parametrize(("state", "action"), [("stopped", "stop"), ("started", "start")])
def test_the_api_takes_asking_again_as_the_guide_says_and_awaits_nothing(
    tenant_a, connected, upstream, state, action
):
    campaign = make_campaign(tenant_a, state=state)
    upstream.put(f"{API}/campaigns/{campaign.ref}", status=202)
    response = tenant_a.admin_client.post(
        f"/v1/dialer/campaigns/{campaign.ref}/{action}", content_type="application/json"
    )
    assert response.status_code == 202
    data = response.json()["data"]
    assert (data["state"], data["pending_action"]) == (state, None)


def test_start_on_a_completed_campaign_says_why_on_the_page(tenant_a, connected, upstream):
    campaign = _completed(tenant_a, name="Spring renewals")
    page = tenant_a.admin_client.post(
        f"/dialer/campaigns/{campaign.ref}/start/", follow=True
    ).content.decode()
    assert NOTHING_LEFT in page
    assert "Start requested" not in page
    assert len(upstream.calls) == 0
