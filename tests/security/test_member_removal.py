"""Removing a member takes away their access to the account at once, in one transaction."""

import pytest
from django.core import mail
from django.test import Client

from campaignhub import services
from campaignhub.models import ApiToken, Membership
from campaigns.models import Lead, Representative
from campaigns.services import capture_lead
from notifications.models import Delivery, Status
from notifications.services import RECIPIENT_LEFT, attempt_delivery, notify
from tests.campaigns.factories import make_campaign
from tests.factories import bearer

pytestmark = pytest.mark.django_db


def _membership(tenant, user):
    return Membership.objects.get(account=tenant.account, user=user)


def _only_represented_by(tenant, user, **overrides):
    return make_campaign(tenant, selected_user=[{"id": user.pk}], **overrides)


def _lead(campaign, external_id="lead-1"):
    lead, _ = capture_lead(
        campaign=campaign,
        source="form",
        external_id=external_id,
        name="Pat Lead",
        phone="+14155550134",
        email="pat@example.com",
        message="Call me",
    )
    return lead


def test_a_removed_member_is_assigned_and_emailed_no_new_lead(tenant_a):
    campaign = _only_represented_by(tenant_a, tenant_a.member)
    services.remove_member(
        membership=_membership(tenant_a, tenant_a.member), removed_by=tenant_a.admin
    )
    mail.outbox.clear()

    lead = _lead(campaign)

    assert lead.representative is None
    assert not Representative.objects.filter(user=tenant_a.member).exists()
    assert not Delivery.objects.filter(user=tenant_a.member).exists()
    assert all("member@acme.test" not in message.to for message in mail.outbox)


def test_a_campaign_left_without_representatives_is_flagged_on_the_dashboard(tenant_a):
    campaign = _only_represented_by(tenant_a, tenant_a.member, campaign_name="Solar")
    assert "No representatives" not in tenant_a.admin_client.get("/").content.decode()

    services.remove_member(
        membership=_membership(tenant_a, tenant_a.member), removed_by=tenant_a.admin
    )

    page = tenant_a.admin_client.get("/").content.decode()
    assert f'href="/campaigns/{campaign.pk}/">Solar</a>: No representatives' in page


def test_round_robin_never_picks_someone_who_is_not_a_member(tenant_a, tenant_b):
    # A row that slipped past removal (written by hand, say): still never picked.
    campaign = _only_represented_by(tenant_a, tenant_a.member)
    Representative.objects.create(campaign=campaign, user=tenant_b.member, position=1)

    picked = {_lead(campaign, f"lead-{n}").representative for n in range(4)}

    assert picked == {tenant_a.member}


def test_a_removed_members_tokens_are_revoked_and_answer_401(tenant_a):
    issued = services.issue_token(account=tenant_a.account, user=tenant_a.member, name="mine")
    assert Client().get("/v1/me", **bearer(issued.raw)).status_code == 200

    services.remove_member(
        membership=_membership(tenant_a, tenant_a.member), removed_by=tenant_a.admin
    )

    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is not None
    response = Client().get("/v1/leads", **bearer(issued.raw))
    assert response.status_code == 401
    assert response.json()["message"] == "Invalid or revoked API token."


def _queue(account, user, subject):
    return notify(
        account=account,
        event="lead_arrived",
        recipients=[user],
        context={"subject": subject, "message": "x", "campaign_name": "c", "lead_caller": "y"},
        channels=["email"],
    )[0]


def test_a_removed_members_pending_deliveries_are_cancelled_with_a_reason(tenant_a, tenant_b):
    Membership.objects.create(account=tenant_b.account, user=tenant_a.member)
    pending = _queue(tenant_a.account, tenant_a.member, "Pending for the member")
    being_sent = _queue(tenant_a.account, tenant_a.member, "Being sent")
    Delivery.objects.filter(pk=being_sent.pk).update(status=Status.SENDING)
    elsewhere = _queue(tenant_b.account, tenant_a.member, "Their other account")
    colleague = _queue(tenant_a.account, tenant_a.admin, "For the admin")

    services.remove_member(
        membership=_membership(tenant_a, tenant_a.member), removed_by=tenant_a.admin
    )

    statuses = dict(Delivery.objects.values_list("pk", "status"))
    assert statuses == {
        pending.pk: Status.CANCELLED,
        being_sent.pk: Status.SENDING,
        elsewhere.pk: Status.QUEUED,
        colleague.pk: Status.QUEUED,
    }
    assert Delivery.objects.get(pk=pending.pk).error == RECIPIENT_LEFT
    log = tenant_a.admin_client.get("/notifications/?status=cancelled").content.decode()
    assert "Pending for the member" in log and RECIPIENT_LEFT in log


def test_a_delivery_queued_for_someone_who_left_is_cancelled_not_sent(tenant_a, tenant_b):
    queued = _queue(tenant_a.account, tenant_b.member, "Not a member here")
    mail.outbox.clear()

    attempt_delivery(queued.pk)

    queued.refresh_from_db()
    assert (queued.status, queued.error, queued.attempts) == (Status.CANCELLED, RECIPIENT_LEFT, 0)
    assert mail.outbox == []


