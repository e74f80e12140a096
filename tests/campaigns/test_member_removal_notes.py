"""Removing a member says which campaigns it leaves with no representative and how many leads
pass on, before (the confirmation page) and after (the message); a lead left with nobody
alerts the campaign's owner."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaignhub import services as platform
from campaignhub.models import Membership
from campaigns import removal, services
from campaigns.models import Lead
from notifications.models import Delivery
from tests.campaigns.factories import make_campaign
from tests.factories import bearer

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaigns(tenant_a):
    """The member alone represents Roofing and Solar; Shared has the admin as well."""
    alone = [{"id": tenant_a.member.pk}]
    both = [{"id": tenant_a.member.pk}, {"id": tenant_a.admin.pk}]
    return {
        "roofing": make_campaign(tenant_a, campaign_name="Roofing", selected_user=alone),
        "solar": make_campaign(tenant_a, campaign_name="Solar", selected_user=alone),
        "shared": make_campaign(tenant_a, campaign_name="Shared", selected_user=both),
    }


@pytest.fixture
def unalerted(campaigns):
    """A lead given to the member whose alert is still queued (no commit: not sent)."""
    lead, _ = services.capture_lead(
        campaign=campaigns["roofing"], source="form", external_id="q", name="Pat Lead"
    )
    return lead


def _membership(tenant, user):
    return Membership.objects.select_related("account", "user").get(
        account=tenant.account, user=user
    )


def test_the_preview_names_the_campaigns_left_with_nobody_and_the_leads_passing_on(
    tenant_a, campaigns, unalerted
):
    sentences = platform.removal_preview(
        membership=_membership(tenant_a, tenant_a.member), removed_by=tenant_a.admin
    )
    assert (
        "The campaigns “Roofing” and “Solar” will be left with no representative: their new "
        "leads alert the owner until representatives are chosen on the campaign's page."
    ) in sentences
    assert (
        "1 lead given to them whose alert has not gone out will pass to the campaign's next "
        "representative (or, with none left, alert its owner)."
    ) in sentences
    assert not any("Shared" in sentence for sentence in sentences)
    # Nothing changed.
    assert campaigns["roofing"].assignments.filter(user=tenant_a.member).exists()


def test_the_removal_says_it_and_the_lead_left_with_nobody_alerts_the_owner(
    tenant_a, campaigns, unalerted
):
    removed = platform.remove_member(
        membership=_membership(tenant_a, tenant_a.member), removed_by=tenant_a.admin
    )
    assert removed.notes == (
        "The campaigns “Roofing” and “Solar” are left with no representative: their new leads "
        "alert the owner until representatives are chosen on the campaign's page.",
        "1 lead given to them whose alert had not gone out passed to the campaign's next "
        "representative (or, with none left, alert its owner).",
    )
    lead = Lead.objects.get(pk=unalerted.pk)
    assert lead.representative is None
    owner_alerts = Delivery.objects.filter(event=services.LEAD_EVENT, user=tenant_a.admin)
    assert {d.data["lead_id"] for d in owner_alerts} == {str(lead.pk)}


def test_passing_on_again_alerts_no_one_twice(tenant_a, campaigns, unalerted):
    platform.remove_member(
        membership=_membership(tenant_a, tenant_a.member), removed_by=tenant_a.admin
    )
    before = Delivery.objects.count()
    assert services.pass_on_unalerted_leads(account=tenant_a.account, user=tenant_a.member) == []
    assert Delivery.objects.count() == before


def test_many_campaigns_are_counted_past_the_first_five():
    names = [f"C{n}" for n in range(8)]
    assert removal.unrepresented_sentence(names, will=True).startswith(
        "The campaigns “C0”, “C1”, “C2”, “C3”, “C4” and 3 more will be left"
    )


def test_the_confirmation_page_lists_it_and_the_message_repeats_it(tenant_a, campaigns, unalerted):
    target = _membership(tenant_a, tenant_a.member)
    page = tenant_a.admin_client.get(f"/settings/members/{target.pk}/remove/")
    content = page.content.decode()
    assert page.status_code == 200
    assert "Remove Acme Agency Member (member@acme.test) from Acme Agency?" in content
    assert "“Roofing” and “Solar” will be left with no representative" in content
    assert "1 lead given to them whose alert has not gone out will pass" in content
    assert Membership.objects.filter(pk=target.pk).exists()
    done = tenant_a.admin_client.post(f"/settings/members/{target.pk}/remove/", follow=True)
    message = done.content.decode()
    assert "Acme Agency Member removed from Acme Agency." in message
    assert "“Roofing” and “Solar” are left with no representative" in message
    assert not Membership.objects.filter(pk=target.pk).exists()


def test_a_member_who_leaves_nothing_behind_gets_a_plain_confirmation(tenant_a):
    target = _membership(tenant_a, tenant_a.member)
    content = tenant_a.admin_client.get(f"/settings/members/{target.pk}/remove/").content.decode()
    assert "No campaign is left without a representative." in content


def test_members_may_not_see_the_confirmation(tenant_a):
    target = _membership(tenant_a, tenant_a.admin)
    response = tenant_a.member_client.get(f"/settings/members/{target.pk}/remove/")
    assert response.status_code == 403


def _alerted(campaign, external_id):
    """A lead given to the member whose alert went out: it stays with them."""
    lead, _ = services.capture_lead(campaign=campaign, source="form", external_id=external_id)
    Lead.objects.filter(pk=lead.pk).update(alerted_at=timezone.now())
    return lead


def test_the_preview_counts_the_leads_already_alerted_that_stay_with_them(
    tenant_a, campaigns, unalerted
):
    for n in range(2):
        _alerted(campaigns["solar"], f"sent-{n}")
    sentences = platform.removal_preview(
        membership=_membership(tenant_a, tenant_a.member), removed_by=tenant_a.admin
    )
    # The unalerted one passes on and is not counted among those that stay.
    assert (
        "2 leads already alerted to them will stay with their name, marked “no longer a "
        "member”: an admin or the campaign's owner can give them to someone else from the "
        "lead's page."
    ) in sentences
    assert any(sentence.startswith("1 lead given to them whose alert") for sentence in sentences)


def test_the_removal_says_which_leads_stayed_with_them(tenant_a, campaigns, unalerted):
    kept = _alerted(campaigns["solar"], "sent")
    removed = platform.remove_member(
        membership=_membership(tenant_a, tenant_a.member), removed_by=tenant_a.admin
    )
    assert removed.notes[-1] == (
        "1 lead already alerted to them stays with their name, marked “no longer a member”: an "
        "admin or the campaign's owner can give it to someone else from the lead's page."
    )
    assert Lead.objects.get(pk=kept.pk).representative == tenant_a.member
    assert Lead.objects.get(pk=unalerted.pk).representative is None


def test_no_lead_held_says_nothing_about_them(tenant_a, campaigns, unalerted):
    sentences = platform.removal_preview(
        membership=_membership(tenant_a, tenant_a.member), removed_by=tenant_a.admin
    )
    assert not any("already alerted" in sentence for sentence in sentences)


def test_counting_the_leads_that_stay_costs_the_same_for_one_or_many(
    tenant_a, campaigns, django_assert_num_queries
):
    target = _membership(tenant_a, tenant_a.member)
    _alerted(campaigns["solar"], "first")
    with CaptureQueriesContext(connection) as one:
        platform.removal_preview(membership=target, removed_by=tenant_a.admin)
    for n in range(5):
        _alerted(campaigns["solar"], f"more-{n}")
    with django_assert_num_queries(len(one)):
        sentences = platform.removal_preview(membership=target, removed_by=tenant_a.admin)
    assert any(sentence.startswith("6 leads already alerted") for sentence in sentences)


def test_the_confirmation_page_says_how_many_stay_with_them(tenant_a, campaigns):
    _alerted(campaigns["roofing"], "sent")
    target = _membership(tenant_a, tenant_a.member)
    content = tenant_a.admin_client.get(f"/settings/members/{target.pk}/remove/").content.decode()
    assert "1 lead already alerted to them will stay with their name" in content
    assert "can give it to someone else from the lead&#x27;s page." in content


def test_the_api_removal_answers_the_notes_the_page_shows(tenant_a, campaigns, unalerted):
    _alerted(campaigns["solar"], "sent")
    make_campaign(tenant_a, owner=tenant_a.member, campaign_name="Their own")
    target = _membership(tenant_a, tenant_a.member)
    response = Client().delete(f"/v1/members/{target.pk}", **bearer(tenant_a.token.raw))
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True and body["message"] == "SUCCESS"
    assert body["data"] == {
        "handed_over": [{"noun": "campaign", "count": 1}],
        "invitations_cancelled": 0,
        "notes": [
            "The campaigns “Roofing” and “Solar” are left with no representative: their new "
            "leads alert the owner until representatives are chosen on the campaign's page.",
            "1 lead given to them whose alert had not gone out passed to the campaign's next "
            "representative (or, with none left, alert its owner).",
            "1 lead already alerted to them stays with their name, marked “no longer a member”: "
            "an admin or the campaign's owner can give it to someone else from the lead's page.",
        ],
    }


def test_the_api_removal_of_someone_who_leaves_nothing_behind_says_nothing_more(tenant_a):
    target = _membership(tenant_a, tenant_a.member)
    response = Client().delete(f"/v1/members/{target.pk}", **bearer(tenant_a.token.raw))
    assert response.json()["data"] == {
        "handed_over": [],
        "invitations_cancelled": 0,
        "notes": [],
    }
