"""`/v1/members`: the members page's rules over the API, for admins only."""

import pytest
from django.core import mail
from django.test import Client

from campaignhub.models import Invitation, Membership
from tests.factories import bearer

pytestmark = pytest.mark.django_db


def _api(tenant, method, path, body=None, token=None):
    call = getattr(Client(), method)
    auth = bearer(token or tenant.token.raw)
    if body is None:
        return call(path, **auth)
    return call(path, body, content_type="application/json", **auth)


def _membership(tenant, user):
    return Membership.objects.get(account=tenant.account, user=user)


def test_a_member_carries_the_user_id_that_fields_naming_a_person_take(tenant_a):
    listed = _api(tenant_a, "get", "/v1/members").json()["data"]
    member = next(row for row in listed if row["email"] == "member@acme.test")
    assert member["id"] == _membership(tenant_a, tenant_a.member).pk
    assert member["user_id"] == tenant_a.member.pk
    assert _api(tenant_a, "get", f"/v1/members/{member['id']}").json()["data"] == member
    # The user id is what a campaign's owner and representatives take.
    body = {
        "campaigndata": {
            "campaign_name": "Roofing",
            "integration": "form",
            "owner": member["user_id"],
            "selected_user": [{"id": member["user_id"]}],
        }
    }
    created = _api(tenant_a, "post", "/v1/campaigns", body)
    assert created.status_code == 201, created.json()
    assert created.json()["data"]["owner"] == member["user_id"]
    added = _api(tenant_a, "post", "/v1/members", {"email": "new@acme.test", "name": "New"})
    new = added.json()["data"]["member"]
    assert new["user_id"] == Membership.objects.get(pk=new["id"]).user_id


def test_admins_list_the_members_page_by_page(tenant_a):
    response = _api(tenant_a, "get", "/v1/members?per_page=1")
    body = response.json()
    assert response.status_code == 200
    assert [row["email"] for row in body["data"]] == ["admin@acme.test"]
    assert body["pagination"] == {"page": 1, "per_page": 1, "total": 2, "total_pages": 2}
    assert set(body["data"][0]) == {"id", "user_id", "email", "name", "role", "joined_at"}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/v1/members", None),
        ("post", "/v1/members", {"email": "new@acme.test", "role": "admin"}),
        ("patch", "/v1/members/{admin}", {"role": "member"}),
        ("delete", "/v1/members/{admin}", None),
    ],
)
def test_members_get_the_403_envelope_and_nothing_changes(tenant_a, method, path, body):
    from campaignhub import services

    token = services.issue_token(account=tenant_a.account, user=tenant_a.member, name="m").raw
    path = path.format(admin=_membership(tenant_a, tenant_a.admin).pk)
    response = _api(tenant_a, method, path, body, token=token)
    assert response.status_code == 403
    assert response.json() == {
        "success": False,
        "errno": 403,
        "message": "Only account admins can do this.",
    }
    assert _membership(tenant_a, tenant_a.admin).role == "admin"
    assert Membership.objects.filter(account=tenant_a.account).count() == 2
    assert mail.outbox == []


def test_post_adds_someone_new_who_gets_the_password_email(tenant_a):
    response = _api(tenant_a, "post", "/v1/members", {"email": "nia@acme.test", "name": "Nia"})
    data = response.json()["data"]
    assert response.status_code == 201
    assert data["status"] == "added"
    assert (data["member"]["email"], data["member"]["role"]) == ("nia@acme.test", "member")
    assert [message.to for message in mail.outbox] == [["nia@acme.test"]]


def test_post_invites_an_existing_user_and_shows_only_the_typed_email(tenant_a, tenant_b):
    response = _api(tenant_a, "post", "/v1/members", {"email": "Admin@Bolt.test", "role": "admin"})
    data = response.json()["data"]
    assert response.status_code == 201
    assert data["status"] == "invited"
    assert (data["invitation"]["email"], data["invitation"]["status"]) == (
        "Admin@Bolt.test",
        "pending",
    )
    assert "Bolt Media Admin" not in response.content.decode()
    assert not Membership.objects.filter(account=tenant_a.account, user=tenant_b.admin).exists()


