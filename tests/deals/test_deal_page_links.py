"""A deal's page links its lead and campaign only for who may open them: a member who owns a
deal of a campaign they do not work sees both named without links (their pages would be 404s),
on the page and in its live updates."""

import pytest

from crm import deals, live_updates
from tests.deals.conftest import Api, given_to, stage, token_of
from tests.factories import logged_in_client

pytestmark = pytest.mark.django_db


def test_the_deal_page_names_a_lead_and_campaign_its_owner_cannot_open_without_links(
    tenant_a, riley
):
    deal = given_to(tenant_a, riley, name="Roofing")
    client = logged_in_client(riley)
    assert client.get(f"/leads/{deal.lead_id}/").status_code == 404
    assert client.get(f"/campaigns/{deal.campaign_id}/").status_code == 404

    page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert f'href="/leads/{deal.lead_id}/"' not in page
    assert f'href="/campaigns/{deal.campaign_id}/"' not in page
    assert "<dd>Jordan Miles</dd>" in page and "<dd>Roofing</dd>" in page

    admin_page = tenant_a.admin_client.get(f"/deals/{deal.pk}/").content.decode()
    assert f'href="/leads/{deal.lead_id}/"' in admin_page
    assert f'href="/campaigns/{deal.campaign_id}/"' in admin_page

    # Theirs to move all the same: a lost stage loses the lead.
    response = Api(token_of(tenant_a, riley)).patch(
        f"/v1/deals/{deal.pk}", {"stage": stage(tenant_a, "Lost").pk}
    )
    assert response.status_code == 200
    deal.lead.refresh_from_db()
    assert deal.lead.status == "lost"


def test_a_live_change_links_the_lead_and_campaign_only_for_who_may_open_them(
    tenant_a, riley, live_events, django_capture_on_commit_callbacks
):
    deal = given_to(tenant_a, riley)
    with django_capture_on_commit_callbacks(execute=True):
        deals.move_deal(deal=deal, stage=stage(tenant_a, "Contacted"), actor=tenant_a.admin)
    links = (f'href="/leads/{deal.lead_id}/"', f'href="/campaigns/{deal.campaign_id}/"')
    (theirs,) = live_events.to(tenant_a.account, riley, live_updates.DEAL_EVENT)
    assert f'id="deal-{deal.pk}-facts"' in theirs["html"]
    assert not any(link in theirs["html"] for link in links)
    assert "<dd>Jordan Miles</dd>" in theirs["html"]
    (admins,) = live_events.to(tenant_a.account, tenant_a.admin, live_updates.DEAL_EVENT)
    assert all(link in admins["html"] for link in links)
