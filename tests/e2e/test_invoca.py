"""Invoca advertiser campaigns in the browser, against the sandbox's Invoca: connect, create an
AffiliateEnabled campaign with a budget and a Menu → Connect IVR built in the editor, submit
with one error and see it on the exact node, fix it in place, save, go live, and see the
current terms updated and the quick stats charts."""

import requests
from playwright.sync_api import expect

from invoca.models import AdvertiserCampaign
from invoca.upstream import INVOCA
from tests.e2e.test_platform import log_in
from tests.factories import make_account

TOKEN = "sandbox-invoca-token"
NETWORK = "1001"


def test_create_fix_the_ivr_error_in_place_go_live_and_see_stats(server, page, e2e_sandbox):
    make_account("Acme Agency", "admin@acme.test")
    page.on("dialog", lambda dialog: dialog.accept())
    log_in(page, server, "admin@acme.test")

    # Connect: the token is checked with the sandbox's Invoca first.
    page.goto(f"{server}/invoca/connection/")
    page.get_by_label("Network id").fill(NETWORK)
    page.get_by_label("API token").fill(TOKEN)
    page.get_by_role("button", name="Connect").click()
    expect(page.get_by_text("Invoca is connected.")).to_be_visible()

    # The overview opens an advertiser by the network's id for it.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Invoca").click()
    page.get_by_label("Advertiser id").fill("acme-adv")
    page.get_by_role("button", name="Open advertiser").click()
    expect(page.get_by_role("heading", name="Advertiser acme-adv")).to_be_visible()
    page.get_by_role("link", name="New campaign").click()

    page.get_by_label("Campaign id").fill("spring-1")
    page.get_by_label("Name", exact=True).fill("Spring promotion")
    # The week's hours show only for a campaign that is not open around the clock.
    monday = page.locator('tr[data-day="monday"]')
    expect(page.get_by_label("Open 24/7")).to_be_checked()
    expect(monday).to_be_hidden()
    page.get_by_label("Open 24/7").uncheck()
    expect(monday).to_be_visible()
    page.get_by_label("Open 24/7").check()
    expect(monday).to_be_hidden()
    expect(page.get_by_label("Campaign type")).to_have_value("AffiliateEnabled")
    budget = page.locator("fieldset.budget").first
    expect(budget).to_be_visible()
    budget.get_by_label("Budget amount").fill("1000")
    budget.get_by_label("Reset period").select_option("Monthly")
    budget.get_by_label("Starts at").fill("2025-01-01")
    budget.get_by_label("Budget currency").select_option("USD")
    budget.get_by_label("Time zone").select_option("UTC")

    # The IVR: a Menu whose key 1 connects; the number is left out on purpose.
    editor = page.locator("[data-ivr-editor]")
    editor.get_by_role("button", name="Start a call flow").click()
    menu = editor.locator('section.ivr-node[data-path="root"]')
    menu.get_by_label("Prompt").first.fill("Press 1 for sales.")
    menu.get_by_role("button", name="Add child").last.click()
    connect = editor.locator('section.ivr-node[data-path="root.0"]')
    expect(connect.get_by_label("Node type")).to_have_value("Connect")
    page.get_by_role("button", name="Create campaign").click()

    # The server refused it before sending anything: the error is on the Connect node only.
    expect(page.get_by_role("heading", name="New advertiser campaign")).to_be_visible()
    editor = page.locator("[data-ivr-editor]")
    connect = editor.locator('section.ivr-node[data-path="root.0"]')
    phone = connect.locator('[data-field-wrap="destination_phone_number"]')
    expect(phone).to_have_class("field ivr-field has-error")
    expect(phone.locator("[data-field-error]")).to_have_text("cannot be empty")
    expect(editor.locator('section.ivr-node[data-path="root"]')).to_have_class("ivr-node")
    expect(editor.locator("[data-ivr-error-list]")).to_contain_text(
        "Menu > Key 1 (Connect): Destination phone number cannot be empty."
    )
    assert not AdvertiserCampaign.objects.exists()
    # What was typed elsewhere is still there.
    expect(page.get_by_label("Name", exact=True)).to_have_value("Spring promotion")
    expect(page.locator("fieldset.budget").first.get_by_label("Budget amount")).to_have_value(
        "1000"
    )

    # Fixed in place, then saved: the terms are staged, the campaign is in entry.
    connect.get_by_label("Destination phone number").fill("8004377950")
    expect(editor.locator("[data-ivr-status]")).to_have_text("The call flow is valid.")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_text("its terms are staged until go live")).to_be_visible()
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "entry")
    terms = page.locator("#invoca-terms")
    flow = terms.locator('tr[data-term="ivr_tree"]')
    expect(flow).to_have_class("changed")
    expect(flow.locator("td.future")).to_contain_text("Key 1 → Connect to (800) 437-7950")
    expect(flow.locator("td.current")).to_have_text("—")
    expect(terms.locator('tr[data-term="budget_cap_alert"] td.future')).to_contain_text(
        "USD 1,000.00, Monthly from 1 Jan 2025 (UTC)"
    )
    # Before going live Invoca has no calls for it.
    expect(page.locator('[data-stat="last_30days-calls"]')).to_have_text("0")

    page.get_by_role("button", name="Go live").click()
    expect(page.get_by_text("The campaign is live")).to_be_visible()
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "live")
    terms = page.locator("#invoca-terms")
    flow = terms.locator('tr[data-term="ivr_tree"]')
    expect(flow.locator("td.current")).to_contain_text("Key 1 → Connect to (800) 437-7950")
    expect(flow).not_to_have_class("changed")
    expect(terms.locator('tr[data-term="budget_cap_alert"] td.current')).to_contain_text(
        "USD 1,000.00"
    )
    expect(page.get_by_role("button", name="Archive")).to_be_visible()
    expect(page.get_by_role("button", name="Go live")).to_have_count(0)
    # Quick stats: today / 7 / 30 days, drawn as two small charts, every period named under
    # its bar however wide the window is.
    for chart in ("calls", "duration"):
        expect(page.locator(f'canvas[data-invoca-chart="{chart}"]')).to_have_attribute(
            "data-drawn", "true"
        )
    for width in (390, 900, 1280, 1600):
        page.set_viewport_size({"width": width, "height": 800})
        for chart in ("calls", "duration"):
            canvas = page.locator(f'canvas[data-invoca-chart="{chart}"]')
            # Chart.js redraws on resize; its x ticks are those left after skipping.
            page.wait_for_function(
                "([canvas, width]) => Chart.getChart(canvas).width <= width",
                arg=[canvas.element_handle(), width],
            )
            labels = canvas.evaluate(
                "canvas => Chart.getChart(canvas).scales.x.ticks.map((tick) => tick.label)"
            )
            assert labels == ["Today", "7 days", "30 days"], (width, chart, labels)
    # The figures are the calls made: one more call on the campaign counts once more.
    calls = page.locator('[data-stat="today-calls"]')
    before = int(calls.inner_text())
    requests.post(
        f"{e2e_sandbox.url}/_sandbox/invoca/record-call",
        json={
            "network_id": NETWORK,
            "advertiser_id": "acme-adv",
            "campaign_id": "spring-1",
            "duration": 120,
        },
        timeout=5,
    ).raise_for_status()
    page.reload()
    expect(calls).to_have_text(str(before + 1))
    campaign = AdvertiserCampaign.objects.get()
    assert campaign.status == "live"
    assert campaign.current_terms["ivr_tree"]["root"]["children"][0][
        "destination_phone_number"
    ] == ("8004377950")
    assert "Delete" not in page.content()


