"""The campaign permission matrix, cell by cell, over the JSON API and the pages.

Roles on one campaign: an account admin, the member who owns it, a member who represents it and a
member with nothing to do with it. Every refused cell also checks that nothing changed.
"""

import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.test import Client

from campaignhub import services as platform
from campaignhub.models import Role
from campaigns import permissions, services
from campaigns.models import Campaign, LeadSource
from campaigns.permissions import MATRIX, Action, CampaignPermissionDenied, Standing
from tests.campaigns.factories import make_campaign
from tests.factories import bearer, logged_in_client, make_member

pytestmark = pytest.mark.django_db

ROLES = ["admin", "owner", "representative", "stranger"]
LISTED, UNLISTED = "listed", "not listed"


@pytest.fixture
def world(tenant_a):
    account = tenant_a.account
    people = {
        "admin": tenant_a.admin,
        "owner": make_member(account, "owner@acme.test", Role.MEMBER, name="Olive Owner"),
        "representative": make_member(account, "rep@acme.test", Role.MEMBER, name="Rey Rep"),
        "stranger": make_member(account, "stranger@acme.test", Role.MEMBER, name="Stan Stranger"),
    }
    spare = make_member(account, "spare@acme.test", Role.MEMBER, name="Sam Spare")
    campaign = make_campaign(
        tenant_a,
        owner=people["owner"],
        campaign_name="Roofing",
        selected_user=[{"id": people["representative"].pk}],
    )
    lead, _ = services.capture_lead(
        campaign=campaign,
        source=LeadSource.FORM,
        external_id="lead-1",
        name="Lena Lead",
        phone="+14155550123",
    )
    return SimpleNamespace(
        account=account,
        people=people,
        spare=spare,
        campaign=campaign,
        lead=lead,
        pages={role: logged_in_client(user) for role, user in people.items()},
        tokens={
            role: platform.issue_token(account=account, user=user, name=f"{role} token").raw
            for role, user in people.items()
        },
    )


def snapshot(campaign):
    row = Campaign.objects.get(pk=campaign.pk)
    return {
        "campaign_name": row.campaign_name,
        "owner": row.owner_id,
        "representatives": sorted(row.assignments.values_list("user_id", flat=True)),
        "status": row.status,
        "is_deleted": row.is_deleted,
        "updated_at": row.updated_at,
    }


# API calls: (method, path, body); what an allowed call changes: {field: new value}.
def api_call(world, action):
    pk, spare = world.campaign.pk, world.spare.pk
    put = lambda fields: ("put", f"/v1/campaigns/{pk}", {"campaigndata": fields})  # noqa: E731
    return {
        "view": ("get", f"/v1/campaigns/{pk}", None),
        "view in list": ("get", "/v1/campaigns", None),
        "edit name": put({"campaign_name": "Renamed"}),
        "edit name, sending the owner back": put(
            {"campaign_name": "Renamed", "owner": world.people["owner"].pk}
        ),
        "change owner": put({"owner": spare}),
        "change representatives": put({"selected_user": [{"id": spare}]}),
        "change status": put({"status": False}),
        "delete": ("delete", f"/v1/campaigns/{pk}", None),
        "view leads": ("get", f"/v1/leads?campaign={pk}", None),
        "view lead": ("get", f"/v1/leads/{world.lead.pk}", None),
    }[action]


def effect(world, action):
    return {
        "edit name": {"campaign_name": "Renamed"},
        "edit name, sending the owner back": {"campaign_name": "Renamed"},
        "change owner": {"owner": world.spare.pk},
        "change representatives": {"representatives": [world.spare.pk]},
        "change status": {"status": False},
        "delete": {"is_deleted": True},
    }.get(action, {})


