"""What a new user needs to read on a page to put it to work: how to send leads in, where they
come from, and whom a lead's contact was matched to."""

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from tests.campaigns.factories import make_campaign
from tests.crm.conftest import capture
from tests.e2e.test_platform import log_in
from tests.factories import make_account


@pytest.fixture
def acme(server):
    account = make_account("Acme Agency", "admin@acme.test")
    return SimpleNamespace(account=account, admin=account.memberships.get().user)


def test_a_webhook_campaign_shows_an_example_request_to_copy(server, acme, page):
    campaign = make_campaign(acme, integration="webhook", campaign_name="Chat leads")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/{campaign.pk}/")
    example = page.locator("#webhook-example")
    expect(example).to_contain_text(f"/webhooks/leads/{campaign.webhook_token}/")
    expect(example).to_contain_text('"external_id": "order-1042"')
    expect(page.get_by_text("A lead needs a phone or an email")).to_be_visible()
    copy = page.locator("button[data-copy='#webhook-example']")
    copy.click()
    expect(copy).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith("curl -X POST ") and copied.endswith("}'")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(example).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_form_campaign_shows_an_html_form_of_your_own_to_copy(server, acme, page):
    campaign = make_campaign(acme, integration="form", campaign_name="Roofing")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/{campaign.pk}/")
    expect(page.get_by_role("heading", name="Use your own form")).to_be_visible()
    send = page.locator("#form-send-url")
    expect(send).to_have_text(re.compile(rf"/f/{campaign.form_secret_id}/send/$"))
    copy = page.locator("button[data-copy='#form-example']")
    copy.click()
    expect(copy).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.startswith(f'<form method="post" action="{send.inner_text()}"')
    assert '<input name="phone" type="tel"' in copied and copied.endswith("</form>")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    expect(page.locator("#form-example")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


# Each inline code word of a help text's lines: how many lines it is drawn on, and its text.
CODE_LINES = """[...document.querySelectorAll('.card p code, .card .help code')]
    .map(code => [code.textContent, code.getClientRects().length])"""


@pytest.mark.parametrize("width", [1024, 390])
def test_code_words_in_help_text_stay_whole_and_urls_still_fit(server, acme, page, width):
    webhook = make_campaign(acme, integration="webhook", campaign_name="Chat leads")
    form = make_campaign(acme, integration="form", campaign_name="Roofing")
    page.set_viewport_size({"width": width, "height": 900})
    log_in(page, server, "admin@acme.test")
    pages = ((webhook, "#webhook-url", "external_id"), (form, "#form-send-url", "website"))
    for campaign, url, word in pages:
        page.goto(f"{server}/campaigns/{campaign.pk}/")
        words = page.evaluate(CODE_LINES)
        assert {"message", word} <= {text for text, _ in words}
        # "message" read as "m / essage" at 1024px: each word is drawn on one line.
        assert [text for text, lines in words if lines != 1] == []
        # The long address to copy still wraps inside its card rather than widening the page.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        card = page.locator(url).locator("xpath=ancestor::section[1]").bounding_box()
        shown = page.locator(url).bounding_box()
        assert shown["x"] + shown["width"] <= card["x"] + card["width"]


def test_an_inbound_dialer_campaign_nothing_feeds_says_where_to_choose_it(server, acme, page):
    campaign = make_campaign(acme, integration="dialer", campaign_name="Dialer leads")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/{campaign.pk}/")
    hint = page.locator("#feed-hint")
    expect(hint).to_contain_text("No dialer campaign sends its leads here yet")
    expect(hint).to_contain_text("under “Leads go to” when you add a dialer campaign")
    hint.get_by_role("link", name="Add a dialer campaign that sends its leads here").click()
    expect(page).to_have_url(f"{server}/dialer/campaigns/new/?inbound_campaign={campaign.pk}")
    # The page it leads to has the control the hint names, with this campaign chosen.
    expect(page.get_by_label("Leads go to").locator("option:checked")).to_have_text("Dialer leads")


def test_a_leads_contact_of_another_name_says_what_matched_it(server, acme, page):
    campaign = make_campaign(acme, campaign_name="Roofing", add_to_crm=True)
    capture(campaign, name="Bob Stone", phone="+14155550182", email="bob@example.com")
    lead = capture(campaign, name="Ann Lee", phone="+14155550182")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/{lead.pk}/")
    contact = page.locator("dt:text-is('Contact') + dd")
    expect(contact.get_by_role("link", name="Bob Stone")).to_be_visible()
    expect(contact).to_contain_text("Bob Stone matched by phone")


def test_an_assigner_reads_the_representative_in_the_picker_on_the_labels_line(server, acme, page):
    campaign = make_campaign(acme, campaign_name="Roofing")
    lead = capture(campaign, name="Ann Lee", phone="+14155550182")
    acme.admin.name = "Dana Admin"
    acme.admin.save(update_fields=["name"])
    lead.representative = acme.admin
    lead.save(update_fields=["representative"])
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/{lead.pk}/")
    block = page.locator(f"#lead-{lead.pk}-representative")
    picker = block.get_by_label("Representative")
    expect(picker.locator("option:checked")).to_have_text("Dana Admin")
    expect(block.locator("dd")).not_to_contain_text("Dana Admin Dana Admin")
    expect(block.locator("[data-representative]")).to_have_count(0)
    label = block.locator("dt label").bounding_box()
    chosen = picker.bounding_box()
    # The label reads on the picker's line: their middles within a few pixels.
    assert abs((label["y"] + label["height"] / 2) - (chosen["y"] + chosen["height"] / 2)) <= 4


def test_the_dashboard_writes_todays_leads_as_every_page_writes_a_moment(server, acme, page):
    from django.utils import timezone

    campaign = make_campaign(acme, campaign_name="Roofing")
    lead = capture(campaign, name="Ann Lee", phone="+14155550182")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/")
    shown = timezone.localtime(lead.created_at)
    expect(page.locator(f"#feed-lead-{lead.pk} .feed-time")).to_have_text(
        f"{shown.day} {shown:%b %Y, %H:%M}"
    )


def test_a_lead_alerts_details_lead_to_the_lead(server, acme, page):
    from notifications.models import Delivery

    campaign = make_campaign(acme, campaign_name="Roofing")
    lead = capture(campaign, name="Ann Lee", phone="+14155550182")
    delivery = Delivery.objects.create(
        account=acme.account,
        event="lead_arrived",
        channel="email",
        user=acme.admin,
        recipient="admin@acme.test",
        data={"lead_id": str(lead.pk)},
    )
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/notifications/{delivery.pk}/")
    page.get_by_role("link", name="Lead: Ann Lee").click()
    expect(page).to_have_url(f"{server}/leads/{lead.pk}/")
    expect(page.get_by_role("heading", name="Ann Lee")).to_be_visible()


def test_the_alert_texts_say_the_sample_is_used_and_keep_each_placeholder_whole(server, acme, page):
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/new/")
    page.get_by_label("Email and SMS").check()
    for field in ("email-subject-help", "email-message-help", "sms-message-help"):
        expect(page.locator(f"#{field}")).to_have_text("Left empty, the sample shown is used.")
    expect(page.get_by_role("textbox", name="Subject")).to_have_attribute(
        "aria-describedby", "email-subject-help"
    )
    placeholders = page.locator(".placeholders code")
    expect(placeholders).to_have_count(8)
    # Each placeholder is drawn on one line (one box), whatever the width.
    lines = placeholders.evaluate_all("codes => codes.map(code => code.getClientRects().length)")
    assert lines == [1] * 8
