"""The dialer in the browser, against the sandbox dialer and its asynchronous notifications:
upload a lead list, start and see "started" arrive live, stop, remove; and every dialer form
submitted as people do: the connection (a wrong key first), a new campaign (an error first),
settings Apply, adding an agent, and a member's extension."""

import re

import requests
from django.conf import settings
from playwright.sync_api import expect

from campaignhub.models import Role
from dialer import services
from dialer.demo import DEMO_CSV
from dialer.models import AgentExtension, DialerCampaign, DialerConnection
from tests.e2e.test_platform import log_in
from tests.factories import make_account, make_member

SANDBOX_KEY = "sandbox-dialer-key"


def _on_dialer(ref):
    """The campaign as the sandbox dialer holds it now."""
    answer = requests.get(
        f"{settings.DIALER_API_BASE}/campaigns/{ref}",
        headers={"Authorization": f"Bearer {SANDBOX_KEY}"},
        timeout=5,
    )
    answer.raise_for_status()
    return answer.json()


def _refs_on_dialer():
    """The refs of every campaign the sandbox dialer holds now."""
    answer = requests.get(
        f"{settings.DIALER_API_BASE}/campaigns",
        headers={"Authorization": f"Bearer {SANDBOX_KEY}"},
        timeout=5,
    )
    answer.raise_for_status()
    return [line["ref"] for line in answer.json()]


def _give_extension(account, user, extension):
    AgentExtension.objects.create(
        account=account, membership=account.memberships.get(user=user), extension=extension
    )


def _campaign(account):
    return services.create_campaign(
        account=account,
        name="Spring renewals",
        aggression="1.5",
        max_attempts=3,
        retry_delay_s=3600,
    )


def _connected_account():
    account = make_account("Acme Agency", "admin@acme.test")
    services.connect(account=account, base_url=settings.DIALER_API_BASE, api_key=SANDBOX_KEY)
    return account


def test_upload_start_live_stop_and_remove(server, page, e2e_sandbox):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get(role=Role.ADMIN).user
    services.connect(account=account, base_url=settings.DIALER_API_BASE, api_key=SANDBOX_KEY)
    campaign = services.create_campaign(
        account=account,
        name="Spring renewals",
        aggression="2.0",
        max_attempts=3,
        retry_delay_s=3600,
    )
    _give_extension(account, admin, "100")
    services.add_agent(campaign=campaign, user=admin)
    page.on("dialog", lambda dialog: dialog.accept())

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/dialer/campaigns/{campaign.ref}/")
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    page.locator("input[type=file]").set_input_files(str(DEMO_CSV))
    page.get_by_role("button", name="Upload").click()
    upload = page.locator(".upload").first
    expect(upload).to_contain_text("230 rows: 227 valid, 3 refused")
    expect(upload).to_contain_text("227 of 227 contacts sent")
    # The page's header counts the campaign's contacts sent, kept up with the upload.
    expect(page.locator(f"#dialer-sent-{campaign.pk}")).to_have_text("227 of 227")
    expect(upload.get_by_role("link", name="download the error report")).to_be_visible()
    refused = page.locator("#dialer-upload-errors")
    expect(refused).to_contain_text("is not a valid phone number")
    expect(refused).to_contain_text("a spreadsheet reformatted (4.155550134E9)")
    expect(page.get_by_text("demo_leads.csv: 227 contacts going to the dialer")).to_be_visible()

    state = page.locator(f"#dialer-state-{campaign.pk}")
    controls = page.locator(f"#dialer-controls-{campaign.pk}")
    pending = page.locator(f"#dialer-pending-{campaign.pk}")
    timing = f"{e2e_sandbox.url}/_sandbox/dialer/timing"
    # The dialer takes a moment to report, so the page shows the request awaiting it first.
    before = requests.post(timing, json={"delay": 1.5}, timeout=5).json()
    start = controls.get_by_role("button", name="Start")
    stop = controls.get_by_role("button", name="Stop")
    # The filled button is the one that changes the state: Start while stopped...
    expect(start).to_have_class(re.compile(r"\bprimary\b"))
    expect(stop).not_to_have_class(re.compile(r"\bprimary\b"))
    try:
        start.click()
        expect(pending).to_have_text("Start requested; the dialer will report when it has started.")
        # The dialer's `started` notification arrives; the page shows it live, and the
        # request it answered is no longer said to be awaited.
        expect(state.locator("[data-state]")).to_have_attribute(
            "data-state", "started", timeout=15000
        )
        expect(pending).to_be_hidden()
        expect(page.get_by_text("Start requested")).to_have_count(0)
        # ...Stop once started (redrawn live), Start then plain and still clickable.
        expect(stop).to_have_class(re.compile(r"\bprimary\b"))
        expect(start).not_to_have_class(re.compile(r"\bprimary\b"))
        expect(start).to_be_enabled()

        # The controls were redrawn live: their forms still post with the page's CSRF token.
        controls.get_by_role("button", name="Stop").click()
        expect(pending).to_have_text("Stop requested; the dialer will report when it has stopped.")
        expect(state.locator("[data-state]")).to_have_attribute(
            "data-state", "stopped", timeout=15000
        )
        expect(pending).to_be_hidden()
        expect(page.get_by_text("Stop requested")).to_have_count(0)
        expect(start).to_have_class(re.compile(r"\bprimary\b"))
        expect(stop).not_to_have_class(re.compile(r"\bprimary\b"))
    finally:
        requests.post(timing, json={"delay": before["delay"]}, timeout=5)

    controls.get_by_role("button", name="Remove").click()
    # A stopped campaign is deleted on the dialer at once; the overview says so.
    expect(page.get_by_text("Campaign Spring renewals was deleted on the dialer.")).to_be_visible()
    assert campaign.ref not in _refs_on_dialer()
    assert DialerCampaign.objects.get(pk=campaign.pk).deleted_at is not None