API_MATRIX = {
    #                                    admin     owner     representative  stranger
    "view": (200, 200, 200, 404),
    "view in list": (LISTED, LISTED, LISTED, UNLISTED),
    "edit name": (200, 200, 403, 404),
    "edit name, sending the owner back": (200, 200, 403, 404),
    "change owner": (200, 403, 403, 404),
    "change representatives": (200, 200, 403, 404),
    "change status": (200, 200, 403, 404),
    "delete": (200, 200, 403, 404),
    "view leads": (LISTED, LISTED, LISTED, 400),  # a campaign filter they cannot see
    "view lead": (200, 200, 200, 404),
}


def cells(matrix):
    return [
        pytest.param(action, role, expected[index], id=f"{role}-{action.replace(' ', '_')}")
        for action, expected in matrix.items()
        for index, role in enumerate(ROLES)
    ]


def ids_in(response):
    return {row["id"] for row in response.json()["data"]}


def assert_outcome(world, action, expected, before, response, listed):
    after = snapshot(world.campaign)
    if expected in (LISTED, UNLISTED):
        assert response.status_code == 200
        assert listed == (expected == LISTED)
        assert after == before
        return
    assert response.status_code == expected, response.content
    if expected == 200 or expected == 302:
        changed = effect(world, action)
        assert {key: after[key] for key in changed} == changed
        unchanged = set(after) - set(changed) - ({"updated_at"} if changed else set())
        assert {key: after[key] for key in unchanged} == {key: before[key] for key in unchanged}
    else:
        assert after == before


@pytest.mark.parametrize(("action", "role", "expected"), cells(API_MATRIX))
def test_api_cell(world, action, role, expected):
    method, path, body = api_call(world, action)
    client, headers = Client(), bearer(world.tokens[role])
    before = snapshot(world.campaign)
    if body is None:
        response = getattr(client, method)(path, **headers)
    else:
        response = getattr(client, method)(
            path, json.dumps(body), content_type="application/json", **headers
        )
    listed = None
    if expected in (LISTED, UNLISTED):
        target = world.lead.pk if "lead" in action else world.campaign.pk
        listed = target in ids_in(response)
    assert_outcome(world, action, expected, before, response, listed)
    if expected == 403:
        refusal = response.json()
        assert refusal["success"] is False and refusal["errno"] == 403
        assert refusal["message"] == permissions.REFUSALS[refused_action(action)]


def refused_action(action):
    return {
        "change owner": Action.CHANGE_OWNER,
        "change representatives": Action.CHANGE_REPRESENTATIVES,
        "change status": Action.CHANGE_STATUS,
        "delete": Action.DELETE,
    }.get(action, Action.EDIT)


def edit_post(world, **overrides):
    """The campaign page's form as the campaign stands, with `overrides`."""
    data = {
        "campaign_name": "Roofing",
        "integration": "form",
        "notification_type": "send_email_sms",
        "status": "on",
        "currency": "USD",
        "representatives": [world.people["representative"].pk],
    }
    data.update(overrides)
    return data


def page_call(world, action):
    pk = world.campaign.pk
    return {
        "view": ("get", f"/campaigns/{pk}/", None),
        "view in list": ("get", "/campaigns/", None),
        "open edit form": ("get", f"/campaigns/{pk}/edit/", None),
        "edit name": ("post", f"/campaigns/{pk}/edit/", edit_post(world, campaign_name="Renamed")),
        "change owner": ("post", f"/campaigns/{pk}/edit/", edit_post(world, owner=world.spare.pk)),
        "change representatives": (
            "post",
            f"/campaigns/{pk}/edit/",
            edit_post(world, representatives=[world.spare.pk]),
        ),
        "change status": ("post", f"/campaigns/{pk}/status/", {"status": "off"}),
        "open delete form": ("get", f"/campaigns/{pk}/delete/", None),
        "delete": ("post", f"/campaigns/{pk}/delete/", {}),
        "view leads": ("get", f"/leads/?campaign={pk}", None),
        "view lead": ("get", f"/leads/{world.lead.pk}/", None),
    }[action]


