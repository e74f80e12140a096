from playwright.sync_api import expect

from campaignhub import services as platform
from campaignhub.models import Role
from campaigns.models import Campaign
from tests.e2e.test_platform import log_in
from tests.factories import make_account


def test_a_setup_that_cannot_work_is_warned_on_the_form_the_page_and_the_dashboard(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get(role=Role.ADMIN).user
    platform.update_profile(user=admin, name="Dana Admin", phone="")
    platform.add_member(account=account, email="rep@acme.test", role=Role.MEMBER, name="Riley Rep")

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/new/")
    lead_sources = page.get_by_label("Lead source").locator("option").all_inner_texts()
    assert lead_sources == ["CallRail", "Invoca", "Dialer", "Lead form", "Webhook"]

    warnings = page.locator("#setup-warnings")
    page.get_by_label("Name", exact=True).fill("Spring roofing")
    page.get_by_label("Lead source").select_option("webhook")
    page.get_by_label("SMS only").check()
    expect(warnings).to_contain_text(
        "No phone number for SMS alerts: Dana Admin, so their SMS alerts fail and they get no alert"
    )
    page.get_by_label("Custom SMS number for admin@acme.test").fill("(415) 555-0101")
    page.get_by_label("Custom SMS number for admin@acme.test").blur()
    expect(warnings).not_to_contain_text("No phone number for SMS alerts")
    page.get_by_label("Dana Admin").uncheck()
    expect(warnings).to_contain_text("No representatives: leads arrive unassigned")

    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", name="Spring roofing")).to_be_visible()
    campaign = Campaign.objects.get(campaign_name="Spring roofing")
    expect(page.locator("#setup-warnings")).to_contain_text(
        "No representatives: leads arrive unassigned"
    )

    page.goto(f"{server}/")
    panel = page.locator("#attention-panel")
    expect(panel).to_contain_text("Spring roofing: No representatives")
    # Alone in its row, the panel takes the row's whole width, as the campaigns panel does.
    assert panel.bounding_box()["width"] == page.locator(".card.wide").bounding_box()["width"]
    panel.get_by_role("link", name="Spring roofing").click()
    expect(page).to_have_url(f"{server}/campaigns/{campaign.pk}/")

    page.get_by_role("link", name="Edit").click()
    expect(page.locator("#setup-warnings")).to_contain_text("No representatives")
    page.get_by_label("Riley Rep").check()
    expect(page.locator("#setup-warnings")).to_contain_text(
        "No phone number for SMS alerts: Riley Rep"
    )
    expect(page.locator("#setup-warnings")).not_to_contain_text("No representatives")
    page.get_by_label("Email only").check()
    expect(page.locator("#setup-warnings .message")).to_have_count(0)
    page.get_by_role("button", name="Save campaign").click()
    expect(page.get_by_text("Campaign saved.")).to_be_visible()
    expect(page.locator("#setup-warnings .message")).to_have_count(0)
    page.goto(f"{server}/")
    expect(page.locator("#attention-panel")).to_have_count(0)


def test_a_callrail_number_that_is_not_a_tracker_is_warned_about(server, page):
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

    page.goto(f"{server}/campaigns/new/")
    page.get_by_label("Name", exact=True).fill("Roof calls")
    page.get_by_label("Lead source").select_option("callrail")
    picked = page.locator(".picker-list button:not([disabled])").first
    expect(picked).to_be_visible()
    warnings = page.locator("#setup-warnings")
    page.get_by_label("Tracking number").fill("(415) 555-0199")
    page.get_by_label("Tracking number").blur()
    expect(warnings).to_contain_text(
        "(415) 555-0199 is not one of the active trackers of the CallRail company Demo Roofing"
    )
    picked.click()
    expect(warnings.locator(".message")).to_have_count(0)

    page.get_by_label("Tracking number").fill("(415) 555-0199")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", name="Roof calls")).to_be_visible()
    expect(page.locator("#setup-warnings")).to_contain_text("is not one of the active trackers")
    page.goto(f"{server}/")
    expect(page.locator("#attention-panel")).to_contain_text(
        "Roof calls: Tracking number is not a CallRail tracker"
    )