def test_the_connection_form_shows_a_wrong_key_then_connects(server, page, e2e_sandbox):
    account = make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/dialer/")
    page.get_by_role("link", name="Connect the dialer").click()
    expect(page.get_by_label("Dialer API address")).to_have_value(settings.DIALER_API_BASE)
    page.get_by_label("API key").fill("not-the-dialers-key")
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_text("The dialer did not accept this API key.")).to_be_visible()
    assert not DialerConnection.objects.filter(account=account).exists()

    # The key another account has connected is refused: it would take that one's notifications.
    bolt = make_account("Bolt Media", "admin@bolt.test")
    DialerConnection.objects.create(
        account=bolt, secret=SANDBOX_KEY, last4="-key", base_url=settings.DIALER_API_BASE
    )
    page.get_by_label("API key").fill(SANDBOX_KEY)
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_text("already connected to another CampaignHub account")).to_be_visible()
    assert not DialerConnection.objects.filter(account=account).exists()
    services.disconnect(account=bolt)

    page.get_by_label("API key").fill(SANDBOX_KEY)
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_text("The dialer is connected.")).to_be_visible()
    expect(page.get_by_role("link", name="Add campaign")).to_be_visible()
    connection = DialerConnection.objects.get(account=account, deleted_at__isnull=True)
    assert connection.last4 == SANDBOX_KEY[-4:]
    registered = requests.get(
        f"{settings.DIALER_API_BASE}/webhook",
        headers={"Authorization": f"Bearer {SANDBOX_KEY}"},
        timeout=5,
    ).json()
    assert registered["url"] == services.receiver_url(account)


def test_the_new_campaign_form_shows_an_error_then_creates_it(server, page, e2e_sandbox):
    account = _connected_account()
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/dialer/")
    page.get_by_role("link", name="Add campaign").click()
    page.get_by_label("Name").fill("Autumn renewals")
    page.get_by_label("Aggression").fill("2.5")
    page.get_by_label("Caller id").fill("not a phone")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_text("Enter a valid phone number")).to_be_visible()
    assert not DialerCampaign.objects.filter(account=account).exists()

    page.get_by_label("Caller id").fill("+14155550100")
    page.get_by_label("Default agent state").select_option("available")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_text(re.compile(r"Campaign Autumn renewals created as ch-"))).to_be_visible()
    campaign = DialerCampaign.objects.get(account=account)
    expect(page.get_by_role("heading", name=re.compile("Autumn renewals"))).to_be_visible()
    on_dialer = _on_dialer(campaign.ref)
    assert (on_dialer["name"], on_dialer["settings"]["aggression"]) == ("Autumn renewals", 2.5)
    assert on_dialer["settings"]["caller_id"] == "+14155550100"


