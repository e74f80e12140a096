"""A campaign is never left owned by someone outside its account: a member's removal hands
their campaigns to the admin who removed them, and a campaign whose owner left earlier says so
and cannot be saved with them as its owner."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.test import Client

from campaignhub import services as platform
from campaignhub.models import Membership, Role
from campaigns import checks, events, services
from campaigns.models import Campaign, CampaignTally, Lead
from notifications.models import Delivery
from tests.campaigns.factories import make_campaign
from tests.campaigns.test_views import form_post
from tests.factories import bearer, make_member

pytestmark = pytest.mark.django_db


def _membership(tenant, user):
    return Membership.objects.get(account=tenant.account, user=user)


def _owned_by_member(tenant, count=1, **overrides):
    return [
        make_campaign(tenant, owner=tenant.member, campaign_name=f"Solar {n}", **overrides)
        for n in range(count)
    ]


def _left_earlier(tenant):
    """A campaign whose owner left the account before removals handed campaigns over (the
    membership row gone, the owner kept)."""
    [campaign] = _owned_by_member(tenant)
    Membership.objects.filter(account=tenant.account, user=tenant.member).delete()
    return Campaign.objects.select_related("owner").get(pk=campaign.pk)


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


class TestRemovalHandsCampaignsOver:
    def test_every_campaign_they_own_passes_to_the_admin_who_removed_them(self, tenant_a):
        owned = _owned_by_member(tenant_a, count=2)
        gone = make_campaign(tenant_a, owner=tenant_a.member, campaign_name="Old")
        services.delete_campaign(campaign=gone)
        others = make_campaign(tenant_a, campaign_name="Admin's")
        tallies = list(CampaignTally.objects.values_list("integration", "status", "count"))

        removal = platform.remove_member(
            membership=_membership(tenant_a, tenant_a.member), removed_by=tenant_a.admin
        )

        owners = dict(Campaign.objects.values_list("pk", "owner_id"))
        assert {owners[c.pk] for c in [*owned, gone, others]} == {tenant_a.admin.pk}
        assert Campaign.objects.get(pk=gone.pk).is_deleted
        # Counted once: the deleted campaign passed too, but the admin sees two.
        assert [(h.noun, h.count) for h in removal.handed_over] == [("campaign", 2)]
        assert str(removal.handed_over[0]) == "2 campaigns"
        assert list(CampaignTally.objects.values_list("integration", "status", "count")) == (
            tallies
        )

    def test_nothing_owned_hands_nothing_over(self, tenant_a):
        make_campaign(tenant_a)
        removal = platform.remove_member(
            membership=_membership(tenant_a, tenant_a.member), removed_by=tenant_a.admin
        )
        assert removal.handed_over == ()

    def test_the_campaigns_live_rows_name_their_new_owner(self, tenant_a, live_events, committed):
        with committed():
            [campaign] = _owned_by_member(tenant_a)
        live_events.pushed.clear()

        with committed():
            platform.remove_member(
                membership=_membership(tenant_a, tenant_a.member), removed_by=tenant_a.admin
            )

        rows = [
            f["html"]
            for f in live_events.to(tenant_a.account, tenant_a.admin, events.COUNT_EVENT)
            if f'<tr id="campaign-{campaign.pk}"' in f["html"]
        ]
        assert rows
        assert "Acme Agency Admin" in rows[-1]
        assert "Acme Agency Member" not in rows[-1]

    def test_pausing_a_handed_over_campaign_alerts_its_new_owner(self, tenant_a, committed):
        [campaign] = _owned_by_member(tenant_a)
        platform.remove_member(
            membership=_membership(tenant_a, tenant_a.member), removed_by=tenant_a.admin
        )
        with committed():
            services.update_campaign(campaign=campaign, changes={"status": False})
        alerts = Delivery.objects.filter(event="campaign_disconnected")
        assert {delivery.user_id for delivery in alerts} == {tenant_a.admin.pk}

    def test_the_members_page_says_how_many_passed_to_whom(self, tenant_a):
        _owned_by_member(tenant_a, count=3)
        membership = _membership(tenant_a, tenant_a.member)
        response = tenant_a.admin_client.post(f"/settings/members/{membership.pk}/remove/")
        assert _messages(response) == [
            "Acme Agency Member removed from Acme Agency; their 3 campaigns are now owned by you."
        ]

    def test_one_campaign_is_said_in_the_singular(self, tenant_a):
        _owned_by_member(tenant_a)
        membership = _membership(tenant_a, tenant_a.member)
        response = tenant_a.admin_client.post(f"/settings/members/{membership.pk}/remove/")
        assert _messages(response) == [
            "Acme Agency Member removed from Acme Agency; their 1 campaign is now owned by you."
        ]

    def test_the_api_hands_them_to_the_admin_calling_it(self, tenant_a):
        [campaign] = _owned_by_member(tenant_a)
        membership = _membership(tenant_a, tenant_a.member)
        response = Client().delete(f"/v1/members/{membership.pk}", **bearer(tenant_a.token.raw))
        assert response.status_code == 200
        assert Campaign.objects.get(pk=campaign.pk).owner_id == tenant_a.admin.pk

    def test_someone_not_an_admin_of_the_account_cannot_take_them(self, tenant_a, tenant_b):
        [campaign] = _owned_by_member(tenant_a)
        plain = make_member(tenant_a.account, "plain@acme.test", Role.MEMBER, name="Pat Plain")
        for outsider in (tenant_b.admin, plain):
            with pytest.raises(ValidationError, match="only an admin of Acme Agency"):
                platform.remove_member(
                    membership=_membership(tenant_a, tenant_a.member), removed_by=outsider
                )
        assert _membership(tenant_a, tenant_a.member)
        assert Campaign.objects.get(pk=campaign.pk).owner_id == tenant_a.member.pk

    def test_an_admin_who_owns_campaigns_cannot_remove_themselves(self, tenant_a):
        second = make_member(tenant_a.account, "second@acme.test", Role.ADMIN, name="Sam Second")
        campaign = make_campaign(tenant_a, owner=second)
        response = Client()
        response.force_login(second)
        answer = response.post(f"/settings/members/{_membership(tenant_a, second).pk}/remove/")
        assert _messages(answer) == [
            "Sam Second owns campaigns, which pass to the admin who removes them: "
            "another admin must remove them."
        ]
        assert Campaign.objects.get(pk=campaign.pk).owner_id == second.pk
        assert _membership(tenant_a, second)

    def test_an_admin_who_owns_campaigns_is_told_so_before_removing_themselves(self, tenant_a):
        second = make_member(tenant_a.account, "second@acme.test", Role.ADMIN, name="Sam Second")
        make_campaign(tenant_a, owner=second)
        client = Client()
        client.force_login(second)
        page = client.get(f"/settings/members/{_membership(tenant_a, second).pk}/remove/")
        content = page.content.decode()
        assert "Sam Second (second@acme.test) cannot be removed from Acme Agency" in content
        assert "another admin must remove them." in content
        assert "will be owned by you" not in content
        assert "Remove Sam Second</button>" not in content

    def test_another_admin_is_offered_the_removal_of_an_admin_who_owns_campaigns(self, tenant_a):
        second = make_member(tenant_a.account, "second@acme.test", Role.ADMIN, name="Sam Second")
        make_campaign(tenant_a, owner=second)
        page = tenant_a.admin_client.get(
            f"/settings/members/{_membership(tenant_a, second).pk}/remove/"
        )
        content = page.content.decode()
        assert "Their 1 campaign will be owned by you." in content
        assert "Remove Sam Second</button>" in content

    def test_a_deleted_campaign_they_own_refuses_the_removal_up_front_too(self, tenant_a):
        second = make_member(tenant_a.account, "second@acme.test", Role.ADMIN, name="Sam Second")
        services.delete_campaign(campaign=make_campaign(tenant_a, owner=second))
        client = Client()
        client.force_login(second)
        page = client.get(f"/settings/members/{_membership(tenant_a, second).pk}/remove/")
        assert "another admin must remove them." in page.content.decode()


class TestOwnerLeftCheck:
    def test_is_a_warning_naming_the_owner(self, tenant_a):
        campaign = _left_earlier(tenant_a)
        warnings = {w.code: w.message for w in checks.campaign_warnings(campaign)}
        assert warnings["owner_left"] == (
            "Its owner Acme Agency Member is no longer a member of the account: "
            "choose another owner."
        )

    def test_a_member_owner_passes(self, tenant_a):
        [campaign] = _owned_by_member(tenant_a)
        assert "owner_left" not in [w.code for w in checks.campaign_warnings(campaign)]

    def test_the_dashboard_query_agrees(self, tenant_a):
        campaign = _left_earlier(tenant_a)
        fine = make_campaign(tenant_a)
        found = checks.with_failures(Campaign.objects.all(), tenant_a.account)
        flagged = {row.pk for row in found if row.fails_owner_left}
        assert flagged == {campaign.pk} and fine.pk not in flagged

    def test_shows_on_the_page_and_the_attention_list(self, tenant_a):
        campaign = _left_earlier(tenant_a)
        page = tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/").content.decode()
        assert "Its owner Acme Agency Member is no longer a member of the account" in page
        listed = tenant_a.admin_client.get("/campaigns/attention/").content.decode()
        assert "Owner no longer a member" in listed


class TestEditFormKeepsAFormerOwner:
    def test_the_former_owner_stays_selected_and_named_so(self, tenant_a):
        campaign = _left_earlier(tenant_a)
        page = tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/edit/").content.decode()
        owner = re.search(r'<select id="id_owner".*?</select>', page, re.S).group(0)
        assert re.findall(r'<option value="(\d+)" selected>([^<]*)<', owner) == [
            (str(tenant_a.member.pk), "Acme Agency Member (no longer a member)")
        ]
        assert "Its owner Acme Agency Member is no longer a member of the account" in page

    def test_saving_with_the_former_owner_is_refused_under_owner(self, tenant_a):
        campaign = _left_earlier(tenant_a)
        response = tenant_a.admin_client.post(
            f"/campaigns/{campaign.pk}/edit/",
            form_post(campaign_name="Renamed", owner=str(tenant_a.member.pk)),
        )
        assert response.status_code == 400
        assert (
            '<small class="error">Acme Agency Member is no longer a member of the account: '
            "choose another owner.</small>"
        ) in response.content.decode()
        campaign.refresh_from_db()
        assert (campaign.campaign_name, campaign.owner_id) == ("Solar 0", tenant_a.member.pk)

    def test_choosing_a_member_saves_and_clears_the_warning(self, tenant_a):
        campaign = _left_earlier(tenant_a)
        checked = tenant_a.admin_client.post(
            f"/campaigns/checks/?campaign={campaign.pk}", form_post(owner=str(tenant_a.admin.pk))
        )
        assert "no longer a member" not in checked.content.decode()
        response = tenant_a.admin_client.post(
            f"/campaigns/{campaign.pk}/edit/", form_post(owner=str(tenant_a.admin.pk))
        )
        assert response.status_code == 302
        campaign.refresh_from_db()
        assert campaign.owner_id == tenant_a.admin.pk
        assert "owner_left" not in [w.code for w in checks.campaign_warnings(campaign)]


class TestRemovalPassesOnUnalertedLeads:
    def test_a_lead_whose_alert_had_not_gone_out_goes_to_the_next_representative(self, tenant_a):
        campaign = make_campaign(tenant_a, selected_user=[{"id": tenant_a.member.pk}])
        fresh, _ = services.capture_lead(campaign=campaign, source="form", external_id="fresh")
        told, _ = services.capture_lead(campaign=campaign, source="form", external_id="told")
        Lead.objects.filter(pk=told.pk).update(alerted_at=told.created_at)
        assert Delivery.objects.filter(user=tenant_a.member, status="queued").exists()
        services.update_campaign(
            campaign=campaign,
            changes={"selected_user": [{"id": tenant_a.member.pk}, {"id": tenant_a.admin.pk}]},
        )

        platform.remove_member(
            membership=_membership(tenant_a, tenant_a.member), removed_by=tenant_a.admin
        )

        fresh.refresh_from_db()
        told.refresh_from_db()
        assert fresh.representative_id == tenant_a.admin.pk
        assert Delivery.objects.filter(user=tenant_a.admin, data__lead_id=str(fresh.pk)).exists()
        # Told already: it stays theirs, as the record of who took it.
        assert told.representative_id == tenant_a.member.pk
        assert not Delivery.objects.filter(user=tenant_a.admin, data__lead_id=str(told.pk)).exists()
        assert not Delivery.objects.filter(user=tenant_a.member, status="queued").exists()

    def test_with_nobody_left_the_lead_is_nobodys(self, tenant_a):
        campaign = make_campaign(tenant_a, selected_user=[{"id": tenant_a.member.pk}])
        lead, _ = services.capture_lead(campaign=campaign, source="form", external_id="x")
        platform.remove_member(
            membership=_membership(tenant_a, tenant_a.member), removed_by=tenant_a.admin
        )
        lead.refresh_from_db()
        assert lead.representative_id is None
