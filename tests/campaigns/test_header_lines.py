"""An alert email's subject and its Reply-To name are header lines: a line break in either
(a tampered post, an API call) is refused under its field, never saved to be flattened or left
out of every alert."""

import pytest

from campaigns.models import Campaign
from tests.campaigns.test_api import Api
from tests.campaigns.test_views import form_post

ONE_LINE = "Enter one line: line breaks are not allowed."


@pytest.mark.parametrize("field", ["email_subject", "reply_to_name"])
@pytest.mark.parametrize("value", ["New lead\r\nBcc: x@evil.example", "Ann\nLee", "A\u2028B"])
def test_a_line_break_in_a_header_line_is_refused_on_the_page(tenant_a, field, value):
    data = form_post(**{field: value, "reply_to_email": "desk@acme.test"})
    response = tenant_a.admin_client.post("/campaigns/new/", data)
    assert response.status_code == 400
    assert ONE_LINE in response.content.decode()
    assert not Campaign.objects.exists()


@pytest.mark.parametrize(
    "email_details",
    [
        {"subject": "New lead\r\nBcc: x@evil.example"},
        {"subject": "Lead", "reply_to": {"email": "desk@acme.test", "name": "Ann\nLee"}},
    ],
)
def test_a_line_break_in_a_header_line_is_refused_by_the_api(tenant_a, email_details):
    api = Api(tenant_a.token.raw)
    body = {
        "campaign_name": "Roofing",
        "integration": "form",
        "notification_type": "send_email_only",
        "email_details": {"message": "Hello", **email_details},
    }
    response = api.post("/v1/campaigns", {"campaigndata": body})
    assert response.status_code == 400, response.content
    assert ONE_LINE in response.content.decode()
    assert not Campaign.objects.exists()


def test_one_line_header_values_are_saved(tenant_a):
    data = form_post(
        email_subject="New lead: Roofing",
        reply_to_email="desk@acme.test",
        reply_to_name="Acme Desk",
    )
    response = tenant_a.admin_client.post("/campaigns/new/", data)
    assert response.status_code == 302
    details = Campaign.objects.get().email_details
    assert details["subject"] == "New lead: Roofing"
    assert details["reply_to"]["name"] == "Acme Desk"
