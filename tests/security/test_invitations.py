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
    assert "Pending invitations" in page and "<td>Admin@Bolt.test</td>" in page
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
    assert "<td>2026-12-02 05:52 EST</td>" in page