def test_back_and_create_again_is_still_one_campaign(server, page, e2e_sandbox):
    """The new-campaign page is sent once: Back then Create again leads to the campaign the
    first send made, and the dialer holds one."""
    account = _connected_account()
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/dialer/campaigns/new/")
    page.get_by_label("Name").fill("Back-button renewals")
    page.get_by_role("button", name="Create campaign").click()
    expect(
        page.get_by_text(re.compile(r"Campaign Back-button renewals created as ch-"))
    ).to_be_visible()
    page.go_back()
    expect(page.get_by_label("Name")).to_have_value("Back-button renewals")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_text("This page was already sent; here is what it created.")).to_be_visible()
    campaign = DialerCampaign.objects.get(account=account)
    expect(page.get_by_role("heading", name=re.compile("Back-button renewals"))).to_be_visible()
    assert page.url.endswith(f"/dialer/campaigns/{campaign.ref}/")
    assert [
        ref for ref in _refs_on_dialer() if _on_dialer(ref)["name"] == "Back-button renewals"
    ] == [campaign.ref]


def test_settings_apply_and_add_agent_reach_the_dialer(server, page, e2e_sandbox):
    account = _connected_account()
    member = make_member(account, "rep@acme.test", name="Riley Rep")
    _give_extension(account, member, "101")
    campaign = _campaign(account)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/dialer/campaigns/{campaign.ref}/")

    slider = page.locator("#id_aggression")
    slider.evaluate(
        "(el) => { el.value = '3.7'; el.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    expect(page.locator("#aggression-value")).to_have_text("3.7")
    page.get_by_label("Max attempts").fill("5")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Settings applied on the dialer.")).to_be_visible()
    expect(page.locator("#aggression-value")).to_have_text("3.7")
    settings_there = _on_dialer(campaign.ref)["settings"]
    assert (settings_there["aggression"], settings_there["max_attempts"]) == (3.7, 5)

    page.get_by_label("Add agent").select_option("101")
    page.get_by_role("button", name="Add agent").click()
    expect(page.get_by_text("Riley Rep (101) added.")).to_be_visible()
    expect(page.locator(f"#dialer-board-{campaign.pk}")).to_contain_text("Riley Rep")
    assert [agent["extension"] for agent in _on_dialer(campaign.ref)["agents"]] == ["101"]


def test_a_new_extension_moves_the_agent_on_the_dialer(server, page, e2e_sandbox):
    account = _connected_account()
    member = make_member(account, "rep@acme.test", name="Riley Rep")
    _give_extension(account, member, "101")
    campaign = _campaign(account)
    services.add_agent(campaign=campaign, user=member)

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/dialer/")
    page.get_by_role("link", name="Extensions").click()
    field = page.get_by_label("Extension of Riley Rep")
    expect(field).to_have_value("101")
    field.fill("202")
    row = page.locator(f"#dialer-extension-{account.memberships.get(user=member).pk}")
    row.get_by_role("button", name="Save").click()
    moved = "Riley Rep's extension is 202; moved in 1 campaign."
    expect(page.get_by_text(moved)).to_be_visible()
    expect(page.get_by_label("Extension of Riley Rep")).to_have_value("202")
    assert [agent["extension"] for agent in _on_dialer(campaign.ref)["agents"]] == ["202"]
    assert campaign.agents.get().extension == "202"


def test_the_overview_follows_a_campaign_live_until_it_is_removed(server, page, e2e_sandbox):
    account = _connected_account()
    campaign = _campaign(account)
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/dialer/")
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    row = page.locator(f"#dialer-campaign-{campaign.pk}")
    row.get_by_role("button", name="Start").click()
    # The buttons of the overview come back to the overview.
    expect(page).to_have_url(f"{server}/dialer/")
    expect(row.locator("[data-state]")).to_have_attribute("data-state", "started", timeout=15000)

    timing = f"{e2e_sandbox.url}/_sandbox/dialer/timing"
    # The dialer takes a while stopping, so the overview shows the row before it goes.
    before = requests.post(timing, json={"stopping_s": 2}, timeout=5).json()
    try:
        row.get_by_role("button", name="Remove").click()
        expect(page.get_by_text("it is deleted once the dialer reports it stopped")).to_be_visible()
        expect(row.locator("[data-pending]")).to_have_attribute("data-pending", "removing")
        # Stopping, then stopped, then deleted on the dialer: the row leaves the table live.
        expect(row).to_have_count(0, timeout=20000)
    finally:
        requests.post(timing, json={"stopping_s": before["stopping_s"]}, timeout=5)
    assert DialerCampaign.objects.get(pk=campaign.pk).deleted_at is not None
    assert campaign.ref not in _refs_on_dialer()


def _lead_list(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text("Phone,Name,Email,Company\n" + "\n".join(rows) + "\n")
    return str(path)


def test_the_buttons_follow_the_state_and_an_upload_names_unused_columns(
    server, page, e2e_sandbox, tmp_path
):
    """A lead list with one name column names its contacts and says which column it did not
    use; the campaign runs to `completed` live, and its buttons follow: Start and Stop go
    (nothing left to call), and come back as Start once another lead list is uploaded."""
    account = _connected_account()
    admin = account.memberships.get(role=Role.ADMIN).user
    campaign = services.create_campaign(
        account=account,
        name="Last call",
        aggression="10.0",
        max_attempts=1,
        retry_delay_s=60,
        default_agent_state="available",
    )
    _give_extension(account, admin, "100")
    services.add_agent(campaign=campaign, user=admin)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/dialer/campaigns/{campaign.ref}/")
    expect(page.locator("#live-status")).to_have_class("live-status connected")

    page.locator("input[type=file]").set_input_files(
        _lead_list(tmp_path, "first.csv", ["4155550181,Jane Q Public,jane@x.test,Acme"])
    )
    page.get_by_role("button", name="Upload").click()
    upload = page.locator(".upload").first
    expect(upload).to_contain_text("1 of 1 contacts sent")
    expect(upload.locator("[data-upload-warnings]")).to_have_text(
        'Column "Company" was not used for the contacts here (phone, first name, last name, '
        "name, email): its values go to the dialer only, as extra data with each contact."
    )
    contact = campaign.contacts.get()
    assert (contact.first_name, contact.last_name) == ("Jane Q", "Public")

    state = page.locator(f"#dialer-state-{campaign.pk}")
    controls = page.locator(f"#dialer-controls-{campaign.pk}")
    controls.get_by_role("button", name="Start").click()
    expect(state.locator("[data-state]")).to_have_attribute("data-state", "started", timeout=15000)
    expect(controls.get_by_role("button", name="Stop")).to_be_visible()
    # Its one contact is dialled once (max 1 attempt): the dialer reports it completed, and
    # the buttons are redrawn with the state.
    expect(state.locator("[data-state]")).to_have_attribute(
        "data-state", "completed", timeout=20000
    )
    expect(controls.get_by_role("button", name="Start")).to_have_count(0)
    expect(controls.get_by_role("button", name="Stop")).to_have_count(0)
    expect(controls.get_by_role("button", name="Remove")).to_be_visible()
    expect(controls).to_contain_text("Nothing left to call: upload another lead list")

    page.locator("input[type=file]").set_input_files(
        _lead_list(tmp_path, "more.csv", ["4155550182,Sam Lee,sam@x.test,Beta"])
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".upload").first).to_contain_text("1 of 1 contacts sent")
    expect(controls.get_by_role("button", name="Start")).to_be_visible()
    expect(controls.get_by_role("button", name="Stop")).to_have_count(0)


def _sandbox_timing(**values):
    """Set (or with nothing, read) the sandbox dialer's timing; answers the timing in force."""
    answer = requests.post(
        settings.DIALER_API_BASE.replace("/dialer", "/_sandbox/dialer/timing"),
        json=values,
        timeout=5,
    )
    answer.raise_for_status()
    return answer.json()


def test_a_call_answered_while_the_inbound_campaign_is_paused_is_held_then_captured(
    server, page, e2e_sandbox, tmp_path
):
    """The agent talks to a callee while the inbound campaign is paused: the dialer page says
    the campaign is paused and the call held (live), and once the campaign is activated the
    call is its lead, given to the agent who took it. The lead list's last, unnamed column goes
    to the dialer with a warning instead of refusing the row."""
    from campaigns import services as campaign_services
    from campaigns.forms import CampaignForm
    from campaigns.models import Lead

    account = _connected_account()
    admin = account.memberships.get(role=Role.ADMIN).user
    riley = make_member(account, "riley@acme.test", name="Riley Rep")
    form = CampaignForm(
        data={
            "campaign_name": "Dialer leads",
            "integration": "dialer",
            "selected_user": [{"id": riley.pk}, {"id": admin.pk}],
        },
        account=account,
    )
    assert form.is_valid(), form.errors
    inbound = campaign_services.create_campaign(
        account=account, owner=admin, data=form.cleaned_data
    )
    campaign_services.update_campaign(campaign=inbound, changes={"status": False})
    campaign = services.create_campaign(
        account=account,
        name="Spring renewals",
        aggression="1.0",
        max_attempts=3,
        retry_delay_s=3600,
        default_agent_state="available",
        inbound_campaign=inbound,
    )
    _give_extension(account, admin, "100")
    services.add_agent(campaign=campaign, user=admin)
    before = _sandbox_timing()
    # No dialing rounds of its own: the one call is the one simulated below.
    _sandbox_timing(dial_interval=3600)
    try:
        log_in(page, server, "admin@acme.test")
        page.goto(f"{server}/dialer/campaigns/{campaign.ref}/")
        expect(page.locator("#live-status")).to_have_class("live-status connected")
        expect(page.locator("#dialer-calls-held-because")).to_contain_text(
            "connected calls are held: “Dialer leads” is paused"
        )
        expect(page.get_by_text("connected calls become leads of")).to_have_count(0)
        expect(page.locator("#id_inbound_campaign option:checked")).to_have_text(
            "Dialer leads (paused: calls are held until it is active)"
        )

        lead_list = tmp_path / "leads.csv"
        lead_list.write_text("Phone,Name,Email,\n4155550181,Jane Q Public,jane@x.test,vip\n")
        page.locator("input[type=file]").set_input_files(str(lead_list))
        page.get_by_role("button", name="Upload").click()
        upload = page.locator(".upload").first
        expect(upload).to_contain_text("1 of 1 contacts sent")
        expect(upload.locator("[data-upload-warnings]")).to_contain_text(
            "Column D has no header, so it was not used for the contacts here"
        )

        state = page.locator(f"#dialer-state-{campaign.pk}")
        page.locator(f"#dialer-controls-{campaign.pk}").get_by_role("button", name="Start").click()
        expect(state.locator("[data-state]")).to_have_attribute(
            "data-state", "started", timeout=15000
        )
        board = page.locator(f"#dialer-board-{campaign.pk}")
        expect(board).to_contain_text("available", timeout=15000)
        answer = requests.post(
            settings.DIALER_API_BASE.replace("/dialer", "/_sandbox/dialer/simulate-cdr"),
            json={"campaign_ref": campaign.ref, "end_reason": "hungup", "extension": "100"},
            timeout=5,
        )
        assert answer.status_code == 202, answer.text

        outcomes = page.locator(f"#dialer-outcomes-{campaign.pk}")
        expect(outcomes.locator("#dialer-held-calls")).to_contain_text(
            "1 connected call held, not lost: “Dialer leads” is paused", timeout=15000
        )
        expect(outcomes.locator(".badge.warn")).to_have_text("held")
        assert not Lead.objects.exists()

        page.goto(f"{server}/campaigns/{inbound.pk}/")
        page.get_by_role("button", name="Activate").click()
        expect(page.get_by_role("button", name="Pause")).to_be_visible()

        page.goto(f"{server}/dialer/campaigns/{campaign.ref}/")
        expect(page.locator("#dialer-held-calls")).to_have_count(0)
        expect(page.get_by_text("connected calls become leads of")).to_be_visible()
        lead = Lead.objects.get()
        assert (lead.campaign_id, lead.name, lead.representative) == (
            inbound.pk,
            "Jane Q Public",
            admin,
        )
        page.goto(f"{server}/leads/{lead.pk}/")
        expect(page.locator("pre.payload")).to_contain_text('"extension": "100"')
    finally:
        _sandbox_timing(**before)


def test_a_lead_list_with_a_quote_never_closed_is_refused_on_the_page_naming_its_row(
    server, page, e2e_sandbox, tmp_path
):
    """The campaign page's upload form refuses a CSV whose quote is never closed, saying which
    row opens it, and keeps nothing; a quote closed lines late refuses its row, naming the
    lines it took, while the rows after it are sent."""
    account = _connected_account()
    campaign = _campaign(account)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/dialer/campaigns/{campaign.ref}/")

    never_closed = tmp_path / "never-closed.csv"
    never_closed.write_bytes(
        b"Phone,Name,Email\r\n"
        b'+14155550711,"Ann ""Annie,ann@x.test\r\n'
        b"+14155550712,Bob Stone,bob@x.test\r\n"
        b"+14155550713,Cy Young,cy@x.test\r\n"
        b"+14155550714,Di Prince,di@x.test\r\n"
        b"+14155550715,Ed Norton,ed@x.test\r\n"
    )
    page.locator("input[type=file]").set_input_files(str(never_closed))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator(".field.has-error .error")).to_have_text(
        "Row 2 opens a quote that is never closed: the rest of the file (lines 2 to 6) would "
        "be read as one value, and the rows on those lines lost. Close the quote (a quote "
        'inside a value is written twice: "") and upload again.'
    )
    assert not campaign.uploads.exists()
    assert not campaign.contacts.exists()

    closed_late = tmp_path / "closed-late.csv"
    closed_late.write_bytes(
        b"Phone,Name,Email\r\n"
        b'+14155550711,"Ann ""Annie,ann@x.test\r\n'
        b"+14155550712,Bob Stone,bob@x.test\r\n"
        b'+14155550713,"Cy" Young,cy@x.test\r\n'
        b"+14155550714,Di Prince,di@x.test\r\n"
    )
    page.locator("input[type=file]").set_input_files(str(closed_late))
    page.get_by_role("button", name="Upload").click()
    upload = page.locator(".upload").first
    expect(upload).to_contain_text("2 rows: 1 valid, 1 refused")
    expect(upload).to_contain_text("1 of 1 contacts sent")
    expect(page.locator("#dialer-upload-errors")).to_contain_text(
        "The name runs over 3 lines of the file: a quote opened in this row is probably "
        "closed only on a later line"
    )
    assert list(campaign.contacts.values_list("number", flat=True)) == ["+14155550714"]


