"""The dialer in the browser, against the sandbox dialer and its asynchronous notifications:
upload a lead list, start and see "started" arrive live, stop, remove."""

import requests
from django.conf import settings
from playwright.sync_api import expect

from campaignhub.models import Role
from dialer import services
from dialer.demo import DEMO_CSV
from dialer.models import DialerCampaign
from tests.e2e.test_platform import log_in
from tests.factories import make_account

SANDBOX_KEY = "sandbox-dialer-key"


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
    admin.dialer_extension = "100"
    admin.save()
    services.add_agent(campaign=campaign, user=admin)
    page.on("dialog", lambda dialog: dialog.accept())

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/dialer/campaigns/{campaign.ref}/")
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    page.locator("input[type=file]").set_input_files(str(DEMO_CSV))
    page.get_by_role("button", name="Upload").click()
    upload = page.locator(".upload").first
    expect(upload).to_contain_text("230 rows, 227 valid, 3 invalid")
    expect(upload).to_contain_text("227 of 227 contacts sent")
    expect(upload.get_by_role("link", name="download the error report")).to_be_visible()

    state = page.locator(f"#dialer-state-{campaign.pk}")
    controls = page.locator(f"#dialer-controls-{campaign.pk}")
    controls.get_by_role("button", name="Start").click()
    # The dialer's `started` notification arrives after a moment; the page shows it live.
    expect(state.locator("[data-state]")).to_have_attribute("data-state", "started", timeout=15000)

    # The controls were redrawn live: their forms still post with the page's CSRF token.
    controls.get_by_role("button", name="Stop").click()
    expect(state.locator("[data-state]")).to_have_attribute("data-state", "stopped", timeout=15000)

    controls.get_by_role("button", name="Remove").click()
    # A stopped campaign is deleted on the dialer at once; the overview says so.
    expect(page.get_by_text("Campaign Spring renewals was deleted on the dialer.")).to_be_visible()
    on_dialer = requests.get(
        f"{settings.DIALER_API_BASE}/campaigns",
        headers={"Authorization": f"Bearer {SANDBOX_KEY}"},
        timeout=5,
    ).json()
    assert campaign.ref not in [line["ref"] for line in on_dialer]
    assert DialerCampaign.objects.get(pk=campaign.pk).deleted_at is not None
