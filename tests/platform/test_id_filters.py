"""A campaign or representative id the person cannot use says the same on every filter of leads
and reports, pages, exports and `/v1/` alike: "Choose one of your campaigns." and "Choose a
member of this account." (Django's "Select a valid choice." nowhere)."""

from html import unescape

import pytest
from django.test import Client

from campaigns.forms import MEMBER_ID_OR_NONE
from tests.campaigns.factories import make_campaign
from tests.factories import bearer

pytestmark = pytest.mark.django_db

CAMPAIGN = "Choose one of your campaigns."
MEMBER = "Choose a member of this account."
# Pages, `/v1/` lists and their exports filtering by campaign id.
CAMPAIGN_PAGES = ("/leads/", "/leads/export/", "/reports/", "/reports/export/?group=campaign&")
CAMPAIGN_API = ("/v1/leads", "/v1/leads/export", "/v1/reports/leads", "/v1/reports/leads/export")
MEMBER_PAGES = ("/leads/", "/leads/export/", "/reports/", "/reports/export/?group=representative&")
MEMBER_API = ("/v1/leads", "/v1/leads/export", "/v1/reports/leads", "/v1/reports/leads/export")


def _url(path, query):
    return f"{path}{query}" if path.endswith("&") else f"{path}?{query}"


@pytest.fixture
def unknown_campaigns(tenant_a, tenant_b):
    """Ids of campaigns account A's admin may not use: another account's, one that never was,
    0, and more digits than any id."""
    theirs = make_campaign(tenant_b, campaign_name="Theirs")
    return [theirs.pk, 999_999, 0, "9" * 25]


@pytest.fixture
def unknown_members(tenant_b):
    return [tenant_b.admin.pk, 999_999, 0, "9" * 25]


def _page_says(response, field, message):
    assert response.status_code == 400, response.content[:300]
    content = unescape(response.content.decode())
    # Pages, reports included, and their exports word it alike, naming the field by its label.
    assert f"These filters cannot be used: {field.capitalize()}: {message}" in content
    assert "Select a valid choice" not in content


@pytest.mark.parametrize("path", CAMPAIGN_PAGES)
def test_a_page_filter_on_an_unknown_campaign_says_choose_one_of_yours(
    tenant_a, unknown_campaigns, path
):
    for campaign in unknown_campaigns:
        response = tenant_a.admin_client.get(_url(path, f"campaign={campaign}"))
        _page_says(response, "campaign", CAMPAIGN)


@pytest.mark.parametrize("path", CAMPAIGN_API)
def test_an_api_filter_on_an_unknown_campaign_says_choose_one_of_yours(
    tenant_a, unknown_campaigns, path
):
    for campaign in unknown_campaigns:
        response = Client().get(f"{path}?campaign={campaign}", **bearer(tenant_a.token.raw))
        assert response.status_code == 400, (path, campaign)
        assert response.json()["errors"] == {"campaign": [CAMPAIGN]}, (path, campaign)


@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_a_page_filter_on_an_unknown_representative_says_choose_a_member(
    tenant_a, unknown_members, path
):
    for person in unknown_members:
        response = tenant_a.admin_client.get(_url(path, f"representative={person}"))
        _page_says(response, "representative", MEMBER)


@pytest.mark.parametrize("path", MEMBER_API)
def test_an_api_filter_on_an_unknown_representative_says_choose_a_member(
    tenant_a, unknown_members, path
):
    for person in unknown_members:
        response = Client().get(f"{path}?representative={person}", **bearer(tenant_a.token.raw))
        assert response.status_code == 400, (path, person)
        assert response.json()["errors"] == {"representative": [MEMBER]}, (path, person)


def test_text_that_is_no_id_says_so_everywhere(tenant_a):
    for path in CAMPAIGN_PAGES:
        response = tenant_a.admin_client.get(_url(path, "campaign=%2B3"))
        _page_says(response, "campaign", "Enter a whole number in digits 0-9.")
    for path in CAMPAIGN_API:
        response = Client().get(f"{path}?campaign=%2B3", **bearer(tenant_a.token.raw))
        assert response.json()["errors"] == {"campaign": ["Enter a whole number in digits 0-9."]}
    # The lead lists take "none" as well as an id, and say so.
    for path in MEMBER_PAGES:
        response = tenant_a.admin_client.get(_url(path, "representative=%2B3"))
        said = (
            MEMBER_ID_OR_NONE
            if path.startswith("/leads/")
            else "Enter a whole number in digits 0-9."
        )
        _page_says(response, "representative", said)
    for path in MEMBER_API:
        response = Client().get(f"{path}?representative=%2B3", **bearer(tenant_a.token.raw))
        said = (
            MEMBER_ID_OR_NONE
            if path.startswith("/v1/leads")
            else "Enter a whole number in digits 0-9."
        )
        assert response.json()["errors"] == {"representative": [said]}, path


def test_a_member_of_the_account_still_filters(tenant_a):
    for path in MEMBER_PAGES:
        query = f"representative={tenant_a.member.pk}"
        assert tenant_a.admin_client.get(_url(path, query)).status_code == 200, path
    for path in MEMBER_API:
        query = f"representative={tenant_a.member.pk}"
        response = Client().get(f"{path}?{query}", **bearer(tenant_a.token.raw))
        assert response.status_code == 200, path


def test_a_campaign_of_ones_own_still_filters(tenant_a):
    mine = make_campaign(tenant_a, campaign_name="Mine")
    for path in CAMPAIGN_PAGES:
        assert tenant_a.admin_client.get(_url(path, f"campaign={mine.pk}")).status_code == 200
    for path in CAMPAIGN_API:
        response = Client().get(f"{path}?campaign={mine.pk}", **bearer(tenant_a.token.raw))
        assert response.status_code == 200, path
