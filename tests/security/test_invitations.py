"""Adding someone who already has a login invites them: they join only when they accept, and
until then the admins see only the email as they typed it."""

import re

import pytest
from django.core import mail

from campaignhub import services
from campaignhub.models import Invitation, InvitationStatus, Membership

pytestmark = pytest.mark.django_db


def _add(tenant, email, role="member"):
    return tenant.admin_client.post(
        "/settings/members/add/", {"email": email, "role": role}, follow=True
    )


def test_an_existing_user_is_invited_not_added_and_their_profile_stays_hidden(tenant_a, tenant_b):
    response = _add(tenant_a, "Admin@Bolt.test", role="admin")
    page = response.content.decode()

    assert not Membership.objects.filter(account=tenant_a.account, user=tenant_b.admin).exists()
    assert "Invitation sent to Admin@Bolt.test" in page
    assert "Pending invitations" in page and '<td data-label="Email">Admin@Bolt.test</td>' in page
    assert "Bolt Media Admin" not in page and "admin@bolt.test" not in page
    [message] = mail.outbox
    assert message.to == ["admin@bolt.test"]
    assert "http://testserver/invitations/" in message.body


def test_the_invited_person_sees_the_invitation_and_joins_when_accepting(tenant_a, tenant_b):
    _add(tenant_a, "admin@bolt.test", role="admin")
    invitation = Invitation.objects.get()
    client = tenant_b.admin_client

    assert "see your invitations" in client.get("/").content.decode()
    assert "Acme Agency" in client.get("/invitations/").content.decode()
    response = client.post(f"/invitations/{invitation.pk}/accept/")

    assert response.status_code == 302
    assert Membership.objects.get(account=tenant_a.account, user=tenant_b.admin).is_admin
    assert Invitation.objects.get().status == InvitationStatus.ACCEPTED
    assert client.get("/v1/me").json()["data"]["account"]["id"] == tenant_a.account.pk


def test_a_cancelled_invitation_can_no_longer_be_accepted(tenant_a, tenant_b):
    _add(tenant_a, "admin@bolt.test")
    invitation = Invitation.objects.get()
    tenant_a.admin_client.post(f"/settings/members/invitations/{invitation.pk}/cancel/")

    response = tenant_b.admin_client.post(f"/invitations/{invitation.pk}/accept/", follow=True)

    assert "This invitation is no longer open." in response.content.decode()
    assert not Membership.objects.filter(account=tenant_a.account, user=tenant_b.admin).exists()
    assert (
        "Pending invitations"
        not in tenant_a.admin_client.get("/settings/members/").content.decode()
    )


def test_a_declined_invitation_makes_no_member(tenant_a, tenant_b):
    _add(tenant_a, "admin@bolt.test")
    invitation = Invitation.objects.get()

    tenant_b.admin_client.post(f"/invitations/{invitation.pk}/decline/")

    assert Invitation.objects.get().status == InvitationStatus.DECLINED
    assert not Membership.objects.filter(account=tenant_a.account, user=tenant_b.admin).exists()


def test_a_second_invitation_while_one_is_pending_is_refused(tenant_a, tenant_b):
    _add(tenant_a, "admin@bolt.test")
    response = _add(tenant_a, "ADMIN@bolt.test")
    assert response.status_code == 400
    assert "An invitation to this address is already pending." in response.content.decode()
    assert Invitation.objects.count() == 1


def test_someone_new_keeps_the_choose_your_password_invite(tenant_a):
    _add(tenant_a, "nia@acme.test")

    assert Membership.objects.filter(account=tenant_a.account, user__email="nia@acme.test")
    [message] = mail.outbox
    assert re.search(r"http://testserver/password-reset/[^/]+/[^/]+/", message.body)


def test_invitation_emails_are_rate_limited_per_admin_and_account(tenant_a, settings):
    settings.MEMBER_INVITATION_RATE_LIMIT_PER_MINUTE = 2
    codes = [_add(tenant_a, f"p{n}@acme.test").status_code for n in range(3)]

    assert codes == [200, 200, 429]
    assert len(mail.outbox) == 2
    # Another admin of the account has a window of their own.
    other = services.add_member(
        account=tenant_a.account, email="second@acme.test", role="admin", password="x" * 12
    ).user
    from tests.factories import logged_in_client

    response = logged_in_client(other).post(
        "/settings/members/add/", {"email": "p3@acme.test", "role": "member"}
    )
    assert response.status_code == 302


