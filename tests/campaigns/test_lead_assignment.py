"""Who works a lead: giving it to someone (or nobody) from its page and `PATCH /v1/leads/<id>`,
who may do it and who may be given it, the alert the new holder gets, and live updates."""

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from campaignhub.models import Role
from campaigns import assignment, events, permissions, services
from campaigns.models import Lead, LeadSource
from notifications.models import Delivery
from tests.campaigns.factories import make_campaign
from tests.factories import bearer, logged_in_client, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def rep(tenant_a):
    return make_member(tenant_a.account, "rep@acme.test", name="Riley Rep")


@pytest.fixture
def campaign(tenant_a, rep):
    """Owned by the member; Riley Rep represents it (custom SMS number), by email and SMS."""
    return make_campaign(
        tenant_a,
        owner=tenant_a.member,
        campaign_name="Roofing",
        notification_type="send_email_sms",
        selected_user=[{"id": rep.pk, "custom_number": "+14155550177"}],
    )


@pytest.fixture
def lead(campaign, rep):
    """A lead that arrived while the campaign had nobody: unassigned. Riley Rep came after."""
    campaign.assignments.all().delete()
    lead, _ = services.capture_lead(
        campaign=campaign, source=LeadSource.FORM, external_id="x", name="Ann Lee", alert=False
    )
    campaign.assignments.create(user=rep, custom_number="+14155550177", position=0)
    return lead


def membership(tenant, user):
    return tenant.account.memberships.get(user=user)


def alerts(user):
    return Delivery.objects.filter(event=services.LEAD_EVENT, user=user)


class TestService:
    def test_who_may_be_given_a_lead(self, tenant_a, rep, campaign):
        other_admin = make_member(tenant_a.account, "zed@acme.test", Role.ADMIN, name="Zed")
        make_member(tenant_a.account, "outsider@acme.test", name="Olive Other")
        holders = assignment.selectors.lead_holders(campaign)
        # Representatives in round-robin order, the owner, then admins by name.
        assert holders == [rep, tenant_a.member, tenant_a.admin, other_admin]

    def test_the_admin_gives_an_unassigned_lead_and_the_holder_is_alerted(
        self, tenant_a, rep, lead, committed
    ):
        with committed():
            saved, changed = assignment.assign_lead(
                lead=lead, user_id=rep.pk, actor=membership(tenant_a, tenant_a.admin)
            )
        assert changed and saved.representative == rep
        assert Lead.objects.get(pk=lead.pk).representative == rep
        # By the campaign's rule, the SMS to their custom number on the campaign.
        sent = sorted(alerts(rep).values_list("channel", "recipient"))
        assert sent == [("email", "rep@acme.test"), ("sms", "+14155550177")]
        assert {d.data["lead_id"] for d in alerts(rep)} == {str(lead.pk)}

    def test_giving_it_again_to_the_same_person_changes_nothing(
        self, tenant_a, rep, lead, committed
    ):
        actor = membership(tenant_a, tenant_a.admin)
        with committed():
            assignment.assign_lead(lead=lead, user_id=rep.pk, actor=actor)
            _, changed = assignment.assign_lead(lead=lead, user_id=rep.pk, actor=actor)
        assert not changed
        assert alerts(rep).count() == 2  # one email, one SMS: the first assignment's

    def test_the_owner_may_take_it_back_to_nobody(self, tenant_a, rep, lead):
        Lead.objects.filter(pk=lead.pk).update(representative=rep)
        saved, changed = assignment.assign_lead(
            lead=lead, user_id=None, actor=membership(tenant_a, tenant_a.member)
        )
        assert changed and saved.representative is None
        assert not Delivery.objects.exists()

    def test_a_representative_may_not_choose(self, tenant_a, rep, lead):
        with pytest.raises(permissions.CampaignPermissionDenied) as refused:
            assignment.assign_lead(lead=lead, user_id=rep.pk, actor=membership(tenant_a, rep))
        assert "owner or an account admin" in str(refused.value)
        assert Lead.objects.get(pk=lead.pk).representative is None

    def test_someone_who_may_not_see_its_leads_cannot_be_given_it(self, tenant_a, lead):
        other = make_member(tenant_a.account, "olive@acme.test", name="Olive Other")
        with pytest.raises(assignment.ValidationError) as refused:
            assignment.assign_lead(
                lead=lead, user_id=other.pk, actor=membership(tenant_a, tenant_a.admin)
            )
        assert refused.value.messages == [
            "Olive Other cannot be given this lead: only the campaign's representatives, its "
            "owner and account admins can."
        ]
        assert Lead.objects.get(pk=lead.pk).representative is None
        assert not Delivery.objects.exists()

    def test_someone_outside_the_account_cannot_be_given_it(self, tenant_a, tenant_b, lead):
        with pytest.raises(assignment.ValidationError) as refused:
            assignment.assign_lead(
                lead=lead, user_id=tenant_b.admin.pk, actor=membership(tenant_a, tenant_a.admin)
            )
        assert refused.value.messages == [
            f"No member of this account has the user id {tenant_b.admin.pk}."
        ]

    def test_live_the_holder_who_loses_it_stops_seeing_it(
        self, tenant_a, rep, lead, live_events, committed
    ):
        # Riley Rep holds it; the campaign moves on without them, so the lead is all they see.
        Lead.objects.filter(pk=lead.pk).update(representative=rep)
        lead.campaign.assignments.filter(user=rep).delete()
        with committed():
            assignment.assign_lead(
                lead=lead, user_id=tenant_a.member.pk, actor=membership(tenant_a, tenant_a.admin)
            )
        lost = "".join(f["html"] for f in live_events.to(tenant_a.account, rep))
        assert f'<tr id="lead-{lead.pk}" hx-swap-oob="delete"></tr>' in lost
        assert f'<li id="feed-lead-{lead.pk}" hx-swap-oob="delete"></li>' in lost
        # Their open page of it gives way, as a whole, to a notice: no phone or form is left.
        gone = next(
            f["html"]
            for f in live_events.to(tenant_a.account, rep)
            if "data-lead-gone" in f["html"]
        )
        assert f'<div id="lead-{lead.pk}-page" class="lead-page" hx-swap-oob="true">' in gone
        assert 'role="status"' in gone and "This lead was given to someone else." in gone
        assert 'href="/leads/"' in gone
        assert "tel:" not in gone and "<form" not in gone
        # The admin's page gets the new holder, with the picker; the member (owner) too.
        frames = live_events.to(tenant_a.account, tenant_a.admin, events.OUTCOME_EVENT)
        block = next(f["html"] for f in frames if f"lead-{lead.pk}-representative" in f["html"])
        assert "Acme Agency Member" in block and 'name="representative"' in block
        row = "".join(f["html"] for f in live_events.to(tenant_a.account, tenant_a.admin))
        assert f'<tr id="lead-{lead.pk}" data-announce=' in row


