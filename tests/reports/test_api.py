"""`GET /v1/reports/leads`: the hand-counted month (tests/reports/conftest.py) as JSON."""

import pytest
from django.test import Client

from campaignhub import services as platform
from reports.selectors import Row
from tests.factories import bearer

pytestmark = pytest.mark.django_db

PERIOD = "from=2025-01-01&to=2025-01-03"


def get(tenant_token, query):
    return Client().get(f"/v1/reports/leads?{query}", **bearer(tenant_token))


def data(month, query, token=None):
    response = get(token or month.a.token.raw, query)
    assert response.status_code == 200, response.content
    return response.json()


def test_per_day(month):
    body = data(month, f"{PERIOD}&group=day")
    assert body["currency"] == "EUR"
    assert body["period"] == {"from": "2025-01-01", "to": "2025-01-03"}
    assert body["data"] == [
        {
            "key": "2025-01-01",
            "label": "2025-01-01",
            "leads": 2,
            "won": 1,
            "revenue": 1000.0,
            "conversion": 0.5,
            "median_first_response_s": 90.0,
        },
        {
            "key": "2025-01-02",
            "label": "2025-01-02",
            "leads": 2,
            "won": 1,
            "revenue": 250.5,
            "conversion": 0.5,
            "median_first_response_s": 165.0,
        },
        {
            "key": "2025-01-03",
            "label": "2025-01-03",
            "leads": 2,
            "won": 1,
            "revenue": 100.0,
            "conversion": 0.5,
            "median_first_response_s": 90.0,
        },
    ]


def test_day_is_the_default_group(month):
    assert [row["leads"] for row in data(month, PERIOD)["data"]] == [2, 2, 2]


def test_per_source(month):
    rows = data(month, f"{PERIOD}&group=source")["data"]
    assert [(r["key"], r["leads"], r["won"], r["revenue"], r["conversion"]) for r in rows] == [
        ("webhook", 3, 2, 350.5, 0.6667),
        ("form", 2, 1, 1000.0, 0.5),
        ("call", 1, 0, 0.0, 0.0),
    ]
    assert [r["median_first_response_s"] for r in rows] == [60.0, 90.0, 300.0]


def test_per_campaign(month):
    rows = data(month, f"{PERIOD}&group=campaign")["data"]
    assert [(r["key"], r["label"], r["leads"], r["revenue"]) for r in rows] == [
        (month.roofing.pk, "Roofing", 3, 1000.0),
        (month.solar.pk, "Solar", 3, 350.5),
    ]
    assert [r["median_first_response_s"] for r in rows] == [120.0, 60.0]


def test_per_representative(month):
    rows = data(month, f"{PERIOD}&group=representative")["data"]
    assert [(r["key"], r["leads"], r["won"], r["median_first_response_s"]) for r in rows] == [
        (month.a.member.pk, 3, 1, 120.0),
        (month.a.admin.pk, 2, 1, 30.0),
        (None, 1, 1, 90.0),
    ]


def test_filters(month):
    rows = data(month, f"{PERIOD}&group=source&campaign={month.solar.pk}")["data"]
    assert [(r["key"], r["leads"]) for r in rows] == [("webhook", 3)]
    rows = data(month, f"{PERIOD}&group=campaign&source=form")["data"]
    assert [(r["label"], r["leads"], r["won"]) for r in rows] == [("Roofing", 2, 1)]
    rows = data(month, f"{PERIOD}&group=day&representative={month.a.admin.pk}")["data"]
    assert [r["leads"] for r in rows] == [0, 1, 1]


def test_to_is_included_and_days_are_local(month):
    rows = data(month, "from=2025-01-01&to=2025-01-01")["data"]
    assert [(r["key"], r["leads"]) for r in rows] == [("2025-01-01", 2)]


def test_a_member_sees_only_their_campaigns(month):
    token = platform.issue_token(account=month.a.account, user=month.a.member, name="m").raw
    rows = data(month, f"{PERIOD}&group=campaign", token=token)["data"]
    assert [(r["label"], r["leads"]) for r in rows] == [("Roofing", 3)]
    # A campaign they cannot see is not theirs to filter on.
    response = get(token, f"{PERIOD}&campaign={month.solar.pk}")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["campaign"]


def test_without_a_period_the_last_30_days_are_reported(month):
    body = data(month, "group=day")
    assert len(body["data"]) == 30
    assert body["data"][-1]["key"] == body["period"]["to"]


@pytest.mark.parametrize(
    "query, period",
    [
        ("to=2000-01-05", {"from": "2000-01-01", "to": "2000-01-05"}),
        ("from=2099-12-31", {"from": "2099-12-31", "to": "2099-12-31"}),
        ("from=2099-12-20&group=day", {"from": "2099-12-20", "to": "2099-12-31"}),
    ],
)
def test_a_period_of_one_end_stops_at_the_years_reports_cover(month, query, period):
    """The 30 days from or up to the one day given are cut at 2000-01-01 and 2099-12-31, the
    days `from` and `to` may name, rather than running past them."""
    body = data(month, query)
    assert body["period"] == period
    if "group=day" in query:
        assert [row["key"] for row in body["data"]][::11] == ["2099-12-20", "2099-12-31"]


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2025-13-01&to=2025-01-03", "from"),
        ("from=2025-01-01&to=03/01/2025", "to"),
        ("from=2025-02-30", "from"),
        ("from=2025-01-03&to=2025-01-01", "to"),
        ("from=2024-01-01&to=2025-01-01", "to"),
        ("from=1999-12-31&to=2000-01-01", "from"),
        (f"{PERIOD}&group=week", "group"),
        (f"{PERIOD}&source=fax", "source"),
        (f"{PERIOD}&campaign=abc", "campaign"),
        (f"{PERIOD}&representative=999999", "representative"),
    ],
)
def test_bad_queries_are_400_with_errors(month, query, field):
    response = get(month.a.token.raw, query)
    assert response.status_code == 400
    body = response.json()
    assert body["success"] is False and body["errno"] == 400
    assert list(body["errors"]) == [field]


def test_a_period_of_366_days_is_allowed(month):
    rows = data(month, "from=2024-01-01&to=2024-12-31")["data"]
    assert len(rows) == 366


def test_another_accounts_campaign_is_refused(month):
    response = get(month.b.token.raw, f"{PERIOD}&campaign={month.roofing.pk}")
    assert response.status_code == 400
    assert "Roofing" not in response.content.decode()


def test_needs_authentication(month):
    assert Client().get(f"/v1/reports/leads?{PERIOD}").status_code == 401


def test_rows_have_the_documented_keys(month):
    row = data(month, PERIOD)["data"][0]
    expected = set(Row.__dataclass_fields__) - {"is_member"}
    assert set(row) == expected
    assert {"key", "leads", "won", "revenue", "conversion", "median_first_response_s"} <= expected
    # A representative's row says whether they are a member of the account.
    row = data(month, f"{PERIOD}&group=representative")["data"][0]
    assert set(row) == expected | {"is_member"}
