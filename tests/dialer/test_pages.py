"""The dialer pages as people use them: what an upload shows, where buttons lead back to,
what the dialer's failures say, what a member sees, and which changes redraw other pages."""

import pytest

from dialer import live_updates, services
from dialer.models import LeadListUpload, PendingAction
from tests.dialer.conftest import (
    API,
    csv_file,
    give_extension,
    make_agent,
    make_campaign,
    notify,
)

pytestmark = pytest.mark.django_db


def _upload(tenant, campaign, file, capture):
    with capture(execute=True):
        return tenant.admin_client.post(
            f"/dialer/campaigns/{campaign.ref}/leads/", {"file": file}, follow=True
        )


def test_an_upload_shows_its_refused_rows_and_says_what_happened(
    tenant_a, connected, upstream, django_capture_on_commit_callbacks
):
    campaign = make_campaign(tenant_a)
    upstream.post(f"{API}/campaigns/{campaign.ref}/contacts", status=201, json={"accepted": 2})
    rows = ["+14155550100,Ada,L,", "not a phone,Bad,Row,", "+14155550101,Bo,K,"]
    page = _upload(
        tenant_a, campaign, csv_file(rows), django_capture_on_commit_callbacks
    ).content.decode()
    assert "leads.csv: 2 contacts going to the dialer; 1 row refused (see below)." in page
    errors = page.split('id="dialer-upload-errors"')[1].split("</table>")[0]
    assert "<td>3</td><td>phone</td>" in errors
    assert "is not a valid phone number" in errors


