"""A report whose days cannot be used offers the way back to the unfiltered report."""

from playwright.sync_api import expect

from tests.e2e.test_platform import log_in
from tests.factories import make_account


def test_a_bad_day_on_the_reports_page_links_back_to_the_report(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/reports/?from=2025-1-1")
    expect(page.get_by_role("alert")).to_contain_text("Enter a date as YYYY-MM-DD")
    page.get_by_role("link", name="Back to reports").click()
    expect(page).to_have_url(f"{server}/reports/")
    expect(page.locator('[data-total="leads"]')).to_have_text("0")
    expect(page.get_by_role("alert")).to_have_count(0)