def test_every_error_of_the_campaign_form_shows_on_the_first_save(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/invoca/advertisers/acme-adv/campaigns/new/")
    page.get_by_label("Campaign id").fill("spring-1")
    page.get_by_label("Name", exact=True).fill("Spring promotion")
    payout = page.locator('table[data-formset="payout"]')
    payout.locator('[name="payout-0-type"]').select_option("Base")
    payout.locator('[name="payout-0-amount"]').fill("5")
    payout.locator('[name="payout-0-condition"]').fill("duration >= 1 min and")
    budget = page.locator("fieldset.budget").first
    budget.get_by_label("Budget amount").fill("1000")
    page.get_by_role("button", name="Create campaign").click()

    # One save: the payout's condition and the budget cap's four missing fields together.
    expect(page.get_by_role("heading", name="New advertiser campaign")).to_be_visible()
    condition = page.locator('table[data-formset="payout"] td.has-error')
    expect(condition.locator("small.error")).to_have_count(1)
    expect(condition.locator('[name="payout-0-condition"]')).to_be_visible()
    budget = page.locator("fieldset.budget").first
    for name in ("reset_period", "starts_at", "budget_currency", "time_zone"):
        expect(budget.locator(f'[data-field="bca_{name}"] small.error')).to_have_text(
            "Can't be blank."
        )
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Affiliate payout: see the marked rows.")
    expect(summary).to_contain_text("Budget cap alert: time zone: Can't be blank.")
    assert not AdvertiserCampaign.objects.exists()


def test_a_campaign_id_invoca_already_has_is_refused_under_the_field(server, page, e2e_sandbox):
    account = make_account("Acme Agency", "admin@acme.test")
    INVOCA.connect(
        account=account, secret=TOKEN, network_id=NETWORK, base_url=f"{e2e_sandbox.url}/invoca"
    )
    # A colleague made it in Invoca itself and put it live; it was never read in here.
    client = INVOCA.client_for(account)
    client.create_campaign(
        "acme-adv",
        "made-elsewhere",
        {"name": "Colleague's campaign", "campaign_type": "DirectOnly"},
    )
    client.go_live("acme-adv", "made-elsewhere", timeout=5)

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/invoca/advertisers/acme-adv/")
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Campaign id").fill("made-elsewhere")
    page.get_by_label("Name", exact=True).fill("Dup id test")
    payout = page.locator('table[data-formset="payout"]')
    payout.locator('[name="payout-0-type"]').select_option("Base")
    payout.locator('[name="payout-0-amount"]').fill("5")
    page.get_by_role("button", name="Create campaign").click()

    expect(page.get_by_role("heading", name="New advertiser campaign")).to_be_visible()
    field = page.locator('[data-field="id_from_network"]')
    expect(field).to_have_class("field has-error")
    expect(field.locator("small.error")).to_contain_text(
        "Invoca already has a campaign with this id for this advertiser"
    )
    expect(field.locator("small.error")).to_contain_text("Refresh from Invoca")
    expect(page.get_by_label("Name", exact=True)).to_have_value("Dup id test")
    assert not AdvertiserCampaign.objects.exists()
    theirs = client.show_campaign("acme-adv", "made-elsewhere")
    assert (theirs["name"], theirs["status"]) == ("Colleague's campaign", "live")
    assert theirs["future_terms"]["campaign_type"] == "DirectOnly"

    # Reading the advertiser's campaigns from Invoca brings it in, as the message says.
    page.get_by_role("link", name="Advertiser acme-adv").click()
    page.get_by_role("button", name="Refresh from Invoca").click()
    expect(page.get_by_role("link", name="Colleague's campaign")).to_be_visible()