def test_a_file_with_a_header_and_no_rows_is_refused_and_kept_nowhere(
    tenant_a, connected, upstream, django_capture_on_commit_callbacks
):
    campaign = make_campaign(tenant_a)
    response = _upload(tenant_a, campaign, csv_file([]), django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert "no rows under it" in response.content.decode()
    assert not LeadListUpload.objects.exists()
    assert len(upstream.calls) == 0


def test_an_upload_without_valid_rows_says_nothing_was_sent(
    tenant_a, connected, upstream, django_capture_on_commit_callbacks
):
    campaign = make_campaign(tenant_a)
    page = _upload(
        tenant_a, campaign, csv_file(["nope,A,B,"]), django_capture_on_commit_callbacks
    ).content.decode()
    assert "leads.csv: no valid rows; 1 row refused (see below)." in page
    assert "No valid rows, so nothing was sent to the dialer." in page
    assert "<progress" not in page.split('id="dialer-upload-')[1]


@pytest.mark.parametrize(
    ("referer", "lands_on"),
    [("http://testserver/dialer/", "/dialer/"), ("", "/dialer/campaigns/{ref}/")],
)
def test_start_on_the_overview_comes_back_to_the_overview(
    tenant_a, connected, upstream, referer, lands_on
):
    campaign = make_campaign(tenant_a)
    upstream.put(f"{API}/campaigns/{campaign.ref}", status=202)
    headers = {"HTTP_REFERER": referer} if referer else {}
    response = tenant_a.admin_client.post(f"/dialer/campaigns/{campaign.ref}/start/", **headers)
    assert response["Location"] == lands_on.format(ref=campaign.ref)


def test_a_referer_elsewhere_does_not_steer_the_redirect(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a)
    upstream.put(f"{API}/campaigns/{campaign.ref}", status=202)
    response = tenant_a.admin_client.post(
        f"/dialer/campaigns/{campaign.ref}/stop/", HTTP_REFERER="https://evil.example/dialer/"
    )
    assert response["Location"] == f"/dialer/campaigns/{campaign.ref}/"


def test_a_campaign_the_dialer_lost_says_so_on_start(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a)
    upstream.put(f"{API}/campaigns/{campaign.ref}", status=404, json={"error": "no such"})
    page = tenant_a.admin_client.post(
        f"/dialer/campaigns/{campaign.ref}/start/", follow=True
    ).content.decode()
    assert "it is missing upstream. Remove it here." in page
    campaign.refresh_from_db()
    assert campaign.pending_action == PendingAction.NONE


@pytest.mark.parametrize(
    ("state", "action", "said"),
    [
        ("stopping", "stop", "Spring renewals is stopping already; nothing changes."),
        ("stopped", "stop", "Spring renewals is stopped already; nothing changes."),
        ("started", "start", "Spring renewals is started already; nothing changes."),
        ("stopped", "start", "Start requested; the dialer will report when it has started."),
        ("started", "stop", "Stop requested; the dialer will report when it has stopped."),
    ],
)
def test_start_and_stop_say_whether_a_report_is_awaited(
    tenant_a, connected, upstream, state, action, said
):
    campaign = make_campaign(tenant_a, name="Spring renewals", state=state)
    upstream.put(f"{API}/campaigns/{campaign.ref}", status=202)
    page = tenant_a.admin_client.post(
        f"/dialer/campaigns/{campaign.ref}/{action}/", follow=True
    ).content.decode()
    assert said in page


@pytest.mark.parametrize(
    ("state", "action", "reported", "said"),
    [
        ("stopped", "start", "started", "Start requested; the dialer will report"),
        ("started", "stop", "stopped", "Stop requested; the dialer will report"),
    ],
)
def test_the_request_awaiting_the_dialer_is_said_only_until_it_reports(
    tenant_a, connected, upstream, state, action, reported, said
):
    campaign = make_campaign(tenant_a, name="Spring renewals", state=state)
    upstream.put(f"{API}/campaigns/{campaign.ref}", status=202)
    tenant_a.admin_client.post(f"/dialer/campaigns/{campaign.ref}/{action}/")
    page = tenant_a.admin_client.get(f"/dialer/campaigns/{campaign.ref}/").content.decode()
    assert said in page.split(f'id="dialer-pending-{campaign.pk}"')[1].split("</div>")[0]

    tenant_a.admin_client.post(f"/dialer/campaigns/{campaign.ref}/{action}/")
    notify(tenant_a.account, "status", status=reported, ref=campaign.ref)
    page = tenant_a.admin_client.get(f"/dialer/campaigns/{campaign.ref}/").content.decode()
    assert said not in page


def test_a_wrong_api_address_is_named_when_the_list_is_404(tenant_a, connected, upstream):
    upstream.get(f"{API}/campaigns", status=404)
    page = tenant_a.admin_client.get("/dialer/").content.decode()
    assert "The dialer has no campaigns at this address" in page


def test_the_overview_buttons_keep_edit_out_of_the_live_controls(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a)
    upstream.get(f"{API}/campaigns", json=[])
    page = tenant_a.admin_client.get("/dialer/").content.decode()
    controls = page.split(f'id="dialer-controls-{campaign.pk}"')[1].split("</div>")[0]
    assert ">Start<" in controls and ">Edit<" not in controls
    assert f'href="/dialer/campaigns/{campaign.ref}/">Edit</a>' in page


def test_a_member_sees_their_extension_on_the_overview(tenant_a, connected, upstream):
    upstream.get(f"{API}/campaigns", json=[])
    page = tenant_a.member_client.get("/dialer/").content.decode()
    assert "You have no extension in this account yet" in page
    give_extension(tenant_a.account, tenant_a.member, "101")
    page = tenant_a.member_client.get("/dialer/").content.decode()
    assert "Your extension in this account is <strong>101</strong>." in page


def test_the_api_key_is_typed_into_a_password_field(tenant_a):
    page = tenant_a.admin_client.get("/dialer/connection/").content.decode()
    assert 'type="password" name="api_key"' in page


def test_a_start_request_redraws_the_campaign_for_others_watching(
    tenant_a, connected, upstream, live_events, django_capture_on_commit_callbacks
):
    campaign = make_campaign(tenant_a)
    make_agent(campaign, tenant_a.member, "101")
    upstream.put(f"{API}/campaigns/{campaign.ref}", status=202)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_start(campaign=campaign)
    (frame,) = live_events.to(tenant_a.account, tenant_a.member, live_updates.CAMPAIGN_EVENT)
    assert 'data-pending="start_requested"' in frame["html"]


def test_settings_and_agent_changes_redraw_the_campaign(
    tenant_a, connected, upstream, live_events, django_capture_on_commit_callbacks
):
    campaign = make_campaign(tenant_a)
    give_extension(tenant_a.account, tenant_a.member, "101")
    upstream.put(f"{API}/campaigns/{campaign.ref}", status=202)
    upstream.put(f"{API}/campaigns/{campaign.ref}/agents/101", status=200)
    with django_capture_on_commit_callbacks(execute=True):
        services.apply_settings(campaign=campaign, max_attempts=5)
        services.add_agent(campaign=campaign, user=tenant_a.member)
    frames = live_events.to(tenant_a.account, tenant_a.admin, live_updates.CAMPAIGN_EVENT)
    assert len(frames) == 2
    assert "Acme Agency Member" in frames[-1]["html"]


def test_the_pages_catch_up_when_their_live_connection_opens(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a)
    upstream.get(f"{API}/campaigns", json=[])
    overview = tenant_a.admin_client.get("/dialer/").content.decode()
    page = tenant_a.admin_client.get(f"/dialer/campaigns/{campaign.ref}/").content.decode()
    assert 'hx-get="/dialer/live/" hx-trigger="htmx:wsOpen from:body"' in overview
    assert f'hx-get="/dialer/campaigns/{campaign.ref}/live/"' in page
    # A notification arrived after the pages were drawn: the catch-up shows it.
    type(campaign).objects.filter(pk=campaign.pk).update(state="started")
    fragments = tenant_a.admin_client.get("/dialer/live/").content.decode()
    assert f'id="dialer-state-{campaign.pk}" class="dialer-state" hx-swap-oob="true"' in fragments
    assert 'data-state="started"' in fragments
    assert f'id="dialer-controls-{campaign.pk}"' in fragments
    assert "dialer-board-" not in fragments
    fragments = tenant_a.admin_client.get(f"/dialer/campaigns/{campaign.ref}/live/")
    html = fragments.content.decode()
    assert 'data-state="started"' in html
    assert f'id="dialer-board-{campaign.pk}"' in html
    assert f'id="dialer-outcomes-{campaign.pk}"' in html


def test_the_catch_up_shows_uploads_and_a_member_gets_no_buttons(tenant_a, connected):
    campaign = make_campaign(tenant_a)
    make_agent(campaign, tenant_a.member, "101")
    upload = LeadListUpload.objects.create(
        account=tenant_a.account,
        campaign=campaign,
        original_name="x.csv",
        rows_valid=10,
        contacts_sent=5,
        status="failed",
    )
    html = tenant_a.member_client.get(
        f"/dialer/campaigns/{campaign.ref}/live/?upload={upload.pk}"
    ).content.decode()
    assert f'id="dialer-upload-{upload.pk}"' in html and "5 of 10 contacts sent" in html
    assert "dialer-controls-" not in html and "Resume sending" not in html
    overview = tenant_a.member_client.get("/dialer/live/").content.decode()
    assert f'id="dialer-state-{campaign.pk}"' in overview
    assert "dialer-controls-" not in overview


def test_the_catch_up_leaves_out_campaigns_a_member_is_no_agent_of(tenant_a, connected):
    campaign = make_campaign(tenant_a)
    assert (
        f"dialer-state-{campaign.pk}"
        not in tenant_a.member_client.get("/dialer/live/").content.decode()
    )
    response = tenant_a.member_client.get(f"/dialer/campaigns/{campaign.ref}/live/")
    assert response.status_code == 404


def test_with_nobody_left_to_add_the_agents_card_says_how_to_add_more(tenant_a, connected):
    campaign = make_campaign(tenant_a)
    make_agent(campaign, tenant_a.member, "101")
    page = tenant_a.admin_client.get(f"/dialer/campaigns/{campaign.ref}/").content.decode()
    assert "Every member with a dialer extension is an agent here already." in page
    assert ">Add agent<" not in page


def test_an_upload_names_the_columns_it_did_not_use(
    tenant_a, connected, upstream, django_capture_on_commit_callbacks
):
    campaign = make_campaign(tenant_a)
    upstream.post(f"{API}/campaigns/{campaign.ref}/contacts", status=201, json={"accepted": 1})
    file = csv_file(["+14155550100,Ada Lovelace,Acme"], header="Phone,Full Name,Company")
    page = _upload(tenant_a, campaign, file, django_capture_on_commit_callbacks).content.decode()
    shown = page.split("data-upload-warnings>")[1].split("</ul>")[0]
    assert shown == (
        "<li>Column &quot;Company&quot; was not used for the contacts here (phone, first name, "
        "last name, name, email): its values go to the dialer only, as extra data with each "
        "contact.</li>"
    )
    assert "Full Name" not in shown


def test_an_upload_to_a_completed_campaign_redraws_its_buttons_with_start(
    tenant_a, connected, upstream, live_events, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.utils import timezone

    campaign = make_campaign(
        tenant_a, state="completed", state_changed_at=timezone.now() - timedelta(hours=1)
    )
    upstream.post(f"{API}/campaigns/{campaign.ref}/contacts", status=201, json={"accepted": 1})
    _upload(
        tenant_a, campaign, csv_file(["+14155550100,Ada,L,"]), django_capture_on_commit_callbacks
    )
    (frame,) = live_events.to(tenant_a.account, tenant_a.admin, live_updates.CAMPAIGN_EVENT)
    controls = frame["html"].split(f'id="dialer-controls-{campaign.pk}"')[1]
    assert ">Start</button>" in controls
    assert ">Stop</button>" not in controls


def _nothing_dialled(html, campaign):
    """The opening tag and text of the campaign's "nothing is dialled" warning in `html`."""
    return html.split(f'id="dialer-nothing-dialled-{campaign.pk}"')[1].split("</div>")[0]


@pytest.mark.parametrize(
    ("state", "pending", "shown"),
    [
        ("started", "", True),
        ("stopped", "start_requested", True),
        ("stopped", "", False),
        ("completed", "", False),
        ("started", "stop_requested", False),
        ("started", "removing", False),
    ],
)
def test_a_running_campaign_without_agents_says_nothing_is_dialled_and_links_to_adding_one(
    tenant_a, connected, state, pending, shown
):
    campaign = make_campaign(tenant_a, state=state, pending_action=pending)
    page = tenant_a.admin_client.get(f"/dialer/campaigns/{campaign.ref}/").content.decode()
    warning = _nothing_dialled(page, campaign)
    assert (" hidden" not in warning.split(">")[0]) is shown
    if shown:
        assert "This campaign has no agents, so nothing is dialled" in warning
        assert '<a href="#dialer-agents">Add an agent</a>' in warning
        assert 'href="/dialer/extensions/"' in warning
        assert 'id="dialer-agents"' in page
    else:
        assert "nothing is dialled" not in warning


@pytest.mark.parametrize(
    ("statuses", "shown"),
    [
        (["", ""], True),
        (["offline", "logging_in"], True),
        (["offline", "available"], False),
        (["busy", "offline"], False),
        (["wrapup"], False),
    ],
)
def test_a_started_campaign_with_no_agent_available_says_nothing_is_dialled(
    tenant_a, connected, statuses, shown
):
    campaign = make_campaign(tenant_a, state="started")
    for extension, status in zip(["101", "102"], statuses, strict=False):
        user = tenant_a.member if extension == "101" else tenant_a.admin
        make_agent(campaign, user, extension, status=status)
    for client in (tenant_a.admin_client, tenant_a.member_client):
        page = client.get(f"/dialer/campaigns/{campaign.ref}/").content.decode()
        warning = _nothing_dialled(page, campaign)
        assert (" hidden" not in warning.split(">")[0]) is shown
        if shown:
            assert "No agent is available, so nothing is dialled" in warning
            assert "makes themselves available in the dialer" in warning
            assert "sandbox" not in warning


def test_start_asks_first_when_the_campaign_has_no_agents(tenant_a, connected, upstream):
    campaign = make_campaign(tenant_a)
    upstream.get(f"{API}/campaigns", json=[])
    for url in (f"/dialer/campaigns/{campaign.ref}/", "/dialer/", "/dialer/live/"):
        html = tenant_a.admin_client.get(url).content.decode()
        controls = html.split(f'id="dialer-controls-{campaign.pk}"')[1].split("</div>")[0]
        assert "data-no-agents" in controls, url
        assert "Spring renewals has no agents, so once started nothing is dialled" in controls

    make_agent(campaign, tenant_a.member, "101")
    for url in (f"/dialer/campaigns/{campaign.ref}/", "/dialer/", "/dialer/live/"):
        html = tenant_a.admin_client.get(url).content.decode()
        controls = html.split(f'id="dialer-controls-{campaign.pk}"')[1].split("</div>")[0]
        assert "data-no-agents" not in controls and "has no agents" not in controls, url
