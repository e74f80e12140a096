"""Cross-tenant cases for the platform's URLs: account B's people act on account A's objects.

Each case gets `a` (the victim tenant) and `b` (the other tenant) and asserts that nothing of A
is shown or changed. `tests/test_cross_tenant.py` runs every app's cases and fails when a URL
pattern is neither covered here nor exempted.
"""

from django.test import Client

from campaignhub import services
from campaignhub.models import (
    Account,
    ApiToken,
    DeliveryStatus,
    InboundDelivery,
    Invitation,
    InvitationStatus,
    Membership,
    Role,
)
from tests.factories import bearer


def _page(client, path, status=200):
    response = client.get(path)
    assert response.status_code == status
    return response.content.decode()


def dashboard(a, b):
    assert "Acme Agency" in _page(a.admin_client, "/")
    content = _page(b.admin_client, "/")
    assert "Bolt Media" in content
    assert "Acme Agency" not in content


def account_settings(a, b):
    assert "Acme Agency" in _page(a.admin_client, "/settings/")
    response = b.admin_client.post(
        "/settings/", {"name": "Renamed", "timezone": "UTC", "currency": "EUR", "country": "DE"}
    )
    assert response.status_code == 302
    # The change landed on B's own account, and only there.
    assert Account.objects.get(pk=b.account.pk).name == "Renamed"
    assert Account.objects.get(pk=a.account.pk).name == "Acme Agency"
    assert "Acme Agency" not in _page(b.admin_client, "/settings/")


def members(a, b):
    assert "member@acme.test" in _page(a.admin_client, "/settings/members/")
    content = _page(b.admin_client, "/settings/members/")
    assert "admin@bolt.test" in content
    assert "admin@acme.test" not in content and "member@acme.test" not in content


def member_add(a, b):
    response = b.admin_client.post(
        "/settings/members/add/", {"email": "spy@bolt.test", "role": "admin"}
    )
    assert response.status_code == 302
    assert Membership.objects.filter(account=b.account, user__email="spy@bolt.test").exists()
    assert not Membership.objects.filter(account=a.account, user__email="spy@bolt.test").exists()


def member_role(a, b):
    target = Membership.objects.get(account=a.account, user=a.member)
    assert f"/settings/members/{target.pk}/role/" in _page(a.admin_client, "/settings/members/")
    response = b.admin_client.post(f"/settings/members/{target.pk}/role/", {"role": "admin"})
    assert response.status_code == 404
    assert Membership.objects.get(pk=target.pk).role == "member"


def member_remove(a, b):
    target = Membership.objects.get(account=a.account, user=a.member)
    assert f"/settings/members/{target.pk}/remove/" in _page(a.admin_client, "/settings/members/")
    assert b.admin_client.post(f"/settings/members/{target.pk}/remove/").status_code == 404
    # The confirmation, which names the account's campaigns, is A's admins' alone.
    confirmation = a.admin_client.get(f"/settings/members/{target.pk}/remove/")
    assert confirmation.status_code == 200 and a.member.email in confirmation.content.decode()
    assert b.admin_client.get(f"/settings/members/{target.pk}/remove/").status_code == 404
    assert Membership.objects.filter(pk=target.pk).exists()


def member_password_link(a, b):
    from django.core import mail

    waiting = services.add_new_member(account=a.account, email="new@acme.test").membership
    path = f"/settings/members/{waiting.pk}/password-link/"
    assert path in _page(a.admin_client, "/settings/members/")
    mail.outbox.clear()
    assert b.admin_client.post(path).status_code == 404
    assert mail.outbox == []


def _invite(account, admin, email):
    return services.add_new_member(
        account=account, email=email, role=Role.MEMBER, invited_by=admin
    ).invitation


def invitation_cancel(a, b):
    invitation = _invite(a.account, a.admin, "admin@bolt.test")
    assert f"/settings/members/invitations/{invitation.pk}/cancel/" in _page(
        a.admin_client, "/settings/members/"
    )
    response = b.admin_client.post(f"/settings/members/invitations/{invitation.pk}/cancel/")
    assert response.status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.PENDING


def invitations(a, b):
    invitation = _invite(a.account, a.admin, "admin@bolt.test")
    row = f'id="invitation-{invitation.pk}"'
    assert row in _page(b.admin_client, "/invitations/")
    # A's member, not the invited person, sees none of it.
    assert row not in _page(a.member_client, "/invitations/")


def invitation_accept(a, b):
    # A invites someone else; B's admin cannot accept it in their place.
    outsider = Account.objects.create(name="Other")
    services.add_member(account=outsider, email="someone@other.test", password="x" * 12)
    invitation = _invite(a.account, a.admin, "someone@other.test")
    b.admin_client.post(f"/invitations/{invitation.pk}/accept/")
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.PENDING
    assert not Membership.objects.filter(account=a.account, user=b.admin).exists()


def invitation_decline(a, b):
    outsider = Account.objects.create(name="Other")
    services.add_member(account=outsider, email="someone@other.test", password="x" * 12)
    invitation = _invite(a.account, a.admin, "someone@other.test")
    b.admin_client.post(f"/invitations/{invitation.pk}/decline/")
    assert Invitation.objects.get(pk=invitation.pk).status == InvitationStatus.PENDING


def tokens(a, b):
    assert "acme token" in _page(a.admin_client, "/settings/tokens/")
    content = _page(b.admin_client, "/settings/tokens/")
    assert "bolt token" in content
    assert "acme token" not in content


