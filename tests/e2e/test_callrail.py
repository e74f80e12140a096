from playwright.sync_api import expect

from campaignhub import services as platform
from campaignhub.models import Role
from campaigns.models import Lead
from notifications.models import Delivery
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
    expect(lead_row).to_contain_text("+14125550161")
    expect(lead_row).to_contain_text("Call")

    page.wait_for_timeout(1500)  # the post-call follows a second later and updates the lead
    lead = Lead.objects.get()
    assert lead.payload.get("recording_duration") == 94
    assert list(Delivery.objects.filter(event="lead_arrived").values_list("channel", "status")) == [
        ("email", "sent")
    ]
