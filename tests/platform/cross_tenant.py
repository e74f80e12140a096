"""Cross-tenant cases for the platform's URLs: account B's people act on account A's objects.

Each case gets `a` (the victim tenant) and `b` (the other tenant) and asserts that nothing of A
is shown or changed. `tests/test_cross_tenant.py` runs every app's cases and fails when a URL
pattern is neither covered here nor exempted.
"""

from django.test import Client

from campaignhub.models import Account, ApiToken, Membership
from tests.factories import bearer


def dashboard(a, b):
    content = b.admin_client.get("/").content.decode()
    assert "Bolt Media" in content
    assert "Acme Agency" not in content


def account_settings(a, b):
    b.admin_client.post("/settings/", {"name": "Renamed", "timezone": "UTC", "currency": "EUR"})
    assert Account.objects.get(pk=a.account.pk).name == "Acme Agency"
    assert "Acme Agency" not in b.admin_client.get("/settings/").content.decode()


def members(a, b):
    content = b.admin_client.get("/settings/members/").content.decode()
    assert "admin@acme.test" not in content and "member@acme.test" not in content


def member_add(a, b):
    b.admin_client.post("/settings/members/add/", {"email": "spy@bolt.test", "role": "admin"})
    assert not Membership.objects.filter(account=a.account, user__email="spy@bolt.test").exists()


def member_role(a, b):
    target = Membership.objects.get(account=a.account, user=a.member)
    response = b.admin_client.post(f"/settings/members/{target.pk}/role/", {"role": "admin"})
    assert response.status_code == 404
    assert Membership.objects.get(pk=target.pk).role == "member"


def member_remove(a, b):
    target = Membership.objects.get(account=a.account, user=a.member)
    assert b.admin_client.post(f"/settings/members/{target.pk}/remove/").status_code == 404
    assert Membership.objects.filter(pk=target.pk).exists()


def tokens(a, b):
    assert "acme token" not in b.admin_client.get("/settings/tokens/").content.decode()


def token_revoke(a, b):
    token = a.token.token
    assert b.admin_client.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None


def profile(a, b):
    # The profile is the signed-in user's own; B can only ever edit B.
    b.admin_client.post("/settings/profile/", {"name": "B person", "phone": ""})
    a.admin.refresh_from_db()
    assert a.admin.name == "Acme Agency Admin"


def switch_account(a, b):
    b.admin_client.post("/account/switch/", {"account": a.account.pk})
    assert b.admin_client.get("/v1/me").json()["data"]["account"]["id"] == b.account.pk


def api_me(a, b):
    data = Client().get("/v1/me", **bearer(b.token.raw)).json()["data"]
    assert data["account"]["id"] == b.account.pk


CASES = {
    "dashboard": dashboard,
    "account_settings": account_settings,
    "members": members,
    "member_add": member_add,
    "member_role": member_role,
    "member_remove": member_remove,
    "tokens": tokens,
    "token_revoke": token_revoke,
    "profile": profile,
    "switch_account": switch_account,
    "api_me": api_me,
}

EXEMPT = {
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
