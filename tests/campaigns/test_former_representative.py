"""A lead already alerted to someone who is then removed from the account stays with them: the
pages name them "(no longer a member)", with no query per row, and the API keeps its shape."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaignhub import services as platform
from campaigns import assignment, events, selectors, services
from campaigns.models import Lead, LeadSource
from tests.campaigns.factories import make_campaign
from tests.factories import bearer, logged_in_client, make_member

pytestmark = pytest.mark.django_db

FORMER = "Max Doe (no longer a member)"
NOTICE = "Max Doe is no longer a member of this account: give the lead to someone else."


@pytest.fixture
def max_doe(tenant_a):
    return make_member(tenant_a.account, "max@acme.test", name="Max Doe")


@pytest.fixture
def campaign(tenant_a, max_doe):
    """Owned by the admin; Max Doe and the member represent it."""
    return make_campaign(
        tenant_a,
        campaign_name="Roofing",
        selected_user=[{"id": max_doe.pk}, {"id": tenant_a.member.pk}],
    )


def _alerted_lead(campaign, external_id, name):
    lead, _ = services.capture_lead(
        campaign=campaign, source=LeadSource.FORM, external_id=external_id, name=name
    )
    Lead.objects.filter(pk=lead.pk).update(alerted_at=timezone.now())
    return lead


@pytest.fixture
def held(tenant_a, campaign, max_doe):
    """Ann Lee's lead, alerted to Max Doe, who was removed afterwards (it stays with him)."""
    lead = _alerted_lead(campaign, "ann", "Ann Lee")
    assert lead.representative == max_doe
    platform.remove_member(
        membership=tenant_a.account.memberships.select_related("account", "user").get(user=max_doe),
        removed_by=tenant_a.admin,
    )
    return Lead.objects.get(pk=lead.pk)


def test_a_lead_held_by_someone_removed_is_marked_on_the_lead_list(tenant_a, held):
    content = tenant_a.admin_client.get("/leads/").content.decode()
    assert f'<td data-label="Representative">{FORMER}</td>' in content


def test_a_current_members_lead_is_not_marked(tenant_a, campaign, max_doe):
    _alerted_lead(campaign, "ann", "Ann Lee")
    content = tenant_a.admin_client.get("/leads/").content.decode()
    assert '<td data-label="Representative">Max Doe</td>' in content
    assert "no longer a member" not in content


def test_the_campaign_page_and_the_dashboard_feed_mark_them(tenant_a, campaign, held):
    page = tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f'<td data-label="Representative">{FORMER}</td>' in page
    dashboard = tenant_a.admin_client.get("/").content.decode()
    assert f"· {FORMER}</span>" in dashboard


def test_the_lead_page_marks_them_and_tells_who_may_assign_what_to_do(tenant_a, held):
    content = tenant_a.admin_client.get(f"/leads/{held.pk}/").content.decode()
    assert f"<span data-representative>{FORMER}</span>" not in content  # the picker names them
    assert NOTICE in content
    assert f'<option value="{held.representative_id}" selected>{FORMER}</option>' in content
    assert "cannot hold it now" not in content


def test_a_representative_sees_the_mark_without_the_advice(tenant_a, held):
    content = tenant_a.member_client.get(f"/leads/{held.pk}/").content.decode()
    assert f"<span data-representative>{FORMER}</span>" in content
    assert NOTICE not in content


def test_the_lead_list_reads_the_mark_with_no_query_per_row(tenant_a, max_doe):
    campaign = make_campaign(tenant_a, campaign_name="Solar", selected_user=[{"id": max_doe.pk}])
    _alerted_lead(campaign, "one", "One")
    with CaptureQueriesContext(connection) as one_row:
        tenant_a.admin_client.get("/leads/")
    for n in range(4):
        _alerted_lead(campaign, f"more-{n}", f"More {n}")
    platform.remove_member(
        membership=tenant_a.account.memberships.select_related("account", "user").get(user=max_doe),
        removed_by=tenant_a.admin,
    )
    with CaptureQueriesContext(connection) as five_rows:
        content = tenant_a.admin_client.get("/leads/").content.decode()
    assert content.count(f'<td data-label="Representative">{FORMER}</td>') == 5
    assert len(five_rows) == len(one_row)


def test_the_selector_annotates_the_standing(tenant_a, campaign, held):
    other = _alerted_lead(campaign, "bob", "Bob Ray")
    leads = {
        lead.pk: lead
        for lead in selectors.lead_list(tenant_a.account.memberships.get(user=tenant_a.admin))
    }
    assert leads[held.pk].representative_is_member is False
    assert leads[other.pk].representative_is_member is True
    assert assignment.representative_name(leads[held.pk]) == FORMER
    assert assignment.representative_name(leads[other.pk]) == "Acme Agency Member"


def test_a_lead_read_without_the_annotation_is_still_marked(held):
    assert assignment.representative_name(Lead.objects.get(pk=held.pk)) == FORMER
    unassigned = Lead.objects.get(pk=held.pk)
    unassigned.representative = None
    assert assignment.representative_name(unassigned) == ""
    assert assignment.representative_left_notice(unassigned) == ""


def test_the_api_keeps_the_representative_as_it_was(tenant_a, held, max_doe):
    auth = bearer(tenant_a.token.raw)
    one = Client().get(f"/v1/leads/{held.pk}", **auth).json()["data"]
    assert one["representative"] == {"id": max_doe.pk, "name": "Max Doe"}
    listed = Client().get("/v1/leads", **auth).json()["data"]
    assert [lead["representative"] for lead in listed] == [{"id": max_doe.pk, "name": "Max Doe"}]


def test_a_live_row_of_the_lead_marks_them(tenant_a, held, live_events):
    events.lead_updated(held.pk, account_id=tenant_a.account.pk)
    html = "".join(p["html"] for p in live_events.to(tenant_a.account, tenant_a.admin))
    assert f'<td data-label="Representative">{FORMER}</td>' in html
    assert f'<option value="{held.representative_id}" selected>{FORMER}</option>' in html
    assert NOTICE in html


def test_giving_it_to_someone_else_clears_the_mark(tenant_a, held):
    client = logged_in_client(tenant_a.admin)
    client.post(f"/leads/{held.pk}/representative/", {"representative": tenant_a.member.pk})
    content = client.get(f"/leads/{held.pk}/").content.decode()
    assert f'<option value="{tenant_a.member.pk}" selected>Acme Agency Member</option>' in content
    assert "no longer a member" not in content