class TestApi:
    def patch(self, tenant, lead, body, token=None):
        return Client().patch(
            f"/v1/leads/{lead.pk}",
            json.dumps(body),
            content_type="application/json",
            **bearer(token or tenant.token.raw),
        )

    def test_an_admin_assigns_by_user_id(self, tenant_a, rep, lead):
        response = self.patch(tenant_a, lead, {"representative": rep.pk})
        assert response.status_code == 200
        assert response.json()["data"]["representative"]["id"] == rep.pk
        assert alerts(rep).exists()

    def test_null_leaves_it_unassigned(self, tenant_a, rep, lead):
        Lead.objects.filter(pk=lead.pk).update(representative=rep)
        response = self.patch(tenant_a, lead, {"representative": None})
        assert response.status_code == 200 and response.json()["data"]["representative"] is None

    def test_someone_who_may_not_hold_it_is_a_400_and_changes_nothing(self, tenant_a, lead):
        other = make_member(tenant_a.account, "olive@acme.test", name="Olive Other")
        response = self.patch(tenant_a, lead, {"representative": other.pk, "status": "won"})
        assert response.status_code == 400
        body = response.json()
        assert body["success"] is False and body["errno"] == 400
        assert body["message"].startswith("Olive Other cannot be given this lead")
        assert body["errors"]["representative"] == [body["message"]]
        lead.refresh_from_db()
        assert (lead.representative, lead.status) == (None, "new")

    def test_a_string_is_a_400_naming_the_field(self, tenant_a, rep, lead):
        response = self.patch(tenant_a, lead, {"representative": str(rep.pk)})
        assert response.status_code == 400 and "representative" in response.json()["errors"]

    def test_a_representative_is_refused_403(self, tenant_a, rep, lead):
        from campaignhub import services as platform

        token = platform.issue_token(account=tenant_a.account, user=rep, name="t").raw
        Lead.objects.filter(pk=lead.pk).update(representative=rep)
        response = self.patch(tenant_a, lead, {"representative": None}, token=token)
        assert response.status_code == 403
        assert Lead.objects.get(pk=lead.pk).representative == rep

    def test_an_empty_patch_says_what_may_be_sent(self, tenant_a, lead):
        response = self.patch(tenant_a, lead, {})
        assert response.status_code == 400
        assert response.json()["message"] == (
            "Send a status, a revenue, a representative, or several of them."
        )

    def test_with_an_outcome_both_apply(self, tenant_a, rep, lead):
        response = self.patch(tenant_a, lead, {"representative": rep.pk, "status": "contacted"})
        assert response.status_code == 200
        lead.refresh_from_db()
        assert (lead.representative, lead.status) == (rep, "contacted")