PAGE_MATRIX = {
    #                          admin     owner     representative  stranger
    "view": (200, 200, 200, 404),
    "view in list": (LISTED, LISTED, LISTED, UNLISTED),
    "open edit form": (200, 200, 403, 404),
    "edit name": (302, 302, 403, 404),
    "change owner": (302, 403, 403, 404),
    "change representatives": (302, 302, 403, 404),
    "change status": (302, 302, 403, 404),
    "open delete form": (200, 200, 403, 404),
    "delete": (302, 302, 403, 404),
    # A campaign the member cannot see is refused like one that does not exist.
    "view leads": (LISTED, LISTED, LISTED, 400),
    "view lead": (200, 200, 200, 404),
}


@pytest.mark.parametrize(("action", "role", "expected"), cells(PAGE_MATRIX))
def test_page_cell(world, action, role, expected):
    method, path, data = page_call(world, action)
    client = world.pages[role]
    before = snapshot(world.campaign)
    response = client.get(path) if method == "get" else client.post(path, data)
    listed = None
    if expected in (LISTED, UNLISTED):
        shown = "Lena Lead" if "lead" in action else f'href="/campaigns/{world.campaign.pk}/"'
        listed = shown in response.content.decode()
    assert_outcome(world, action, expected, before, response, listed)
    if expected == 403:
        assert "Not allowed" in response.content.decode()
    if expected in (400, 404):
        assert "Lena Lead" not in response.content.decode()


# Creating: any member may create a campaign they own; only an admin one owned by someone else.
CREATE_MATRIX = {
    "create for oneself": (201, 201, 201, 201),
    "create for someone else": (201, 403, 403, 403),
}


@pytest.mark.parametrize(("action", "role", "expected"), cells(CREATE_MATRIX))
def test_api_create_cell(world, action, role, expected):
    fields = {"campaign_name": "Siding", "integration": "form"}
    if action == "create for someone else":
        fields["owner"] = world.spare.pk
    response = Client().post(
        "/v1/campaigns",
        json.dumps({"campaigndata": fields}),
        content_type="application/json",
        **bearer(world.tokens[role]),
    )
    assert response.status_code == expected, response.content
    created = Campaign.objects.filter(campaign_name="Siding")
    if expected == 201:
        assert created.get().owner_id == fields.get("owner", world.people[role].pk)
    else:
        assert not created.exists()
        assert response.json()["message"] == permissions.REFUSALS[Action.CHANGE_OWNER]


@pytest.mark.parametrize(("action", "role", "expected"), cells(CREATE_MATRIX))
def test_page_create_cell(world, action, role, expected):
    data = edit_post(world, campaign_name="Siding", representatives=[])
    if action == "create for someone else":
        data["owner"] = world.spare.pk
    response = world.pages[role].post("/campaigns/new/", data)
    created = Campaign.objects.filter(campaign_name="Siding")
    if expected == 201:
        assert response.status_code == 302
        assert created.get().owner_id == data.get("owner", world.people[role].pk)
    else:
        assert response.status_code == 403
        assert not created.exists()


# What the pages offer must be what the matrix allows.
BUTTONS = {
    "edit": Action.EDIT,
    "delete": Action.DELETE,
    "pause": Action.CHANGE_STATUS,
}


def buttons_on_detail(content, pk):
    return {
        "edit": f'href="/campaigns/{pk}/edit/"' in content,
        "delete": f'href="/campaigns/{pk}/delete/"' in content,
        "pause": f'action="/campaigns/{pk}/status/"' in content,
    }


@pytest.mark.parametrize("role", ["admin", "owner", "representative"])
def test_detail_page_shows_exactly_the_allowed_buttons(world, role):
    membership = world.people[role].memberships.get()
    allowed = permissions.allowed(membership, world.campaign)
    content = world.pages[role].get(f"/campaigns/{world.campaign.pk}/").content.decode()
    shown = buttons_on_detail(content, world.campaign.pk)
    assert shown == {button: action in allowed for button, action in BUTTONS.items()}
    assert shown == dict.fromkeys(BUTTONS, role != "representative")