def test_an_upload_refuses_rows_swallowed_by_a_note_and_formulas_without_saved_values(
    server, page, e2e_sandbox, tmp_path
):
    """The campaign page's upload table names the row and column of a note whose quote
    closes rows late (the rows after it are sent), and of a workbook's name formula that no
    spreadsheet app worked out."""
    from openpyxl import Workbook

    account = _connected_account()
    campaign = _campaign(account)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/dialer/campaigns/{campaign.ref}/")

    notes = tmp_path / "notes.csv"
    notes.write_bytes(
        b"Phone,Name,Notes\r\n"
        b"+14155550761,Ann Lee,first call\r\n"
        b'+14155550762,Bob Stone,"call after 5\r\n'
        b"+14155550763,Cy Young,prefers email\r\n"
        b"+14155550764,Di Prince,none\r\n"
        b'+14155550765,Ed Norton,done"\r\n'
        b"+14155550766,Flo Rida,\r\n"
    )
    page.locator("input[type=file]").set_input_files(str(notes))
    page.get_by_role("button", name="Upload").click()
    upload = page.locator(".upload").first
    expect(upload).to_contain_text("3 rows: 2 valid, 1 refused")
    expect(upload).to_contain_text("2 of 2 contacts sent")
    refused = page.locator("#dialer-upload-errors tbody tr")
    expect(refused).to_have_count(1)
    expect(refused.locator("td")).to_have_text(
        [
            "3",
            "Notes",
            re.compile(
                r'^The "Notes" value runs over 4 lines of the file, and a line in it '
                r'\("\+14155550763,Cy Young,prefers email"\) holds 2 commas, as a row of this '
                r"file does"
            ),
        ]
    )
    assert sorted(campaign.contacts.values_list("number", flat=True)) == [
        "+14155550761",
        "+14155550766",
    ]

    workbook = Workbook()
    workbook.active.append(["Phone", "Name"])
    workbook.active.append(["4155550767", '=PROPER("gil scott")'])
    workbook.active.append(["4155550768", "Hal Jordan"])
    formulas = tmp_path / "formulas.xlsx"
    workbook.save(formulas)
    page.locator("input[type=file]").set_input_files(str(formulas))
    page.get_by_role("button", name="Upload").click()
    expect(upload).to_contain_text("2 rows: 1 valid, 1 refused")
    expect(refused.locator("td")).to_have_text(
        [
            "2",
            "full_name",
            'The name cell holds a formula (=PROPER("gil scott")) with no saved value: open '
            "the file in a spreadsheet app and save it, or put the name itself in the cell.",
        ]
    )