class TestPage:
    def test_the_admin_sees_the_picker_and_assigns(self, tenant_a, rep, lead):
        page = tenant_a.admin_client.get(f"/leads/{lead.pk}/").content.decode()
        assert f'action="/leads/{lead.pk}/representative/"' in page
        assert f'<option value="{rep.pk}">Riley Rep</option>' in page
        response = tenant_a.admin_client.post(
            f"/leads/{lead.pk}/representative/", {"representative": rep.pk}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        assert "Lead given to Riley Rep" in response.headers["HX-Trigger-After-Swap"]
        assert f'<option value="{rep.pk}" selected>Riley Rep</option>' in response.content.decode()
        assert Lead.objects.get(pk=lead.pk).representative == rep

    def test_a_refusal_shows_under_the_picker(self, tenant_a, lead):
        other = make_member(tenant_a.account, "olive@acme.test", name="Olive Other")
        response = tenant_a.admin_client.post(
            f"/leads/{lead.pk}/representative/",
            {"representative": other.pk},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 400
        assert response.content.decode().count("Olive Other cannot be given this lead") == 1
        # Said under the picker only, not again among the page's messages.
        assert "HX-Trigger-After-Swap" not in response.headers
        assert Lead.objects.get(pk=lead.pk).representative is None

    def test_a_representative_sees_no_picker_and_is_refused(self, tenant_a, rep, lead):
        Lead.objects.filter(pk=lead.pk).update(representative=rep)
        client = logged_in_client(rep)
        page = client.get(f"/leads/{lead.pk}/").content.decode()
        assert "Riley Rep" in page and 'name="representative"' not in page
        response = client.post(f"/leads/{lead.pk}/representative/", {"representative": ""})
        assert response.status_code == 409
        assert "choose who works its leads" in response.content.decode()
        assert Lead.objects.get(pk=lead.pk).representative == rep

    @pytest.mark.parametrize(
        "body, content_type, error",
        [
            ("", "application/x-www-form-urlencoded", "Choose who gets this lead, or Unassigned."),
            ("junk", "text/plain", "Choose who gets this lead, or Unassigned."),
            ("other=1", "application/x-www-form-urlencoded", "Choose who gets this lead"),
            ("representative=&representative=", "application/x-www-form-urlencoded", "GIVEN"),
            ("representative={rep}&representative=", "application/x-www-form-urlencoded", "GIVEN"),
            ("representative=&representative=x", "application/x-www-form-urlencoded", "GIVEN"),
        ],
    )
    def test_a_post_without_one_representative_is_refused_and_changes_nothing(
        self, tenant_a, rep, lead, body, content_type, error
    ):
        Lead.objects.filter(pk=lead.pk).update(representative=rep)
        if error == "GIVEN":
            error = "Given more than once; this field takes one value."
        response = tenant_a.admin_client.generic(
            "POST",
            f"/leads/{lead.pk}/representative/",
            body.format(rep=rep.pk),
            content_type=content_type,
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 400
        content = response.content.decode()
        assert f'<p class="error">{error}' in content
        assert content.count('class="error"') == 1
        assert "HX-Trigger-After-Swap" not in response.headers
        assert Lead.objects.get(pk=lead.pk).representative == rep

    def test_unassigned_is_said_with_an_empty_choice(self, tenant_a, rep, lead):
        Lead.objects.filter(pk=lead.pk).update(representative=rep)
        response = tenant_a.admin_client.post(
            f"/leads/{lead.pk}/representative/", {"representative": ""}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        assert "The lead is unassigned now." in response.headers["HX-Trigger-After-Swap"]
        assert Lead.objects.get(pk=lead.pk).representative is None

    def test_without_htmx_it_redirects_with_a_message(self, tenant_a, rep, lead):
        response = tenant_a.admin_client.post(
            f"/leads/{lead.pk}/representative/", {"representative": rep.pk}, follow=True
        )
        assert "Lead given to Riley Rep; they were alerted." in response.content.decode()


class TestGivenToThemselves:
    """An admin who gives a lead to themselves knows: no alert on any channel, none logged, and
    the page does not say they were alerted."""

    SAID = "The lead is yours now; no alert was sent, since you gave it to yourself."

    def test_no_alert_is_queued_or_logged(self, tenant_a, lead, committed):
        tenant_a.admin.phone = "+14155550100"
        tenant_a.admin.save()
        with committed():
            saved, changed = assignment.assign_lead(
                lead=lead, user_id=tenant_a.admin.pk, actor=membership(tenant_a, tenant_a.admin)
            )
        assert changed and saved.representative == tenant_a.admin
        assert not alerts(tenant_a.admin).exists()
        assert Lead.objects.get(pk=lead.pk).alerted_at is None

    def test_through_the_api_no_alert_either(self, tenant_a, lead):
        response = Client().patch(
            f"/v1/leads/{lead.pk}",
            json.dumps({"representative": tenant_a.admin.pk}),
            content_type="application/json",
            **bearer(tenant_a.token.raw),
        )
        assert response.status_code == 200
        assert not alerts(tenant_a.admin).exists()

    def test_the_page_says_no_alert_was_sent(self, tenant_a, lead):
        response = tenant_a.admin_client.post(
            f"/leads/{lead.pk}/representative/",
            {"representative": tenant_a.admin.pk},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200
        said = json.loads(response.headers["HX-Trigger-After-Swap"])["notice"]["text"]
        assert said == self.SAID

    def test_someone_else_given_it_is_still_alerted(self, tenant_a, rep, lead):
        assignment.assign_lead(
            lead=lead, user_id=rep.pk, actor=membership(tenant_a, tenant_a.admin)
        )
        assert alerts(rep).exists()


class TestAgainstRemoval:
    def test_whoever_holds_it_is_checked_too_so_someone_removed_is_refused(
        self, tenant_a, rep, lead
    ):
        Lead.objects.filter(pk=lead.pk).update(representative=rep)
        tenant_a.account.memberships.filter(user=rep).delete()
        with pytest.raises(assignment.ValidationError) as refused:
            assignment.assign_lead(
                lead=lead, user_id=rep.pk, actor=membership(tenant_a, tenant_a.admin)
            )
        assert refused.value.messages == [
            "Riley Rep is no longer a member of this account: give the lead to someone else."
        ]

    def test_the_page_says_it_once_under_the_picker(self, tenant_a, rep, lead):
        Lead.objects.filter(pk=lead.pk).update(representative=rep)
        tenant_a.account.memberships.filter(user=rep).delete()
        response = tenant_a.admin_client.post(
            f"/leads/{lead.pk}/representative/", {"representative": rep.pk}, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 400
        said = "Riley Rep is no longer a member of this account: give the lead to someone else."
        assert response.content.decode().count(said) == 1
        assert "HX-Trigger-After-Swap" not in response.headers


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are the subject")
def test_a_lead_given_while_its_person_is_being_removed_waits_and_is_refused(tenant_a, rep):
    campaign = make_campaign(tenant_a, owner=tenant_a.member, campaign_name="Roofing")
    lead, _ = services.capture_lead(
        campaign=campaign, source=LeadSource.FORM, external_id="x", name="Ann", alert=False
    )
    deleted, finish = threading.Event(), threading.Event()

    def remove():
        # A removal's first step, held open until the assignment has been asked for.
        try:
            with transaction.atomic():
                tenant_a.account.memberships.filter(user=rep).delete()
                deleted.set()
                finish.wait(5)
        finally:
            connections.close_all()

    def give():
        try:
            assignment.assign_lead(
                lead=lead, user_id=rep.pk, actor=membership(tenant_a, tenant_a.admin)
            )
        except assignment.ValidationError as exc:
            return exc.messages
        finally:
            connections.close_all()
        return "given"

    with ThreadPoolExecutor(max_workers=2) as pool:
        removal = pool.submit(remove)
        assert deleted.wait(5)
        given = pool.submit(give)
        # The assignment waits for the removal rather than reading the membership it deletes.
        time.sleep(0.3)
        assert not given.done()
        finish.set()
        removal.result(5)
        assert given.result(5) == [f"No member of this account has the user id {rep.pk}."]
    assert Lead.objects.get(pk=lead.pk).representative is None
    assert not alerts(rep).exists()
