"""A lead given to someone else takes its deal along when the person it was taken from owned
the deal (its page, the API, a member's removal), so the lead and its deal never end with
different people in charge; a deal given another owner on purpose keeps them."""

import re

import pytest

from campaignhub import services as platform
from campaigns import assignment
from crm.models import Deal
from tests.deals.conftest import Api, capture, deal_campaign, given_to
from tests.factories import logged_in_client

pytestmark = pytest.mark.django_db

WON = {"status": "won", "revenue": "1200", "initial-status": "new", "initial-revenue": ""}


def give(tenant, lead, user):
    """The admin gives `lead` to `user` (None: nobody) from its page."""
    admin = tenant.account.memberships.get(user=tenant.admin)
    assignment.assign_lead(lead=lead, user_id=user and user.pk, actor=admin)


def owner_of(deal):
    return Deal.objects.get(pk=deal.pk).owner_id


@pytest.fixture
def deal(tenant_a):
    """The member's lead, whose deal they own (opened when the lead came in)."""
    deal = Deal.objects.get(lead=capture(deal_campaign(tenant_a)))
    assert deal.owner_id == deal.lead.representative_id == tenant_a.member.pk
    return deal


def test_a_lead_given_to_someone_else_takes_its_deal_along(tenant_a, deal):
    give(tenant_a, deal.lead, tenant_a.admin)
    assert owner_of(deal) == tenant_a.admin.pk


def test_a_lead_left_unassigned_leaves_its_deal_without_owner(tenant_a, deal):
    give(tenant_a, deal.lead, None)
    assert owner_of(deal) is None


def test_a_deal_owned_by_someone_else_on_purpose_keeps_its_owner(tenant_a, riley):
    deal = given_to(tenant_a, riley)
    assert deal.lead.representative_id == tenant_a.member.pk
    give(tenant_a, deal.lead, tenant_a.admin)
    assert owner_of(deal) == riley.pk


def test_the_previous_holders_stale_outcome_save_is_refused(tenant_a, deal):
    give(tenant_a, deal.lead, tenant_a.admin)
    response = logged_in_client(tenant_a.member).post(
        f"/leads/{deal.lead_id}/outcome/", WON, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 409
    found = re.search(r'<p class="message error refusal"[^>]*>(.*?)</p>', response.content.decode())
    assert found.group(1).startswith(
        "This lead was given to Acme Agency Admin: your change was not saved."
    )
    deal.lead.refresh_from_db()
    assert deal.lead.status == "new"
    assert Deal.objects.get(pk=deal.pk).stage.name == "New"


def test_a_lead_given_through_the_api_takes_its_deal_along(tenant_a, deal, api):
    response = api.patch(f"/v1/leads/{deal.lead_id}", {"representative": tenant_a.admin.pk})
    assert response.status_code == 200
    assert owner_of(deal) == tenant_a.admin.pk
    stale = Api(platform.issue_token(account=tenant_a.account, user=tenant_a.member, name="m").raw)
    refused = stale.patch(f"/v1/leads/{deal.lead_id}", {"status": "won"})
    assert refused.status_code == 403


def test_a_lead_passed_on_by_a_removal_takes_its_deal_along(tenant_a, riley):
    """Riley's lead, not yet alerted when they are removed, passes to the member."""
    campaign = deal_campaign(
        tenant_a, selected_user=[{"id": riley.pk}], notification_type="only_send_email"
    )
    deal = Deal.objects.get(lead=capture(campaign))
    assert deal.owner_id == riley.pk
    campaign.assignments.create(user=tenant_a.member, position=1)
    platform.remove_member(
        membership=tenant_a.account.memberships.get(user=riley), removed_by=tenant_a.admin
    )
    deal.lead.refresh_from_db()
    assert deal.lead.representative_id == tenant_a.member.pk
    assert owner_of(deal) == tenant_a.member.pk


def test_the_deal_updates_live_for_its_new_and_previous_owner(
    tenant_a, deal, django_capture_on_commit_callbacks, monkeypatch
):
    from crm import live_updates

    told = []
    monkeypatch.setattr(live_updates, "deal_changed", lambda pk, also=(): told.append((pk, also)))
    with django_capture_on_commit_callbacks(execute=True):
        give(tenant_a, deal.lead, tenant_a.admin)
    assert (deal.pk, (tenant_a.member.pk,)) in told
