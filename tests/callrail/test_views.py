import json
import re

import pytest
from django.contrib.messages import get_messages

from callrail.models import CallRailKey, CallRailSettings
from tests.callrail.conftest import ACC, API, COM, connect, page, tracker_record
from tests.campaigns.factories import make_campaign
from tests.pages import hidden_values

pytestmark = pytest.mark.django_db


def test_home_offers_to_connect(tenant_a):
    content = tenant_a.admin_client.get("/callrail/").content.decode()
    assert "Connect CallRail" in content and 'name="api_key"' in content


def test_members_are_told_to_ask_an_admin(tenant_a):
    content = tenant_a.member_client.get("/callrail/").content.decode()
    assert "Ask an account admin" in content and 'name="api_key"' not in content


def test_connect_key_then_choose_account_and_company(tenant_a, upstream):
    upstream.get(f"{API}/a.json", json=page("accounts", [{"id": ACC, "name": "Acme CallRail"}]))
    response = tenant_a.admin_client.post("/callrail/key/", {"api_key": "key-abcd"})
    assert response["Location"] == "/callrail/accounts/"
    assert CallRailKey.objects.get().last4 == "abcd"

    accounts = tenant_a.admin_client.get("/callrail/accounts/").content.decode()
    assert "Acme CallRail" in accounts and "Work in this account" in accounts
    response = tenant_a.admin_client.post(
        "/callrail/choose/", {"account_id": ACC, "account_name": "Acme CallRail"}
    )
    assert response["Location"] == "/callrail/companies/"

    upstream.get(
        f"{API}/a/{ACC}/companies.json",
        json=page("companies", [{"id": COM, "name": "Demo Roofing", "status": "active"}]),
    )
    companies = tenant_a.admin_client.get("/callrail/companies/?search=Demo").content.decode()
    assert "Demo Roofing" in companies
    upstream.get(
        f"{API}/a/{ACC}/companies/{COM}.json",
        json={
            "id": COM,
            "name": "Demo Roofing",
            "status": "active",
            "script_url": "https://cdn.callrail.com/c/1/swap.js",
        },
    )
    tenant_a.admin_client.post(
        "/callrail/choose/",
        {
            "account_id": ACC,
            "account_name": "Acme CallRail",
            "company_id": COM,
            "company_name": "Demo Roofing",
        },
    )
    chosen = CallRailSettings.objects.get(account=tenant_a.account)
    assert (chosen.company_id, chosen.script_url) == (COM, "https://cdn.callrail.com/c/1/swap.js")
    home = tenant_a.admin_client.get("/callrail/").content.decode()
    assert "https://cdn.callrail.com/c/1/swap.js" in home
    assert f"/webhooks/callrail/{chosen.webhook_token}/" in home


def test_a_refused_key_is_a_form_error(tenant_a, upstream):
    upstream.get(f"{API}/a.json", status=401, json={"error": "HTTP Token: Access denied."})
    response = tenant_a.admin_client.post("/callrail/key/", {"api_key": "nope"})
    assert response.status_code == 400
    assert "CallRail did not accept this API key." in response.content.decode()
    assert not CallRailKey.objects.exists()


def test_connect_webhook_registers_our_receiver(tenant_a, upstream):
    chosen = connect(tenant_a)
    upstream.post(
        f"{API}/a/{ACC}/companies/{COM}/webhooks.json",
        status=201,
        json={"id": "WHK9", "url": "x", "status": "enabled", "signing_key": "k"},
    )
    tenant_a.admin_client.post("/callrail/webhook/")
    chosen.refresh_from_db()
    assert chosen.webhook_id == "WHK9" and chosen.signing_key == "k"
    assert f"/webhooks/callrail/{chosen.webhook_token}/" in upstream.calls[0].request.body.decode()


def test_signing_key_can_be_entered_by_hand(tenant_a):
    chosen = connect(tenant_a)
    tenant_a.admin_client.post("/callrail/signing-key/", {"signing_key": "from-callrail-ui"})
    chosen.refresh_from_db()
    assert chosen.signing_key == "from-callrail-ui"


