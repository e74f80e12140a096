"""Dialer extensions belong to a membership: unique per account, set by the member or an
admin, and a change moves the member's agents to it, on the dialer too."""

import json

import pytest
from django.utils import timezone

from campaignhub.api import ApiProblem
from dialer import services
from dialer.models import AgentExtension, PendingAction
from tests.dialer.conftest import API, give_extension, make_agent, make_campaign

pytestmark = pytest.mark.django_db


def _membership(tenant, user):
    return tenant.account.memberships.get(user=user)


def _extension(tenant, user):
    record = AgentExtension.objects.filter(membership=_membership(tenant, user)).first()
    return record.extension if record else None


def _calls(upstream):
    return [
        (call.request.method, call.request.url.removeprefix(API), call.request.body)
        for call in upstream.calls
    ]


def test_the_same_extension_may_be_used_in_two_accounts(tenant_a, tenant_b):
    services.set_extension(membership=_membership(tenant_a, tenant_a.member), extension="101")
    services.set_extension(membership=_membership(tenant_b, tenant_b.member), extension="101")
    assert _extension(tenant_a, tenant_a.member) == _extension(tenant_b, tenant_b.member) == "101"


def test_an_extension_is_unique_within_the_account(tenant_a):
    services.set_extension(membership=_membership(tenant_a, tenant_a.member), extension="101")
    with pytest.raises(ApiProblem) as refused:
        services.set_extension(membership=_membership(tenant_a, tenant_a.admin), extension="101")
    assert refused.value.status == 400
    assert "Acme Agency Member" in refused.value.message
    assert _extension(tenant_a, tenant_a.admin) is None


def test_one_person_may_have_different_extensions_in_different_accounts(tenant_a, tenant_b):
    from tests.factories import make_member

    make_member(tenant_b.account, tenant_a.member.email)
    services.set_extension(membership=_membership(tenant_a, tenant_a.member), extension="101")
    services.set_extension(membership=_membership(tenant_b, tenant_a.member), extension="7001")
    assert _extension(tenant_a, tenant_a.member) == "101"
    assert _extension(tenant_b, tenant_a.member) == "7001"


def test_an_extension_in_another_account_does_not_make_an_agent_here(
    tenant_a, tenant_b, connected, upstream
):
    from tests.factories import make_member

    make_member(tenant_b.account, tenant_a.member.email)
    give_extension(tenant_b.account, tenant_a.member, "101")
    campaign = make_campaign(tenant_a)
    with pytest.raises(ApiProblem) as refused:
        services.add_agent(campaign=campaign, user=tenant_a.member)
    assert refused.value.status == 400 and "Extensions" in refused.value.message
    assert len(upstream.calls) == 0


def test_changing_an_extension_moves_the_agent_in_every_live_campaign(
    tenant_a, connected, upstream
):
    started = make_campaign(tenant_a, name="A started one", state="started")
    stopped = make_campaign(tenant_a, name="B stopped one")
    removed = make_campaign(tenant_a, name="C removed", deleted_at=timezone.now())
    removing = make_campaign(tenant_a, name="D removing", pending_action=PendingAction.REMOVING)
    for campaign in (started, stopped, removed, removing):
        make_agent(campaign, tenant_a.member, "101", default_state="available", status="available")
    for campaign in (started, stopped):
        upstream.put(f"{API}/campaigns/{campaign.ref}/agents/202", status=200)
        upstream.delete(f"{API}/campaigns/{campaign.ref}/agents/101", status=204)

    done = services.set_extension(
        membership=_membership(tenant_a, tenant_a.member), extension="202"
    )

    assert done.moved == [started.ref, stopped.ref] and done.warnings == []
    assert _calls(upstream) == [
        ("PUT", f"/campaigns/{started.ref}/agents/202", b'{"default_state": "available"}'),
        ("DELETE", f"/campaigns/{started.ref}/agents/101", None),
        ("PUT", f"/campaigns/{stopped.ref}/agents/202", b'{"default_state": "available"}'),
        ("DELETE", f"/campaigns/{stopped.ref}/agents/101", None),
    ]
    assert started.agents.get().extension == stopped.agents.get().extension == "202"
    # Its status under the new extension is unknown until the dialer reports one.
    assert started.agents.get().status == ""
    # A removed campaign keeps its history; one being removed is about to go.
    assert removed.agents.get().extension == removing.agents.get().extension == "101"
    assert _extension(tenant_a, tenant_a.member) == "202"


