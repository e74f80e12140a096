"""A deal's owner may set its lead's outcome wherever it is set (the deal, the lead's page, the
API), since moving the deal does."""

import pytest

from campaigns.permissions import OUTCOME_REFUSAL, may_set_outcome
from crm.models import Deal
from tests.deals.conftest import Api, capture, deal_campaign, given_to, money, token_of
from tests.factories import logged_in_client

pytestmark = pytest.mark.django_db


def _membership(tenant, user):
    return tenant.account.memberships.get(user=user)


def test_the_owner_of_a_leads_deal_may_set_its_outcome(tenant_a, riley):
    represented = {"selected_user": [{"id": tenant_a.member.pk}, {"id": riley.pk}]}
    deal = given_to(tenant_a, riley, **represented)
    assert deal.lead.representative == tenant_a.member
    assert may_set_outcome(_membership(tenant_a, riley), deal.lead)

    response = Api(token_of(tenant_a, riley)).patch(
        f"/v1/leads/{deal.lead_id}", {"status": "won", "revenue": 2400}
    )
    assert response.status_code == 200
    deal.refresh_from_db()
    deal.lead.refresh_from_db()
    assert (deal.lead.status, deal.lead.revenue) == ("won", money("2400"))
    assert (deal.stage.name, deal.value) == ("Won", money("2400"))

    page = logged_in_client(riley).get(f"/leads/{deal.lead_id}/").content.decode()
    assert "sets what became of it" not in page  # the outcome form, not the note
    saved = logged_in_client(riley).post(f"/leads/{deal.lead_id}/outcome/", {"status": "lost"})
    assert saved.status_code == 302
    deal.lead.refresh_from_db()
    assert deal.lead.status == "lost"


def test_another_representative_who_does_not_own_the_deal_still_may_not(tenant_a, riley):
    represented = {"selected_user": [{"id": tenant_a.member.pk}, {"id": riley.pk}]}
    deal = Deal.objects.get(lead=capture(deal_campaign(tenant_a, **represented)))
    assert not may_set_outcome(_membership(tenant_a, riley), deal.lead)
    response = Api(token_of(tenant_a, riley)).patch(f"/v1/leads/{deal.lead_id}", {"status": "won"})
    assert response.status_code == 403
    assert response.json()["message"] == OUTCOME_REFUSAL
    assert "the owner of its deal" in OUTCOME_REFUSAL
    deal.lead.refresh_from_db()
    assert deal.lead.status == "new"
