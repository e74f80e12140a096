"""A deal keeps its owner when they leave the account: its page offers them as "<name> (no
longer a member)" so a save that leaves the owner alone keeps them, nobody else can be given a
deal by someone who left, and the owner filter (board and API) finds the deals they still own."""

import re

import pytest

from campaignhub import services as platform
from campaignhub.models import Membership
from crm.models import Deal
from tests.deals.conftest import capture, deal_campaign, money, sales, stage
from tests.factories import make_member
from tests.pages import hidden_values

pytestmark = pytest.mark.django_db

LEFT = "Theo Temp (no longer a member)"


@pytest.fixture
def theo(tenant_a):
    return make_member(tenant_a.account, "theo@acme.test", name="Theo Temp")


@pytest.fixture
def deal(tenant_a, theo, api):
    """A deal given to Theo, who then left the account."""
    deal = Deal.objects.get(lead=capture(deal_campaign(tenant_a)))
    assert api.patch(f"/v1/deals/{deal.pk}", {"owner": theo.pk}).status_code == 200
    platform.remove_member(
        membership=Membership.objects.get(account=tenant_a.account, user=theo),
        removed_by=tenant_a.admin,
    )
    return deal


def _owner_select(html):
    return re.search(r'<select name="owner".*?</select>', html, re.S).group(0)


def _selected_option(select):
    return re.search(r'<option value="(\d*)"[^>]*selected[^>]*>([^<]*)<', select).groups()


def _untouched(client, deal):
    """What the deal page's form sends when nothing is changed: hidden values, the selects'
    selected options and the value as drawn."""
    html = client.get(f"/deals/{deal.pk}/").content.decode()
    values = hidden_values(html)
    for name in ("stage", "owner"):
        select = re.search(rf'<select name="{name}".*?</select>', html, re.S).group(0)
        values[name] = _selected_option(select)[0]
    values["value"] = re.search(r'name="value" value="([^"]*)"', html).group(1)
    return values


def test_removing_a_member_leaves_their_deals_theirs(deal, theo):
    deal.refresh_from_db()
    assert deal.owner == theo


def test_the_deal_page_offers_the_owner_who_left_and_keeps_them_on_a_save_of_the_value(
    tenant_a, deal, theo
):
    html = tenant_a.admin_client.get(f"/deals/{deal.pk}/").content.decode()
    assert _selected_option(_owner_select(html)) == (str(theo.pk), LEFT)

    response = tenant_a.admin_client.post(
        f"/deals/{deal.pk}/", {**_untouched(tenant_a.admin_client, deal), "value": "1800.00"}
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert (deal.value, deal.owner) == (money("1800"), theo)


def test_moving_only_the_stage_keeps_the_owner_who_left(tenant_a, deal, theo, api):
    contacted = stage(tenant_a, "Contacted")
    response = tenant_a.admin_client.post(
        f"/deals/{deal.pk}/", {**_untouched(tenant_a.admin_client, deal), "stage": contacted.pk}
    )
    assert response.status_code == 302
    response = api.patch(f"/v1/deals/{deal.pk}", {"stage": stage(tenant_a, "Qualified").pk})
    assert response.status_code == 200
    assert response.json()["data"]["owner"] == {"id": theo.pk, "name": "Theo Temp"}
    deal.refresh_from_db()
    assert (deal.stage.name, deal.owner) == ("Qualified", theo)


def test_the_api_takes_the_owner_who_left_sent_back_as_read(deal, theo, api):
    response = api.patch(f"/v1/deals/{deal.pk}", {"owner": theo.pk, "value": 1600})
    assert response.status_code == 200
    deal.refresh_from_db()
    assert (deal.value, deal.owner) == (money("1600"), theo)


def test_no_other_deal_can_be_given_to_someone_who_left(tenant_a, deal, theo, api):
    other = Deal.objects.get(lead=capture(deal_campaign(tenant_a, name="Gutters")))
    html = tenant_a.admin_client.get(f"/deals/{other.pk}/").content.decode()
    assert "Theo Temp" not in _owner_select(html)

    response = api.patch(f"/v1/deals/{other.pk}", {"owner": theo.pk})
    assert response.status_code == 400
    assert response.json()["errors"] == {"owner": ["The owner must be a member of the account."]}
    page = tenant_a.admin_client.post(
        f"/deals/{other.pk}/", {**_untouched(tenant_a.admin_client, other), "owner": theo.pk}
    )
    assert page.status_code == 400
    assert "The owner must be a member of the account." in page.content.decode()
    other.refresh_from_db()
    assert other.owner == tenant_a.member


def test_the_api_filters_by_a_former_member_who_still_owns_deals(
    tenant_a, tenant_b, deal, theo, api
):
    response = api.get("/v1/deals", owner=theo.pk)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["data"]] == [deal.pk]

    # Someone who left owning nothing here, or who never was a member, is still a 400.
    gone = make_member(tenant_a.account, "gone@acme.test")
    Membership.objects.filter(account=tenant_a.account, user=gone).delete()
    for person in (gone, tenant_b.admin):
        response = api.get("/v1/deals", owner=person.pk)
        assert response.status_code == 400
        assert response.json()["errors"] == {"owner": ["Choose a member of this account."]}


def test_the_board_offers_and_keeps_a_former_member_who_still_owns_deals(tenant_a, deal, theo):
    url = f"/deals/?pipeline={sales(tenant_a).pk}&owner={theo.pk}"
    response = tenant_a.admin_client.get(url)
    assert response.status_code == 200  # not sent on to the board of anyone
    html = response.content.decode()
    select = re.search(r'<select id="board-owner".*?</select>', html, re.S).group(0)
    assert f'<option value="{theo.pk}" selected>{LEFT}</option>' in select
    assert f'id="deal-{deal.pk}"' in html