def test_the_invitation_is_dated_in_the_inviting_account_s_named_time_zone(tenant_a, tenant_b):
    from datetime import UTC, datetime

    tenant_a.account.timezone = "America/New_York"
    tenant_a.account.save()
    tenant_b.account.timezone = "Europe/Berlin"
    tenant_b.account.save()
    _add(tenant_a, "admin@bolt.test")
    Invitation.objects.update(created_at=datetime(2026, 12, 2, 10, 52, tzinfo=UTC))
    page = tenant_b.admin_client.get("/invitations/").content.decode()
    assert ">2 Dec 2026, 05:52 EST</time></td>" in page


def _second_admin(tenant, email="second@acme.test", name="Sam Second"):
    from tests.factories import make_member

    return make_member(tenant.account, email, role="admin", name=name)


def _invite_as(user, email, role="admin"):
    from tests.factories import logged_in_client

    return logged_in_client(user).post("/settings/members/add/", {"email": email, "role": role})


def test_removing_the_admin_who_sent_an_invitation_cancels_it(tenant_a, tenant_b):
    sender = _second_admin(tenant_a)
    assert _invite_as(sender, "admin@bolt.test").status_code == 302
    invitation = Invitation.objects.get()
    sender_membership = Membership.objects.get(account=tenant_a.account, user=sender)

    response = tenant_a.admin_client.post(
        f"/settings/members/{sender_membership.pk}/remove/", follow=True
    )

    assert (
        "Sam Second removed from Acme Agency, and 1 invitation they sent was cancelled."
        in response.content.decode()
    )
    assert Invitation.objects.get().status == InvitationStatus.CANCELLED
    accepted = tenant_b.admin_client.post(f"/invitations/{invitation.pk}/accept/", follow=True)
    assert "This invitation is no longer open." in accepted.content.decode()
    assert not Membership.objects.filter(account=tenant_a.account, user=tenant_b.admin).exists()


def test_deleting_the_login_of_the_admin_who_sent_an_invitation_cancels_it(tenant_a, tenant_b):
    """An operator deletes the sender's login (Django admin, shell): the invitation must not
    outlive them as one without a recorded sender."""
    sender = _second_admin(tenant_a)
    assert _invite_as(sender, "admin@bolt.test", role="admin").status_code == 302
    invitation = Invitation.objects.get()
    sender.delete()

    invitation.refresh_from_db()
    assert (invitation.status, invitation.invited_by) == (InvitationStatus.CANCELLED, None)
    accepted = tenant_b.admin_client.post(f"/invitations/{invitation.pk}/accept/", follow=True)
    assert "This invitation is no longer open." in accepted.content.decode()
    assert not Membership.objects.filter(account=tenant_a.account, user=tenant_b.admin).exists()


def test_demoting_the_admin_who_sent_invitations_cancels_them(tenant_a, tenant_b):
    sender = _second_admin(tenant_a)
    services.add_member(account=tenant_b.account, email="other@bolt.test", password="x" * 12)
    _invite_as(sender, "admin@bolt.test")
    _invite_as(sender, "other@bolt.test", role="member")
    _add(tenant_a, "member@bolt.test")
    sender_membership = Membership.objects.get(account=tenant_a.account, user=sender)

    response = tenant_a.admin_client.post(
        f"/settings/members/{sender_membership.pk}/role/", {"role": "member"}, follow=True
    )

    assert (
        "Sam Second is now a member, and 2 invitations they sent were cancelled."
        in response.content.decode()
    )
    statuses = dict(Invitation.objects.values_list("email", "status"))
    assert statuses == {
        "admin@bolt.test": InvitationStatus.CANCELLED,
        "other@bolt.test": InvitationStatus.CANCELLED,
        "member@bolt.test": InvitationStatus.PENDING,
    }
    invitation = Invitation.objects.get(email="admin@bolt.test")
    tenant_b.admin_client.post(f"/invitations/{invitation.pk}/accept/")
    assert not Membership.objects.filter(account=tenant_a.account, user=tenant_b.admin).exists()


def test_a_removal_over_the_api_cancels_the_invitations_too(tenant_a, tenant_b):
    from django.test import Client

    from tests.factories import bearer

    sender = _second_admin(tenant_a)
    _invite_as(sender, "admin@bolt.test")
    sender_membership = Membership.objects.get(account=tenant_a.account, user=sender)

    response = Client().delete(f"/v1/members/{sender_membership.pk}", **bearer(tenant_a.token.raw))

    assert response.status_code == 200
    assert response.json()["data"]["invitations_cancelled"] == 1
    assert Invitation.objects.get().status == InvitationStatus.CANCELLED


