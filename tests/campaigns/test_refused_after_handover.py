"""A change from a lead's page refused because the lead changed hands since the page was drawn
(its live updates dropped, so it still offered the form): the refusal says what happened, who
holds the lead now and what was chosen, in the block the change came from, and changes
nothing."""

import re

import pytest
from django.utils import timezone

from campaignhub import services as platform
from campaignhub.models import Membership
from campaigns import assignment, services
from campaigns.models import Lead, LeadSource
from tests.campaigns.factories import make_campaign
from tests.factories import make_member

pytestmark = pytest.mark.django_db

WON = {"status": "won", "revenue": "1200", "initial-status": "new", "initial-revenue": ""}


@pytest.fixture
def campaign(tenant_a):
    """Owned by the admin; the member represents it, so they still see its leads."""
    return make_campaign(
        tenant_a,
        campaign_name="Roofing",
        notification_type="only_send_email",
        selected_user=[{"id": tenant_a.member.pk}],
    )


@pytest.fixture
def lead(campaign, tenant_a):
    lead, _ = services.capture_lead(
        campaign=campaign, source=LeadSource.FORM, external_id="one", name="Ann Lee", alert=False
    )
    assert lead.representative == tenant_a.member
    return lead


def give(tenant, lead, user):
    """The admin gives `lead` to `user` (None: nobody), as its page or the API does."""
    admin = Membership.objects.get(account=tenant.account, user=tenant.admin)
    assignment.assign_lead(lead=lead, user_id=user and user.pk, actor=admin)


def outcome_of(lead):
    lead = Lead.objects.get(pk=lead.pk)
    return lead.status, lead.revenue, lead.representative_id


def said(html):
    """The refusal's words, as the page shows them."""
    found = re.search(r'<p class="message error refusal"[^>]*>(.*?)</p>', html, re.S)
    return found and found.group(1).replace("&#x27;", "'")