def test_a_campaign_the_dialer_refuses_keeps_the_old_extension_until_saved_again(
    tenant_a, connected, upstream
):
    campaign = make_campaign(tenant_a, name="Renewals")
    make_agent(campaign, tenant_a.member, "101")
    upstream.put(f"{API}/campaigns/{campaign.ref}/agents/202", status=503, json={"error": "down"})
    membership = _membership(tenant_a, tenant_a.member)

    done = services.set_extension(membership=membership, extension="202")

    assert done.moved == []
    assert len(done.warnings) == 1 and "Renewals" in done.warnings[0]
    assert "still has extension 101" in done.warnings[0]
    assert campaign.agents.get().extension == "101"
    assert _extension(tenant_a, tenant_a.member) == "202"
    # Meanwhile nobody else may take 101 in this account: the dialer still knows them by it.
    with pytest.raises(ApiProblem):
        services.set_extension(membership=_membership(tenant_a, tenant_a.admin), extension="101")

    upstream.reset()
    upstream.put(f"{API}/campaigns/{campaign.ref}/agents/202", status=200)
    upstream.delete(f"{API}/campaigns/{campaign.ref}/agents/101", status=404, json={"error": "x"})
    again = services.set_extension(membership=membership, extension="202")
    assert again.moved == [campaign.ref] and again.warnings == []
    assert campaign.agents.get().extension == "202"


def test_clearing_the_extension_of_an_agent_is_refused(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a, name="Renewals")
    make_agent(campaign, tenant_a.member, "101")
    with pytest.raises(ApiProblem) as refused:
        services.set_extension(membership=_membership(tenant_a, tenant_a.member), extension=None)
    assert refused.value.status == 409 and "Renewals" in refused.value.message
    assert _extension(tenant_a, tenant_a.member) == "101"
    assert len(upstream.calls) == 0


