"""An advertiser's page with no Invoca connection: the connection page says Invoca is not
connected, rather than an empty advertiser page offering "New campaign"."""

from html import unescape

from invoca.models import InvocaConnection
from tests.invoca.conftest import ADVERTISER, connect, make_campaign


def test_an_advertiser_without_a_connection_leads_to_the_connection_page(tenant_a):
    response = tenant_a.admin_client.get("/invoca/advertisers/any-id/", follow=True)
    assert response.redirect_chain == [("/invoca/connection/", 302)]
    page = unescape(response.content.decode())
    assert "Invoca is not connected: connect your Invoca network to open its advertisers." in page
    assert "New campaign" not in page


def test_a_member_is_told_to_ask_an_admin(tenant_a):
    response = tenant_a.member_client.get("/invoca/advertisers/any-id/", follow=True)
    assert response.redirect_chain == [("/invoca/connection/", 302)]
    assert "ask an account admin to connect" in unescape(response.content.decode())


def test_campaigns_kept_from_a_removed_connection_are_still_listed(tenant_a):
    connect(tenant_a)
    make_campaign(tenant_a, name="Spring promotion")
    InvocaConnection.objects.filter(account=tenant_a.account).delete()
    response = tenant_a.admin_client.get(f"/invoca/advertisers/{ADVERTISER}/")
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "Spring promotion" in page and "New campaign" not in page


def test_a_connected_advertiser_page_offers_new_campaign(tenant_a):
    connect(tenant_a)
    response = tenant_a.admin_client.get("/invoca/advertisers/any-id/")
    assert response.status_code == 200
    assert "New campaign" in response.content.decode()
