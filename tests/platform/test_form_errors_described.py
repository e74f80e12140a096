"""Form errors and help texts are tied to their inputs on every main form: each id an input
names in aria-describedby is in the page, an input with an error is aria-invalid and names its
error, and the summary above a reloaded form links to the inputs it names."""

import re
from html.parser import HTMLParser
from itertools import pairwise

import pytest
from django.test import Client

from campaigns import services
from campaigns.models import LeadSource
from tests.campaigns.factories import make_campaign

pytestmark = pytest.mark.django_db


class Elements(HTMLParser):
    """Every start tag of a page: (tag, {attribute: value})."""

    def __init__(self, html):
        super().__init__()
        self.elements = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def assert_described(html, invalid=()):
    """Every aria-describedby id exists in `html`; each id in `invalid` is an input that is
    aria-invalid and names `<id>_error`; every summary link leads to an element of the page."""
    elements = Elements(html).elements
    ids = {attrs["id"] for _, attrs in elements if attrs.get("id")}
    for tag, attrs in elements:
        for named in (attrs.get("aria-describedby") or "").split():
            assert named in ids, f"<{tag} id={attrs.get('id')}> names a missing #{named}"
    by_id = {attrs.get("id"): attrs for _, attrs in elements}
    for input_id in invalid:
        attrs = by_id[input_id]
        assert attrs.get("aria-invalid") == "true", input_id
        assert f"{input_id}_error" in attrs.get("aria-describedby", "").split(), input_id
    for link in re.findall(r'id="error-summary".*?</div>', html, re.S):
        for target in re.findall(r'href="#([^"]+)"', link):
            assert target in ids, f"the summary links to a missing #{target}"


def summary(html):
    found = re.search(r'<div class="message error error-summary"[^>]*>(.*?)</div>', html, re.S)
    assert found, "no error summary"
    assert "autofocus" in found.group(0) and 'tabindex="-1"' in found.group(0)
    return re.sub(r"\s+", " ", found.group(1))


