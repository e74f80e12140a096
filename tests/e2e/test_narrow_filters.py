"""At a phone's width (390px) a filter bar's select holding a long name (a campaign's, up to 200
characters; a pipeline's) keeps to the screen, its arrow in sight, rather than widening the page;
a desktop's filter bar looks as it did."""

import pytest

from crm import pipelines
from tests.campaigns.factories import make_campaign
from tests.e2e.test_account_and_held_leads import _Tenant
from tests.e2e.test_platform import log_in
from tests.factories import make_account

LONG_CAMPAIGN = ("Spring roofing and gutter replacement for the north county " * 4)[:200]
LONG_PIPELINE = ("Residential roofing renewals pipeline " * 3)[:100]


@pytest.fixture
def long_names(server):
    account = make_account("Acme Agency", "admin@acme.test")
    make_campaign(_Tenant(account), integration="form", campaign_name=LONG_CAMPAIGN.strip())
    pipelines.create_pipeline(account=account, name=LONG_PIPELINE.strip())
    return account


@pytest.mark.parametrize("path", ["/leads/", "/reports/", "/deals/"])
def test_a_filter_select_with_a_long_name_keeps_to_a_phones_width(server, page, long_names, path):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}{path}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    for select in page.locator("form.toolbar select").all():
        box = select.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box


@pytest.mark.parametrize("path", ["/leads/", "/reports/", "/deals/"])
def test_a_desktop_filter_bar_with_a_long_name_keeps_to_the_screen(server, page, long_names, path):
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}{path}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