def test_an_invitation_from_someone_no_longer_an_admin_cannot_be_accepted(tenant_a, tenant_b):
    # A role changed outside the members page (the Django admin's form) cancels nothing, but
    # the invitation is no longer open.
    sender = _second_admin(tenant_a)
    _invite_as(sender, "admin@bolt.test")
    invitation = Invitation.objects.get()
    Membership.objects.filter(account=tenant_a.account, user=sender).update(role="member")

    assert (
        f'id="invitation-{invitation.pk}"'
        not in tenant_b.admin_client.get("/invitations/").content.decode()
    )
    response = tenant_b.admin_client.post(f"/invitations/{invitation.pk}/accept/", follow=True)

    assert "This invitation is no longer open." in response.content.decode()
    assert not Membership.objects.filter(account=tenant_a.account, user=tenant_b.admin).exists()
    # It no longer blocks a new invitation either.
    assert _add(tenant_a, "admin@bolt.test").status_code == 200
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.CANCELLED


def _age(invitation, days):
    from datetime import timedelta

    from django.utils import timezone

    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - timedelta(days=days)
    )


def test_an_expired_invitation_cannot_be_accepted_and_leaves_the_pending_lists(
    tenant_a, tenant_b, settings
):
    settings.INVITATION_EXPIRY_DAYS = 14
    _add(tenant_a, "admin@bolt.test", role="admin")
    invitation = Invitation.objects.get()
    _age(invitation, 13)
    assert (
        f'id="invitation-{invitation.pk}"'
        in tenant_b.admin_client.get("/invitations/").content.decode()
    )
    _age(invitation, 15)

    assert "see your invitations" not in tenant_b.admin_client.get("/").content.decode()
    assert (
        "You have no open invitations."
        in tenant_b.admin_client.get("/invitations/").content.decode()
    )
    assert (
        "Pending invitations"
        not in tenant_a.admin_client.get("/settings/members/").content.decode()
    )
    response = tenant_b.admin_client.post(f"/invitations/{invitation.pk}/accept/", follow=True)

    assert (
        "This invitation has expired. Ask an admin of Acme Agency to invite you again."
        in response.content.decode()
    )
    assert not Membership.objects.filter(account=tenant_a.account, user=tenant_b.admin).exists()


def test_an_expired_invitation_makes_way_for_a_new_one(tenant_a, tenant_b):
    _add(tenant_a, "admin@bolt.test")
    old = Invitation.objects.get()
    _age(old, 30)

    response = _add(tenant_a, "admin@bolt.test")

    assert "Invitation sent to admin@bolt.test" in response.content.decode()
    assert Invitation.objects.get(pk=old.pk).status == InvitationStatus.EXPIRED
    new = Invitation.objects.get(status=InvitationStatus.PENDING)
    tenant_b.admin_client.post(f"/invitations/{new.pk}/accept/")
    assert Membership.objects.filter(account=tenant_a.account, user=tenant_b.admin).exists()


def test_the_pending_list_shows_who_sent_each_invitation_and_when_it_expires(
    tenant_a, tenant_b, settings
):
    from datetime import timedelta

    settings.INVITATION_EXPIRY_DAYS = 14
    _add(tenant_a, "admin@bolt.test")
    services.add_member(account=tenant_b.account, email="old@bolt.test", password="x" * 12)
    _add(tenant_a, "old@bolt.test")
    # Sent before the sender was recorded.
    Invitation.objects.filter(email="old@bolt.test").update(invited_by=None)
    sent = Invitation.objects.get(email="admin@bolt.test")

    page = tenant_a.admin_client.get("/settings/members/").content.decode()

    expires = sent.created_at + timedelta(days=14)
    row = page.split(f'id="invitation-{sent.pk}"')[1].split("</tr>")[0]
    assert '<td data-label="Invited by">Acme Agency Admin</td>' in row
    assert f">{expires.day} {expires:%b %Y, %H:%M}</time></td>" in row
    unknown = Invitation.objects.get(email="old@bolt.test")
    assert (
        '<td data-label="Invited by">—</td>'
        in page.split(f'id="invitation-{unknown.pk}"')[1].split("</tr>")[0]
    )
    assert "<th>Invited by</th>" in page and "<th>Expires</th>" in page
    assert "within 14 days" in page


def test_the_invitation_email_says_when_it_expires(tenant_a, tenant_b, settings):
    settings.INVITATION_EXPIRY_DAYS = 10
    _add(tenant_a, "admin@bolt.test")
    [message] = mail.outbox
    assert "The invitation expires in 10 days." in message.body