def test_the_campaign_form_ties_each_error_to_its_input_and_sums_them_up(tenant_a):
    response = tenant_a.admin_client.post(
        "/campaigns/new/",
        {"campaign_name": "", "integration": "callrail", "tracking_number": "not a number"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_described(html, invalid=["id_campaign_name", "id_tracking_number"])
    assert '<div class="errors" id="id_campaign_name_error">' in html
    said = summary(html)
    assert "Please fix the highlighted fields." in said
    assert '<a href="#id_campaign_name">Name: ' in said
    assert '<a href="#id_tracking_number">Tracking number: ' in said


def test_the_campaign_form_without_errors_names_only_its_help_texts(tenant_a):
    html = tenant_a.admin_client.get("/campaigns/new/").content.decode()
    assert_described(html)
    assert "aria-invalid" not in html
    assert 'aria-describedby="email-subject-help"' in html


def test_the_lead_outcome_form_ties_a_bad_revenue_to_its_input(tenant_a):
    campaign = make_campaign(tenant_a, selected_user=[{"id": tenant_a.member.pk}])
    lead, _ = services.capture_lead(
        campaign=campaign, source=LeadSource.FORM, external_id="one", name="Ann Lee"
    )
    response = tenant_a.admin_client.post(
        f"/leads/{lead.pk}/outcome/", {"status": "won", "revenue": "abc"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_described(html, invalid=[f"lead-{lead.pk}-revenue"])
    revenue = re.search(rf'<input id="lead-{lead.pk}-revenue"[^>]*>', html).group(0)
    assert (
        f'aria-describedby="lead-{lead.pk}-revenue_helptext lead-{lead.pk}-revenue_error"'
        in revenue
    )
    assert_described(tenant_a.admin_client.get(f"/leads/{lead.pk}/").content.decode())


def test_the_public_form_ties_a_bad_phone_to_its_input_and_sums_it_up(tenant_a):
    campaign = make_campaign(tenant_a, selected_user=[{"id": tenant_a.admin.pk}])
    response = Client().post(
        f"/f/{campaign.form_secret_id}/", {"name": "Ann", "phone": "not a phone"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_described(html, invalid=["id_phone"])
    assert '<a href="#id_phone">Phone: ' in summary(html)


def test_the_public_form_ties_the_missing_contact_to_phone_and_email(tenant_a):
    campaign = make_campaign(tenant_a, selected_user=[{"id": tenant_a.admin.pk}])
    response = Client().post(f"/f/{campaign.form_secret_id}/", {"name": "Ann"})
    html = response.content.decode()
    assert_described(html)
    assert 'id="id_contact_error"' in html
    for field in ("phone", "email"):
        control = re.search(rf'<input type="[a-z]+" id="id_{field}"[^>]*>', html).group(0)
        assert 'aria-invalid="true" aria-describedby="id_contact_error"' in control, field
    assert 'aria-invalid="true"' not in re.search(r'<input[^>]*id="id_name"[^>]*>', html)[0]
    assert '<a href="#id_phone">Leave a phone number or an email address.</a>' in summary(html)
    assert '<main class="container" id="content" tabindex="-1">' in html


def test_account_settings_errors_and_help_have_the_ids_their_inputs_name(tenant_a):
    response = tenant_a.admin_client.post(
        "/settings/", {"name": "Acme", "timezone": "Mars/Base", "currency": "USD", "country": "XX"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_described(html, invalid=["id_timezone", "id_country"])
    assert 'id="id_country_helptext"' in html
    assert 'id="id_timezone_error"' in html and 'id="id_country_error"' in html


@pytest.mark.parametrize("path", ["/settings/profile/", "/settings/tokens/", "/settings/members/"])
def test_settings_forms_name_only_help_texts_the_page_has(tenant_a, path):
    html = tenant_a.admin_client.get(path).content.decode()
    assert_described(html)


def test_profile_phone_help_text_has_the_id_its_input_names(tenant_a):
    html = tenant_a.admin_client.get("/settings/profile/").content.decode()
    assert 'aria-describedby="id_phone_helptext"' in html
    assert 'id="id_phone_helptext"' in html


def test_a_token_name_error_is_tied_to_its_input(tenant_a):
    response = tenant_a.admin_client.post("/settings/tokens/", {"name": ""})
    html = response.content.decode()
    assert_described(html, invalid=["id_name"])
    assert 'id="id_name_helptext"' in html


def test_the_new_tracker_form_ties_each_error_to_its_input_and_sums_them_up(tenant_a):
    from tests.callrail.conftest import connect

    connect(tenant_a)
    response = tenant_a.admin_client.post(
        "/callrail/trackers/new/", {"type": "session", "pool_size": "3"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    fields = ["id_name", "id_destination_number", "id_pool_size", "id_swap_targets"]
    assert_described(html, invalid=fields)
    said = summary(html)
    assert '<a href="#id_name">Name: Tracker name is required.</a>' in said
    assert '<a href="#id_destination_number">Forward calls to: ' in said
    assert '<a href="#id_swap_targets">Numbers on the website to swap: ' in said
    assert 'aria-invalid="true"' not in re.search(r'<input[^>]*id="id_area_code"[^>]*>', html)[0]


def test_a_refused_new_pipeline_name_is_tied_to_its_input(tenant_a):
    response = tenant_a.admin_client.post("/settings/pipelines/", {"name": "   "})
    assert response.status_code == 400
    html = response.content.decode()
    assert_described(html, invalid=["new-pipeline-name"])
    assert '<div class="errors" id="new-pipeline-name_error">' in html


def test_a_stage_renamed_to_a_taken_name_is_tied_to_its_input_and_a_refused_delete_is_not(
    tenant_a,
):
    from tests.deals.conftest import stage

    new, won = stage(tenant_a, "New"), stage(tenant_a, "Won")
    response = tenant_a.admin_client.post(
        f"/settings/stages/{new.pk}/", {"name": "Won", "kind": "open"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert_described(html, invalid=[f"stage-{new.pk}-name"])
    assert f'id="stage-{new.pk}-name_error"' in html
    # Deleting the last won stage is refused for the stage, not for its name.
    html = tenant_a.admin_client.post(f"/settings/stages/{won.pk}/delete/").content.decode()
    assert f'id="stage-{won.pk}-name_error"' in html
    assert "aria-invalid" not in html


def test_filters_a_list_cannot_use_are_named_by_their_controls_and_tied_to_them(tenant_a):
    response = tenant_a.admin_client.get("/leads/?representative=abc&status=bogus")
    assert response.status_code == 400
    html = response.content.decode()
    said = re.search(r'<p class="message error" role="alert" id="filter-errors"[^>]*>', html)[0]
    # The page's script marks these fields' controls aria-invalid, described by the errors.
    assert 'data-invalid-fields="representative status"' in said
    assert "These filters cannot be used: Representative: Enter a member&#x27;s user id" in html
    assert "; Status: Select a valid choice. bogus is not one" in html


def test_a_report_period_ending_before_it_starts_is_said_for_its_to_control(tenant_a):
    response = tenant_a.admin_client.get("/reports/?from=2025-01-03&to=2025-01-01")
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-invalid-fields="to"' in html
    assert "These filters cannot be used: To: The end of the period is before its start." in html


def test_the_campaign_form_names_its_source_and_owner_help_texts(tenant_a):
    html = tenant_a.admin_client.get("/campaigns/new/").content.decode()
    assert_described(html)
    for field in ("integration", "tracking_number", "page_url", "page_id", "owner"):
        control = re.search(rf'<(?:input|select)[^>]*id="id_{field}"[^>]*>', html)[0]
        assert f'aria-describedby="id_{field}_helptext"' in control, field
    # One element for the lead source's sentences: only the shown source's is read.
    helps = html.split('id="id_integration_helptext"', 1)[1].split("</div>", 1)[0]
    assert "A public form page is created" in helps and "Calls of a dialer campaign" in helps
    tracking = html.split('id="id_tracking_number_helptext"', 1)[1].split("</div>", 1)[0]
    assert "Optional: a number shown with the campaign." in tracking and "Used by " in tracking


def test_the_ivr_prompt_says_empty_means_no_prompt_only_where_a_node_may_go_without():
    from invoca import ivr

    schema = ivr.editor_schema()
    assert schema["fields"]["prompt"]["help"] == "What the caller hears first."
    assert schema["fields"]["prompt"]["optional_help"] == "Empty means no prompt."
    assert "prompt" in ivr.NODE_RULES["Menu"].required
    assert "prompt" in ivr.NODE_RULES["Connect"].optional


def headings(html):
    return [int(level) for level in re.findall(r"<h([1-6])[\s>]", html)]


def test_the_ivr_checker_and_dialer_connection_headings_go_down_one_level_at_a_time(tenant_a):
    from tests.dialer.conftest import connect

    for path in ("/invoca/ivr/", "/dialer/connection/"):
        if path == "/dialer/connection/":
            connect(tenant_a)
        levels = headings(tenant_a.admin_client.get(path).content.decode())
        assert all(b <= a + 1 for a, b in pairwise(levels)), (path, levels)
    assert '<h2 class="subheading">Use another key or address</h2>' in (
        tenant_a.admin_client.get("/dialer/connection/").content.decode()
    )