@pytest.mark.parametrize("role", ["admin", "owner"])
def test_edit_form_offers_the_owner_picker_only_to_who_may_change_it(world, role):
    content = world.pages[role].get(f"/campaigns/{world.campaign.pk}/edit/").content.decode()
    assert ('name="owner"' in content) is (role == "admin")
    assert 'name="representatives"' in content and 'name="status"' in content


@pytest.mark.parametrize("role", ROLES)
def test_new_campaign_form_offers_the_owner_picker_only_to_admins(world, role):
    content = world.pages[role].get("/campaigns/new/").content.decode()
    assert ('name="owner"' in content) is (role == "admin")


def test_the_htmx_status_toggle_keeps_the_button_for_the_owner(world):
    response = world.pages["owner"].post(
        f"/campaigns/{world.campaign.pk}/status/", {"status": "off"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert ">Activate</button>" in response.content.decode()


def test_the_admin_can_hand_a_campaign_over_from_the_page(world):
    page = world.pages["admin"].get(f"/campaigns/{world.campaign.pk}/edit/").content.decode()
    owner = world.people["owner"]
    assert f'<option value="{owner.pk}" selected>' in page
    response = world.pages["admin"].post(
        f"/campaigns/{world.campaign.pk}/edit/", edit_post(world, owner=world.spare.pk)
    )
    assert response.status_code == 302
    assert snapshot(world.campaign)["owner"] == world.spare.pk


# The service refuses whoever calls it, not only the views.
def test_the_service_refuses_a_representative_and_changes_nothing(world):
    before = snapshot(world.campaign)
    membership = world.people["representative"].memberships.get()
    with pytest.raises(CampaignPermissionDenied) as refused:
        services.update_campaign(
            campaign=world.campaign, changes={"owner": membership.user_id}, actor=membership
        )
    assert refused.value.action == Action.CHANGE_OWNER
    with pytest.raises(CampaignPermissionDenied):
        services.delete_campaign(campaign=world.campaign, actor=membership)
    assert snapshot(world.campaign) == before


def test_the_service_checks_the_campaign_as_it_is_now(world):
    """The check runs on the locked row: a stale copy naming the old owner grants nothing."""
    stale = Campaign.objects.get(pk=world.campaign.pk)
    Campaign.objects.filter(pk=stale.pk).update(owner=world.spare)
    membership = world.people["owner"].memberships.get()
    with pytest.raises(CampaignPermissionDenied):
        services.delete_campaign(campaign=stale, actor=membership)
    assert snapshot(world.campaign)["is_deleted"] is False


def test_another_accounts_admin_has_no_standing(world, tenant_b):
    membership = tenant_b.admin.memberships.get()
    assert permissions.standing(membership, world.campaign) == Standing.NONE
    with pytest.raises(CampaignPermissionDenied):
        services.update_campaign(
            campaign=world.campaign, changes={"campaign_name": "Mine"}, actor=membership
        )


# The README's table is the matrix the code enforces.
README_ROWS = {
    "view the campaign": Action.VIEW,
    "view its leads": Action.VIEW_LEADS,
    "edit its settings (name, source, numbers, alert texts, CRM)": Action.EDIT,
    "change its owner": Action.CHANGE_OWNER,
    "change its representatives": Action.CHANGE_REPRESENTATIVES,
    "pause or activate it": Action.CHANGE_STATUS,
    "delete it": Action.DELETE,
}
README_COLUMNS = [Standing.ADMIN, Standing.OWNER, Standing.REPRESENTATIVE, Standing.NONE]


def test_the_readme_table_is_the_enforced_matrix():
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    section = readme.split("### Permissions", 1)[1].split("\n#", 1)[0]
    documented = {}
    for line in section.splitlines():
        cells_ = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if cells_[0] in README_ROWS:
            documented[README_ROWS[cells_[0]]] = [
                re.match(r"yes", c) is not None for c in cells_[1:]
            ]
    assert set(documented) == set(README_ROWS.values())
    for action, allowed in documented.items():
        assert allowed == [action in MATRIX[standing] for standing in README_COLUMNS], action