def test_an_upload_refuses_a_row_whose_quote_closes_in_the_middle_of_a_value(
    server, page, e2e_sandbox, tmp_path
):
    """`"Ann Lee,"unclosed` is refused on the campaign page naming its row and column, instead
    of sending the name `Ann Lee,unclosed` with the notes empty; the next row is sent."""
    account = _connected_account()
    campaign = _campaign(account)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/dialer/campaigns/{campaign.ref}/")

    glued = tmp_path / "glued.csv"
    glued.write_bytes(
        b'Phone,Name,Notes\r\n(415) 555-4001,"Ann Lee,"unclosed\r\n(415) 555-4002,Bob,ok\r\n'
    )
    page.locator("input[type=file]").set_input_files(str(glued))
    page.get_by_role("button", name="Upload").click()
    upload = page.locator(".upload").first
    expect(upload).to_contain_text("2 rows: 1 valid, 1 refused")
    expect(upload).to_contain_text("1 of 1 contacts sent")
    refused = page.locator("#dialer-upload-errors tbody tr")
    expect(refused.locator("td")).to_have_text(
        [
            "2",
            "full_name",
            re.compile(
                r"^A quote in the name closes in the middle of the value and text follows it "
                r'\(the file has "Ann Lee,"unclosed\)'
            ),
        ]
    )
    assert list(campaign.contacts.values_list("number", flat=True)) == ["+14155554002"]


