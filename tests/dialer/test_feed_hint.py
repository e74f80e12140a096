"""An inbound campaign of lead source Dialer says how calls reach it while none do."""

from django.utils import timezone

from tests.campaigns.factories import make_campaign as make_inbound
from tests.dialer.conftest import make_campaign

HINT = (
    "No dialer campaign sends its leads here yet: on the Dialer page, choose this campaign "
    "under “Leads go to” of a dialer campaign."
)


def _page(client, inbound):
    return client.get(f"/campaigns/{inbound.pk}/").content.decode()


def test_an_inbound_campaign_no_dialer_campaign_feeds_links_to_the_dialer_page(tenant_a):
    inbound = make_inbound(tenant_a, campaign_name="Dialer leads", integration="dialer")
    page = _page(tenant_a.admin_client, inbound)
    assert HINT in page
    assert '<a href="/dialer/">Open the Dialer page</a>' in page


def test_the_hint_goes_once_a_dialer_campaign_sends_its_leads_there(tenant_a):
    inbound = make_inbound(
        tenant_a,
        campaign_name="Dialer leads",
        integration="dialer",
        selected_user=[{"id": tenant_a.member.pk}],
    )
    make_campaign(tenant_a, inbound_campaign=inbound)
    assert HINT not in _page(tenant_a.admin_client, inbound)
    # A member who is no agent of that dialer campaign is not told that none feeds it either.
    page = _page(tenant_a.member_client, inbound)
    assert "Dialer leads" in page and HINT not in page


def test_a_removed_dialer_campaign_feeds_nothing(tenant_a):
    inbound = make_inbound(tenant_a, campaign_name="Dialer leads", integration="dialer")
    make_campaign(tenant_a, inbound_campaign=inbound, deleted_at=timezone.now())
    assert HINT in _page(tenant_a.admin_client, inbound)


def test_other_lead_sources_get_no_dialer_hint(tenant_a):
    inbound = make_inbound(tenant_a, campaign_name="Web leads", integration="webhook")
    assert HINT not in _page(tenant_a.admin_client, inbound)