def token_revoke(a, b):
    token = a.token.token
    assert f"/settings/tokens/{token.pk}/revoke/" in _page(a.admin_client, "/settings/tokens/")
    assert b.admin_client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def profile(a, b):
    # The profile is the signed-in user's own; B can only ever edit B.
    response = b.admin_client.post("/settings/profile/", {"name": "B person", "phone": ""})
    assert response.status_code == 302
    b.admin.refresh_from_db()
    a.admin.refresh_from_db()
    assert (b.admin.name, a.admin.name) == ("B person", "Acme Agency Admin")


def switch_account(a, b):
    # Control: a person in two accounts does switch (so the refusal below means something).
    Membership.objects.create(account=b.account, user=a.member, role=Role.MEMBER)
    switched = a.member_client.post("/account/switch/", {"account": b.account.pk})
    assert switched.status_code == 302
    assert a.member_client.get("/v1/me").json()["data"]["account"]["id"] == b.account.pk
    refused = b.admin_client.post("/account/switch/", {"account": a.account.pk}, follow=True)
    assert refused.status_code == 200
    assert "You are not a member of that account." in refused.content.decode()
    assert b.admin_client.get("/v1/me").json()["data"]["account"]["id"] == b.account.pk


def api_me(a, b):
    assert Client().get("/v1/me", **bearer(a.token.raw)).json()["data"]["account"]["id"] == (
        a.account.pk
    )
    response = Client().get("/v1/me", **bearer(b.token.raw))
    assert response.status_code == 200
    assert response.json()["data"]["account"]["id"] == b.account.pk


def api_members(a, b):
    emails = [row["email"] for row in b.admin_client.get("/v1/members").json()["data"]]
    assert "admin@bolt.test" in emails
    assert not any(email.endswith("@acme.test") for email in emails)
    response = Client().post(
        "/v1/members",
        {"email": "new@bolt.test", "role": "admin"},
        content_type="application/json",
        **bearer(b.token.raw),
    )
    assert response.status_code == 201
    assert not Membership.objects.filter(account=a.account, user__email="new@bolt.test").exists()


def api_member(a, b):
    target = Membership.objects.get(account=a.account, user=a.member)
    assert a.admin_client.get(f"/v1/members/{target.pk}").status_code == 200
    path = f"/v1/members/{target.pk}"
    assert b.admin_client.get(path).status_code == 404
    patch = Client().patch(
        path, {"role": "admin"}, content_type="application/json", **bearer(b.token.raw)
    )
    assert patch.status_code == 404
    assert Client().delete(path, **bearer(b.token.raw)).status_code == 404
    assert Membership.objects.get(pk=target.pk).role == "member"


def _delivery(tenant, event):
    return InboundDelivery.objects.create(
        account=tenant.account,
        source="callrail",
        event=event,
        body=b'{"secret_of": "acme"}',
        status=DeliveryStatus.FAILED,
        error=f"{event} failed",
    )


def inbound_deliveries(a, b):
    _delivery(a, "acme_event")
    _delivery(b, "bolt_event")
    assert "Acme event" in _page(a.admin_client, "/settings/deliveries/")
    content = _page(b.admin_client, "/settings/deliveries/")
    assert "Bolt event" in content
    assert "Acme event" not in content
    # The campaign filter offers only the account's own campaigns.
    from tests.campaigns.factories import make_campaign

    make_campaign(a, integration="webhook", campaign_name="Acme hook")
    assert "Acme hook" in _page(a.admin_client, "/settings/deliveries/")
    assert "Acme hook" not in _page(b.admin_client, "/settings/deliveries/")


def inbound_delivery(a, b):
    delivery = _delivery(a, "acme_event")
    assert "secret_of" in _page(a.admin_client, f"/settings/deliveries/{delivery.pk}/")
    _page(b.admin_client, f"/settings/deliveries/{delivery.pk}/", status=404)


def inbound_delivery_replay(a, b):
    delivery = _delivery(a, "acme_event")
    assert f"/settings/deliveries/{delivery.pk}/replay/" in _page(
        a.admin_client, f"/settings/deliveries/{delivery.pk}/"
    )
    assert b.admin_client.post(f"/settings/deliveries/{delivery.pk}/replay/").status_code == 404
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 0)


CASES = {
    "dashboard": dashboard,
    "account_settings": account_settings,
    "members": members,
    "member_add": member_add,
    "member_role": member_role,
    "member_remove": member_remove,
    "member_password_link": member_password_link,
    "invitation_cancel": invitation_cancel,
    "invitations": invitations,
    "invitation_accept": invitation_accept,
    "invitation_decline": invitation_decline,
    "tokens": tokens,
    "token_revoke": token_revoke,
    "profile": profile,
    "inbound_deliveries": inbound_deliveries,
    "inbound_delivery": inbound_delivery,
    "inbound_delivery_replay": inbound_delivery_replay,
    "switch_account": switch_account,
    "api_me": api_me,
    "api_members": api_members,
    "api_member": api_member,
}

EXEMPT = {
    "api_not_found": "answers 404 to any /v1/ address no route matches; reads nothing",
    "login": "public",
    "logout": "ends the caller's own session",
    "password_reset": "public; answers the same whether or not the email exists",
    "password_reset_done": "public static page",
    "password_reset_confirm": "public; needs a signed one-time token",
    "password_reset_complete": "public static page",
    "password_change": "acts on the signed-in user only",
    "password_change_done": "static page",
    "admin:*": "the Django admin is for staff operators of the whole installation",
}
