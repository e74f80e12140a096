"""The reports' CSV: each table of the page, with its period and filters, on the page and the
API (the hand-counted month of `conftest.month`)."""

import csv
import io
import re
from html import unescape

import pytest
from django.test import Client

from campaignhub import services as platform
from campaigns.models import Campaign
from tests.factories import bearer

pytestmark = pytest.mark.django_db

PERIOD = "from=2025-01-01&to=2025-01-03"
FIGURES = ["Leads", "Won", "Conversion (%)", "Revenue (EUR)", "Median first response (s)"]


def rows(response) -> list[list[str]]:
    assert response.status_code == 200, response.content
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def export(client, query):
    return client.get(f"/reports/export/?{query}")


def test_per_campaign_one_row_per_campaign_with_revenue_and_conversion(month):
    response = export(month.a.admin_client, f"{PERIOD}&group=campaign")
    assert response["Content-Disposition"] == (
        'attachment; filename="leads-by-campaign-2025-01-01-to-2025-01-03.csv"'
    )
    assert rows(response) == [
        ["Campaign ID", "Campaign", *FIGURES],
        [str(month.roofing.pk), "Roofing", "3", "1", "33.3", "1000.00", "120.0"],
        [str(month.solar.pk), "Solar", "3", "2", "66.7", "350.50", "60.0"],
    ]


def test_conversion_has_one_decimal_always_as_the_page_shows_it(month):
    """It read "33.33" beside "50.0" and "0.0": two decimals or one, as the float fell."""
    page = month.a.admin_client.get(f"/reports/?{PERIOD}").content.decode()
    for group in ("day", "source", "campaign", "representative"):
        figures = rows(export(month.a.admin_client, f"{PERIOD}&group={group}"))
        at = figures[0].index("Conversion (%)")
        for row in figures[1:]:
            assert re.fullmatch(r"\d+\.\d", row[at]), (group, row)
            if group in ("source", "campaign"):
                assert f'data-label="Conversion">{row[at]}%<' in page, (group, row)


def test_per_day_every_day_of_the_period_in_the_accounts_time_zone(month):
    assert rows(export(month.a.admin_client, f"{PERIOD}&group=day")) == [
        ["Day", *FIGURES],
        ["2025-01-01", "2", "1", "50.0", "1000.00", "90.0"],
        ["2025-01-02", "2", "1", "50.0", "250.50", "165.0"],
        ["2025-01-03", "2", "1", "50.0", "100.00", "90.0"],
    ]


def test_a_day_without_leads_has_empty_conversion_and_response(month):
    assert rows(export(month.a.admin_client, "from=2025-02-01&to=2025-02-01&group=day")) == [
        ["Day", *FIGURES],
        ["2025-02-01", "0", "0", "", "0.00", ""],
    ]


def test_per_source_and_per_representative_name_their_rows(month):
    by_source = rows(export(month.a.admin_client, f"{PERIOD}&group=source"))
    assert [row[:3] for row in by_source] == [
        ["Source", "Leads", "Won"],
        ["Webhook", "3", "2"],
        ["Form", "2", "1"],
        ["Call", "1", "0"],
    ]
    by_person = rows(export(month.a.admin_client, f"{PERIOD}&group=representative"))
    assert [row[:3] for row in by_person] == [
        ["Representative ID", "Representative", "Leads"],
        [str(month.a.member.pk), "Acme Agency Member", "3"],
        [str(month.a.admin.pk), "Acme Agency Admin", "2"],
        ["", "Unassigned", "1"],
    ]


def test_filters_narrow_the_export_as_they_do_the_page(month):
    query = f"{PERIOD}&group=campaign&source=form&representative={month.a.member.pk}"
    assert rows(export(month.a.admin_client, query))[1:] == [
        [str(month.roofing.pk), "Roofing", "2", "1", "50.0", "1000.00", "90.0"]
    ]
    by_day = rows(export(month.a.admin_client, f"{PERIOD}&group=day&campaign={month.solar.pk}"))
    assert [row[1] for row in by_day[1:]] == ["0", "1", "2"]


def test_a_name_that_could_start_a_formula_is_neutralised(month):
    Campaign.objects.filter(pk=month.roofing.pk).update(campaign_name="=HYPERLINK(1)")
    table = rows(export(month.a.admin_client, f"{PERIOD}&group=campaign"))
    assert table[1][1] == "'=HYPERLINK(1)"


def test_a_member_exports_only_what_they_see(month):
    table = rows(export(month.a.member_client, f"{PERIOD}&group=campaign"))
    assert [row[1] for row in table[1:]] == ["Roofing"]


def test_bad_filters_download_nothing_and_say_why(month):
    response = export(month.a.member_client, f"{PERIOD}&group=campaign&campaign={month.solar.pk}")
    assert response.status_code == 400
    content = response.content.decode()
    assert "Nothing downloaded" in content and "Campaign:" in content
    assert 'href="/reports/"' in content
    response = export(month.a.admin_client, "from=2025-01-03&to=2025-01-01")
    assert response.status_code == 400
    assert "The end of the period is before its start." in response.content.decode()


def test_the_page_links_each_table_with_its_period_and_filters(month):
    query = f"{PERIOD}&source=webhook&campaign={month.solar.pk}&page=2"
    content = month.a.admin_client.get(f"/reports/?{query}").content.decode()
    links = {
        group: unescape(re.search(rf'id="export-{group}" href="([^"]+)"', content).group(1))
        for group in ("day", "source", "campaign", "representative")
    }
    assert links["campaign"] == (
        f"/reports/export/?from=2025-01-01&to=2025-01-03&campaign={month.solar.pk}"
        "&source=webhook&group=campaign"
    )
    assert all(link.endswith(f"&group={group}") for group, link in links.items())
    # Without a period the page's default one is written out, so the file is what it shows.
    content = month.a.admin_client.get("/reports/").content.decode()
    link = unescape(re.search(r'id="export-day" href="([^"]+)"', content).group(1))
    day = r"\d{4}-\d\d-\d\d"
    assert re.fullmatch(rf"/reports/export/\?from={day}&to={day}&group=day", link)


def test_the_api_export_takes_the_reports_query(month):
    token = platform.issue_token(account=month.a.account, user=month.a.member, name="m").raw
    response = Client().get(f"/v1/reports/leads/export?{PERIOD}&group=campaign", **bearer(token))
    assert rows(response)[1:] == [
        [str(month.roofing.pk), "Roofing", "3", "1", "33.3", "1000.00", "120.0"]
    ]
    day = Client().get(f"/v1/reports/leads/export?{PERIOD}", **bearer(month.a.token.raw))
    assert rows(day)[0][0] == "Day"


@pytest.mark.parametrize(
    ("query", "field"),
    [("group=week", "group"), ("from=2025-13-01", "from"), ("colour=red", "colour")],
)
def test_the_api_export_refuses_a_bad_query_with_the_envelope(month, query, field):
    response = Client().get(f"/v1/reports/leads/export?{query}", **bearer(month.a.token.raw))
    assert response.status_code == 400
    assert field in str(response.json())
