"""The lead list's representative filter: the page, its CSV export and `/v1/leads` list the
leads of one person (a member, or someone removed who still holds leads of the account), or
those nobody holds, with the same number of queries however many members the account has."""

import csv
import io
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaignhub import services as platform
from campaigns import services
from campaigns.models import Lead, LeadSource
from tests.campaigns.factories import make_campaign
from tests.factories import bearer, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def riley(tenant_a):
    return make_member(tenant_a.account, "riley@acme.test", name="Riley Rep")


def _lead(campaign, name):
    """A lead of `campaign`, alerted (so it stays with its representative if they leave)."""
    lead, _ = services.capture_lead(
        campaign=campaign, source=LeadSource.FORM, external_id=name, name=name
    )
    Lead.objects.filter(pk=lead.pk).update(alerted_at=timezone.now())
    return lead


@pytest.fixture
def leads(tenant_a, riley):
    """Ann's and Cy's leads went to Riley, Bob's to the member; Dee's campaign has nobody."""
    rileys = make_campaign(tenant_a, campaign_name="Roofing", selected_user=[{"id": riley.pk}])
    members = make_campaign(
        tenant_a, campaign_name="Solar", selected_user=[{"id": tenant_a.member.pk}]
    )
    nobodys = make_campaign(tenant_a, campaign_name="Gutters")
    made = {
        "ann": _lead(rileys, "Ann"),
        "bob": _lead(members, "Bob"),
        "cy": _lead(rileys, "Cy"),
        "dee": _lead(nobodys, "Dee"),
    }
    assert made["ann"].representative == riley and made["dee"].representative is None
    return made


def _names_on_page(content):
    """The names of the listed leads, in the list's order."""
    return re.findall(r'<td data-label="Name"><a href="/leads/\d+/">([^<]+)</a></td>', content)


def test_the_page_lists_one_representatives_leads(tenant_a, riley, leads):
    response = tenant_a.admin_client.get(f"/leads/?representative={riley.pk}")
    assert response.status_code == 200
    assert _names_on_page(response.content.decode()) == ["Cy", "Ann"]


def test_nobody_lists_the_leads_nobody_holds(tenant_a, leads):
    response = tenant_a.admin_client.get("/leads/?representative=none")
    assert response.status_code == 200
    assert _names_on_page(response.content.decode()) == ["Dee"]


def test_the_filter_combines_with_the_others(tenant_a, riley, leads):
    Lead.objects.filter(pk=leads["cy"].pk).update(status="won")
    content = tenant_a.admin_client.get(
        f"/leads/?representative={riley.pk}&status=won"
    ).content.decode()
    assert _names_on_page(content) == ["Cy"]


def test_a_filtered_list_takes_no_live_rows(tenant_a, riley, leads):
    content = tenant_a.admin_client.get(f"/leads/?representative={riley.pk}").content.decode()
    assert 'id="lead-rows"' in content and "lead-rows-live" not in content


def test_the_select_offers_anyone_me_nobody_then_the_members_by_name(tenant_a, riley, leads):
    content = tenant_a.admin_client.get("/leads/").content.decode()
    select = content.split('<select name="representative" aria-label="Representative">')[1]
    select = select.split("</select>")[0]
    options = [part.split("</option>")[0] for part in select.split("<option")[1:]]
    assert options == [
        ' value="">Anyone',
        f' value="{tenant_a.admin.pk}">Me',
        ' value="none">Nobody (unassigned)',
        f' value="{tenant_a.member.pk}">Acme Agency Member',
        f' value="{riley.pk}">Riley Rep',
    ]


def test_the_chosen_person_stays_selected(tenant_a, riley, leads):
    content = tenant_a.admin_client.get(f"/leads/?representative={riley.pk}").content.decode()
    assert f'<option value="{riley.pk}" selected>Riley Rep</option>' in content
    mine = tenant_a.admin_client.get(f"/leads/?representative={tenant_a.admin.pk}")
    assert f'<option value="{tenant_a.admin.pk}" selected>Me</option>' in mine.content.decode()


def test_someone_removed_who_holds_leads_is_offered_and_filters(tenant_a, riley, leads):
    platform.remove_member(
        membership=tenant_a.account.memberships.select_related("account", "user").get(user=riley),
        removed_by=tenant_a.admin,
    )
    content = tenant_a.admin_client.get("/leads/").content.decode()
    assert f'<option value="{riley.pk}">Riley Rep (no longer a member)</option>' in content
    response = tenant_a.admin_client.get(f"/leads/?representative={riley.pk}")
    assert response.status_code == 200
    assert _names_on_page(response.content.decode()) == ["Cy", "Ann"]


def test_someone_removed_who_holds_no_lead_is_not_offered(tenant_a):
    gone = make_member(tenant_a.account, "gone@acme.test", name="Gone Person")
    platform.remove_member(
        membership=tenant_a.account.memberships.select_related("account", "user").get(user=gone),
        removed_by=tenant_a.admin,
    )
    assert "Gone Person" not in tenant_a.admin_client.get("/leads/").content.decode()
    response = tenant_a.admin_client.get(f"/leads/?representative={gone.pk}")
    assert response.status_code == 400
    assert "Representative: Choose a member of this account." in response.content.decode()


