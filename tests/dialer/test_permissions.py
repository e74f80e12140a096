"""The dialer's permission matrix (`dialer.permissions`, README → Dialer → Permissions): admins
manage everything; a member sees the campaigns they are an agent of, read-only; any other
campaign is a 404 to them; the connection, creating and adopting are the admins'.

Every refusal changes nothing and never reaches the dialer."""

import pytest
import responses
from django.core.files.base import ContentFile

from dialer.models import DialerCampaign, DialerConnection, LeadListUpload
from tests.dialer.conftest import API, KEY, csv_file, give_extension, make_agent, make_campaign

pytestmark = pytest.mark.django_db

ADMIN, AGENT, OTHER = "admin", "agent", "other member"


@pytest.fixture
def world(tenant_a, connected):
    """Two campaigns of account A: the member is an agent of `theirs`, not of `other`; each
    has a failed upload."""
    theirs = make_campaign(tenant_a, name="Theirs", state="started")
    make_agent(theirs, tenant_a.member, "101")
    other = make_campaign(tenant_a, name="Other", state="started")
    uploads = {
        campaign.pk: LeadListUpload.objects.create(
            account=tenant_a.account,
            campaign=campaign,
            original_name="x.csv",
            file="dialer/uploads/x.csv",
            status="failed",
        )
        for campaign in (theirs, other)
    }
    return tenant_a, theirs, other, uploads


# (what, method, path, data, is the API). `{ref}`/`{upload}` are the campaign's.
CAMPAIGN_CHANGES = [
    ("start", "post", "/dialer/campaigns/{ref}/start/", {}, False),
    ("stop", "post", "/dialer/campaigns/{ref}/stop/", {}, False),
    ("settings", "post", "/dialer/campaigns/{ref}/settings/", {"aggression": "9.0"}, False),
    ("remove", "post", "/dialer/campaigns/{ref}/remove/", {}, False),
    ("add agent", "post", "/dialer/campaigns/{ref}/agents/", {"extension": "101"}, False),
    ("remove agent", "post", "/dialer/campaigns/{ref}/agents/101/remove/", {}, False),
    ("upload", "post", "/dialer/campaigns/{ref}/leads/", "csv", False),
    ("resume", "post", "/dialer/uploads/{upload}/resume/", {}, False),
    ("api start", "post", "/v1/dialer/campaigns/{ref}/start", {}, True),
    ("api stop", "post", "/v1/dialer/campaigns/{ref}/stop", {}, True),
    ("api settings", "put", "/v1/dialer/campaigns/{ref}/settings", {"aggression": 9.0}, True),
    ("api remove", "delete", "/v1/dialer/campaigns/{ref}", {}, True),
    ("api add agent", "post", "/v1/dialer/campaigns/{ref}/agents", {"extension": "101"}, True),
    ("api remove agent", "delete", "/v1/dialer/campaigns/{ref}/agents/101", {}, True),
    ("api upload", "post", "/v1/dialer/campaigns/{ref}/leads", "csv", True),
]
CAMPAIGN_READS = [
    ("page", "/dialer/campaigns/{ref}/"),
    ("upload progress", "/dialer/uploads/{upload}/"),
    ("error report", "/dialer/uploads/{upload}/errors.csv"),
    ("api campaign", "/v1/dialer/campaigns/{ref}"),
    ("api upload", "/v1/dialer/uploads/{upload}"),
]


def _send(client, method, path, data, api):
    if data == "csv":
        return client.post(path, {"file": csv_file(["+14155550100"])})
    if api and data:
        return getattr(client, method)(path, data, content_type="application/json")
    if api:
        return getattr(client, method)(path, content_type="application/json")
    return getattr(client, method)(path, data)


def _untouched(campaign):
    fresh = DialerCampaign.objects.get(pk=campaign.pk)
    assert (fresh.state, fresh.pending_action, str(fresh.aggression), fresh.deleted_at) == (
        "started",
        "",
        "1.5",
        None,
    )
    assert list(fresh.agents.values_list("extension", flat=True)) == (
        ["101"] if fresh.name == "Theirs" else []
    )
    assert fresh.contacts.count() == 0
    assert LeadListUpload.objects.get(campaign=fresh).status == "failed"


@pytest.mark.parametrize(("what", "method", "path", "data", "api"), CAMPAIGN_CHANGES)
@pytest.mark.parametrize(("standing", "status"), [(AGENT, 403), (OTHER, 404)])
def test_a_member_changes_no_campaign(world, what, method, path, data, api, standing, status):
    tenant, theirs, other, uploads = world
    campaign = theirs if standing == AGENT else other
    url = path.format(ref=campaign.ref, upload=uploads[campaign.pk].pk)
    with responses.RequestsMock() as upstream:
        response = _send(tenant.member_client, method, url, data, api)
        assert len(upstream.calls) == 0
    assert response.status_code == status, (what, response.content)
    if status == 404:
        assert b"Other" not in response.content
    else:
        assert b"Only an account admin can" in response.content
    _untouched(campaign)


