import json
import re
from types import SimpleNamespace

import requests
from playwright.sync_api import expect

from callrail import client as callrail_client
from callrail import services as callrail_services
from campaignhub import services as platform
from campaignhub.models import Role
from campaigns import services as campaign_services
from campaigns.models import Lead
from notifications.models import Delivery
from tests.callrail.conftest import fixture
from tests.campaigns.factories import make_campaign
from tests.e2e.test_platform import log_in
from tests.factories import make_account


def test_a_simulated_callrail_call_becomes_a_live_lead(server, page, e2e_sandbox):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get(role=Role.ADMIN).user
    platform.update_profile(user=admin, name="Dana Admin", phone="+14155550101")

    log_in(page, server, "admin@acme.test")
    page.get_by_role("link", name="CallRail", exact=True).click()
    page.get_by_label("API key").fill("sandbox-demo-key")
    page.get_by_role("button", name="Connect").click()
    page.get_by_role("button", name="Work in this account").click()
    page.locator("tr", has_text="Demo Roofing").get_by_role(
        "button", name="Work with this company"
    ).click()
    expect(page.get_by_text("swap.js")).to_be_visible()
    page.get_by_role("button", name="Connect webhook").click()
    expect(page.get_by_text("signed deliveries checked")).to_be_visible()

    page.get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name", exact=True).fill("Roof calls")
    page.get_by_label("Lead source").select_option("callrail")
    page.get_by_role("button", name="(415) 555-0135").click()
    expect(page.get_by_label("Tracking number")).to_have_value("+14155550135")
    page.get_by_label("Email only").check()
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", name="Roof calls")).to_be_visible()
    expect(page.locator("#live-status")).to_have_class("live-status connected")

    sandbox_page = page.context.new_page()
    sandbox_page.goto(e2e_sandbox.url)
    row = sandbox_page.locator("tr", has_text="+14155550135")
    row.get_by_label("Caller name").fill("Jordan Miles")
    row.get_by_label("Caller number").fill("+14125550161")
    row.get_by_role("button", name="Simulate call").click()
    expect(sandbox_page.get_by_text("placed")).to_be_visible()

    lead_row = page.locator("tbody tr", has_text="Jordan Miles")
    expect(lead_row).to_be_visible()
    expect(lead_row).to_contain_text("(412) 555-0161")
    expect(lead_row).to_contain_text("Call")

    page.wait_for_timeout(1500)  # the post-call follows a second later and updates the lead
    lead = Lead.objects.get()
    assert lead.payload.get("recording_duration") == 94
    assert list(Delivery.objects.filter(event="lead_arrived").values_list("channel", "status")) == [
        ("email", "sent")
    ]


def _working_in_demo_roofing(account):
    """Connected to the sandbox's CallRail, working in its Demo Roofing company."""
    callrail_services.connect_key(account=account, api_key="sandbox-demo-key")
    client = callrail_services.client_for(account)
    callrail_account = client.accounts().items[0]
    company = next(
        c for c in client.companies(callrail_account["id"]).items if c["name"] == "Demo Roofing"
    )
    callrail_services.choose(
        account=account,
        account_id=callrail_account["id"],
        company_id=company["id"],
        company_name=company["name"],
    )
    return client, callrail_account["id"]


def _row(page, name):
    return page.locator("tbody tr", has_text=name)


