"""A representative removed from the account keeps the leads already alerted to them: the
reports mark them "(no longer a member)" on the page and its chart, say so in the CSVs
(`is_member` in the API), and take them as a filter, as they take any member, with the same
number of queries; an id the account's leads never named is still refused."""

import csv
import io
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from campaignhub import services as platform
from campaigns.models import Lead
from tests.factories import bearer, make_member

pytestmark = pytest.mark.django_db

PERIOD = "from=2025-01-01&to=2025-01-03"
FORMER = "Acme Agency Member (no longer a member)"
UNKNOWN_MEMBER = "Choose a member of this account."


def remove(tenant, user):
    """Remove `user` from `tenant`'s account after their leads were alerted to them (so the
    leads stay theirs)."""
    Lead.objects.filter(representative=user).update(alerted_at=timezone.now())
    platform.remove_member(
        membership=tenant.account.memberships.select_related("account", "user").get(user=user),
        removed_by=tenant.admin,
    )


@pytest.fixture
def former(month):
    """The month's member (L1-L3, Roofing), removed from the account."""
    remove(month.a, month.a.member)
    return month.a.member


def api(month, query):
    return Client().get(f"/v1/reports/leads?{query}", **bearer(month.a.token.raw))


def rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def chart(content, name):
    found = re.search(rf'<script id="chart-{name}" type="application/json">(.*?)</script>', content)
    return json.loads(found.group(1))


def test_the_api_says_who_is_no_longer_a_member_and_keeps_their_name(month, former):
    response = api(month, f"{PERIOD}&group=representative")
    assert response.status_code == 200
    assert [
        (r["key"], r["label"], r["leads"], r["is_member"]) for r in response.json()["data"]
    ] == [
        (former.pk, "Acme Agency Member", 3, False),
        (month.a.admin.pk, "Acme Agency Admin", 2, True),
        (None, "Unassigned", 1, None),
    ]


def test_the_other_groups_answer_as_before(month, former):
    for group in ("day", "source", "campaign"):
        row = api(month, f"{PERIOD}&group={group}").json()["data"][0]
        assert "is_member" not in row, group


@pytest.mark.parametrize("path", ["/v1/reports/leads", "/v1/reports/leads/export"])
def test_a_former_member_holding_leads_is_a_representative_filter(month, former, path):
    response = Client().get(
        f"{path}?{PERIOD}&group=day&representative={former.pk}", **bearer(month.a.token.raw)
    )
    if path.endswith("export"):
        assert [row[1] for row in rows(response)[1:]] == ["2", "1", "0"]
    else:
        assert response.status_code == 200, response.content
        assert [r["leads"] for r in response.json()["data"]] == [2, 1, 0]


def test_the_filter_still_refuses_anyone_the_accounts_leads_never_named(month, former):
    outsider = month.b.admin
    left_empty_handed = make_member(month.a.account, "gone@acme.test", name="Gone Early")
    remove(month.a, left_empty_handed)
    for user in (outsider, left_empty_handed):
        response = api(month, f"{PERIOD}&representative={user.pk}")
        assert response.status_code == 400
        assert response.json()["errors"] == {"representative": [UNKNOWN_MEMBER]}
    # Their name is not offered on the page either.
    content = month.a.admin_client.get(f"/reports/?{PERIOD}").content.decode()
    assert "Gone Early" not in content and outsider.get_full_name() not in content


def test_the_page_marks_them_in_the_table_the_chart_and_the_filter(month, former):
    content = month.a.admin_client.get(f"/reports/?{PERIOD}").content.decode()
    assert f'<td data-label="Representative">{FORMER}</td>' in content
    assert chart(content, "response-by-representative")["labels"] == [
        FORMER,
        "Acme Agency Admin",
        "Unassigned",
    ]
    assert f'<option value="{former.pk}">{FORMER}</option>' in content
    assert '<td data-label="Representative">Acme Agency Admin</td>' in content

    filtered = month.a.admin_client.get(f"/reports/?{PERIOD}&representative={former.pk}")
    assert filtered.status_code == 200
    page = filtered.content.decode()
    assert 'data-total="leads">3<' in page
    assert f'<option value="{former.pk}" selected>{FORMER}</option>' in page


def test_the_reports_csv_says_whether_each_representative_is_a_member(month, former):
    response = month.a.admin_client.get(f"/reports/export/?{PERIOD}&group=representative")
    header, *body = rows(response)
    assert header[-1] == "Member of the account"
    assert [(row[0], row[1], row[-1]) for row in body] == [
        (str(former.pk), "Acme Agency Member", "no"),
        (str(month.a.admin.pk), "Acme Agency Admin", "yes"),
        ("", "Unassigned", ""),
    ]
    campaigns = rows(month.a.admin_client.get(f"/reports/export/?{PERIOD}&group=campaign"))
    assert "Member of the account" not in campaigns[0]


def test_the_leads_csv_says_whether_the_representative_is_a_member(month, former):
    header, *body = rows(Client().get("/v1/leads/export", **bearer(month.a.token.raw)))
    assert header[-2:] == ["Message", "Representative is a member"]
    standing = {row[4]: (row[9], row[-1]) for row in body}
    assert standing["L1"] == ("Acme Agency Member", "no")
    assert standing["L4"] == ("Acme Agency Admin", "yes")
    assert standing["L6"] == ("", "")


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def test_marking_and_filtering_former_members_costs_no_query_more(month):
    def by_representative():
        assert api(month, f"{PERIOD}&group=representative").status_code == 200

    def filtered(user):
        return lambda: api(month, f"{PERIOD}&representative={user.pk}")

    def page():
        assert month.a.admin_client.get(f"/reports/?{PERIOD}").status_code == 200

    def leads_csv():
        rows(Client().get("/v1/leads/export", **bearer(month.a.token.raw)))

    member = month.a.member
    for call in (by_representative, filtered(member), page, leads_csv):
        call()  # what a first request does once (a token's last use) is not counted
    before = [_queries(c) for c in (by_representative, filtered(member), page, leads_csv)]
    remove(month.a, member)
    # A second former member changes nothing either.
    other = make_member(month.a.account, "max@acme.test", name="Max Doe")
    Lead.objects.filter(pk=month.leads.l4.pk).update(representative=other)
    remove(month.a, other)
    after = [_queries(c) for c in (by_representative, filtered(member), page, leads_csv)]
    assert after == before
