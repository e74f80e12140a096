import json

import pytest

from dialer import services
from dialer.models import DialerCampaign, DialerConnection
from tests.campaigns.factories import make_campaign as make_inbound
from tests.dialer.conftest import (
    API,
    connect,
    csv_file,
    give_extension,
    make_agent,
    make_campaign,
    numbers,
)
from tests.factories import bearer

pytestmark = pytest.mark.django_db


def _api(tenant):
    return bearer(tenant.token.raw)


def test_connection_get_says_connected_base_url_and_webhook_url(tenant_a, connected):
    data = tenant_a.admin_client.get("/v1/dialer/connection").json()["data"]
    assert data["connected"] is True and data["base_url"] == API
    assert data["webhook_url"].endswith("/")
    assert "/webhooks/dialer/" in data["webhook_url"]


def test_connect_through_the_api(tenant_a, upstream):
    upstream.get(f"{API}/campaigns", json=[])
    upstream.put(f"{API}/webhook", json={})
    response = tenant_a.admin_client.post(
        "/v1/dialer/connection",
        {"base_url": API, "api_key": "k-9876"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert response.json()["data"]["connected"] is True


def test_a_key_another_account_has_connected_is_refused_and_nothing_changes(
    tenant_a, tenant_b, upstream
):
    """The dialer sends one key's notifications to one address: connecting the same key in a
    second account would take the first one's notifications away."""
    connect(tenant_b, api_key="k-9876")
    upstream.get(f"{API}/campaigns", json=[])
    webhook = upstream.put(f"{API}/webhook", json={})
    response = tenant_a.admin_client.post(
        "/v1/dialer/connection",
        {"base_url": API + "/", "api_key": " k-9876 "},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "already connected to another CampaignHub account" in response.json()["message"]
    assert not DialerConnection.objects.filter(account=tenant_a.account).exists()
    assert webhook.call_count == 0
    # The same dialer written another way (scheme case, a dot segment, another host name or
    # address for it) is still the same key: the key alone decides.
    for address in ("HTTPS://dialer.test/./api", "https://other-name-for-dialer.test/api"):
        upstream.get(f"{address}/campaigns", json=[])
        other = tenant_a.admin_client.post(
            "/v1/dialer/connection",
            {"base_url": address, "api_key": "k-9876"},
            content_type="application/json",
        )
        assert other.status_code == 400, address
    assert not DialerConnection.objects.filter(account=tenant_a.account).exists()
    # A key the other account removed is free again.
    services.disconnect(account=tenant_b.account)
    response = tenant_a.admin_client.post(
        "/v1/dialer/connection",
        {"base_url": API, "api_key": "k-9876"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()


def test_create_with_a_string_aggression_is_400_naming_the_field(tenant_a, connected, upstream):
    response = tenant_a.admin_client.post(
        "/v1/dialer/campaigns",
        {"name": "X", "aggression": ["2"], "max_attempts": 3, "retry_delay_s": 3600},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "aggression" in response.json()["errors"]
    assert not DialerCampaign.objects.exists() and len(upstream.calls) == 0


def test_another_accounts_inbound_campaign_is_400_naming_the_field_sent(
    tenant_a, tenant_b, connected, upstream
):
    theirs = make_inbound(tenant_b)
    response = tenant_a.admin_client.post(
        "/v1/dialer/campaigns",
        {
            "name": "X",
            "aggression": 2,
            "max_attempts": 3,
            "retry_delay_s": 3600,
            "default_agent_state": "available",
            "inbound_campaign_id": theirs.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["inbound_campaign_id"]
    assert not DialerCampaign.objects.exists() and len(upstream.calls) == 0


def test_aggression_has_one_decimal_and_a_range(tenant_a, connected, upstream):
    for bad in (0.5, 10.5, 2.55):
        response = tenant_a.admin_client.post(
            "/v1/dialer/campaigns",
            {"name": "X", "aggression": bad, "max_attempts": 3, "retry_delay_s": 3600},
            content_type="application/json",
        )
        assert response.status_code == 400, bad
    assert len(upstream.calls) == 0


def test_start_is_202_and_leaves_the_state(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a)
    upstream.put(f"{API}/campaigns/{campaign.ref}", status=202)
    response = tenant_a.admin_client.post(
        f"/v1/dialer/campaigns/{campaign.ref}/start", content_type="application/json"
    )
    assert response.status_code == 202
    data = response.json()["data"]
    assert (data["state"], data["pending_action"]) == ("stopped", "start_requested")


def test_settings_put_changes_only_what_is_given(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a, max_attempts=5)
    upstream.put(f"{API}/campaigns/{campaign.ref}", status=202)
    response = tenant_a.admin_client.put(
        f"/v1/dialer/campaigns/{campaign.ref}/settings",
        {"aggression": 4.2},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["data"]["settings"]["aggression"] == 4.2
    assert response.json()["data"]["settings"]["max_attempts"] == 5


def test_upload_answers_202_with_the_validation_and_the_upload_id(
    tenant_a, connected, upstream, django_capture_on_commit_callbacks
):
    campaign = make_campaign(tenant_a)
    upstream.post(f"{API}/campaigns/{campaign.ref}/contacts", status=201, json={"accepted": 1})
    rows = [*numbers(3), "12,Bad,,"]
    with django_capture_on_commit_callbacks(execute=True):
        response = tenant_a.admin_client.post(
            f"/v1/dialer/campaigns/{campaign.ref}/leads", {"file": csv_file(rows)}, **_api(tenant_a)
        )
    assert response.status_code == 202, response.content
    data = response.json()["data"]
    assert (data["rows_total"], data["rows_valid"], data["rows_invalid"]) == (4, 3, 1)
    assert data["errors"][0]["row"] == 5
    progress = tenant_a.admin_client.get(f"/v1/dialer/uploads/{data['upload_id']}").json()["data"]
    assert (progress["status"], progress["contacts_sent"], progress["percent"]) == ("sent", 3, 100)


def test_an_upload_with_two_file_parts_is_refused_and_nothing_is_kept(tenant_a, connected):
    campaign = make_campaign(tenant_a)
    response = tenant_a.admin_client.post(
        f"/v1/dialer/campaigns/{campaign.ref}/leads",
        {"file": [csv_file(numbers(2), name="first.csv"), csv_file(numbers(3), name="b.csv")]},
        **_api(tenant_a),
    )
    assert response.status_code == 400
    assert response.json() == {
        "success": False,
        "errno": 400,
        "message": "Give each field once: file.",
        "errors": {"file": ["Given more than once; this field takes one value."]},
    }
    assert not campaign.uploads.exists()
    assert not campaign.contacts.exists()


@pytest.mark.parametrize("content_type", ["application/json", "multipart/form-data"])
def test_a_lead_list_sent_as_text_is_told_to_come_as_a_multipart_file(
    tenant_a, connected, content_type
):
    campaign = make_campaign(tenant_a)
    text = "phone\n+14155550100\n"
    if content_type == "application/json":
        response = tenant_a.admin_client.post(
            f"/v1/dialer/campaigns/{campaign.ref}/leads",
            json.dumps({"file": text}),
            content_type=content_type,
            **_api(tenant_a),
        )
    else:
        # A text part (no filename) named "file".
        response = tenant_a.admin_client.post(
            f"/v1/dialer/campaigns/{campaign.ref}/leads", {"file": text}, **_api(tenant_a)
        )
    assert response.status_code == 400
    message = (
        "file must be sent as a file: a part of a multipart/form-data request, with a "
        "filename (curl -F file=@leads.csv)."
    )
    assert response.json()["message"] == message
    assert response.json()["errors"] == {"file": [message]}
    assert not campaign.uploads.exists()


def test_adding_an_agent_returns_warnings(tenant_a, connected, upstream):
    busy = make_campaign(tenant_a, name="Busy", state="started")
    make_agent(busy, tenant_a.member, "205")
    campaign = make_campaign(tenant_a)
    upstream.put(f"{API}/campaigns/{campaign.ref}/agents/205", status=200)
    response = tenant_a.admin_client.post(
        f"/v1/dialer/campaigns/{campaign.ref}/agents",
        {"extension": "205"},
        content_type="application/json",
    )
    assert response.status_code == 201
    assert len(response.json()["data"]["warnings"]) == 1


def test_delete_is_the_remove_flow_and_answers_202(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a, state="started")
    upstream.put(f"{API}/campaigns/{campaign.ref}", status=202)
    response = tenant_a.admin_client.delete(f"/v1/dialer/campaigns/{campaign.ref}")
    assert response.status_code == 202
    assert response.json()["data"]["pending_action"] == "removing"
    assert [call.request.method for call in upstream.calls] == ["PUT"]


def test_list_shows_each_campaign_with_its_presence(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a)
    upstream.get(
        f"{API}/campaigns",
        json=[{"ref": "vendor-9", "name": "V", "status": "stopped", "contacts": 0}],
    )
    data = tenant_a.admin_client.get("/v1/dialer/campaigns").json()["data"]
    assert [(row["ref"], row["presence"]) for row in data] == [
        (campaign.ref, "only_here"),
        ("vendor-9", "only_dialer"),
    ]


def test_the_pages_render(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a)
    upstream.get(f"{API}/campaigns", json=[])
    assert campaign.ref in tenant_a.admin_client.get("/dialer/").content.decode()
    page = tenant_a.admin_client.get(f"/dialer/campaigns/{campaign.ref}/").content.decode()
    assert 'type="range"' in page and "Apply" in page
    assert tenant_a.admin_client.get("/dialer/connection/").status_code == 200
    assert tenant_a.admin_client.get("/dialer/campaigns/new/").status_code == 200


def test_the_upload_page_redirects_to_the_result_as_it_stands(
    tenant_a, connected, upstream, django_capture_on_commit_callbacks
):
    campaign = make_campaign(tenant_a)
    upstream.post(f"{API}/campaigns/{campaign.ref}/contacts", status=201, json={"accepted": 1})
    with django_capture_on_commit_callbacks(execute=True):
        response = tenant_a.admin_client.post(
            f"/dialer/campaigns/{campaign.ref}/leads/", {"file": csv_file(numbers(3))}
        )
    assert response.status_code == 302
    assert "?upload=" in response["Location"]
    page = tenant_a.admin_client.get(response["Location"]).content.decode()
    assert "3 of 3 contacts sent (1/1 batches)" in page


def test_the_add_agent_list_offers_only_members_who_are_not_agents_yet(
    tenant_a, connected, upstream
):
    give_extension(tenant_a.account, tenant_a.member, "101")
    campaign = make_campaign(tenant_a)
    make_agent(campaign, tenant_a.admin, "100")
    page = tenant_a.admin_client.get(f"/dialer/campaigns/{campaign.ref}/").content.decode()
    picker = page.split('<select id="id_extension"')[1].split("</select>")[0]
    assert '<option value="101">' in picker
    assert '<option value="100">' not in picker


def test_the_new_campaign_form_starts_from_the_dialers_defaults(tenant_a, connected):
    page = tenant_a.admin_client.get("/dialer/campaigns/new/").content.decode()
    assert 'name="aggression" value="1.5" step="0.1"' in page
    assert 'name="max_attempts" value="3"' in page
    assert 'name="retry_delay_s" value="3600"' in page


NESTED = {
    "name": "Nested",
    "settings": {"aggression": 2.5, "max_attempts": 4, "retry_delay_s": 900, "record_calls": True},
    "default_agent_state": "available",
}


def test_create_takes_the_settings_nested_as_get_answers_them(tenant_a, connected, upstream):
    upstream.post(f"{API}/campaigns", status=201, json={})
    response = tenant_a.admin_client.post(
        "/v1/dialer/campaigns", NESTED, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    data = response.json()["data"]
    sent = json.loads(upstream.calls[0].request.body)["settings"]
    assert (
        sent
        == data["settings"]
        == {
            "aggression": 2.5,
            "max_attempts": 4,
            "retry_delay_s": 900,
            "caller_id": None,
            "record_calls": True,
        }
    )
    assert (data["name"], data["default_agent_state"]) == ("Nested", "available")


def test_what_get_answers_can_be_put_back_as_settings(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a, max_attempts=5)
    upstream.put(f"{API}/campaigns/{campaign.ref}", status=202)
    shown = tenant_a.admin_client.get(f"/v1/dialer/campaigns/{campaign.ref}").json()["data"]
    body = {key: shown[key] for key in ("name", "settings", "default_agent_state")}
    body["settings"]["aggression"] = 6.4
    response = tenant_a.admin_client.put(
        f"/v1/dialer/campaigns/{campaign.ref}/settings", body, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["data"]["settings"] == {**shown["settings"], "aggression": 6.4}
    assert json.loads(upstream.calls[0].request.body) == {
        "ref": campaign.ref,
        "settings": {**shown["settings"], "aggression": 6.4},
    }


def test_a_nested_settings_put_changes_only_what_is_given(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a, max_attempts=5)
    upstream.put(f"{API}/campaigns/{campaign.ref}", status=202)
    response = tenant_a.admin_client.put(
        f"/v1/dialer/campaigns/{campaign.ref}/settings",
        {"settings": {"aggression": 4.2}},
        content_type="application/json",
    )
    settings = response.json()["data"]["settings"]
    assert (settings["aggression"], settings["max_attempts"]) == (4.2, 5)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"settings": {"aggression": 11.0}},
            "settings.aggression: Ensure this value is less than or equal to 10.",
        ),
        ({"settings": {"aggression": "2"}}, "settings.aggression must be a number."),
        ({"settings": {"speed": 2}}, "Unknown field: speed."),
        ({"settings": None}, "settings must be an object."),
        (
            {"settings": {"aggression": 2.0}, "max_attempts": 2},
            "Send the settings either nested under settings or as top-level fields, not both.",
        ),
    ],
)
def test_bad_nested_settings_are_400_naming_them_and_change_nothing(
    tenant_a, connected, upstream, body, message
):
    campaign = make_campaign(tenant_a)
    response = tenant_a.admin_client.put(
        f"/v1/dialer/campaigns/{campaign.ref}/settings", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["message"] == message
    assert "settings" in response.json()["errors"]
    assert len(upstream.calls) == 0
    campaign.refresh_from_db()
    assert (str(campaign.aggression), campaign.max_attempts) == ("1.5", 3)


def test_an_xlsx_with_a_name_column_names_the_contacts_and_warns_of_unused_columns(
    tenant_a, connected, upstream, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from campaigns.models import Lead
    from dialer.models import Contact
    from tests.dialer.conftest import notify
    from tests.dialer.test_leadlists import unused, xlsx_bytes

    inbound = make_inbound(tenant_a, campaign_name="Dialer leads", integration="dialer")
    campaign = make_campaign(tenant_a, state="started", inbound_campaign=inbound)
    upstream.post(f"{API}/campaigns/{campaign.ref}/contacts", status=201, json={"accepted": 1})
    workbook = xlsx_bytes(
        [["Phone", "Name", "Email", "Company"], ["4155550101", "Jane Q Public", "j@x.test", "Acme"]]
    )
    file = SimpleUploadedFile("leads.xlsx", workbook)
    with django_capture_on_commit_callbacks(execute=True):
        response = tenant_a.admin_client.post(
            f"/v1/dialer/campaigns/{campaign.ref}/leads", {"file": file}, **_api(tenant_a)
        )
    assert response.status_code == 202, response.content
    data = response.json()["data"]
    assert data["warnings"] == [unused("Company")]
    progress = tenant_a.admin_client.get(f"/v1/dialer/uploads/{data['upload_id']}").json()["data"]
    assert progress["warnings"] == [unused("Company")]
    contact = Contact.objects.get(campaign=campaign)
    assert (contact.first_name, contact.last_name, contact.email) == (
        "Jane Q",
        "Public",
        "j@x.test",
    )
    sent = json.loads(upstream.calls[0].request.body)["contacts"][0]["data"]
    assert sent == {
        "first_name": "Jane Q",
        "last_name": "Public",
        "email": "j@x.test",
        "Company": "Acme",
    }

    notify(
        tenant_a.account,
        "cdr",
        extension="101",
        call_ref="c1",
        contact_ref=contact.ref,
        dialed_at="2026-11-30T10:00:00Z",
        end_reason="hungup",
        end_code=16,
        call_time=42,
        call_dir="outbound",
        recording_url=None,
        ref=campaign.ref,
    )
    assert Lead.objects.get(campaign=inbound).name == "Jane Q Public"


def test_connecting_to_an_address_answering_404_is_400_on_base_url(tenant_a, upstream):
    upstream.get(f"{API}/campaigns", status=404, body="<h1>Not Found</h1>")
    response = tenant_a.admin_client.post(
        "/v1/dialer/connection",
        {"base_url": API, "api_key": "k-9876"},
        content_type="application/json",
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["message"].startswith("This address is not the dialer's API: it answered 404")
    assert list(body["errors"]) == ["base_url"]
    assert not DialerConnection.objects.exists()


def test_connecting_to_a_link_local_address_is_refused(tenant_a, upstream):
    response = tenant_a.admin_client.post(
        "/v1/dialer/connection",
        {"base_url": "http://169.254.169.254/api", "api_key": "k-9876"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "link-local address" in response.json()["errors"]["base_url"][0]
    assert not DialerConnection.objects.exists()
