"""What a campaign's page says of what reached it while paused, per lead source, for an admin
and for a representative, paused and after activation: webhook, form and CallRail wait for
"Capture it now" on the page once active; the dialer and Invoca capture theirs on activation."""

import json
from html import unescape

import pytest
from django.test import Client

from campaigns import services
from tests.callrail.conftest import connect as connect_callrail
from tests.callrail.conftest import fixture as callrail_fixture
from tests.callrail.conftest import post as callrail_post
from tests.campaigns.factories import make_campaign

pytestmark = pytest.mark.django_db(transaction=True)

FIELDS = {
    "webhook": {"integration": "webhook"},
    "form": {"integration": "form"},
    "callrail": {"integration": "callrail", "tracking_number": "+14155550134"},
}


def _hold_one(tenant, campaign):
    if campaign.integration == "webhook":
        body = json.dumps({"external_id": "held-1", "phone": "+14155550111"})
        Client().post(f"/webhooks/leads/{campaign.webhook_token}/", body, "application/json")
    elif campaign.integration == "form":
        body = {"name": "Ann Lee", "phone": "(415) 555-0111", "website": ""}
        Client().post(f"/f/{campaign.form_secret_id}/", body)
    else:
        callrail_post(connect_callrail(tenant), callrail_fixture("pre_call__inbound"))


def _notice(client, campaign):
    page = unescape(client.get(f"/campaigns/{campaign.pk}/").content.decode())
    start = page.index(f'id="campaign-{campaign.pk}-held"')
    return " ".join(page[start : page.index("</section>", start)].split())


@pytest.mark.parametrize("source", sorted(FIELDS))
def test_held_wording_is_true_for_sources_captured_from_the_page(tenant_a, source):
    campaign = make_campaign(tenant_a, selected_user=[{"id": tenant_a.member.pk}], **FIELDS[source])
    services.update_campaign(campaign=campaign, changes={"status": False})
    _hold_one(tenant_a, campaign)

    admin = _notice(tenant_a.admin_client, campaign)
    rep = _notice(tenant_a.member_client, campaign)
    assert "while it was paused. It is stored, not lost." in admin
    assert "Activate the campaign, then capture it here with “Capture it now”." in admin
    assert (
        "Once the campaign is active again, an admin or the campaign's owner captures it "
        "from this page (“Capture it now”)." in rep
    )
    for said in (admin, rep):
        assert "activates it" not in said and "captured when" not in said

    services.update_campaign(campaign=campaign, changes={"status": True})
    admin = _notice(tenant_a.admin_client, campaign)
    rep = _notice(tenant_a.member_client, campaign)
    assert "It is stored, not lost." in admin and "Capture it now</button>" in admin
    assert (
        "It is stored, not lost. It is waiting for an admin or the campaign's owner to "
        "capture it from this page." in rep
    )
    assert "<button" not in rep


def _empty_leads(client, campaign):
    page = unescape(client.get(f"/campaigns/{campaign.pk}/").content.decode())
    start = page.index(f'id="campaign-{campaign.pk}-leads-empty"')
    return " ".join(page[page.index(">", start) + 1 : page.index("</span>", start)].split())


@pytest.mark.parametrize("source", sorted(FIELDS))
def test_an_empty_lead_list_points_to_what_is_held(tenant_a, source):
    campaign = make_campaign(tenant_a, selected_user=[{"id": tenant_a.member.pk}], **FIELDS[source])
    services.update_campaign(campaign=campaign, changes={"status": False})
    assert _empty_leads(tenant_a.admin_client, campaign) == (
        "No leads yet. They appear here the moment they arrive."
    )
    _hold_one(tenant_a, campaign)
    assert _empty_leads(tenant_a.admin_client, campaign) == (
        "No leads here yet: what reached this campaign while it was paused is held, not lost "
        "(see the notice above), and appears here once it is captured."
    )


def test_activating_brings_the_empty_lead_lists_words_along(tenant_a):
    campaign = make_campaign(tenant_a, **FIELDS["webhook"])
    services.update_campaign(campaign=campaign, changes={"status": False})
    _hold_one(tenant_a, campaign)
    response = tenant_a.admin_client.post(
        f"/campaigns/{campaign.pk}/status/", {"status": "on"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = unescape(response.content.decode())
    assert "HX-Refresh" not in response.headers
    assert f'id="campaign-{campaign.pk}-held" hx-swap-oob="true"' in html
    assert f'id="campaign-{campaign.pk}-leads-empty" hx-swap-oob="true"' in html
    assert "Capture it now</button>" in html
