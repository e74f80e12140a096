"""An inbound campaign of lead source Dialer says how calls reach it while none do."""

from django.utils import timezone

from tests.campaigns.factories import make_campaign as make_inbound
from tests.dialer.conftest import make_campaign

HINT = (
    "No dialer campaign sends its leads here yet: choose this campaign under “Leads go to” "
    "when you add a dialer campaign (Dialer → Add campaign), or in a dialer campaign&#x27;s "
    "Settings (Dialer → open the campaign → Apply)."
)
FORM_HINT = (
    "choose this campaign under “Leads go to” when you add a dialer campaign (Dialer → Add "
    "campaign), or in a dialer campaign's Settings (Dialer → open the campaign → Apply)."
)


def _page(client, inbound):
    return client.get(f"/campaigns/{inbound.pk}/").content.decode()


def test_an_inbound_campaign_no_dialer_campaign_feeds_links_to_where_leads_go_to_is(tenant_a):
    inbound = make_inbound(tenant_a, campaign_name="Dialer leads", integration="dialer")
    page = _page(tenant_a.admin_client, inbound)
    assert HINT in page
    add = f"/dialer/campaigns/new/?inbound_campaign={inbound.pk}"
    assert f'<a href="{add}">Add a dialer campaign that sends its leads here</a>' in page
    # The link's page has the “Leads go to” field, with this campaign chosen in it.
    form = tenant_a.admin_client.get(add).content.decode()
    assert "Leads go to" in form
    assert f'<option value="{inbound.pk}" selected>Dialer leads</option>' in form


def test_the_campaign_form_says_where_leads_go_to_is_as_the_campaign_page_does(tenant_a):
    form = tenant_a.admin_client.get("/campaigns/new/").content.decode()
    assert FORM_HINT.replace("'", "&#x27;") in form or FORM_HINT in form


def test_the_add_page_chooses_no_campaign_of_another_account_or_source(tenant_a, tenant_b):
    theirs = make_inbound(tenant_b, campaign_name="Their leads", integration="dialer")
    web = make_inbound(tenant_a, campaign_name="Web leads", integration="webhook")
    for proposed in (theirs.pk, web.pk, "junk"):
        page = tenant_a.admin_client.get(f"/dialer/campaigns/new/?inbound_campaign={proposed}")
        assert page.status_code == 200
        assert "selected>" not in page.content.decode().split('name="inbound_campaign"')[1]


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
