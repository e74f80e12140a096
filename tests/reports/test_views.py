"""The reports page: figures in tables, chart data in json_script blocks, filters, errors."""

import json
import re
from types import SimpleNamespace

import pytest
from django.utils.html import strip_tags

from campaignhub.navigation import navigation
from reports import views
from reports.forms import default_period

pytestmark = pytest.mark.django_db

PERIOD = "from=2025-01-01&to=2025-01-03"


def text_of(content):
    """The page's text as people read it: days are `<time>` elements within sentences."""
    return strip_tags(content)


def chart(content, name):
    match = re.search(
        rf'<script id="chart-{name}" type="application/json">(.*?)</script>', content, re.S
    )
    assert match, f"no chart data for {name}"
    return json.loads(match.group(1))


def page(client, query="", status=200, **headers):
    response = client.get(f"/reports/?{query}", **headers)
    assert response.status_code == status, response.content
    return response.content.decode()


def test_the_page_shows_totals_tables_and_chart_data(month):
    content = page(month.a.admin_client, PERIOD)
    assert 'data-total="leads">6<' in content
    assert 'data-total="won">3<' in content
    assert 'data-total="conversion">50.0%<' in content
    assert 'data-total="revenue">EUR 1,350.50<' in content
    assert 'data-total="median-first-response">1 min 30 s<' in content
    assert "America/New_York" in content
    per_day = chart(content, "leads-per-day")
    assert per_day["labels"] == ["1 Jan", "2 Jan", "3 Jan"]
    assert [d["data"] for d in per_day["datasets"]] == [[2, 2, 2], [1, 1, 1]]
    assert chart(content, "leads-by-source")["labels"] == ["Webhook", "Form", "Call"]
    revenue = chart(content, "revenue-by-campaign")
    assert revenue["labels"] == ["Roofing", "Solar"]
    assert [d["data"] for d in revenue["datasets"]] == [[1000.0, 350.5], [33.3, 66.7]]
    # Campaigns are unrelated: their conversion rates are points, not one line across them.
    assert revenue["datasets"][1]["joined"] is False
    assert "joined" not in per_day["datasets"][0]
    response = chart(content, "response-by-representative")
    assert response["labels"] == ["Acme Agency Member", "Acme Agency Admin", "Unassigned"]
    assert response["datasets"][0]["data"] == [2.0, 0.5, 1.5]
    # The same numbers in the table under the revenue chart.
    row = re.search(rf'<tr data-campaign="{month.solar.pk}">(.*?)</tr>', content, re.S).group(1)
    assert re.findall(r"<td[^>]*>(.*?)</td>", row) == ["Solar", "3", "2", "66.7%", "350.50"]
    assert "vendor/chartjs/chart.umd.min.js" in content and "reports/reports.js" in content


def test_defaults_to_the_last_30_days_of_the_account(month):
    start, end = default_period(month.a.account)
    assert (end - start).days == 29
    content = page(month.a.admin_client)
    assert f"{start:%-d %b %Y} to {end:%-d %b %Y}" in text_of(content)
    assert f'name="from" value="{start.isoformat()}"' in content


def test_filters_narrow_the_page(month):
    content = page(month.a.admin_client, f"{PERIOD}&campaign={month.solar.pk}")
    assert 'data-total="leads">3<' in content
    assert chart(content, "leads-by-campaign")["labels"] == ["Solar"]
    content = page(month.a.admin_client, f"{PERIOD}&representative={month.a.member.pk}")
    assert 'data-total="leads">3<' in content and 'data-total="won">1<' in content


def test_htmx_gets_the_report_region(month):
    content = page(month.a.admin_client, PERIOD, HTTP_HX_REQUEST="true")
    assert content.strip().startswith('<div id="report" ')
    assert "<h1>" not in content and 'id="chart-leads-per-day"' in content


def test_a_bad_period_is_400_with_the_reason(month):
    content = page(month.a.admin_client, "from=2025-01-03&to=2025-01-01", status=400)
    # Worded as every list names the filters it cannot use.
    assert (
        "These filters cannot be used: To: The end of the period is before its start. "
        "Choose others above."
    ) in content
    assert "chart-leads-per-day" not in content
    content = page(month.a.admin_client, "from=2024-01-01&to=2025-06-01", status=400)
    assert "A report covers at most 366 days." in content


def test_a_period_of_one_end_near_the_covered_years_is_cut_at_them(month):
    content = page(month.a.admin_client, "to=2000-01-05")
    assert "1 Jan 2000 to 5 Jan 2000" in text_of(content)
    assert 'name="from" value="2000-01-01"' in content


def test_a_member_sees_only_what_they_may(month):
    content = page(month.a.member_client, PERIOD)
    assert 'data-total="leads">3<' in content
    assert chart(content, "leads-by-campaign")["labels"] == ["Roofing"]
    # Solar is neither in the figures nor among the campaigns to filter on.
    assert "Solar" not in content


def test_reports_are_in_the_navigation(month, rf):
    request = rf.get("/reports/")
    request.account = month.a.account
    labels = [item["label"] for item in navigation(request)["nav_sections"]]
    assert "Reports" in labels


def test_a_period_without_leads_says_so_instead_of_empty_charts(month):
    content = page(month.a.admin_client, "from=2024-06-01&to=2024-06-30")
    assert 'data-total="leads">0<' in content
    assert 'id="report-empty"' in content
    assert "No leads arrived from 1 Jun 2024 to 30 Jun 2024. Choose another period." in text_of(
        content
    )
    assert '<time datetime="2024-06-01" title="Saturday, 1 June 2024">1 Jun 2024</time>' in content
    assert "<canvas" not in content and "chart-leads-per-day" not in content
    content = page(month.a.admin_client, f"{PERIOD}&source=dialer")
    assert "for these filters. Choose another period or clear the filters." in content
    assert 'id="report-empty"' not in page(month.a.admin_client, PERIOD)


def test_a_chart_with_nothing_to_draw_says_why(month):
    # 3 January for the admin: L5 only, neither won nor answered yet.
    content = page(
        month.a.admin_client, f"from=2025-01-03&to=2025-01-03&representative={month.a.admin.pk}"
    )
    assert 'data-total="leads">1<' in content
    assert chart(content, "leads-per-day")["empty"] is False
    assert 'data-chart-empty="revenue-by-campaign"' in content
    assert 'id="chart-revenue-by-campaign"' not in content
    assert 'data-chart-empty="response-by-representative"' in content
    assert 'id="chart-response-by-representative"' not in content
    # With figures, every chart is drawn.
    content = page(month.a.admin_client, PERIOD)
    assert "data-chart-empty" not in content
    assert chart(content, "revenue-by-campaign")["empty"] is False


def test_a_first_response_of_zero_minutes_is_still_charted():
    rows = [SimpleNamespace(label="Ann", shown_label="Ann", median_first_response_s=0.0)]
    drawn = views._charts([], [], [], rows)["response_by_representative"]
    assert drawn["datasets"][0]["data"] == [0.0] and drawn["empty"] is False