class TestOutcome:
    def test_htmx_says_who_has_the_lead_now_in_the_outcome_block(self, tenant_a, lead):
        give(tenant_a, lead, tenant_a.admin)
        before = outcome_of(lead)

        response = tenant_a.member_client.post(
            f"/leads/{lead.pk}/outcome/", WON, HTTP_HX_REQUEST="true"
        )

        assert response.status_code == 409
        html = response.content.decode()
        assert html.strip().startswith(f'<section class="card" id="lead-{lead.pk}-outcome"')
        assert said(html) == (
            "This lead was given to Acme Agency Admin: your change was not saved. "
            "You chose Won, USD 1,200.00."
        )
        assert f'id="lead-{lead.pk}-outcome-refusal" role="alert" tabindex="-1" autofocus' in html
        # The page stops offering the form, and its representative line says who has it now.
        assert f'action="/leads/{lead.pk}/outcome/"' not in html
        representative = html[html.index(f'id="lead-{lead.pk}-representative"') :]
        assert representative.startswith(f'id="lead-{lead.pk}-representative" hx-swap-oob="true"')
        assert "<span data-representative>Acme Agency Admin</span>" in representative
        # Said once, where the form was: not again at the top of the page.
        assert "HX-Trigger-After-Swap" not in response.headers
        assert outcome_of(lead) == before

    def test_a_page_without_scripts_gets_the_page_with_the_refusal_in_place(self, tenant_a, lead):
        give(tenant_a, lead, tenant_a.admin)
        before = outcome_of(lead)

        response = tenant_a.member_client.post(f"/leads/{lead.pk}/outcome/", {"status": "lost"})

        assert response.status_code == 409
        html = response.content.decode()
        assert said(html) == (
            "This lead was given to Acme Agency Admin: your change was not saved. You chose Lost."
        )
        outcome = html[html.index(f'id="lead-{lead.pk}-outcome"') :]
        assert f'id="lead-{lead.pk}-outcome-refusal"' in outcome
        assert f'action="/leads/{lead.pk}/outcome/"' not in html
        assert "<span data-representative>Acme Agency Admin</span>" in html
        assert outcome_of(lead) == before

    def test_a_holder_removed_from_the_account_is_named_as_pages_name_them(
        self, tenant_a, campaign, lead
    ):
        max_doe = make_member(tenant_a.account, "max@acme.test", name="Max Doe")
        campaign.assignments.create(user=max_doe, position=1)
        give(tenant_a, lead, max_doe)
        # Alerted to them, so it stays with their name when they leave (not passed on).
        Lead.objects.filter(pk=lead.pk).update(alerted_at=timezone.now())
        platform.remove_member(
            membership=Membership.objects.get(account=tenant_a.account, user=max_doe),
            removed_by=tenant_a.admin,
        )
        before = outcome_of(lead)

        response = tenant_a.member_client.post(
            f"/leads/{lead.pk}/outcome/", WON, HTTP_HX_REQUEST="true"
        )

        assert response.status_code == 409
        assert said(response.content.decode()) == (
            "This lead was given to Max Doe (no longer a member): your change was not saved. "
            "You chose Won, USD 1,200.00."
        )
        assert outcome_of(lead) == before

    def test_the_revenue_chosen_is_echoed_in_the_accounts_currency(self, tenant_a, lead):
        tenant_a.account.currency = "EUR"
        tenant_a.account.save(update_fields=["currency"])
        give(tenant_a, lead, tenant_a.admin)

        response = tenant_a.member_client.post(
            f"/leads/{lead.pk}/outcome/", WON, HTTP_HX_REQUEST="true"
        )

        assert response.status_code == 409
        assert said(response.content.decode()).endswith("You chose Won, EUR 1,200.00.")

    def test_a_lead_left_with_nobody_says_so(self, tenant_a, lead):
        give(tenant_a, lead, None)

        response = tenant_a.member_client.post(
            f"/leads/{lead.pk}/outcome/", {"status": "contacted"}, HTTP_HX_REQUEST="true"
        )

        assert response.status_code == 409
        assert said(response.content.decode()) == (
            "This lead is unassigned now, and only its campaign's owner or an account admin can "
            "set what became of it: your change was not saved. You chose Contacted."
        )
        assert outcome_of(lead) == ("new", None, None)

    def test_what_did_not_validate_is_not_echoed(self, tenant_a, lead):
        give(tenant_a, lead, tenant_a.admin)

        response = tenant_a.member_client.post(
            f"/leads/{lead.pk}/outcome/", {"status": "won", "revenue": "lots"}
        )

        assert response.status_code == 409
        assert said(response.content.decode()) == (
            "This lead was given to Acme Agency Admin: your change was not saved. You chose Won."
        )
        assert outcome_of(lead)[:2] == ("new", None)


class TestAssign:
    def test_an_owner_who_no_longer_owns_the_campaign_is_told_in_the_block(
        self, tenant_a, campaign, lead
    ):
        campaign.owner = tenant_a.member
        campaign.save(update_fields=["owner"])
        page = tenant_a.member_client.get(f"/leads/{lead.pk}/").content.decode()
        assert f'action="/leads/{lead.pk}/representative/"' in page
        campaign.owner = tenant_a.admin  # handed on meanwhile
        campaign.save(update_fields=["owner"])

        response = tenant_a.member_client.post(
            f"/leads/{lead.pk}/representative/", {"representative": ""}, HTTP_HX_REQUEST="true"
        )

        assert response.status_code == 409
        html = response.content.decode()
        assert html.strip().startswith(
            f'<div class="facts-group" id="lead-{lead.pk}-representative"'
        )
        assert said(html) == (
            "Only the campaign's owner or an account admin can choose who works its leads, and "
            "you no longer can: your change was not saved. Acme Agency Member holds it."
        )
        assert 'name="representative"' not in html
        assert outcome_of(lead)[2] == tenant_a.member.pk


def test_the_api_still_refuses_with_403(tenant_a, lead):
    give(tenant_a, lead, tenant_a.admin)
    token = platform.issue_token(account=tenant_a.account, user=tenant_a.member, name="t").raw
    response = tenant_a.member_client.patch(
        f"/v1/leads/{lead.pk}",
        {"status": "won"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 403
    assert outcome_of(lead)[:2] == ("new", None)
