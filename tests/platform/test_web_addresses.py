"""Web addresses typed into forms and API bodies: http(s) with a port that exists."""

import pytest

from campaigns.forms import CampaignForm
from campaigns.serializers import writable_data
from dialer.forms import ConnectionForm
from tests.campaigns.factories import make_campaign

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("base_url", "ok"),
    [
        ("https://dialer.example.com/api", True),
        ("dialer.example.com/api", True),
        ("https://dialer.example.com:8443/api", True),
        ("https://dialer.example.com:99999/api", False),
        ("https://dialer.example.com:0/api", False),
        ("file:///etc/passwd", False),
        ("ftp://dialer.example.com/api", False),
    ],
)
def test_the_dialer_address_is_http_with_a_real_port_and_one_error(base_url, ok):
    form = ConnectionForm(data={"base_url": base_url, "api_key": "k"})
    assert form.is_valid() is ok
    if not ok:
        assert form.errors["base_url"] == [
            "Enter an http(s) address, e.g. https://dialer.example.com/api."
        ]


def test_a_campaign_page_on_a_port_that_cannot_exist_is_refused(tenant_a):
    campaign = make_campaign(tenant_a, integration="form", page_url="https://a.example/x")
    for page_url, ok in (("https://a.example:8080/x", True), ("http://a.example:99999/", False)):
        form = CampaignForm(
            data={**writable_data(campaign), "page_url": page_url},
            account=tenant_a.account,
            campaign=campaign,
            viewer=tenant_a.account.memberships.get(user=tenant_a.admin),
        )
        assert form.is_valid() is ok, form.errors
        if not ok:
            assert form.errors["page_url"] == [
                "Enter a full http(s) URL, e.g. https://example.com/landing."
            ]
