"""Filters that cannot be used leave a way back: the reports page refusing a day links back to
the unfiltered report, as the deal board does, and each export that downloads nothing links
back to the page it belongs to, saying which."""

import re

import pytest

pytestmark = pytest.mark.django_db


def _links(html):
    return re.findall(r'<a class="button[^"]*"[^>]*href="([^"]+)"[^>]*>([^<]+)</a>', html)


def test_a_report_with_a_bad_day_links_back_to_the_unfiltered_report(tenant_a):
    page = tenant_a.admin_client.get("/reports/?from=2025-1-1")
    assert page.status_code == 400
    assert ("/reports/", "Back to reports") in _links(page.content.decode())


def test_a_good_report_offers_no_way_back(tenant_a):
    page = tenant_a.admin_client.get("/reports/?from=2025-01-01")
    assert "Back to reports" not in page.content.decode()


@pytest.mark.parametrize(
    "export, back",
    [
        ("/reports/export/?group=campaign&from=2025-1-1", ("/reports/", "Back to reports")),
        ("/leads/export/?status=maybe", ("/leads/", "Back to leads")),
        ("/contacts/export/?search=a&search=b", ("/contacts/", "Back to contacts")),
    ],
)
def test_an_export_that_downloads_nothing_links_back_to_its_own_page(tenant_a, export, back):
    answer = tenant_a.admin_client.get(export)
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "Nothing downloaded" in html
    assert _links(html) == [back]