def test_removal_is_one_transaction_undone_when_a_step_fails(tenant_a, monkeypatch):
    campaign = _only_represented_by(tenant_a, tenant_a.member)
    pending = _queue(tenant_a.account, tenant_a.member, "Pending")
    issued = services.issue_token(account=tenant_a.account, user=tenant_a.member, name="mine")

    def broken(**kwargs):
        raise RuntimeError("the delivery log is down")

    monkeypatch.setattr("notifications.services.cancel_pending_for", broken)
    with pytest.raises(RuntimeError):
        services.remove_member(
            membership=_membership(tenant_a, tenant_a.member), removed_by=tenant_a.admin
        )

    assert Membership.objects.filter(account=tenant_a.account, user=tenant_a.member).exists()
    assert Representative.objects.filter(campaign=campaign, user=tenant_a.member).exists()
    assert ApiToken.objects.get(pk=issued.token.pk).revoked_at is None
    assert Delivery.objects.get(pk=pending.pk).status == Status.QUEUED


def test_a_lead_already_assigned_to_them_stops_reaching_their_socket(tenant_a, live_events):
    campaign = _only_represented_by(tenant_a, tenant_a.member)
    lead = _lead(campaign)
    # Told of it already, it stays theirs (one not yet told would pass on to someone else).
    Lead.objects.filter(pk=lead.pk).update(alerted_at=lead.created_at)
    services.remove_member(
        membership=_membership(tenant_a, tenant_a.member), removed_by=tenant_a.admin
    )
    live_events.pushed.clear()

    from campaigns import events

    events.lead_updated(lead.pk)

    assert live_events.to(tenant_a.account, tenant_a.member) == []
    assert live_events.to(tenant_a.account, tenant_a.admin) != []
    assert Lead.objects.get(pk=lead.pk).representative == tenant_a.member


def test_a_demoted_admins_token_loses_admin_rights_at_once(tenant_a):
    Membership.objects.filter(account=tenant_a.account, user=tenant_a.member).update(role="admin")
    assert Client().get("/v1/members", **bearer(tenant_a.token.raw)).status_code == 200

    services.change_role(membership=_membership(tenant_a, tenant_a.admin), role="member")

    response = Client().get("/v1/members", **bearer(tenant_a.token.raw))
    assert response.status_code == 403
    assert response.json()["success"] is False


def test_deleting_a_membership_in_the_django_admin_removes_access_the_same_way(tenant_a):
    from campaignhub.models import User

    operator = User.objects.create_superuser(email="ops@hub.test", password="x")
    admin_site = Client()
    admin_site.force_login(operator)
    campaign = _only_represented_by(tenant_a, tenant_a.member)
    token = services.issue_token(account=tenant_a.account, user=tenant_a.member, name="t")
    membership = _membership(tenant_a, tenant_a.member)

    response = admin_site.post(
        f"/admin/campaignhub/membership/{membership.pk}/delete/", {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert not Representative.objects.filter(campaign=campaign).exists()
    assert ApiToken.objects.get(pk=token.token.pk).revoked_at is not None


def test_the_django_admin_cannot_delete_the_last_admin(tenant_a):
    from campaignhub.models import User

    operator = User.objects.create_superuser(email="ops@hub.test", password="x")
    admin_site = Client()
    admin_site.force_login(operator)
    membership = _membership(tenant_a, tenant_a.admin)
    response = admin_site.post(
        "/admin/campaignhub/membership/",
        {"action": "delete_selected", "_selected_action": [membership.pk], "post": "yes"},
        follow=True,
    )
    assert "An account needs at least one admin." in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()


def _operator(tenant=None):
    """A Django admin operator, also an admin of `tenant`'s account when one is given."""
    from campaignhub.models import User

    operator = User.objects.create_superuser(email="ops@hub.test", password="x", name="Ops")
    if tenant is not None:
        Membership.objects.create(account=tenant.account, user=operator, role="admin")
    admin_site = Client()
    admin_site.force_login(operator)
    return operator, admin_site


def test_the_django_admin_hands_their_campaigns_to_the_operator_who_is_an_account_admin(tenant_a):
    operator, admin_site = _operator(tenant_a)
    owned = make_campaign(tenant_a, owner=tenant_a.member)
    membership = _membership(tenant_a, tenant_a.member)

    admin_site.post(f"/admin/campaignhub/membership/{membership.pk}/delete/", {"post": "yes"})

    assert not Membership.objects.filter(pk=membership.pk).exists()
    owned.refresh_from_db()
    assert owned.owner_id == operator.pk


def test_an_operator_outside_the_account_cannot_remove_someone_who_owns_campaigns(tenant_a):
    _, admin_site = _operator()
    owned = make_campaign(tenant_a, owner=tenant_a.member)
    membership = _membership(tenant_a, tenant_a.member)

    response = admin_site.post(
        "/admin/campaignhub/membership/",
        {"action": "delete_selected", "_selected_action": [membership.pk], "post": "yes"},
        follow=True,
    )

    assert "only an admin of Acme Agency can remove them." in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
    owned.refresh_from_db()
    assert owned.owner_id == tenant_a.member.pk


def test_the_account_page_of_the_django_admin_deletes_no_membership_row(tenant_a):
    _, admin_site = _operator()
    page = admin_site.get(f"/admin/campaignhub/account/{tenant_a.account.pk}/change/")
    assert page.status_code == 200
    assert "memberships-0-DELETE" not in page.content.decode()