def test_a_started_campaign_says_live_whether_an_agent_is_available_to_dial_for(
    server, page, e2e_sandbox
):
    """Started with no agents, the campaign page says nothing is dialled and links to adding
    one (Start asked first). With an agent whose default state is offline it says no agent is
    available; making the agent available on the sandbox takes the warning away live, logging
    them out brings it back."""
    account = _connected_account()
    admin = account.memberships.get(role=Role.ADMIN).user
    campaign = _campaign(account)
    # An extension no other test's campaign has: the sandbox keeps an agent active in another
    # started campaign offline here.
    _give_extension(account, admin, "4321")
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/dialer/campaigns/{campaign.ref}/")
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    warning = page.locator(f"#dialer-nothing-dialled-{campaign.pk}")
    state = page.locator(f"#dialer-state-{campaign.pk}")
    expect(warning).to_be_hidden()

    page.locator(f"#dialer-controls-{campaign.pk}").get_by_role("button", name="Start").click()
    expect(state.locator("[data-state]")).to_have_attribute("data-state", "started", timeout=15000)
    assert asked and "Spring renewals has no agents, so once started nothing is dialled" in asked[0]
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("This campaign has no agents, so nothing is dialled")
    warning.get_by_role("link", name="Add an agent").click()
    expect(page).to_have_url(re.compile("#dialer-agents$"))
    page.get_by_role("button", name="Add agent").click()
    expect(page.get_by_text("(4321) added.")).to_be_visible()
    expect(warning).to_contain_text("No agent is available, so nothing is dialled")
    expect(warning).to_contain_text("makes themselves available in the dialer")
    expect(warning).not_to_contain_text("sandbox")

    sandbox = page.context.new_page()
    sandbox.goto(e2e_sandbox.url)
    agent_form = sandbox.locator(
        f"form:has(input[name=campaign_ref][value='{campaign.ref}'])"
        ":has(input[name=extension][value='4321'])"
    )
    agent_form.get_by_role("button", name="Make available").click()
    expect(warning).to_be_hidden(timeout=15000)
    board = page.locator(f"#dialer-board-{campaign.pk}")
    expect(board.locator("[data-agent-status]")).to_have_attribute("data-agent-status", "available")

    # The sandbox page shows the agent as it stood when the click came back: read it again.
    sandbox.reload()
    agent_form.get_by_role("button", name="Log out").click()
    expect(warning).to_be_visible(timeout=15000)
    expect(warning).to_contain_text("No agent is available, so nothing is dialled")
    sandbox.close()
    page.locator(f"#dialer-controls-{campaign.pk}").get_by_role("button", name="Stop").click()
    expect(state.locator("[data-state]")).to_have_attribute("data-state", "stopped", timeout=15000)
    expect(warning).to_be_hidden()