def test_an_empty_signing_key_changes_nothing_and_only_the_remove_button_removes_it(tenant_a):
    chosen = connect(tenant_a)
    chosen.signing_key = "kept"
    chosen.save()
    response = tenant_a.admin_client.post(
        "/callrail/signing-key/", {"signing_key": ""}, follow=True
    )
    assert "The signing key was not changed" in response.content.decode()
    chosen.refresh_from_db()
    assert chosen.signing_key == "kept"
    page = tenant_a.admin_client.get("/callrail/").content.decode()
    assert "Replace signing key" in page and "Remove signing key" in page

    response = tenant_a.admin_client.post(
        "/callrail/signing-key/", {"signing_key": "", "remove": "1"}, follow=True
    )
    assert "Signing key removed: deliveries are no longer verified." in response.content.decode()
    chosen.refresh_from_db()
    assert chosen.signing_key == ""
    assert "Remove signing key" not in tenant_a.admin_client.get("/callrail/").content.decode()


@pytest.mark.parametrize(
    ("value", "problem"),
    [("k" * 201, "at most 200 characters"), ("a\x00b", "Null characters are not allowed.")],
)
def test_a_signing_key_the_form_refuses_is_not_saved_and_says_why(tenant_a, value, problem):
    chosen = connect(tenant_a)
    chosen.signing_key = "kept"
    chosen.save()
    response = tenant_a.admin_client.post(
        "/callrail/signing-key/", {"signing_key": value}, follow=True
    )
    page = response.content.decode()
    assert "The signing key was not saved:" in page and problem in page
    chosen.refresh_from_db()
    assert chosen.signing_key == "kept"


def test_members_cannot_change_the_connection(tenant_a):
    connect(tenant_a)
    for path in [
        "/callrail/key/remove/",
        "/callrail/webhook/",
        "/callrail/signing-key/",
        "/callrail/trackers/TRK1/disable/",
    ]:
        assert tenant_a.member_client.post(path).status_code == 403
    assert CallRailKey.objects.get().deleted_at is None


def test_trackers_list_create_edit_disable(tenant_a, upstream):
    connect(tenant_a)
    upstream.get(f"{API}/a/{ACC}/trackers.json", json=page("trackers", [tracker_record(id="TRK1")]))
    listing = tenant_a.admin_client.get("/callrail/trackers/").content.decode()
    assert "Google Ads" in listing and "(415) 555-0134" in listing

    upstream.post(
        f"{API}/a/{ACC}/trackers.json", status=201, json=tracker_record(id="TRK2", name="Website")
    )
    response = tenant_a.admin_client.post(
        "/callrail/trackers/new/",
        {
            "type": "session",
            "name": "Website",
            "destination_number": "(412) 555-1234",
            "pool_size": "6",
            "swap_targets": "+14125551234\n+14125551235",
            "source": "all",
            "record_calls": "on",
        },
    )
    assert response.status_code == 302
    sent = json.loads(upstream.calls[-1].request.body)
    assert sent["pool_size"] == 6 and sent["swap_targets"] == ["+14125551234", "+14125551235"]

    upstream.get(f"{API}/a/{ACC}/trackers/TRK1.json", json=tracker_record(id="TRK1"))
    upstream.put(
        f"{API}/a/{ACC}/trackers/TRK1.json", json=tracker_record(id="TRK1", name="Renamed")
    )
    edit = tenant_a.admin_client.get("/callrail/trackers/TRK1/edit/").content.decode()
    assert 'value="Google Ads"' in edit
    response = tenant_a.admin_client.post(
        "/callrail/trackers/TRK1/edit/",
        {
            "type": "source",
            "name": "Renamed",
            "destination_number": "+14155550100",
            "record_calls": "on",
        },
    )
    assert response.status_code == 302

    upstream.delete(
        f"{API}/a/{ACC}/trackers/TRK1.json", json=tracker_record(id="TRK1", status="disabled")
    )
    assert tenant_a.admin_client.post("/callrail/trackers/TRK1/disable/").status_code == 302


SESSION_ERRORS = (
    ("name", "Tracker name is required."),
    ("destination_number", "Destination number is required."),
    ("pool_size", "Pool size must be at least 5 for session trackers"),
    ("swap_targets", "Swap targets are required for session trackers"),
)


def _every_session_error_under_its_field(page):
    for field, message in SESSION_ERRORS:
        under = page.split(f'id="id_{field}"', 1)[1].split("</div>", 1)[0]
        assert f'<small class="error">{message}</small>' in under, field