def test_a_member_sets_their_own_extension_through_the_api(tenant_a, connected, upstream):
    from campaignhub import services as platform
    from tests.factories import bearer

    token = platform.issue_token(account=tenant_a.account, user=tenant_a.member, name="m")
    auth = bearer(token.raw)
    member_id = _membership(tenant_a, tenant_a.member).pk
    listed = tenant_a.member_client.get("/v1/dialer/extensions", **auth).json()["data"]
    assert [row["member_id"] for row in listed] == [member_id]

    response = tenant_a.member_client.put(
        f"/v1/dialer/extensions/{member_id}",
        {"extension": "303"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 200, response.content
    assert response.json()["data"]["extension"] == "303"

    admin_id = _membership(tenant_a, tenant_a.admin).pk
    other = tenant_a.member_client.put(
        f"/v1/dialer/extensions/{admin_id}",
        {"extension": "304"},
        content_type="application/json",
        **auth,
    )
    assert other.status_code == 404
    assert _extension(tenant_a, tenant_a.admin) is None


@pytest.mark.parametrize(
    ("body", "field"),
    [({"extension": "12"}, "extension"), ({"extension": 101}, "extension"), ({}, "extension")],
)
def test_a_bad_extension_is_400_and_changes_nothing(tenant_a, body, field):
    give_extension(tenant_a.account, tenant_a.member, "101")
    member_id = _membership(tenant_a, tenant_a.member).pk
    response = tenant_a.admin_client.put(
        f"/v1/dialer/extensions/{member_id}", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert _extension(tenant_a, tenant_a.member) == "101"


def test_an_extension_names_both_the_membership_and_the_user(tenant_a):
    member_id = _membership(tenant_a, tenant_a.member).pk
    listed = tenant_a.admin_client.get("/v1/dialer/extensions").json()["data"]
    row = next(row for row in listed if row["email"] == "member@acme.test")
    assert (row["member_id"], row["user_id"]) == (member_id, tenant_a.member.pk)
    one = tenant_a.admin_client.get(f"/v1/dialer/extensions/{member_id}").json()["data"]
    assert one == row


def test_an_admin_sets_and_clears_a_members_extension_through_the_api(tenant_a):
    member_id = _membership(tenant_a, tenant_a.member).pk
    url = f"/v1/dialer/extensions/{member_id}"
    set_ = tenant_a.admin_client.put(url, {"extension": "4455"}, content_type="application/json")
    assert set_.json()["data"] == {
        "member_id": member_id,
        "user_id": tenant_a.member.pk,
        "name": "Acme Agency Member",
        "email": "member@acme.test",
        "extension": "4455",
        "moved": [],
        "warnings": [],
    }
    listed = tenant_a.admin_client.get("/v1/dialer/extensions").json()["data"]
    assert {row["email"]: row["extension"] for row in listed} == {
        "admin@acme.test": None,
        "member@acme.test": "4455",
    }
    cleared = tenant_a.admin_client.put(url, {"extension": None}, content_type="application/json")
    assert cleared.json()["data"]["extension"] is None
    assert not AgentExtension.objects.exists()


def test_the_extensions_page_sets_ones_own_and_an_admin_sets_anyones(tenant_a, connected, upstream):
    member_id = _membership(tenant_a, tenant_a.member).pk
    admin_id = _membership(tenant_a, tenant_a.admin).pk
    page = tenant_a.member_client.get("/dialer/extensions/").content.decode()
    assert "member@acme.test" in page and "admin@acme.test" not in page

    own = tenant_a.member_client.post(
        f"/dialer/extensions/{member_id}/", {f"m{member_id}-extension": "150"}
    )
    assert own.status_code == 302
    assert _extension(tenant_a, tenant_a.member) == "150"
    refused = tenant_a.member_client.post(
        f"/dialer/extensions/{admin_id}/", {f"m{admin_id}-extension": "151"}
    )
    assert refused.status_code == 404
    taken = tenant_a.admin_client.post(
        f"/dialer/extensions/{admin_id}/", {f"m{admin_id}-extension": "150"}
    )
    assert taken.status_code == 400
    assert "already Acme Agency Member&#x27;s" in taken.content.decode()
    assert _extension(tenant_a, tenant_a.admin) is None
    by_admin = tenant_a.admin_client.post(
        f"/dialer/extensions/{member_id}/", {f"m{member_id}-extension": "160"}, follow=True
    )
    assert "Acme Agency Member&#x27;s extension is 160." in by_admin.content.decode()


def test_the_profile_no_longer_sets_a_dialer_extension(tenant_a):
    page = tenant_a.member_client.get("/settings/profile/").content.decode()
    assert "dialer_extension" not in page


def test_a_member_is_added_as_an_agent_by_their_extension_in_this_account(
    tenant_a, connected, upstream
):
    give_extension(tenant_a.account, tenant_a.member, "101")
    campaign = make_campaign(tenant_a)
    upstream.put(f"{API}/campaigns/{campaign.ref}/agents/101", status=200)
    response = tenant_a.admin_client.post(
        f"/v1/dialer/campaigns/{campaign.ref}/agents",
        {"extension": "101"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert json.loads(upstream.calls[0].request.body) == {"default_state": "offline"}
    assert campaign.agents.get().user == tenant_a.member


def test_leaving_the_account_takes_the_extension_with_the_membership(tenant_a):
    give_extension(tenant_a.account, tenant_a.member, "101")
    _membership(tenant_a, tenant_a.member).delete()
    assert not AgentExtension.objects.exists()


def test_spaces_around_a_typed_extension_are_dropped():
    from dialer.forms import AgentForm, ExtensionForm

    for form_class in (AgentForm, ExtensionForm):
        form = form_class(data={"extension": " 103 "})
        assert form.is_valid(), form.errors
        assert form.cleaned_data["extension"] == "103"
