"""Deals opened from leads, and the outcome loop: a deal moved to won wins its lead with the
deal's value as revenue; a lead won or lost elsewhere moves its deal."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from campaigns import outcomes
from campaigns.models import Campaign
from crm import deals, pipelines
from crm.models import Deal
from tests.deals.conftest import capture, deal_campaign, money, sales, stage

pytestmark = pytest.mark.django_db


def test_a_lead_of_a_campaign_with_create_deal_opens_a_deal(tenant_a):
    campaign = deal_campaign(tenant_a, currency="EUR")
    lead = capture(campaign, name="Jordan Miles")
    deal = Deal.objects.get(lead=lead)
    assert deal.account == tenant_a.account
    assert (deal.pipeline, deal.stage) == (sales(tenant_a), stage(tenant_a, "New"))
    assert (deal.title, deal.value, deal.currency) == ("Jordan Miles", money("1500"), "EUR")
    assert deal.campaign == campaign
    assert deal.owner == tenant_a.member == lead.representative
    assert (deal.won_at, deal.closed_at) == (None, None)


def test_a_campaign_without_create_deal_opens_none(tenant_a):
    capture(deal_campaign(tenant_a, create_deal=False))
    assert not Deal.objects.exists()


def test_the_deal_starts_in_the_campaigns_pipeline_and_stage(tenant_a):
    renewals = pipelines.create_pipeline(account=tenant_a.account, name="Renewals")
    qualified = renewals.stages.get(name="Qualified")
    campaign = deal_campaign(
        tenant_a, pipeline_id=str(renewals.pk), stage_id=str(qualified.pk), deal_value=None
    )
    deal = Deal.objects.get(lead=capture(campaign))
    assert (deal.pipeline, deal.stage, deal.value) == (renewals, qualified, None)


def test_the_currency_defaults_to_the_accounts(tenant_a):
    tenant_a.account.currency = "GBP"
    tenant_a.account.save()
    campaign = deal_campaign(tenant_a)
    Campaign.objects.filter(pk=campaign.pk).update(currency="")
    deal = Deal.objects.get(lead=capture(Campaign.objects.get(pk=campaign.pk)))
    assert deal.currency == "GBP"


def test_the_contact_merged_from_the_lead_is_the_deals(tenant_a):
    lead = capture(deal_campaign(tenant_a, add_to_crm=True), email="jordan@example.com")
    deal = Deal.objects.get(lead=lead)
    assert deal.contact_id == lead.contact_id


@pytest.mark.parametrize(
    ("pipeline_id", "stage_id"),
    [
        ("665f1c2e9b1e8a0012345678", "665f1c2e9b1e8a0012345679"),  # ids of the old service
        ("", ""),
        ("999999", "999999"),
        ("12" * 20, "-1"),
    ],
)
def test_missing_or_foreign_ids_fall_back_to_the_first_pipeline_and_open_stage(
    tenant_a, tenant_b, pipeline_id, stage_id
):
    campaign = deal_campaign(tenant_a)
    Campaign.objects.filter(pk=campaign.pk).update(pipeline_id=pipeline_id, stage_id=stage_id)
    deal = Deal.objects.get(lead=capture(Campaign.objects.get(pk=campaign.pk)))
    assert (deal.pipeline, deal.stage) == (sales(tenant_a), stage(tenant_a, "New"))


def test_another_accounts_pipeline_stored_on_a_campaign_is_never_used(tenant_a, tenant_b):
    campaign = deal_campaign(tenant_a)
    Campaign.objects.filter(pk=campaign.pk).update(
        pipeline_id=str(sales(tenant_b).pk), stage_id=str(stage(tenant_b, "Qualified").pk)
    )
    deal = Deal.objects.get(lead=capture(Campaign.objects.get(pk=campaign.pk)))
    assert (deal.pipeline, deal.stage) == (sales(tenant_a), stage(tenant_a, "New"))


def test_a_stage_outside_the_pipeline_or_not_open_falls_back_to_its_first_open_stage(tenant_a):
    renewals = pipelines.create_pipeline(account=tenant_a.account, name="Renewals")
    campaign = deal_campaign(
        tenant_a,
        pipeline_id=str(renewals.pk),
        stage_id=str(renewals.stages.get(name="Qualified").pk),
    )
    for stage_id in (str(stage(tenant_a, "Qualified").pk), str(renewals.stages.get(name="Won").pk)):
        Campaign.objects.filter(pk=campaign.pk).update(stage_id=stage_id)
        deal = Deal.objects.get(lead=capture(Campaign.objects.get(pk=campaign.pk)))
        assert (deal.pipeline, deal.stage) == (renewals, renewals.stages.get(name="New"))


def test_a_deal_from_a_lead_without_a_name_is_titled_by_its_phone_as_people_read_it(tenant_a):
    lead = capture(deal_campaign(tenant_a), name="", phone="+12125550199")
    assert Deal.objects.get(lead=lead).title == "(212) 555-0199"


def test_a_lead_opens_one_deal_only(tenant_a):
    lead = capture(deal_campaign(tenant_a))
    assert deals.open_for_lead(lead) == Deal.objects.get()
    assert Deal.objects.count() == 1


def test_an_account_without_pipelines_captures_the_lead_without_a_deal(tenant_a):
    campaign = deal_campaign(tenant_a)
    sales(tenant_a).stages.all().delete()
    sales(tenant_a).delete()
    lead = capture(campaign)
    assert lead.pk and not Deal.objects.exists()


# Moving deals


def test_moving_to_won_records_the_revenue_on_the_lead(tenant_a):
    lead = capture(deal_campaign(tenant_a))
    deal = Deal.objects.get(lead=lead)
    moved = deals.move_deal(deal=deal, stage=stage(tenant_a, "Won"), actor=tenant_a.admin)
    assert moved.won_at is not None and moved.closed_at == moved.won_at
    lead.refresh_from_db()
    assert (lead.status, lead.revenue) == ("won", money("1500"))
    assert lead.first_response_at is not None


def test_moving_to_lost_loses_the_lead_and_closes_the_deal(tenant_a):
    lead = capture(deal_campaign(tenant_a))
    deal = deals.move_deal(deal=Deal.objects.get(lead=lead), stage=stage(tenant_a, "Lost"))
    assert deal.won_at is None and deal.closed_at is not None
    lead.refresh_from_db()
    assert (lead.status, lead.revenue) == ("lost", None)


def test_leaving_won_clears_won_at_and_the_revenue(tenant_a):
    lead = capture(deal_campaign(tenant_a))
    deal = deals.move_deal(deal=Deal.objects.get(lead=lead), stage=stage(tenant_a, "Won"))
    deal = deals.move_deal(deal=deal, stage=stage(tenant_a, "Qualified"))
    assert (deal.won_at, deal.closed_at) == (None, None)
    lead.refresh_from_db()
    assert (lead.status, lead.revenue) == ("qualified", None)


def test_an_open_stage_named_like_a_status_sets_it(tenant_a):
    lead = capture(deal_campaign(tenant_a))
    deals.move_deal(deal=Deal.objects.get(lead=lead), stage=stage(tenant_a, "Contacted"))
    lead.refresh_from_db()
    assert lead.status == "contacted"
    assert lead.first_response_s is not None


def test_a_new_value_of_a_won_deal_is_the_leads_new_revenue(tenant_a):
    lead = capture(deal_campaign(tenant_a))
    deal = deals.move_deal(deal=Deal.objects.get(lead=lead), stage=stage(tenant_a, "Won"))
    won_at = deal.won_at
    deal = deals.update_deal(deal=deal, changes={"value": Decimal("2750.50")})
    lead.refresh_from_db()
    assert (lead.status, lead.revenue) == ("won", money("2750.50"))
    assert deal.won_at == won_at


def test_a_stage_of_another_pipeline_is_refused_and_changes_nothing(tenant_a, tenant_b):
    lead = capture(deal_campaign(tenant_a))
    deal = Deal.objects.get(lead=lead)
    renewals = pipelines.create_pipeline(account=tenant_a.account, name="Renewals")
    for foreign in (renewals.stages.get(name="Won"), stage(tenant_b, "Won")):
        with pytest.raises(ValidationError):
            deals.move_deal(deal=deal, stage=foreign)
    deal.refresh_from_db()
    lead.refresh_from_db()
    assert deal.stage == stage(tenant_a, "New")
    assert (lead.status, lead.revenue, deal.won_at) == ("new", None, None)


def test_moving_to_the_same_stage_changes_nothing(tenant_a, django_capture_on_commit_callbacks):
    deal = Deal.objects.get(lead=capture(deal_campaign(tenant_a)))
    before = deal.updated_at
    with django_capture_on_commit_callbacks() as callbacks:
        deals.move_deal(deal=deal, stage=stage(tenant_a, "New"))
    deal.refresh_from_db()
    assert deal.updated_at == before
    assert callbacks == []


# The lead's outcome set elsewhere


def test_a_lead_won_elsewhere_moves_its_deal_to_the_first_won_stage(tenant_a):
    lead = capture(deal_campaign(tenant_a))
    outcomes.set_outcome(lead=lead, status="won", revenue="980.00", actor=tenant_a.admin)
    deal = Deal.objects.get(lead=lead)
    assert deal.stage == stage(tenant_a, "Won")
    assert deal.won_at is not None and deal.closed_at is not None
    assert deal.value == money("980")


def test_a_lead_won_elsewhere_without_a_revenue_takes_its_deals_value(tenant_a):
    lead = capture(deal_campaign(tenant_a))
    outcomes.set_outcome(lead=lead, status="won", actor=tenant_a.admin)
    lead.refresh_from_db()
    assert (lead.status, lead.revenue) == ("won", money("1500"))
    assert Deal.objects.get(lead=lead).value == money("1500")


def test_a_deal_in_another_currency_never_becomes_revenue_nor_takes_one(tenant_a):
    lead = capture(deal_campaign(tenant_a, currency="EUR"))
    deal = deals.move_deal(deal=Deal.objects.get(lead=lead), stage=stage(tenant_a, "Won"))
    lead.refresh_from_db()
    assert (lead.status, lead.revenue) == ("won", None)
    deals.update_deal(deal=deal, changes={"value": Decimal("700")})
    outcomes.set_outcome(lead=lead, revenue="640.00")
    lead.refresh_from_db()
    deal.refresh_from_db()
    assert (lead.revenue, deal.currency, deal.value) == (money("640"), "EUR", money("700"))
    # Won from the lead's page: the EUR value is not taken as revenue either.
    other = capture(deal_campaign(tenant_a, name="Gutters", currency="EUR"))
    outcomes.set_outcome(lead=other, status="won")
    other.refresh_from_db()
    assert (other.status, other.revenue) == ("won", None)


def test_a_lead_lost_elsewhere_moves_its_deal_to_the_first_lost_stage(tenant_a):
    lead = capture(deal_campaign(tenant_a))
    outcomes.set_outcome(lead=lead, status="lost")
    deal = Deal.objects.get(lead=lead)
    assert deal.stage == stage(tenant_a, "Lost")
    assert (deal.won_at is None, deal.closed_at is not None) == (True, True)
    assert deal.value == money("1500")


def test_a_lead_reopened_elsewhere_reopens_its_deal(tenant_a):
    lead = capture(deal_campaign(tenant_a))
    outcomes.set_outcome(lead=lead, status="won", revenue="980.00")
    outcomes.set_outcome(lead=lead, status="qualified")
    deal = Deal.objects.get(lead=lead)
    assert deal.stage == stage(tenant_a, "Qualified")
    assert (deal.won_at, deal.closed_at) == (None, None)


def test_follow_lead_outcome_without_a_deal_does_nothing(tenant_a):
    lead = capture(deal_campaign(tenant_a, create_deal=False))
    lead.status = "won"
    assert deals.follow_lead_outcome(lead) is None


@pytest.mark.parametrize(("status", "kind"), [("won", "won"), ("lost", "lost")])
def test_a_pipeline_changed_by_hand_to_lack_a_closing_stage_gets_it_back(tenant_a, status, kind):
    """Pipelines keep a won and a lost stage; one changed around the rules (the database by
    hand) gets the stage back rather than leave its deal open beside a closed lead."""
    lead = capture(deal_campaign(tenant_a))
    sales(tenant_a).stages.filter(kind=kind).delete()
    outcomes.set_outcome(lead=lead, status=status)
    deal = Deal.objects.get(lead=lead)
    assert (deal.stage.kind, deal.stage.name) == (kind, kind.capitalize())
    assert deal.closed_at is not None
    lead.refresh_from_db()
    assert lead.status == status


def test_a_lead_and_its_deal_on_a_new_pipeline_keep_agreeing(tenant_a):
    renewals = pipelines.create_pipeline(account=tenant_a.account, name="Renewals")
    campaign = deal_campaign(
        tenant_a,
        pipeline_id=str(renewals.pk),
        stage_id=str(renewals.stages.get(name="New").pk),
    )
    lead = capture(campaign)
    outcomes.set_outcome(lead=lead, status="won", revenue="2500")
    deal = Deal.objects.get(lead=lead)
    assert (deal.stage, deal.value) == (renewals.stages.get(name="Won"), money("2500"))
    deals.move_deal(deal=deal, stage=renewals.stages.get(name="Won"))
    lead.refresh_from_db()
    assert (lead.status, lead.revenue) == ("won", money("2500"))


# Leaving won clears the lead's revenue


def _won_with_revenue(tenant, *, currency, revenue="300"):
    lead = capture(deal_campaign(tenant, currency=currency))
    deal = deals.move_deal(deal=Deal.objects.get(lead=lead), stage=stage(tenant, "Won"))
    outcomes.set_outcome(lead=lead, revenue=revenue)
    deal.refresh_from_db()
    return lead, deal


def test_leaving_won_asks_first_when_the_revenue_would_not_come_back(tenant_a):
    lead, deal = _won_with_revenue(tenant_a, currency="EUR")
    for target in ("Contacted", "Lost"):
        with pytest.raises(deals.RevenueWouldClear) as refused:
            deals.move_deal(deal=deal, stage=stage(tenant_a, target), clear_revenue=False)
        assert "clears its lead's revenue of USD 300.00" in refused.value.messages[0]
        assert "the deal's value in EUR cannot stand for it" in refused.value.messages[0]
    deal.refresh_from_db()
    lead.refresh_from_db()
    assert (deal.stage.name, lead.status, lead.revenue) == ("Won", "won", money("300"))
    # Confirmed (and by default, as the API and the system move deals): it goes.
    deals.move_deal(deal=deal, stage=stage(tenant_a, "Contacted"), clear_revenue=True)
    lead.refresh_from_db()
    assert (lead.status, lead.revenue) == ("contacted", None)


def test_a_confirmation_clears_only_the_revenue_it_was_asked_about(tenant_a):
    lead, deal = _won_with_revenue(tenant_a, currency="EUR")
    contacted = stage(tenant_a, "Contacted")
    with pytest.raises(deals.RevenueWouldClear) as asked:
        deals.move_deal(deal=deal, stage=contacted, clear_revenue=False)
    assert (asked.value.confirmation, asked.value.changed) == ("USD 300.00", False)
    outcomes.set_outcome(lead=lead, revenue="900")
    with pytest.raises(deals.RevenueWouldClear) as again:
        deals.move_deal(
            deal=deal, stage=contacted, clear_revenue=False, confirmed_revenue="USD 300.00"
        )
    assert (again.value.confirmation, again.value.changed) == ("USD 900.00", True)
    assert again.value.messages[0].startswith(
        "The lead's revenue changed since you were asked. Moving this deal out of Won clears "
        "its lead's revenue of USD 900.00"
    )
    lead.refresh_from_db()
    assert (Deal.objects.get(pk=deal.pk).stage.name, lead.revenue) == ("Won", money("900"))
    deals.move_deal(deal=deal, stage=contacted, clear_revenue=False, confirmed_revenue="USD 900.00")
    lead.refresh_from_db()
    assert (lead.status, lead.revenue) == ("contacted", None)


def test_leaving_won_does_not_ask_when_the_deals_value_brings_the_revenue_back(tenant_a):
    lead, deal = _won_with_revenue(tenant_a, currency="USD", revenue="1500")
    deal = deals.move_deal(deal=deal, stage=stage(tenant_a, "Contacted"), clear_revenue=False)
    deals.move_deal(deal=deal, stage=stage(tenant_a, "Won"), clear_revenue=False)
    lead.refresh_from_db()
    assert (lead.status, lead.revenue) == ("won", money("1500"))


# A new lead's status


def test_a_new_lead_starts_at_the_status_of_the_stage_its_deal_opens_in(tenant_a):
    lead = capture(deal_campaign(tenant_a, stage_id=str(stage(tenant_a, "Contacted").pk)))
    assert Deal.objects.get(lead=lead).stage.name == "Contacted"
    assert lead.status == "contacted"
    # Not a response: the first change someone makes records it.
    assert (lead.first_response_at, lead.first_response_s) == (None, None)
    outcomes.set_outcome(lead=lead, status="qualified")
    lead.refresh_from_db()
    assert lead.first_response_at is not None


def test_a_new_lead_stays_new_in_a_stage_named_unlike_a_status(tenant_a):
    proposal = pipelines.add_stage(pipeline=sales(tenant_a), name="Proposal", kind="open")
    lead = capture(deal_campaign(tenant_a, stage_id=str(proposal.pk)))
    assert Deal.objects.get(lead=lead).stage == proposal
    assert lead.status == "new"


def test_a_new_lead_cannot_start_won_or_lost(tenant_a):
    lead = capture(deal_campaign(tenant_a, create_deal=False))
    for status in ("won", "lost", "maybe"):
        with pytest.raises(ValueError):
            outcomes.start_at(lead=lead, status=status)
    lead.refresh_from_db()
    assert lead.status == "new"


def test_the_lead_page_links_its_contact_and_deal(tenant_a):
    lead = capture(deal_campaign(tenant_a), name="Jordan Miles")
    page = tenant_a.admin_client.get(f"/leads/{lead.pk}/").content.decode()
    assert f'href="/contacts/{lead.contact_id}/"' in page
    assert (
        f'href="/deals/{lead.deal.pk}/"' in page
        and '<span class="muted" data-deal-stage>New</span>' in page
    )

    plain = capture(deal_campaign(tenant_a, name="Plain", create_deal=False, add_to_crm=False))
    page = tenant_a.admin_client.get(f"/leads/{plain.pk}/").content.decode()
    assert "<dt>Contact</dt>" not in page and "<dt>Deal</dt>" not in page