def test_editing_and_saving_each_kind_of_tracker(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    client, callrail_account_id = _working_in_demo_roofing(account)
    log_in(page, server, "admin@acme.test")

    # A source tracker: its form has no pool fields to block the save.
    page.goto(f"{server}/callrail/trackers/")
    _row(page, "Yard signs").get_by_role("link", name="Edit").click()
    page.get_by_label("Name", exact=True).fill("Yard signs (spring)")
    page.get_by_label("Whisper message").fill("Call from a yard sign")
    page.get_by_role("button", name="Save tracker").click()
    expect(page.get_by_text("Tracker saved.")).to_be_visible()
    expect(_row(page, "Yard signs (spring)")).to_contain_text("Source")

    # A new tracker: pool fields typed for a session, then Source chosen, are not sent.
    page.get_by_role("link", name="New tracker").click()
    expect(page.get_by_label("Pool size")).to_be_hidden()
    page.get_by_role("radio", name=re.compile(r"^Session:")).check()
    page.get_by_label("Pool size").fill("3")
    page.get_by_role("radio", name=re.compile(r"^Source:")).check()
    expect(page.get_by_label("Pool size")).to_be_hidden()
    page.get_by_label("Name", exact=True).fill("Radio ad")
    page.get_by_label("Forward calls to").fill("+14155550100")
    page.get_by_role("button", name="Create tracker").click()
    expect(page.get_by_text("Tracker “Radio ad” created")).to_be_visible()

    # A session tracker, created then edited: its pool fields are shown and saved. Sent empty
    # first, every missing field says so at once, under itself.
    page.get_by_role("link", name="New tracker").click()
    page.get_by_role("radio", name=re.compile(r"^Session:")).check()
    page.get_by_role("button", name="Create tracker").click()
    for field, message in (
        ("name", "Tracker name is required."),
        ("destination_number", "Destination number is required."),
        ("pool_size", "Pool size must be at least 5 for session trackers"),
        ("swap_targets", "Swap targets are required for session trackers"),
    ):
        under = page.locator(".field.has-error", has=page.locator(f"#id_{field}"))
        expect(under.locator(".error")).to_have_text(message)
    page.get_by_label("Name", exact=True).fill("Website visitors")
    page.get_by_label("Forward calls to").fill("+14155550100")
    page.get_by_label("Pool size").fill("5")
    page.get_by_label("Numbers on the website to swap").fill("+14155550100")
    page.get_by_role("button", name="Create tracker").click()
    expect(_row(page, "Website visitors")).to_contain_text("Session (5)")

    _row(page, "Website visitors").get_by_role("link", name="Edit").click()
    expect(page.get_by_label("Pool size")).to_have_value("5")
    page.get_by_label("Pool size").fill("6")
    page.get_by_label("Name", exact=True).fill("Website visitors (all pages)")
    page.get_by_role("button", name="Save tracker").click()
    expect(page.get_by_text("Tracker saved.")).to_be_visible()
    expect(_row(page, "Website visitors (all pages)")).to_contain_text("Session (6)")

    saved = {
        tracker["name"]: tracker
        for tracker in map(
            callrail_client.tracker_out,
            client.all_trackers(
                callrail_account_id,
                company_id=callrail_services.settings_for(account).company_id,
            ),
        )
    }
    assert saved["Yard signs (spring)"]["whisper_message"] == "Call from a yard sign"
    assert saved["Radio ad"]["type"] == "source" and saved["Radio ad"]["pool_size"] == 1
    assert len(saved["Website visitors (all pages)"]["tracking_numbers"]) == 6


class _Tenant:
    def __init__(self, account):
        self.account = account
        self.admin = account.memberships.get(role=Role.ADMIN).user


def _send_call(server, account, payload, *, sign_with=None):
    """Post a CallRail call to the account's receiver, as CallRail would."""
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if sign_with:
        headers["Signature"] = callrail_client.signature(sign_with, body)
    token = callrail_services.settings_for(account).webhook_token
    return requests.post(
        f"{server}/webhooks/callrail/{token}/", data=body, headers=headers, timeout=5
    )


def test_calls_held_while_a_campaign_was_paused_are_captured_from_its_page(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    _working_in_demo_roofing(account)
    campaign = make_campaign(
        _Tenant(account),
        campaign_name="Roof calls",
        integration="callrail",
        tracking_number="+14155550134",
    )
    campaign_services.update_campaign(campaign=campaign, changes={"status": False})
    assert _send_call(server, account, fixture("pre_call__inbound")).status_code == 200
    unused = {
        **fixture("pre_call__inbound"),
        "resource_id": "CALx",
        "tracking_phone_number": "+14155550199",
    }
    assert _send_call(server, account, unused).status_code == 200

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/callrail/")
    unused_card = page.locator("#unused-numbers")
    expect(unused_card).to_contain_text("1 call to numbers no campaign uses")
    expect(unused_card).to_contain_text("(415) 555-0199")

    page.goto(f"{server}/campaigns/{campaign.pk}/")
    expect(
        page.get_by_text("1 call reached this campaign while it was paused. It is stored")
    ).to_be_visible()
    status = page.locator(f"#campaign-{campaign.pk}-status")
    status.get_by_role("button", name="Activate").click()
    # The page is drawn again: the notice now offers the capture.
    expect(page.locator("#messages")).to_contain_text("Campaign activated.")
    expect(status).to_contain_text("Active")
    page.get_by_role("button", name="Capture it now").click()
    expect(page.get_by_text("Capturing 1 held call;")).to_be_visible()
    expect(page.locator("tbody tr", has_text="Jordan Miles")).to_be_visible()
    assert Lead.objects.get().campaign == campaign


def test_calls_rejected_for_a_wrong_signing_key_are_shown_and_recovered(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    _working_in_demo_roofing(account)
    make_campaign(
        _Tenant(account),
        campaign_name="Roof calls",
        integration="callrail",
        tracking_number="+14155550134",
    )
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/callrail/")
    page.get_by_label("Signing key").fill("pasted-wrong")
    page.get_by_role("button", name="Save signing key").click()
    expect(page.get_by_text("Signing key saved.")).to_be_visible()

    call = fixture("pre_call__inbound")
    assert _send_call(server, account, call, sign_with="company-secret").status_code == 400
    page.reload()
    expect(page.get_by_text("signatures do not match the signing key")).to_be_visible()
    expect(page.locator("#signature-rejections")).to_contain_text(
        "1 delivery since the signing key was saved"
    )
    expect(page.get_by_text("signed deliveries checked")).to_have_count(0)

    page.get_by_label("Signing key").fill("company-secret")
    page.get_by_role("button", name="Replace signing key").click()
    expect(page.get_by_text("1 delivery was rejected for a signature")).to_be_visible()
    expect(page.get_by_text("signed deliveries checked")).to_be_visible()
    page.get_by_role("button", name="Process it again").click()
    expect(page.get_by_text("Processing 1 rejected delivery again.")).to_be_visible()
    expect(page.locator("#rejected-before-key")).to_have_count(0)
    assert Lead.objects.get().external_id == call["resource_id"]

    # An empty field changes nothing; removing takes its own button and a confirmation.
    page.get_by_role("button", name="Replace signing key").click()
    expect(page.get_by_text("The signing key was not changed")).to_be_visible()
    expect(page.get_by_text("signed deliveries checked")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove signing key").click()
    expect(
        page.get_by_text("Signing key removed: deliveries are no longer verified.")
    ).to_be_visible()
    expect(page.get_by_text("no signing key: deliveries are not verified")).to_be_visible()


def test_the_callrail_page_counts_unused_numbers_and_rejections_live(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get(role=Role.ADMIN).user
    _working_in_demo_roofing(account)
    campaign = make_campaign(
        _Tenant(account),
        campaign_name="Roof calls",
        integration="callrail",
        tracking_number="+14155550100",
    )
    token = platform.issue_token(account=account, user=admin, name="e2e").raw
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/callrail/")
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    unused_card = page.locator("#unused-numbers")
    expect(unused_card).to_have_count(0)

    # A call to a number no campaign uses: the card appears without a reload.
    assert _send_call(server, account, fixture("pre_call__inbound")).status_code == 200
    expect(unused_card).to_contain_text("1 call to numbers no campaign uses")
    expect(unused_card).to_contain_text("(415) 555-0134")

    # A campaign takes the number: the card drops it at once, nothing replayed.
    response = page.request.put(
        f"{server}/v1/campaigns/{campaign.pk}",
        headers={"Authorization": f"Bearer {token}"},
        data={"campaigndata": {"tracking_number": "+14155550134"}},
    )
    assert response.status == 200, response.text()
    expect(unused_card).to_have_count(0)

    # A delivery signed with another key: the badge turns and the rejection is counted live.
    page.get_by_label("Signing key").fill("pasted-wrong")
    page.get_by_role("button", name="Save signing key").click()
    expect(page.get_by_text("signed deliveries checked")).to_be_visible()
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    call = {**fixture("pre_call__inbound"), "resource_id": "CALsigned"}
    assert _send_call(server, account, call, sign_with="company-secret").status_code == 400
    expect(page.get_by_text("signatures do not match the signing key")).to_be_visible()
    expect(page.locator("#signature-rejections")).to_contain_text(
        "1 delivery since the signing key was saved"
    )
    expect(page.get_by_text("signed deliveries checked")).to_have_count(0)

    # The right key replaced in a second page: the first follows without a reload.
    other = page.context.new_page()
    other.goto(f"{server}/callrail/")
    other.get_by_label("Signing key").fill("company-secret")
    other.get_by_role("button", name="Replace signing key").click()
    expect(other.get_by_text("Signing key saved.")).to_be_visible()
    expect(page.get_by_text("signatures do not match the signing key")).to_have_count(0)
    expect(page.locator("#signature-rejections")).to_have_count(0)
    expect(page.get_by_text("signed deliveries checked")).to_be_visible()
    page.get_by_role("button", name="Process it again").click()
    expect(page.get_by_text("Processing 1 rejected delivery again.")).to_be_visible()
    expect(page.locator("#rejected-before-key")).to_have_count(0)
    expect(page.locator("#live-status")).to_have_class("live-status connected")

    # Removed in the second page: the first says deliveries are no longer verified.
    other.once("dialog", lambda dialog: dialog.accept())
    other.get_by_role("button", name="Remove signing key").click()
    expect(other.get_by_text("Signing key removed")).to_be_visible()
    expect(page.get_by_text("no signing key: deliveries are not verified")).to_be_visible()


def test_the_current_callrail_choices_are_marked(server, page):
    """The account and company lists mark the ones worked in; the campaign form's number
    picker marks the campaign's number when editing, and follows a pick or a typed number."""
    account = make_account("Acme Agency", "admin@acme.test")
    _working_in_demo_roofing(account)
    admin = account.memberships.get(role=Role.ADMIN).user
    campaign = make_campaign(
        SimpleNamespace(account=account, admin=admin),
        campaign_name="Roof calls",
        integration="callrail",
        tracking_number="+14155550135",
    )
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/callrail/companies/")
    expect(_row(page, "Demo Roofing")).to_contain_text("current")
    expect(_row(page, "Demo Roofing").get_by_role("button")).to_have_count(0)
    page.goto(f"{server}/callrail/accounts/")
    expect(page.locator("tbody tr[aria-current=true]")).to_contain_text("current")

    page.goto(f"{server}/campaigns/{campaign.pk}/edit/")
    chosen = page.get_by_role("button", name="(415) 555-0135")
    expect(chosen).to_have_attribute("aria-pressed", "true")
    expect(page.locator("li", has=chosen).get_by_text("chosen", exact=True)).to_be_visible()
    unpicked = page.locator(".picker-list button[aria-pressed=false]:not([disabled])").first
    other = page.get_by_role("button", name=unpicked.inner_text(), exact=True)
    other.click()
    expect(other).to_have_attribute("aria-pressed", "true")
    expect(chosen).to_have_attribute("aria-pressed", "false")
    expect(page.locator("li", has=chosen).get_by_text("chosen", exact=True)).to_be_hidden()
    page.get_by_label("Tracking number", exact=True).fill("(415) 555-0135")
    page.get_by_label("Tracking number", exact=True).blur()
    expect(chosen).to_have_attribute("aria-pressed", "true")
    expect(other).to_have_attribute("aria-pressed", "false")
