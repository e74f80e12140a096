"""A page's list read at `?page=0` shows its first page, as any number that is no page does,
and a page (or cursor) given twice is refused as a filter given twice is, never read as its
last value."""

import pytest

from campaigns.models import Lead, LeadSource
from tests.campaigns.factories import make_campaign
from tests.notifications.factories import make_delivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def campaign(tenant_a):
    return make_campaign(tenant_a, campaign_name="Roofing", selected_user=[])


@pytest.fixture
def long_lists(tenant_a, campaign):
    """60 leads and 60 deliveries: three pages of 25 each."""
    Lead.objects.bulk_create(
        Lead(
            account=tenant_a.account,
            campaign=campaign,
            source=LeadSource.FORM,
            external_id=f"lead-{n}",
            name=f"Lead {n:02}",
        )
        for n in range(60)
    )
    for n in range(60):
        make_delivery(tenant_a, tenant_a.member, subject=f"delivery {n:02}")


@pytest.mark.parametrize("path", ["/leads/", "/notifications/", "/campaigns/{campaign}/"])
@pytest.mark.parametrize("page", ["0", "000", "-1", "٣"])
def test_a_number_that_is_no_page_shows_the_first(tenant_a, campaign, long_lists, path, page):
    response = tenant_a.admin_client.get(f"{path.format(campaign=campaign.pk)}?page={page}")
    assert response.status_code == 200
    assert "Page 1 of 3" in response.content.decode()


def test_a_number_past_the_end_shows_the_last(tenant_a, long_lists):
    response = tenant_a.admin_client.get("/leads/?page=9")
    assert "Page 3 of 3" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    ["/leads/", "/notifications/", "/campaigns/", "/contacts/", "/campaigns/{campaign}/"],
)
def test_a_page_given_twice_is_refused(tenant_a, campaign, long_lists, path):
    response = tenant_a.admin_client.get(f"{path.format(campaign=campaign.pk)}?page=1&page=3")
    assert response.status_code == 400
    content = response.content.decode()
    assert "Give each query parameter once: page." in content
    assert "Page 3 of 3" not in content


def test_a_cursor_given_twice_is_refused(tenant_a, long_lists):
    response = tenant_a.admin_client.get("/campaigns/?cursor=a&cursor=b")
    assert response.status_code == 400
    assert "Give each query parameter once: cursor." in response.content.decode()


def test_a_page_given_once_still_pages(tenant_a, long_lists):
    response = tenant_a.admin_client.get("/leads/?page=3")
    assert response.status_code == 200
    assert "Page 3 of 3" in response.content.decode()
