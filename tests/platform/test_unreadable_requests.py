"""A request Django cannot read (over 1000 query parameters, a form without its boundary, too
many form fields) is a clear 400, with or without DEBUG: the envelope under /v1/, the 400 page
saying why elsewhere; never a 500 or a bare 400, and nothing changes."""

import pytest
from django.test import Client

from campaigns import services
from campaigns.models import LeadSource
from tests.campaigns.factories import make_campaign
from tests.factories import bearer

pytestmark = pytest.mark.django_db

TOO_MANY = "&".join(["status=sent"] * 1001)
TOO_MANY_MESSAGE = "Too many query parameters: send at most 1000."


@pytest.fixture(params=[False, True], ids=["production", "debug"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


@pytest.mark.parametrize(
    "path", ["/v1/leads", "/v1/notifications/deliveries", "/v1/reports/leads/export"]
)
def test_an_api_list_refuses_over_1000_query_parameters(tenant_a, debug, path):
    response = Client(raise_request_exception=False).get(
        f"{path}?{TOO_MANY}", **bearer(tenant_a.token.raw)
    )
    assert response.status_code == 400
    assert response.json() == {"success": False, "errno": 400, "message": TOO_MANY_MESSAGE}


@pytest.mark.parametrize(
    "path", ["/notifications/", "/leads/", "/reports/", "/reports/export/", "/campaigns/"]
)
def test_a_page_refuses_over_1000_query_parameters(tenant_a, debug, path):
    tenant_a.admin_client.raise_request_exception = False
    response = tenant_a.admin_client.get(f"{path}?{TOO_MANY}")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert TOO_MANY_MESSAGE in response.content.decode()


def test_1000_query_parameters_are_still_read(tenant_a):
    query = "&".join(["status=sent"] * 1000)
    response = Client().get(f"/v1/leads?{query}", **bearer(tenant_a.token.raw))
    assert response.status_code == 400
    assert response.json()["message"] == "Give each query parameter once: status."


@pytest.fixture
def lead(tenant_a):
    campaign = make_campaign(tenant_a, campaign_name="Roofing", selected_user=[])
    lead, _ = services.capture_lead(
        campaign=campaign, source=LeadSource.FORM, external_id="x", name="Ann Lee", alert=False
    )
    lead.representative = tenant_a.admin
    lead.save(update_fields=["representative"])
    return lead


def test_a_form_without_its_boundary_is_refused_saying_so(tenant_a, lead, debug):
    tenant_a.admin_client.raise_request_exception = False
    response = tenant_a.admin_client.generic(
        "POST",
        f"/leads/{lead.pk}/representative/",
        b"representative=",
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "The form could not be read: send it as application/x-www-form-urlencoded, or as " in (
        response.content.decode()
    )
    lead.refresh_from_db()
    assert lead.representative == tenant_a.admin


def test_a_form_of_over_1000_fields_is_refused_saying_so(tenant_a, lead, debug):
    tenant_a.admin_client.raise_request_exception = False
    body = "&".join(["representative="] * 1001)
    response = tenant_a.admin_client.generic(
        "POST",
        f"/leads/{lead.pk}/representative/",
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "Too many form fields: send at most 1000." in response.content.decode()
    lead.refresh_from_db()
    assert lead.representative == tenant_a.admin


def test_an_api_upload_without_its_boundary_is_refused_in_the_envelope(tenant_a, debug):
    response = Client(raise_request_exception=False).generic(
        "POST",
        "/v1/dialer/campaigns/no-such-ref/leads",
        b"name=x",
        content_type="multipart/form-data",
        **bearer(tenant_a.token.raw),
    )
    assert response.status_code == 400
    assert response.json()["message"].startswith("The form could not be read")
