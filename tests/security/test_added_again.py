"""Someone removed before they chose a password has no login to sign in with: adding them
again adds them as someone new, their first link stops working at the removal, and an
invitation to someone yet to choose a password carries the link to choose it."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client

from campaignhub.models import Invitation, InvitationStatus, Membership, User
from tests.factories import bearer, logged_in_client

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://[^/\s]+(/password-reset/[^/\s]+/[^/\s]+/)")


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def _add(tenant, email, name=""):
    return tenant.admin_client.post(
        "/settings/members/add/", {"email": email, "name": name, "role": "member"}, follow=True
    )


def _remove(tenant, email):
    membership = Membership.objects.get(account=tenant.account, user__email=email)
    response = tenant.admin_client.post(f"/settings/members/{membership.pk}/remove/")
    assert response.status_code == 302


def _link(message):
    return LINK.search(message.body).group(1)


def _choose_password(path, password="a-fresh-long-password"):
    """Follow a choose-your-password link; the client afterwards, or None when it no longer
    works."""
    client = Client()
    form = client.get(path, follow=True)
    if "This link no longer works" in form.text:
        return None
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
    )
    assert done.status_code == 302
    return client


def test_someone_removed_before_choosing_a_password_is_added_again_as_someone_new(tenant_a):
    _add(tenant_a, "nia@example.com", name="Nia Old")
    _remove(tenant_a, "nia@example.com")
    mail.outbox.clear()

    page = _add(tenant_a, "Nia@Example.com", name="Nia Nguyen").text

    assert "Nia@Example.com added as a member." in page
    assert "Invitation sent" not in page and not Invitation.objects.exists()
    assert "has not chosen a password yet" in page
    membership = Membership.objects.get(account=tenant_a.account, user__email="nia@example.com")
    assert membership.user.name == "Nia Nguyen"
    [message] = mail.outbox
    assert message.subject == "You have been added to Acme Agency on CampaignHub"
    assert "Sign in with your existing login" not in message.body
    assert _choose_password(_link(message)) is not None
    assert Client().login(username="nia@example.com", password="a-fresh-long-password")
    membership.user.refresh_from_db()
    assert logged_in_client(membership.user).get("/settings/members/").status_code == 200


def test_the_first_link_stops_working_at_the_removal_and_brings_no_one_back(tenant_a):
    _add(tenant_a, "nia@example.com")
    [first] = mail.outbox
    _remove(tenant_a, "nia@example.com")

    assert _choose_password(_link(first)) is None
    nia = User.objects.get(email="nia@example.com")
    assert not nia.has_usable_password() and not nia.memberships.exists()

    mail.outbox.clear()
    _add(tenant_a, "nia@example.com")
    assert _choose_password(_link(first)) is None
    [fresh] = mail.outbox
    assert _choose_password(_link(fresh)) is not None
    assert Membership.objects.filter(account=tenant_a.account, user=nia).exists()


def test_a_first_link_used_after_a_removal_grants_no_membership(tenant_a, tenant_b):
    """Removed from one account while still awaiting their password in another: the link
    still lets them choose one, and they are a member of the other account only."""
    _add(tenant_a, "nia@example.com")
    [first] = mail.outbox
    nia = User.objects.get(email="nia@example.com")
    Membership.objects.create(account=tenant_b.account, user=nia)
    _remove(tenant_a, "nia@example.com")

    client = _choose_password(_link(first))

    assert client is not None
    nia.refresh_from_db()
    assert list(nia.memberships.values_list("account__name", flat=True)) == ["Bolt Media"]
    assert logged_in_client(nia).get("/settings/members/").status_code == 200
    assert "Acme Agency" not in logged_in_client(nia).get("/").text


def test_an_invitation_pending_from_before_is_closed_when_they_are_added_again(tenant_a):
    _add(tenant_a, "nia@example.com")
    _remove(tenant_a, "nia@example.com")
    nia = User.objects.get(email="nia@example.com")
    stale = Invitation.objects.create(
        account=tenant_a.account, user=nia, email=nia.email, invited_by=tenant_a.admin
    )

    page = _add(tenant_a, "nia@example.com").text

    assert "nia@example.com added as a member." in page
    stale.refresh_from_db()
    assert stale.status == InvitationStatus.CANCELLED
    assert Membership.objects.filter(account=tenant_a.account, user=nia).exists()


def test_someone_in_another_account_yet_to_choose_a_password_is_invited_with_the_link(
    tenant_a, tenant_b
):
    _add(tenant_b, "nia@example.com", name="Nia of Bolt")
    mail.outbox.clear()

    page = _add(tenant_a, "nia@example.com").text

    assert "Invitation sent to nia@example.com" in page and "Nia of Bolt" not in page
    [message] = mail.outbox
    assert "Sign in with your existing login" not in message.body
    assert "You have not chosen your CampaignHub password yet." in message.body
    assert "http://testserver/invitations/" in message.body
    client = _choose_password(_link(message))
    assert client is not None
    nia = User.objects.get(email="nia@example.com")
    invitation = Invitation.objects.get(account=tenant_a.account, user=nia)
    joined = logged_in_client(nia).post(f"/invitations/{invitation.pk}/accept/", follow=True)
    assert "You joined Acme Agency." in joined.text


def test_someone_with_a_password_is_still_invited_to_sign_in(tenant_a, tenant_b):
    _add(tenant_a, "admin@bolt.test")

    [message] = mail.outbox
    assert "Sign in with your existing login to accept or decline:" in message.body
    assert "/password-reset/" not in message.body


def test_the_api_adds_someone_removed_before_choosing_a_password_as_a_member(tenant_a):
    def post(email):
        return Client().post(
            "/v1/members",
            {"email": email, "name": "Nia"},
            content_type="application/json",
            **bearer(tenant_a.token.raw),
        )

    first = post("nia@example.com").json()["data"]["member"]
    removed = Client().delete(f"/v1/members/{first['id']}", **bearer(tenant_a.token.raw))
    assert removed.status_code == 200

    again = post("nia@example.com")

    assert again.status_code == 201
    assert again.json()["data"]["status"] == "added"
    assert again.json()["data"]["member"]["user_id"] == first["user_id"]