def test_an_invitation_names_its_sender_and_when_it_expires(tenant_a, tenant_b, settings):
    from datetime import datetime, timedelta

    settings.INVITATION_EXPIRY_DAYS = 14
    response = _api(tenant_a, "post", "/v1/members", {"email": "admin@bolt.test"})
    invitation = response.json()["data"]["invitation"]

    assert invitation["invited_by"] == {
        "id": tenant_a.admin.pk,
        "email": "admin@acme.test",
        "name": "Acme Agency Admin",
    }
    created = datetime.fromisoformat(invitation["created_at"].replace("Z", "+00:00"))
    expires = datetime.fromisoformat(invitation["expires_at"].replace("Z", "+00:00"))
    assert expires - created == timedelta(days=14)


def test_post_with_a_list_for_the_email_is_a_400_naming_it(tenant_a):
    response = _api(tenant_a, "post", "/v1/members", {"email": ["x@acme.test"]})
    assert response.status_code == 400
    assert response.json()["errors"] == {"email": ["Must be a string."]}
    assert Membership.objects.filter(account=tenant_a.account).count() == 2


def test_post_for_a_member_already_there_is_a_400_and_keeps_their_role(tenant_a):
    response = _api(tenant_a, "post", "/v1/members", {"email": "member@acme.test", "role": "admin"})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "email": ["This person is already a member of the account."]
    }
    assert _membership(tenant_a, tenant_a.member).role == "member"


def test_patch_changes_the_role(tenant_a):
    target = _membership(tenant_a, tenant_a.member)
    response = _api(tenant_a, "patch", f"/v1/members/{target.pk}", {"role": "admin"})
    assert response.status_code == 200
    assert response.json()["data"]["role"] == "admin"
    assert _membership(tenant_a, tenant_a.member).role == "admin"


def test_patch_with_an_unknown_role_is_a_400(tenant_a):
    target = _membership(tenant_a, tenant_a.member)
    response = _api(tenant_a, "patch", f"/v1/members/{target.pk}", {"role": "owner"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["role"]
    assert _membership(tenant_a, tenant_a.member).role == "member"


def test_the_last_admin_can_be_neither_demoted_nor_removed(tenant_a):
    last = _membership(tenant_a, tenant_a.admin)
    demoted = _api(tenant_a, "patch", f"/v1/members/{last.pk}", {"role": "member"})
    removed = _api(tenant_a, "delete", f"/v1/members/{last.pk}")
    for response in (demoted, removed):
        assert response.status_code == 409
        assert response.json()["message"] == "An account needs at least one admin."
    assert _membership(tenant_a, tenant_a.admin).role == "admin"


def test_delete_removes_the_member_and_their_access(tenant_a):
    from campaignhub import services

    theirs = services.issue_token(account=tenant_a.account, user=tenant_a.member, name="m").raw
    target = _membership(tenant_a, tenant_a.member)
    response = _api(tenant_a, "delete", f"/v1/members/{target.pk}")
    assert response.status_code == 200
    assert not Membership.objects.filter(pk=target.pk).exists()
    assert Client().get("/v1/me", **bearer(theirs)).status_code == 401


def test_invitations_by_api_are_rate_limited_per_admin(tenant_a, settings):
    settings.MEMBER_INVITATION_RATE_LIMIT_PER_MINUTE = 2
    codes = [
        _api(tenant_a, "post", "/v1/members", {"email": f"p{n}@acme.test"}).status_code
        for n in range(3)
    ]
    assert codes == [201, 201, 429]
    assert len(mail.outbox) == 2
    assert not Membership.objects.filter(user__email="p2@acme.test").exists()
    assert not Invitation.objects.exists()