@pytest.mark.parametrize(("what", "path"), CAMPAIGN_READS)
def test_a_member_sees_the_campaigns_they_are_an_agent_of_and_no_other(
    world, what, path, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    tenant, theirs, other, uploads = world
    for upload in uploads.values():
        upload.error_report.save("errors.csv", ContentFile(b"row,field,message\r\n"))
    for campaign, status in ((theirs, 200), (other, 404)):
        url = path.format(ref=campaign.ref, upload=uploads[campaign.pk].pk)
        response = tenant.member_client.get(url)
        assert response.status_code == status, (what, campaign.name, response.content)


def test_an_agents_campaign_page_is_read_only(world):
    tenant, theirs, _, _ = world
    page = tenant.member_client.get(f"/dialer/campaigns/{theirs.ref}/").content.decode()
    assert "an account admin manages it" in page
    for button in (">Start<", ">Stop<", ">Apply<", ">Add agent<", ">Upload<", "Resume sending"):
        assert button not in page, button
    assert f"/dialer/campaigns/{theirs.ref}/agents/101/remove/" not in page
    assert "1.5 calls per available agent" in page
    # Someone left to add, so the admin's page offers the Add agent button.
    give_extension(tenant.account, tenant.admin, "100")
    admin_page = tenant.admin_client.get(f"/dialer/campaigns/{theirs.ref}/").content.decode()
    for button in (">Start<", ">Apply<", ">Add agent<", ">Upload<", "Resume sending"):
        assert button in admin_page, button


def test_the_overview_shows_a_member_only_their_campaigns_and_nothing_to_adopt(world):
    tenant, theirs, other, _ = world
    listed = [
        {"ref": theirs.ref, "name": "Theirs", "status": "started", "contacts": 0},
        {"ref": other.ref, "name": "Other", "status": "started", "contacts": 0},
        {"ref": "vendor-9", "name": "Vendor's", "status": "stopped", "contacts": 0},
    ]
    with responses.RequestsMock() as upstream:
        upstream.get(f"{API}/campaigns", json=listed)
        page = tenant.member_client.get("/dialer/").content.decode()
        data = tenant.member_client.get("/v1/dialer/campaigns").json()["data"]
        admin_data = tenant.admin_client.get("/v1/dialer/campaigns").json()["data"]
    assert theirs.ref in page and other.ref not in page and "vendor-9" not in page
    assert "Add campaign" not in page and ">Start<" not in page
    assert [(row["ref"], row["presence"]) for row in data] == [(theirs.ref, "both")]
    assert {row["ref"] for row in admin_data} == {theirs.ref, other.ref, "vendor-9"}


@pytest.mark.parametrize(
    ("method", "path", "data", "api"),
    [
        ("get", "/dialer/connection/", {}, False),
        ("post", "/dialer/connection/", {"base_url": API, "api_key": "stolen"}, False),
        ("post", "/dialer/connection/remove/", {}, False),
        ("get", "/dialer/campaigns/new/", {}, False),
        ("post", "/dialer/campaigns/new/", {"name": "Mine", "aggression": "1.5"}, False),
        ("post", "/dialer/campaigns/adopt/", {"ref": "vendor-9"}, False),
        ("get", "/v1/dialer/connection", {}, True),
        ("delete", "/v1/dialer/connection", {}, True),
        ("post", "/v1/dialer/campaigns", {"name": "Mine", "aggression": 1.5}, True),
        ("post", "/v1/dialer/campaigns", {"adopt_ref": "vendor-9"}, True),
    ],
)
def test_the_connection_creating_and_adopting_are_the_admins(world, method, path, data, api):
    tenant, *_ = world
    before = DialerCampaign.objects.count()
    with responses.RequestsMock() as upstream:
        response = _send(tenant.member_client, method, path, data, api)
        assert len(upstream.calls) == 0
    assert response.status_code == 403, response.content
    assert b"Only an account admin can" in response.content
    assert DialerCampaign.objects.count() == before
    connection = DialerConnection.objects.get(account=tenant.account)
    assert (connection.secret, connection.deleted_at) == (KEY, None)
    # The connection's answer carries the notification URL's token: members never get it.
    assert b"/webhooks/dialer/" not in response.content


def test_an_inbound_campaign_page_names_the_dialer_campaigns_its_viewer_may_open(world):
    from tests.campaigns.factories import make_campaign as make_inbound

    tenant, theirs, other, _ = world
    inbound = make_inbound(
        tenant,
        campaign_name="Outbound leads",
        integration="dialer",
        selected_user=[{"id": tenant.member.pk}],
    )
    type(theirs).objects.filter(pk__in=[theirs.pk, other.pk]).update(inbound_campaign=inbound)

    def feeders(client):
        page = client.get(f"/campaigns/{inbound.pk}/").content.decode()
        return page.split('id="feeders">', 1)[1].split("</dd>", 1)[0]

    admin_sees, member_sees = feeders(tenant.admin_client), feeders(tenant.member_client)
    for ref in (theirs.ref, other.ref):
        assert f'href="/dialer/campaigns/{ref}/"' in admin_sees
    assert f"Theirs ({theirs.ref}) · Started" in member_sees
    assert other.ref not in member_sees
