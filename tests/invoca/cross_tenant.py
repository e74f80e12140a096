"""Cross-tenant cases for Invoca advertiser campaign URLs: B never reads or changes A's
campaigns or connection, and never reaches Invoca with A's token."""

import responses

from invoca.models import AdvertiserCampaign, InvocaConnection
from tests.factories import bearer
from tests.invoca.conftest import ADVERTISER, TOKEN, affiliate_terms, connect, make_campaign

SECRET_NAME = "Acme secret campaign"
CAMPAIGN = f"/invoca/advertisers/{ADVERTISER}/campaigns/spring-1/"
API_CAMPAIGN = f"/v1/invoca/advertisers/{ADVERTISER}/campaigns/spring-1"


SECRET_NETWORK = "acme-network-77"


def _a_campaign(a):
    if not InvocaConnection.objects.filter(account=a.account).exists():
        connect(a, network_id=SECRET_NETWORK)
    found = AdvertiserCampaign.objects.filter(account=a.account).first()
    if found is not None:
        return found
    terms = affiliate_terms()
    return make_campaign(
        a, name=SECRET_NAME, status="live", current_terms=terms, future_terms=terms
    )


def _untouched(campaign):
    fresh = AdvertiserCampaign.objects.get(pk=campaign.pk)
    assert (fresh.name, fresh.status, fresh.future_terms) == (
        SECRET_NAME,
        "live",
        campaign.future_terms,
    )
    connection = InvocaConnection.objects.get(account=campaign.account, deleted_at__isnull=True)
    assert connection.secret == TOKEN


def _b(a, b, path, method="get", data=None, api=False, status=404):
    campaign = _a_campaign(a)
    with responses.RequestsMock() as upstream:
        if api:
            response = getattr(b.admin_client, method)(
                path, data or {}, content_type="application/json", **bearer(b.token.raw)
            )
        else:
            response = getattr(b.admin_client, method)(path, data or {})
        assert len(upstream.calls) == 0
    assert response.status_code == status, response.content
    assert SECRET_NAME not in response.content.decode()
    _untouched(campaign)
    return response


def invoca_home(a, b):
    _b(a, b, "/invoca/", status=200)


def invoca_connection(a, b):
    response = _b(a, b, "/invoca/connection/", status=200)
    assert TOKEN[-4:] not in response.content.decode()
    assert SECRET_NETWORK not in response.content.decode()


def invoca_disconnect(a, b):
    _b(a, b, "/invoca/connection/remove/", "post", status=302)


def invoca_advertiser_open(a, b):
    _b(a, b, f"/invoca/advertisers/open/?advertiser_id={ADVERTISER}", status=302)


def invoca_advertiser(a, b):
    # B has no Invoca connection: the connection page, saying so.
    response = _b(a, b, f"/invoca/advertisers/{ADVERTISER}/", status=302)
    assert response["Location"] == "/invoca/connection/"


def invoca_advertiser_refresh(a, b):
    _b(a, b, f"/invoca/advertisers/{ADVERTISER}/refresh/", "post", status=302)
    assert not AdvertiserCampaign.objects.filter(account=b.account).exists()


def invoca_campaign_new(a, b):
    # B has no Invoca connection: nothing reaches A's network, nothing is made.
    from tests.invoca.test_terms import form_data

    _b(a, b, f"/invoca/advertisers/{ADVERTISER}/campaigns/new/", "post", form_data(), status=400)
    assert not AdvertiserCampaign.objects.filter(account=b.account).exists()


def invoca_campaign(a, b):
    _b(a, b, CAMPAIGN)


def invoca_campaign_edit(a, b):
    _b(a, b, CAMPAIGN + "edit/")
    _b(a, b, CAMPAIGN + "edit/", "post", {"name": "B"})


def invoca_campaign_stats(a, b):
    _b(a, b, CAMPAIGN + "stats/")


def invoca_go_live(a, b):
    _b(a, b, CAMPAIGN + "go-live/", "post", {"timeout": "10"})


def invoca_archive(a, b):
    _b(a, b, CAMPAIGN + "archive/", "post")


def invoca_unarchive(a, b):
    _b(a, b, CAMPAIGN + "unarchive/", "post")


def invoca_campaign_refresh(a, b):
    _b(a, b, CAMPAIGN + "refresh/", "post")


def api_invoca_connection(a, b):
    response = _b(a, b, "/v1/invoca/connection", api=True, status=200)
    assert response.json()["data"]["connected"] is False
    _b(a, b, "/v1/invoca/connection", "delete", api=True, status=400)


def api_invoca_campaigns(a, b):
    response = _b(a, b, f"/v1/invoca/advertisers/{ADVERTISER}/campaigns", api=True, status=200)
    assert response.json()["data"] == []


def api_invoca_campaign(a, b):
    _b(a, b, API_CAMPAIGN, api=True)
    _b(a, b, API_CAMPAIGN, "put", {"name": "B"}, api=True)
    _b(a, b, API_CAMPAIGN, "delete", api=True)


def api_invoca_go_live(a, b):
    _b(a, b, API_CAMPAIGN + "/go_live", "post", {"timeout": 10}, api=True)


def api_invoca_archive(a, b):
    _b(a, b, API_CAMPAIGN + "/archive", "post", api=True)


def api_invoca_unarchive(a, b):
    _b(a, b, API_CAMPAIGN + "/unarchive", "post", api=True)


def api_invoca_quick_stats(a, b):
    _b(a, b, API_CAMPAIGN + "/quick_stats", api=True)


CASES = {
    name: function
    for name, function in list(globals().items())
    if name.startswith(("invoca_", "api_invoca_")) and callable(function)
}

EXEMPT = {}