@pytest.mark.parametrize("text", ["abc", "me", "%2B3"])
def test_text_that_is_neither_an_id_nor_none_says_both_are_taken(tenant_a, text):
    said = "Enter a member's user id (digits 0-9) or none."
    page = tenant_a.admin_client.get(f"/leads/?representative={text}")
    assert page.status_code == 400
    assert f"Representative: {said}" in page.content.decode().replace("&#x27;", "'")
    for path in ("/v1/leads", "/v1/leads/export"):
        answer = Client().get(f"{path}?representative={text}", **bearer(tenant_a.token.raw))
        assert answer.status_code == 400
        assert answer.json()["errors"] == {"representative": [said]}


def test_a_representative_filters_among_the_leads_they_see(tenant_a, riley, leads):
    mine = tenant_a.member_client.get(f"/leads/?representative={tenant_a.member.pk}")
    assert _names_on_page(mine.content.decode()) == ["Bob"]
    # Riley's leads are of campaigns the member does not represent: none to show.
    theirs = tenant_a.member_client.get(f"/leads/?representative={riley.pk}")
    assert theirs.status_code == 200 and _names_on_page(theirs.content.decode()) == []


def test_the_export_link_carries_the_filter_and_the_export_applies_it(tenant_a, riley, leads):
    content = tenant_a.admin_client.get(f"/leads/?representative={riley.pk}").content.decode()
    assert f'href="/leads/export/?representative={riley.pk}"' in content
    response = tenant_a.admin_client.get(f"/leads/export/?representative={riley.pk}")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [row[4] for row in rows[1:]] == ["Cy", "Ann"]
    nobody = tenant_a.admin_client.get("/leads/export/?representative=none")
    rows = list(csv.reader(io.StringIO(b"".join(nobody.streaming_content).decode("utf-8-sig"))))
    assert [row[4] for row in rows[1:]] == ["Dee"]


def test_the_api_filters_by_representative(tenant_a, riley, leads):
    auth = bearer(tenant_a.token.raw)
    listed = Client().get(f"/v1/leads?representative={riley.pk}", **auth).json()["data"]
    assert [lead["name"] for lead in listed] == ["Cy", "Ann"]
    nobody = Client().get("/v1/leads?representative=none", **auth).json()["data"]
    assert [lead["name"] for lead in nobody] == ["Dee"]
    export = Client().get(f"/v1/leads/export?representative={riley.pk}", **auth)
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert [row[4] for row in rows[1:]] == ["Cy", "Ann"]


def test_the_api_walks_a_filtered_list_by_cursor(tenant_a, riley, leads):
    auth = bearer(tenant_a.token.raw)
    first = Client().get(f"/v1/leads?representative={riley.pk}&per_page=1&cursor=", **auth).json()
    assert [lead["name"] for lead in first["data"]] == ["Cy"]
    query = f"representative={riley.pk}&per_page=1&cursor={first['next_cursor']}"
    second = Client().get(f"/v1/leads?{query}", **auth).json()
    assert [lead["name"] for lead in second["data"]] == ["Ann"]
    assert second["next_cursor"] is None


def test_the_api_names_the_filter_among_those_it_takes(tenant_a):
    response = Client().get("/v1/leads?source=call", **bearer(tenant_a.token.raw))
    assert response.status_code == 400
    assert response.json()["message"] == (
        "Unknown query parameter: source. This list takes campaign, representative, search, "
        "status, page, per_page, cursor."
    )


def test_the_page_pages_a_filtered_list(tenant_a, riley):
    campaign = make_campaign(tenant_a, campaign_name="Roofing", selected_user=[{"id": riley.pk}])
    for number in range(27):
        _lead(campaign, f"Lead {number}")
    content = tenant_a.admin_client.get(f"/leads/?representative={riley.pk}").content.decode()
    assert "Page 1 of 2 · 27 in all" in content
    assert f'href="?representative={riley.pk}&amp;page=2"' in content
    second = tenant_a.admin_client.get(f"/leads/?representative={riley.pk}&page=2")
    assert "Page 2 of 2 · 27 in all" in second.content.decode()


def test_the_page_costs_the_same_queries_at_any_number_of_members(tenant_a, riley, leads):
    path = f"/leads/?representative={riley.pk}"
    tenant_a.admin_client.get(path)
    with CaptureQueriesContext(connection) as few:
        tenant_a.admin_client.get(path)
    for number in range(5):
        make_member(tenant_a.account, f"more-{number}@acme.test", name=f"More {number}")
    with CaptureQueriesContext(connection) as many:
        content = tenant_a.admin_client.get(path).content.decode()
    assert "More 4" in content
    assert len(many) == len(few)
