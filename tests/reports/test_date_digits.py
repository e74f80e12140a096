"""A report's days are written in digits 0-9, as its ids are: `from=٢٠٢٦-12-01` or a day in
fullwidth digits is refused as a malformed day is, on the page, its export and the API."""

from urllib.parse import quote

import pytest
from django.test import Client

from tests.factories import bearer

pytestmark = pytest.mark.django_db

# strptime() reads a year (%Y) in any script's digits; month and day only in 0-9.
OTHER_DIGITS = [
    "\u0662\u0660\u0662\u0666-12-01",  # Arabic-Indic year
    "\uff12\uff10\uff12\uff16-12-01",  # fullwidth year
    "2\uff1026-12-01",
    "\u0662\u0660\u0662\u0666-\u0661\u0662-\u0660\u0661",
]


@pytest.mark.parametrize("day", OTHER_DIGITS)
@pytest.mark.parametrize("field", ["from", "to"])
@pytest.mark.parametrize("path", ["/v1/reports/leads", "/v1/reports/leads/export"])
def test_the_api_refuses_a_day_in_other_digits(tenant_a, path, field, day):
    response = Client().get(
        f"{path}?{field}={quote(day)}&group=campaign", **bearer(tenant_a.token.raw)
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {field: ["Enter a valid date."]}


@pytest.mark.parametrize("day", OTHER_DIGITS)
def test_the_page_and_its_export_refuse_a_day_in_other_digits(tenant_a, day):
    page = tenant_a.admin_client.get(f"/reports/?from={quote(day)}")
    assert page.status_code == 400
    assert "Enter a valid date." in page.content.decode()
    export = tenant_a.admin_client.get(f"/reports/export/?from={quote(day)}&group=campaign")
    assert export.status_code == 400
    assert "Nothing downloaded" in export.content.decode()
    assert "Enter a valid date." in export.content.decode()


def test_a_day_in_digits_0_9_is_still_read(tenant_a):
    response = Client().get(
        "/v1/reports/leads?from=2026-12-01&to=2026-12-02", **bearer(tenant_a.token.raw)
    )
    assert response.status_code == 200
    assert response.json()["period"] == {"from": "2026-12-01", "to": "2026-12-02"}


# A day is written YYYY-MM-DD, as the date inputs and the API's answers write it; strptime
# alone reads a one-digit month or day (and a year of fewer digits).
UNPADDED = ["2025-1-1", "2025-01-1", "2025-1-01", "25-01-01", "2025/01/01", "2025-01-01T00:00"]


@pytest.mark.parametrize("day", UNPADDED)
@pytest.mark.parametrize("path", ["/v1/reports/leads", "/v1/reports/leads/export"])
def test_the_api_refuses_a_day_not_written_yyyy_mm_dd(tenant_a, path, day):
    response = Client().get(
        f"{path}?from={quote(day)}&group=campaign", **bearer(tenant_a.token.raw)
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"from": ["Enter a date as YYYY-MM-DD, e.g. 2025-01-31."]}


def test_the_page_refuses_a_day_not_written_yyyy_mm_dd(tenant_a):
    page = tenant_a.admin_client.get("/reports/?to=2025-1-31")
    assert page.status_code == 400
    assert "Enter a date as YYYY-MM-DD, e.g. 2025-01-31." in page.content.decode()


def test_a_day_that_does_not_exist_is_still_not_a_valid_date(tenant_a):
    response = Client().get(
        "/v1/reports/leads?from=2025-13-01&group=campaign", **bearer(tenant_a.token.raw)
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"from": ["Enter a valid date."]}
