"""Who may move or edit a deal: seeing it is not enough, since moving a lead's deal wins or
loses the lead (`crm.deals.may_change`, the outcome rule of `campaigns.permissions`)."""

import pytest

from campaignhub import services as platform
from tests.deals.conftest import Api, capture, deal_campaign, money, stage
from tests.factories import logged_in_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def riley(tenant_a):
    """A second representative of the campaign: sees its deals, does not work this lead."""
    return platform.add_member(account=tenant_a.account, email="riley@acme.test").user


@pytest.fixture
def deal(tenant_a, riley):
    campaign = deal_campaign(tenant_a, selected_user=[{"id": tenant_a.member.pk}, {"id": riley.pk}])
    lead = capture(campaign)
    assert lead.representative == tenant_a.member
    return lead.deal


def _token(tenant, user):
    return platform.issue_token(account=tenant.account, user=user, name=user.email).raw


def test_a_representative_who_does_not_work_the_lead_cannot_move_or_take_its_deal(
    tenant_a, riley, deal
):
    api = Api(_token(tenant_a, riley))
    won = stage(tenant_a, "Won")
    assert api.get(f"/v1/deals/{deal.pk}").status_code == 200

    # A body the form would refuse is refused for who may not change the deal first.
    bodies = ({"stage": won.pk, "value": 99999}, {"owner": riley.pk}, {"value": -5}, {"stage": 0})
    for body in bodies:
        response = api.patch(f"/v1/deals/{deal.pk}", body)
        assert response.status_code == 403, body
        assert "can change this deal" in response.json()["message"]
    for body in ({"stage": won.pk}, {"stage": "nope"}):
        page = logged_in_client(riley).post(f"/deals/{deal.pk}/move/", body)
        assert page.status_code == 403, body
    page = logged_in_client(riley).post(f"/deals/{deal.pk}/", {"stage": won.pk, "value": "-1"})
    assert page.status_code == 403

    deal.refresh_from_db()
    deal.lead.refresh_from_db()
    assert (deal.stage.name, deal.owner) == ("New", tenant_a.member)
    assert (deal.lead.status, deal.lead.revenue) == ("new", None)


def test_the_leads_representative_moves_it(tenant_a, deal):
    won = stage(tenant_a, "Won")
    response = Api(_token(tenant_a, tenant_a.member)).patch(
        f"/v1/deals/{deal.pk}", {"stage": won.pk, "value": 2000}
    )
    assert response.status_code == 200
    deal.lead.refresh_from_db()
    assert (deal.lead.status, deal.lead.revenue) == ("won", money("2000"))


def test_the_board_and_the_deal_page_offer_changes_only_to_who_may_make_them(tenant_a, riley, deal):
    board_url = f"/deals/?pipeline={deal.pipeline_id}"
    theirs = logged_in_client(riley).get(board_url).content.decode()
    own = tenant_a.member_client.get(board_url).content.decode()
    move = f'action="/deals/{deal.pk}/move/"'
    assert f'id="deal-{deal.pk}"' in theirs and move not in theirs
    assert move in own

    page = logged_in_client(riley).get(f"/deals/{deal.pk}/").content.decode()
    assert "Save deal" not in page and "changes this deal" in page
    assert "Save deal" in tenant_a.member_client.get(f"/deals/{deal.pk}/").content.decode()
