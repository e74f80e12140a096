"""A filter given twice in a page's query string (`?campaign=1&campaign=2`) is refused on every
list page and export, with the message of the `/v1/` lists (one rule, `campaignhub.query`),
never read as its last value."""

import pytest
from django.test import Client

from tests.campaigns.factories import make_campaign
from tests.factories import bearer

pytestmark = pytest.mark.django_db

TWICE = "These filters cannot be used: Give each query parameter once: {keys}."


@pytest.fixture
def two_campaigns(tenant_a):
    return make_campaign(tenant_a, campaign_name="Roofing"), make_campaign(
        tenant_a, campaign_name="Solar"
    )


def _repeated(first, second):
    return {
        "campaign": f"campaign={first.pk}&campaign={second.pk}",
        "from": "from=2025-01-01&from=2025-01-02",
    }


@pytest.mark.parametrize(
    "path, query, keys",
    [
        ("/reports/export/", "group=campaign&{campaign}", "campaign"),
        ("/reports/export/", "group=campaign&{from}", "from"),
        ("/reports/export/", "{from}&{campaign}&group=day&group=source", "campaign, from, group"),
        ("/leads/export/", "{campaign}", "campaign"),
        ("/leads/export/", "status=won&status=new", "status"),
        ("/contacts/export/", "search=ann&search=bob", "search"),
    ],
)
def test_a_page_export_refuses_a_filter_given_twice(tenant_a, two_campaigns, path, query, keys):
    query = query.format(**_repeated(*two_campaigns))
    response = tenant_a.admin_client.get(f"{path}?{query}")
    assert response.status_code == 400, query
    assert response["Content-Type"].startswith("text/html")
    content = response.content.decode()
    assert "Nothing downloaded" in content
    assert TWICE.format(keys=keys) in content


@pytest.mark.parametrize(
    "path, query, keys",
    [
        ("/reports/", "{campaign}", "campaign"),
        ("/reports/", "{from}", "from"),
        ("/leads/", "{campaign}", "campaign"),
        ("/contacts/", "search=ann&search=bob", "search"),
        ("/campaigns/", "status=active&status=inactive", "status"),
        ("/notifications/", "channel=email&channel=sms", "channel"),
    ],
)
def test_a_page_list_refuses_a_filter_given_twice(tenant_a, two_campaigns, path, query, keys):
    query = query.format(**_repeated(*two_campaigns))
    response = tenant_a.admin_client.get(f"{path}?{query}")
    assert response.status_code == 400, query
    content = response.content.decode()
    message = f"Give each query parameter once: {keys}."
    assert message in content
    assert "__all__" not in content


def test_the_page_and_the_api_say_the_same(tenant_a, two_campaigns):
    query = "group=campaign&" + _repeated(*two_campaigns)["campaign"]
    api = Client().get(f"/v1/reports/leads/export?{query}", **bearer(tenant_a.token.raw))
    assert api.status_code == 400
    page = tenant_a.admin_client.get(f"/reports/export/?{query}")
    assert f"These filters cannot be used: {api.json()['message']}" in page.content.decode()


def test_a_filter_given_once_still_downloads(tenant_a, two_campaigns):
    """Parameters the page links carry but the export ignores (`page`) stay ignored."""
    roofing, _ = two_campaigns
    response = tenant_a.admin_client.get(f"/leads/export/?campaign={roofing.pk}&page=1&page=2")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
