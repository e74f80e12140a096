"""The Invoca demo as `make run` sets it up: go live on the demo campaign, "Simulate call" on the
sandbox page makes a lead of the demo's inbound campaign at once, and a call whose webhook was
lost arrives with "Poll now" on the connection page (twice: still one lead per call)."""

import io

from playwright.sync_api import expect

from campaigns.models import Lead
from invoca import demo
from tests.e2e.test_platform import log_in
from tests.factories import make_account


def test_the_demo_campaign_takes_sandbox_calls_live_and_by_poll(
    server, page, e2e_sandbox, monkeypatch
):
    account = make_account("Demo Agency", "admin@demo.test")
    admin = account.memberships.get().user
    monkeypatch.setenv("DEMO_INVOCA_API_TOKEN", "sandbox-invoca-token")
    out = io.StringIO()
    demo.load(account=account, admin=admin, member=admin, stdout=out)
    assert "the sandbox posts network 1001's calls to" in out.getvalue(), out.getvalue()
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, server, "admin@demo.test")

    page.goto(f"{server}/invoca/advertisers/{demo.DEMO_ADVERTISER}/campaigns/{demo.DEMO_CAMPAIGN}/")
    expect(page.locator("#invoca-campaign-page")).to_contain_text(demo.DEMO_INBOUND)
    page.get_by_role("button", name="Go live").click()
    expect(page.get_by_text("The campaign is live")).to_be_visible()

    page.get_by_role("link", name=demo.DEMO_INBOUND).click()
    expect(page.get_by_role("heading", name=demo.DEMO_INBOUND)).to_be_visible()
    expect(page.locator("#live-status")).to_have_class("live-status connected")

    sandbox_page = page.context.new_page()
    sandbox_page.goto(e2e_sandbox.url)
    row = sandbox_page.locator("#invoca-calls tr", has_text=f"{demo.DEMO_ADVERTISER}/")
    row.get_by_label("Caller name").fill("Morgan Lee")
    row.get_by_label("Caller number").fill("+14125550177")
    row.get_by_role("button", name="Simulate call").click()
    expect(sandbox_page.get_by_text("recorded")).to_be_visible()

    lead_row = page.locator("tbody tr", has_text="Morgan Lee")
    expect(lead_row).to_be_visible()
    expect(lead_row).to_contain_text("(412) 555-0177")

    # A call whose webhook Invoca never sent: only the Transactions API has it.
    row = sandbox_page.locator("#invoca-calls tr", has_text=f"{demo.DEMO_ADVERTISER}/")
    row.get_by_label("Caller name").fill("Poll Only")
    row.locator("input[name=webhook]").check()
    row.get_by_role("button", name="Simulate call").click()
    expect(sandbox_page.get_by_text("recorded")).to_be_visible()

    page.goto(f"{server}/invoca/connection/")
    expect(page.locator("#invoca-poll")).to_contain_text("not read yet")
    page.get_by_role("button", name="Poll now").click()
    expect(page.get_by_text("Calls read from Invoca; new ones are leads now.")).to_be_visible()
    expect(page.locator("#invoca-poll")).to_contain_text("ago")
    page.get_by_role("button", name="Poll now").click()
    expect(page.get_by_text("Calls read from Invoca; new ones are leads now.")).to_be_visible()
    names = sorted(Lead.objects.values_list("name", flat=True))
    assert names == ["Morgan Lee", "Poll Only"]