def test_every_new_tracker_error_shows_at_once_under_its_field(tenant_a, upstream):
    connect(tenant_a)
    response = tenant_a.admin_client.post(
        "/callrail/trackers/new/", {"type": "session", "pool_size": "3"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    _every_session_error_under_its_field(page)
    assert "Please fix the highlighted fields." in page
    assert len(upstream.calls) == 0


def test_new_tracker_errors_are_shown(tenant_a, upstream):
    connect(tenant_a)
    response = tenant_a.admin_client.post(
        "/callrail/trackers/new/",
        {"type": "session", "name": "W", "destination_number": "+14125551234", "pool_size": "3"},
    )
    assert response.status_code == 400
    assert "Pool size must be at least 5 for session trackers" in response.content.decode()
    assert len(upstream.calls) == 0


def test_callrail_failures_show_on_the_page(tenant_a, upstream):
    connect(tenant_a)
    upstream.get(f"{API}/a/{ACC}/trackers.json", status=500, json={"error": "Internal error"})
    response = tenant_a.admin_client.get("/callrail/trackers/")
    assert response.status_code == 502
    assert "CallRail could not answer: Internal error" in response.content.decode()
    assert len(upstream.calls) == 1  # a page never waits on retries


def test_pages_without_a_key_say_so(tenant_a):
    assert "API key not found" in tenant_a.admin_client.get("/callrail/trackers/").content.decode()


def test_tracker_picker_greys_out_numbers_in_use(tenant_a, upstream):
    connect(tenant_a)
    used = make_campaign(
        tenant_a, campaign_name="Roof calls", integration="callrail", tracking_number="+14155550134"
    )
    upstream.get(
        f"{API}/a/{ACC}/trackers.json",
        json=page(
            "trackers",
            [
                tracker_record(id="TRK1"),
                tracker_record(id="TRK2", name="Signs", tracking_numbers=["+14155550135"]),
            ],
        ),
    )
    content = tenant_a.member_client.get("/callrail/tracker-picker/").content.decode()
    assert 'data-value="+14155550134" disabled title="Used by another campaign"' in content
    assert 'data-value="+14155550135">' in content
    admin_view = tenant_a.admin_client.get("/callrail/tracker-picker/").content.decode()
    assert "Used by Roof calls" in admin_view
    own = tenant_a.admin_client.get(
        f"/callrail/tracker-picker/?campaign={used.pk}"
    ).content.decode()
    assert 'data-value="+14155550134">' in own


def test_campaign_form_loads_the_callrail_picker(tenant_a):
    content = tenant_a.admin_client.get("/campaigns/new/?integration=callrail").content.decode()
    assert 'hx-get="/callrail/tracker-picker/"' in content


def test_the_api_key_is_typed_into_a_password_input(tenant_a):
    content = tenant_a.admin_client.get("/callrail/").content.decode()
    assert 'type="password" name="api_key"' in content


def test_a_callrail_that_cannot_answer_leaves_the_key_unsaved(tenant_a, upstream):
    upstream.get(f"{API}/a.json", status=503, json={"error": "Maintenance"})
    response = tenant_a.admin_client.post("/callrail/key/", {"api_key": "key-abcd"})
    assert response.status_code == 400
    assert "Could not check the key with CallRail" in response.content.decode()
    assert len(upstream.calls) == 1
    assert not CallRailKey.objects.exists()


class TestConnectAgain:
    """CallRail answers 422 "Url has already been taken" for a second webhook on our URL."""

    def _taken(self, upstream):
        upstream.post(
            f"{API}/a/{ACC}/companies/{COM}/webhooks.json",
            status=422,
            json={"error": "Url has already been taken"},
        )

    def test_an_existing_webhook_for_our_url_counts_as_connected(self, tenant_a, upstream):
        chosen = connect(tenant_a)
        chosen.signing_key = "kept-key"
        chosen.save()
        ours = f"http://testserver/webhooks/callrail/{chosen.webhook_token}/"
        self._taken(upstream)
        upstream.get(
            f"{API}/a/{ACC}/companies/{COM}/webhooks.json",
            json=page(
                "webhooks",
                [
                    {"id": "WHK1", "url": "https://elsewhere.test/hook", "status": "enabled"},
                    {"id": "WHK2", "url": ours, "status": "enabled"},
                ],
            ),
        )
        response = tenant_a.admin_client.post("/callrail/webhook/", follow=True)
        content = response.content.decode()
        assert "Webhook connected" in content and "already been taken" not in content
        chosen.refresh_from_db()
        assert (chosen.webhook_id, chosen.signing_key) == ("WHK2", "kept-key")

    def test_a_disabled_webhook_for_our_url_is_enabled_again(self, tenant_a, upstream):
        chosen = connect(tenant_a)
        ours = f"http://testserver/webhooks/callrail/{chosen.webhook_token}/"
        self._taken(upstream)
        upstream.get(
            f"{API}/a/{ACC}/companies/{COM}/webhooks.json",
            json=page("webhooks", [{"id": "WHK2", "url": ours, "status": "disabled"}]),
        )
        upstream.put(
            f"{API}/a/{ACC}/companies/{COM}/webhooks/WHK2.json",
            json={"id": "WHK2", "url": ours, "status": "enabled"},
        )
        tenant_a.admin_client.post("/callrail/webhook/")
        assert json.loads(upstream.calls[-1].request.body) == {"status": "enabled"}
        chosen.refresh_from_db()
        assert chosen.webhook_id == "WHK2"

    def test_callrails_refusal_stands_when_no_webhook_has_our_url(self, tenant_a, upstream):
        chosen = connect(tenant_a)
        self._taken(upstream)
        upstream.get(f"{API}/a/{ACC}/companies/{COM}/webhooks.json", json=page("webhooks", []))
        response = tenant_a.admin_client.post("/callrail/webhook/", follow=True)
        assert "Url has already been taken" in response.content.decode()
        chosen.refresh_from_db()
        assert chosen.webhook_id == ""


def test_edit_page_of_a_source_tracker_has_no_pool_inputs(tenant_a, upstream):
    connect(tenant_a)
    upstream.get(f"{API}/a/{ACC}/trackers/TRK1.json", json=tracker_record(id="TRK1"))
    content = tenant_a.admin_client.get("/callrail/trackers/TRK1/edit/").content.decode()
    assert 'name="pool_size"' not in content and 'name="swap_targets"' not in content


def test_new_tracker_page_groups_the_session_fields_in_a_fieldset_shown_for_sessions(tenant_a):
    # The browser test checks that the page hides and disables it for source trackers.
    connect(tenant_a)
    content = tenant_a.admin_client.get("/callrail/trackers/new/").content.decode()
    fieldset = content.index('<fieldset class="stack group" data-show-when="type:session">')
    assert fieldset < content.index('name="pool_size"') < content.index("</fieldset>", fieldset)


def test_a_new_tracker_page_sent_twice_buys_one_number(tenant_a, upstream):
    """Back then Create again on the new-tracker page leads to the tracker it created; CallRail
    is asked once (a second tracker would be a second number paid for)."""
    connect(tenant_a)
    upstream.post(f"{API}/a/{ACC}/trackers.json", status=201, json=tracker_record(id="TRK2"))
    page = tenant_a.admin_client.get("/callrail/trackers/new/").content.decode()
    sent = {
        "type": "source",
        "name": "Google Ads",
        "destination_number": "(412) 555-1234",
        "source": "all",
        "submission_id": hidden_values(page)["submission_id"],
    }
    first = tenant_a.admin_client.post("/callrail/trackers/new/?send", sent)
    again = tenant_a.admin_client.post("/callrail/trackers/new/?send", sent)
    assert first.status_code == again.status_code == 302
    assert first["Location"] == "/callrail/trackers/"
    assert again["Location"] == "/callrail/trackers/TRK2/edit/"
    said = [str(m) for m in get_messages(first.wsgi_request)]
    assert said == ["Tracker “Google Ads” created: (415) 555-0134."]
    assert len([call for call in upstream.calls if call.request.method == "POST"]) == 1


def test_an_edit_error_shows_under_its_field(tenant_a, upstream):
    connect(tenant_a)
    upstream.get(f"{API}/a/{ACC}/trackers/TRK1.json", json=tracker_record(id="TRK1"))
    response = tenant_a.admin_client.post(
        "/callrail/trackers/TRK1/edit/", {"name": "", "whisper_message": "w" * 501}
    )
    assert response.status_code == 400
    page = response.content.decode()
    under_name = page.split('id="id_name"', 1)[1].split("</div>", 1)[0]
    assert '<small class="error">Tracker name is required.</small>' in under_name
    under_whisper = page.split('id="id_whisper_message"', 1)[1].split("</div>", 1)[0]
    assert "at most 500 characters" in under_whisper
    assert not [call for call in upstream.calls if call.request.method == "PUT"]


def test_a_member_is_not_offered_to_change_the_callrail_account_or_company(tenant_a):
    connect(tenant_a)
    member_page = tenant_a.member_client.get("/callrail/").content.decode()
    admin_page = tenant_a.admin_client.get("/callrail/").content.decode()
    for address in ("/callrail/accounts/", "/callrail/companies/"):
        link = f'<a href="{address}">change</a>'
        assert link in admin_page and link not in member_page


def test_every_edit_error_of_a_session_tracker_shows_at_once(tenant_a, upstream):
    connect(tenant_a)
    session = tracker_record(id="TRK9", type="session", pool_size=6)
    upstream.get(f"{API}/a/{ACC}/trackers/TRK9.json", json=session)
    response = tenant_a.admin_client.post(
        "/callrail/trackers/TRK9/edit/",
        {"name": "", "destination_number": "", "pool_size": "2", "swap_targets": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    _every_session_error_under_its_field(page)
    assert not [call for call in upstream.calls if call.request.method == "PUT"]


def test_an_area_code_says_what_it_is(tenant_a, upstream):
    connect(tenant_a)
    response = tenant_a.admin_client.post(
        "/callrail/trackers/new/",
        {
            "type": "source",
            "name": "Mailer",
            "destination_number": "+14155550100",
            "area_code": "123",
        },
    )
    assert "An area code is 3 digits and does not start with 0 or 1." in response.content.decode()


def picker_item(html, number):
    """The picker's list item of the tracker whose button fills `number`."""
    at = html.index(f'data-value="{number}"')
    return html[html.rfind("<li>", 0, at) : html.index("</li>", at)]


def test_the_tracker_picker_marks_the_number_the_campaign_has(tenant_a, upstream):
    connect(tenant_a)
    campaign = make_campaign(
        tenant_a, campaign_name="Roof calls", integration="callrail", tracking_number="+14155550135"
    )
    upstream.get(
        f"{API}/a/{ACC}/trackers.json",
        json=page(
            "trackers",
            [
                tracker_record(id="TRK1"),
                tracker_record(id="TRK2", name="Signs", tracking_numbers=["+14155550135"]),
            ],
        ),
    )
    # The form sends its number as typed: any dialable format finds the tracker.
    html = tenant_a.admin_client.get(
        "/callrail/tracker-picker/",
        {"campaign": campaign.pk, "tracking_number": "(415) 555-0135"},
    ).content.decode()
    chosen, other = picker_item(html, "+14155550135"), picker_item(html, "+14155550134")
    assert 'aria-pressed="true"' in chosen and ">chosen</span>" in chosen
    assert "data-current-badge>" in chosen  # shown, not hidden
    assert 'aria-pressed="false"' in other and "data-current-badge hidden" in other
    # A new campaign, with no number yet: nothing is current.
    html = tenant_a.admin_client.get("/callrail/tracker-picker/").content.decode()
    assert 'aria-pressed="true"' not in html


def test_the_campaign_form_sends_its_number_to_the_picker(tenant_a):
    content = tenant_a.admin_client.get("/campaigns/new/?integration=callrail").content.decode()
    assert 'hx-include="#id_tracking_number"' in content


def test_the_account_and_company_lists_mark_the_current_choice(tenant_a, upstream):
    connect(tenant_a)
    upstream.get(
        f"{API}/a.json",
        json=page("accounts", [{"id": "ACCother", "name": "Other"}, {"id": ACC, "name": "Acme"}]),
    )
    upstream.get(
        f"{API}/a/{ACC}/companies.json",
        json=page(
            "companies",
            [
                {"id": "COMother", "name": "Other Roofing", "status": "active"},
                {"id": COM, "name": "Demo Roofing", "status": "active"},
            ],
        ),
    )
    for address, current, other, button in [
        ("/callrail/accounts/", "Acme", "Other", "Work in this account"),
        ("/callrail/companies/", "Demo Roofing", "Other Roofing", "Work with this company"),
    ]:
        html = tenant_a.admin_client.get(address).content.decode()
        rows = {
            re.search(r"<td data-label=\"Name\">([^<]+)", row).group(1).strip(): row
            for row in re.findall(r"<tr.*?</tr>", html, re.S)[1:]
        }
        assert 'aria-current="true"' in rows[current]
        assert '<span class="badge ok">current</span>' in rows[current]
        assert button not in rows[current]
        assert "aria-current" not in rows[other] and button in rows[other]


def test_each_tracker_s_edit_and_disable_name_the_tracker(tenant_a, upstream):
    connect(tenant_a)
    trackers = [tracker_record(id="TRK1"), tracker_record(id="TRK2", name="Website")]
    upstream.get(f"{API}/a/{ACC}/trackers.json", json=page("trackers", trackers))
    html = tenant_a.admin_client.get("/callrail/trackers/").content.decode()
    # Named for what they act on, told apart in a screen reader's list of controls.
    assert re.findall(r'aria-label="([^"]*)">Edit</a>', html) == ["Edit Google Ads", "Edit Website"]
    assert re.findall(r'aria-label="([^"]*)">Disable</button>', html) == [
        "Disable Google Ads",
        "Disable Website",
    ]
