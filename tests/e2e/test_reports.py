"""A lead won on its page shows on the reports page: totals, the revenue table and the chart."""

import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from django.utils import timezone
from playwright.sync_api import expect

from campaignhub import services as platform
from campaignhub.models import Role
from campaignhub.tenancy import account_zone
from campaigns import services
from campaigns.models import Lead
from tests.campaigns.factories import make_campaign
from tests.e2e.test_platform import log_in
from tests.factories import make_account, make_member


def test_a_lead_won_on_its_page_shows_in_the_report(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get(role=Role.ADMIN).user
    tenant = SimpleNamespace(account=account, admin=admin)
    campaign = make_campaign(tenant, campaign_name="Roofing", selected_user=[{"id": admin.pk}])
    lead, _ = services.capture_lead(
        campaign=campaign, source="form", external_id="e2e", name="Ann Lee", alert=False
    )

    earlier = timezone.now() - timedelta(hours=2)
    Lead.objects.filter(pk=lead.pk).update(created_at=earlier, updated_at=earlier)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/{lead.pk}/")
    expect(page.locator("[data-updated]")).to_have_count(0)
    outcome = page.locator(f"#lead-{lead.pk}-outcome")
    outcome.get_by_label("Status").select_option("won")
    outcome.get_by_label("Revenue (USD)").fill("-5")
    outcome.get_by_role("button", name="Save outcome").click()
    expect(outcome).to_contain_text("Ensure this value is greater than or equal to 0")
    outcome.get_by_label("Revenue (USD)").fill("1234.56")
    outcome.get_by_role("button", name="Save outcome").click()
    expect(outcome.locator("[data-status]")).to_have_attribute("data-status", "won")
    expect(outcome.locator("[data-revenue]")).to_have_text("USD 1,234.56")
    expect(page.get_by_role("status").filter(has_text="Outcome saved.")).to_be_visible()
    stored = Lead.objects.get(pk=lead.pk)
    assert (stored.status, stored.revenue) == ("won", Decimal("1234.56"))
    assert stored.first_response_s is not None
    # The page's "Updated" time moved with the save, without a reload.
    updated = timezone.localtime(stored.updated_at, account_zone(account))
    expect(page.locator(f"#lead-{lead.pk}-changing-facts [data-updated]")).to_have_text(
        f"{updated.day} {updated:%b %Y, %H:%M}"
    )

    page.get_by_role("link", name="Reports").click()
    expect(page.locator('[data-total="revenue"]')).to_have_text("USD 1,234.56")
    expect(page.locator('[data-total="won"]')).to_have_text("1")
    row = page.locator(f'#report-revenue-by-campaign tr[data-campaign="{campaign.pk}"]')
    expect(row.locator("[data-revenue]")).to_have_text("1,234.56")
    canvas = page.locator('canvas[data-chart="chart-revenue-by-campaign"]')
    expect(canvas).to_be_visible()
    # Chart.js is a deferred script: the chart is drawn once it has loaded.
    page.wait_for_function(
        """() => window.Chart && Chart.getChart(
            document.querySelector('canvas[data-chart="chart-revenue-by-campaign"]'))"""
    )
    chart = page.evaluate(
        """() => {
            const canvas = document.querySelector('canvas[data-chart="chart-revenue-by-campaign"]');
            const chart = Chart.getChart(canvas);
            return chart && {
                labels: chart.data.labels,
                revenue: chart.data.datasets[0].data,
                conversion: chart.data.datasets[1].data,
                conversionJoined: chart.data.datasets[1].showLine,
                width: canvas.width,
            };
        }"""
    )
    assert chart["labels"] == ["Roofing"]
    assert chart["revenue"] == [1234.56]
    assert chart["conversion"] == [100.0]
    assert chart["conversionJoined"] is False  # campaigns' rates are points, not a line
    assert chart["width"] > 0

    # A filter swaps the report in place: no leads says so instead of drawing empty charts,
    # and figures again are charts drawn again.
    page.get_by_label("Source", exact=True).select_option("call")
    expect(page.locator('[data-total="leads"]')).to_have_text("0")
    expect(page.locator("#report-empty")).to_contain_text("Choose another period or clear the")
    expect(page.locator("canvas")).to_have_count(0)
    page.get_by_label("Source", exact=True).select_option("form")
    expect(page.locator('[data-total="leads"]')).to_have_text("1")
    expect(page.locator("#report-empty")).to_have_count(0)
    leads_shown = page.evaluate(
        """() => Chart.getChart(
            document.querySelector('canvas[data-chart="chart-leads-per-day"]')
        ).data.datasets[0].data.reduce((sum, n) => sum + n, 0)"""
    )
    assert leads_shown == 1

    # Dates: the report waits until both ends are set, then shows the period.
    page.get_by_label("From", exact=True).fill("2020-01-01")
    page.get_by_label("To", exact=True).fill("2020-01-31")
    expect(page.locator("#report-empty")).to_contain_text(
        "No leads arrived from 1 Jan 2020 to 31 Jan 2020"
    )
    expect(page.get_by_role("alert")).to_have_count(0)


def test_a_lead_that_leaves_won_on_its_page_loses_its_revenue(server, page):
    """The revenue field is there only while Won is chosen; saving another status clears the
    revenue, as moving a deal out of won does, so the CSV and the reports agree."""
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get(role=Role.ADMIN).user
    tenant = SimpleNamespace(account=account, admin=admin)
    campaign = make_campaign(tenant, campaign_name="Roofing", selected_user=[{"id": admin.pk}])
    lead, _ = services.capture_lead(
        campaign=campaign, source="form", external_id="e2e", name="Ann Lee", alert=False
    )
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/{lead.pk}/")
    outcome = page.locator(f"#lead-{lead.pk}-outcome")
    revenue = outcome.get_by_label("Revenue (USD)")
    expect(revenue).to_be_hidden()
    outcome.get_by_label("Status").select_option("won")
    revenue.fill("900")
    outcome.get_by_role("button", name="Save outcome").click()
    expect(outcome.locator("[data-revenue]")).to_have_text("USD 900.00")

    outcome.get_by_label("Status").select_option("lost")
    expect(outcome.get_by_label("Revenue (USD)")).to_be_hidden()
    outcome.get_by_role("button", name="Save outcome").click()
    expect(outcome.locator("[data-status]")).to_have_attribute("data-status", "lost")
    expect(outcome.locator("[data-revenue]")).to_have_text("—")
    stored = Lead.objects.get(pk=lead.pk)
    assert (stored.status, stored.revenue) == ("lost", None)


def test_a_period_given_by_its_end_alone_stops_at_the_first_day_reports_cover(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.get_by_role("link", name="Reports").click()
    expect(page.locator('[data-total="leads"]')).to_have_text("0")
    # Until the page's scripts have run, a change starts no request (as for anyone).
    page.wait_for_load_state("domcontentloaded")
    filters = page.locator("#report-filters")
    filters.get_by_label("To").fill("2000-01-05")
    alert = page.locator("#report [role=alert]")
    expect(alert).to_contain_text("The end of the period is before its start.")
    filters.get_by_label("From").fill("")
    # 30 days up to 5 Jan 2000 would start in 1999, before the first day a report may name.
    expect(page.locator("#report")).to_contain_text("1 Jan 2000 to 5 Jan 2000")
    expect(alert).to_have_count(0)


def test_a_campaign_filter_in_other_digits_is_said_and_the_filter_chosen_again_reports(
    server, page
):
    """A fullwidth `?campaign=` (int() reads it as the id) is a form error with no figures;
    choosing the campaign in the filter then reports it."""
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get(role=Role.ADMIN).user
    tenant = SimpleNamespace(account=account, admin=admin)
    campaign = make_campaign(tenant, campaign_name="Roofing", selected_user=[{"id": admin.pk}])
    fullwidth = "".join(chr(0xFF10 + int(digit)) for digit in str(campaign.pk))
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/reports/?campaign={fullwidth}")
    expect(page.get_by_role("alert")).to_contain_text("Enter a whole number in digits 0-9.")
    expect(page.locator('[data-total="leads"]')).to_have_count(0)
    page.get_by_label("Campaign").select_option(str(campaign.pk))
    page.get_by_role("button", name="Show").click()
    expect(page.locator('[data-total="leads"]')).to_have_text("0")
    expect(page.get_by_role("alert")).to_have_count(0)
    assert f"campaign={campaign.pk}" in page.url


def test_a_filter_changed_back_to_what_is_shown_asks_for_nothing(server, page):
    """Typing a date again as it is (or choosing the shown source again) sends no request and
    adds no second history entry: Back goes to the filters before."""
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/reports/")
    page.wait_for_load_state("domcontentloaded")
    asked = []
    page.on("request", lambda r: "/reports/?" in r.url and asked.append(r.url))
    filters = page.locator("#report-filters")
    filters.get_by_label("From").fill("2026-01-05")
    expect(page).to_have_url(re.compile(r"from=2026-01-05"))
    assert len(asked) == 1
    for _ in range(2):
        filters.get_by_label("From").fill("2026-01-05")
        filters.get_by_label("Source").select_option("")
    page.wait_for_timeout(1000)
    assert len(asked) == 1, asked
    page.go_back()
    expect(page).to_have_url(f"{server}/reports/")


def test_the_export_links_carry_the_reports_filters(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get(role=Role.ADMIN).user
    tenant = SimpleNamespace(account=account, admin=admin)
    roofing = make_campaign(tenant, campaign_name="Roofing", selected_user=[{"id": admin.pk}])
    solar = make_campaign(tenant, campaign_name="Solar", selected_user=[{"id": admin.pk}])
    for campaign, source, ref in [(roofing, "form", "r1"), (roofing, "call", "r2")]:
        services.capture_lead(campaign=campaign, source=source, external_id=ref, alert=False)
    services.capture_lead(campaign=solar, source="form", external_id="s1", alert=False)
    earlier = timezone.now() - timedelta(hours=2)
    Lead.objects.update(created_at=earlier)

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/reports/")
    exports = page.locator("#report-exports")
    expect(exports).to_be_visible()

    with page.expect_download() as download:
        exports.get_by_role("link", name="By campaign").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert download.value.suggested_filename.startswith("leads-by-campaign-")
    assert "Roofing" in text and "Solar" in text

    # The filters swap the report in place; the links follow them.
    page.get_by_label("Source", exact=True).select_option("form")
    expect(page.locator('[data-total="leads"]')).to_have_text("2")
    page.get_by_label("Campaign", exact=True).select_option(str(roofing.pk))
    expect(page.locator('[data-total="leads"]')).to_have_text("1")
    link = exports.locator("#export-campaign")
    expect(link).to_have_attribute("href", re.compile(rf"campaign={roofing.pk}&source=form"))
    with page.expect_download() as download:
        link.click()
    lines = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[1:] == [f'"{roofing.pk}","Roofing","1","0","0.0","0.00",""']
    with page.expect_download() as download:
        exports.locator("#export-day").click()
    days = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert days[0].startswith('"Day"') and len(days) == 31
    assert sum(int(line.split(",")[1].strip('"')) for line in days[1:]) == 1


def test_a_filter_given_twice_downloads_nothing_and_lists_nothing(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get(role=Role.ADMIN).user
    tenant = SimpleNamespace(account=account, admin=admin)
    roofing = make_campaign(tenant, campaign_name="Roofing")
    solar = make_campaign(tenant, campaign_name="Solar")
    twice = f"campaign={roofing.pk}&campaign={solar.pk}"
    message = "These filters cannot be used: Give each query parameter once: campaign."
    log_in(page, server, "admin@acme.test")

    answer = page.goto(f"{server}/reports/export/?group=campaign&{twice}")
    assert answer.status == 400
    expect(page.get_by_role("heading", name="Nothing downloaded")).to_be_visible()
    expect(page.get_by_role("alert")).to_have_text(message)
    page.get_by_role("link", name="Back to reports").click()
    expect(page).to_have_url(f"{server}/reports/")

    answer = page.goto(f"{server}/leads/export/?{twice}")
    assert answer.status == 400
    expect(page.get_by_role("alert")).to_have_text(message)

    answer = page.goto(f"{server}/leads/?{twice}")
    assert answer.status == 400
    expect(page.locator("#filter-errors")).to_have_text(f"{message} Choose others above.")


def test_an_unknown_campaign_reads_the_same_on_the_reports_and_the_leads(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    message = "These filters cannot be used: Campaign: Choose one of your campaigns."
    for path in (
        "/reports/export/?group=campaign&campaign=999999",
        "/leads/export/?campaign=999999",
    ):
        answer = page.goto(f"{server}{path}")
        assert answer.status == 400
        expect(page.get_by_role("heading", name="Nothing downloaded")).to_be_visible()
        expect(page.get_by_role("alert")).to_have_text(message)
    answer = page.goto(f"{server}/reports/?campaign=999999&representative=999999")
    assert answer.status == 400
    # The page itself words them as the lists do, under its filter controls.
    expect(page.locator("#report #filter-errors")).to_have_text(
        "These filters cannot be used: Campaign: Choose one of your campaigns; "
        "Representative: Choose a member of this account. Choose others above."
    )


def test_a_representative_removed_from_the_account_is_marked_and_can_be_chosen(server, page):
    """Leads alerted to someone who was then removed stay theirs: the report names them
    "(no longer a member)" in its table and filter, and choosing them reports their leads."""
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get(role=Role.ADMIN).user
    max_doe = make_member(account, "max@acme.test", name="Max Doe")
    tenant = SimpleNamespace(account=account, admin=admin)
    campaign = make_campaign(tenant, campaign_name="Roofing", selected_user=[{"id": admin.pk}])
    for ref, holder in (("m1", max_doe), ("m2", max_doe), ("a1", admin)):
        lead, _ = services.capture_lead(
            campaign=campaign, source="form", external_id=ref, alert=False
        )
        Lead.objects.filter(pk=lead.pk).update(representative=holder)
    earlier = timezone.now() - timedelta(hours=2)
    Lead.objects.update(created_at=earlier, alerted_at=earlier)
    platform.remove_member(
        membership=account.memberships.select_related("account", "user").get(user=max_doe),
        removed_by=admin,
    )

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/reports/")
    table = page.locator("#report-response-by-representative table")
    expect(table.locator('td[data-label="Representative"]')).to_have_text(
        ["Max Doe (no longer a member)", "admin@acme.test"]
    )
    page.get_by_label("Representative", exact=True).select_option(
        label="Max Doe (no longer a member)"
    )
    expect(page.locator('[data-total="leads"]')).to_have_text("2")
    expect(page.get_by_role("alert")).to_have_count(0)
    assert f"representative={max_doe.pk}" in page.url
