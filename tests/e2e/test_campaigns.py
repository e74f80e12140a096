from pathlib import Path
from types import SimpleNamespace

import django_ratelimit.core
from playwright.sync_api import expect

from campaignhub import services as platform
from campaignhub.models import Role
from campaigns.models import Campaign, Lead
from notifications.models import Delivery
from tests.campaigns.factories import make_campaign
from tests.e2e.test_platform import log_in
from tests.factories import make_account


def test_a_lead_from_the_public_form_appears_live_on_the_open_campaign_page(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    rep = platform.add_member(
        account=account, email="rep@acme.test", role=Role.MEMBER, name="Riley Rep"
    ).user
    platform.update_profile(user=rep, name="Riley Rep", phone="+14155550102")
    admin = account.memberships.get(role=Role.ADMIN).user
    platform.update_profile(user=admin, name="Dana Admin", phone="+14155550101")

    log_in(page, server, "admin@acme.test")
    page.get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name", exact=True).fill("Spring roofing")
    page.get_by_label("Lead source").select_option("form")
    page.locator(f"#rep-{rep.pk}").check()
    page.locator("input[name=representatives]").nth(0).check()
    page.get_by_label("Email and SMS").check()
    page.get_by_label("Subject").fill("New lead {{lead_name}}")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", name="Spring roofing")).to_be_visible()
    expect(page.locator("#live-status")).to_have_class("live-status connected")
    expect(page.get_by_text("No leads yet.")).to_be_visible()

    form_url = page.locator("#form-url").inner_text()
    assert form_url.startswith(server)
    visitor = page.context.new_page()
    visitor.goto(form_url)
    visitor.get_by_label("Name").fill("Ann Visitor")
    visitor.get_by_label("Phone").fill("(415) 555-0111")
    visitor.get_by_role("button", name="Send").click()
    expect(visitor.get_by_text("Thank you!")).to_be_visible()

    row = page.locator("tbody tr", has_text="Ann Visitor")
    expect(row).to_be_visible()
    expect(row).to_contain_text("(415) 555-0111")
    expect(page.get_by_text("No leads yet.")).to_be_hidden()

    deliveries = Delivery.objects.filter(event="lead_arrived")
    assert sorted(deliveries.values_list("channel", "status")) == [
        ("email", "sent"),
        ("sms", "sent"),
    ]
    page.get_by_role("link", name="Notifications").click()
    expect(page.locator("tbody tr", has_text="New lead Ann Visitor")).to_be_visible()


def test_back_and_submit_again_on_the_public_form_is_still_one_lead(server, page):
    """The form page is kept by the browser for Back: the same submission id goes again, so a
    visitor who sends, goes back and sends again leaves one lead, alerted once."""
    account = make_account("Acme Agency", "admin@acme.test")
    campaign = make_campaign(SimpleNamespace(account=account, admin=account.memberships.get().user))
    page.goto(f"{server}/f/{campaign.form_secret_id}/")
    page.get_by_label("Name").fill("Ann Visitor")
    page.get_by_label("Phone").fill("(415) 555-0111")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Thank you!")).to_be_visible()
    page.go_back()
    expect(page.get_by_label("Name")).to_be_visible()
    page.get_by_label("Name").fill("Ann Visitor")
    page.get_by_label("Phone").fill("(415) 555-0111")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Thank you!")).to_be_visible()
    assert list(Lead.objects.values_list("name", flat=True)) == ["Ann Visitor"]


def test_a_public_form_with_a_spoilt_submission_id_still_sends_one_lead(server, page):
    """A hidden submission id that is not one (an edited page, a broken embed) never blocks
    the visitor: the send goes through, and sending again is still one lead."""
    account = make_account("Acme Agency", "admin@acme.test")
    campaign = make_campaign(SimpleNamespace(account=account, admin=account.memberships.get().user))
    page.goto(f"{server}/f/{campaign.form_secret_id}/")
    page.locator("input[name=submission_id]").evaluate("input => input.value = 'not-a-uuid'")
    page.get_by_label("Name").fill("Ann Visitor")
    page.get_by_label("Phone").fill("(415) 555-0111")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Thank you!")).to_be_visible()
    page.go_back()
    expect(page.get_by_label("Name")).to_be_visible()
    page.locator("input[name=submission_id]").evaluate("input => input.value = 'not-a-uuid'")
    page.get_by_label("Name").fill("Ann Visitor")
    page.get_by_label("Phone").fill("(415) 555-0111")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Thank you!")).to_be_visible()
    assert list(Lead.objects.values_list("name", flat=True)) == ["Ann Visitor"]


def test_back_and_create_again_is_still_one_campaign(server, page):
    """The new-campaign page is sent once: Back then Create again leads to the campaign the
    first send made instead of making a second."""
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/new/")
    page.get_by_label("Name", exact=True).fill("Spring roofing")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_text("Campaign “Spring roofing” created.")).to_be_visible()
    page.go_back()
    expect(page.get_by_label("Name", exact=True)).to_have_value("Spring roofing")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_text("This page was already sent; here is what it created.")).to_be_visible()
    campaign = Campaign.objects.get()
    assert page.url == f"{server}/campaigns/{campaign.pk}/"


def test_send_me_a_test_with_a_reply_to_name_says_what_became_of_it(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/new/")
    page.get_by_label("Name", exact=True).fill("Spring roofing")
    page.get_by_label("Lead source").select_option("form")
    page.get_by_label("Email only").check()
    page.get_by_label("Reply-to email").fill("hans@acme.test")
    page.get_by_label("Reply-to name").fill("Müller, Hans")
    page.get_by_role("button", name="Send me a test").click()
    expect(page.locator("#test-result")).to_contain_text(
        "Test alert to you: Email to admin@acme.test: sent."
    )
    delivery = Delivery.objects.get()
    assert delivery.reply_to == '"Müller, Hans" <hans@acme.test>'
    assert delivery.subject.startswith("[Test] ")


def test_test_alerts_past_the_limit_say_so_where_the_result_shows(server, page, monkeypatch):
    # One rate window for the whole test, however slowly it runs (the server is in this process).
    monkeypatch.setattr(django_ratelimit.core, "_get_window", lambda value, period: 2**40)
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/new/")
    page.get_by_label("Name", exact=True).fill("Spring roofing")
    page.get_by_label("Lead source").select_option("form")
    page.get_by_label("Email only").check()
    result = page.locator("#test-result")
    # The server's limit is the default, 5 a minute per person.
    for _ in range(5):
        with page.expect_response("**/campaigns/test-alert/") as answer:
            page.get_by_role("button", name="Send me a test").click()
        assert answer.value.status == 200
        expect(result).to_contain_text("Test alert to you: Email to admin@acme.test: sent.")
    assert Delivery.objects.count() == 5
    with page.expect_response("**/campaigns/test-alert/") as answer:
        page.get_by_role("button", name="Send me a test").click()
    assert answer.value.status == 429
    expect(result).to_contain_text("You sent 5 test alerts in the last minute")
    expect(result).not_to_contain_text("Test alert to you")
    assert Delivery.objects.count() == 5


def test_errors_of_the_alert_and_representatives_are_under_their_own_inputs(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    rep = platform.add_member(
        account=account, email="rep@acme.test", role=Role.MEMBER, name="Riley Rep"
    ).user
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/new/")
    page.get_by_label("Name", exact=True).fill("Spring roofing")
    page.get_by_label("Lead source").select_option("form")
    page.locator(f"#rep-{rep.pk}").check()
    page.get_by_label("Custom SMS number for rep@acme.test").fill("555-12")
    page.get_by_label("Email and SMS").check()
    page.get_by_label("From address").fill("sales@")
    page.get_by_label("Reply-to email").fill("nope")
    page.get_by_label("Attachment links").fill("ftp:/x")
    page.get_by_role("button", name="Create campaign").click()

    expect(page.get_by_text("Please fix the highlighted fields.")).to_be_visible()
    cell = page.locator(
        "td.has-error", has=page.get_by_label("Custom SMS number for rep@acme.test")
    )
    expect(cell.locator("small.error")).to_contain_text("Enter a valid phone number")
    expect(cell.get_by_role("textbox")).to_have_value("555-12")
    for label, message in [
        ("From address", "Enter a valid email address."),
        ("Reply-to email", "Enter a valid email address."),
        ("Attachment links", "Enter a full URL, starting with https:// or http://."),
    ]:
        field = page.locator("div.field.has-error", has=page.get_by_label(label))
        expect(field.locator("small.error")).to_have_text(message)
    expect(page.locator("small.error", has_text="custom_number")).to_have_count(0)
    expect(page.locator("small.error", has_text="reply_to")).to_have_count(0)
    expect(page.locator("small.error", has_text="from:")).to_have_count(0)
    assert not Campaign.objects.exists()


def test_two_tabs_editing_a_campaign_keep_both_changes(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    campaign = make_campaign(
        SimpleNamespace(account=account, admin=admin),
        campaign_name="Roofing",
        notification_type="send_email_sms",
        sms_details={"message": "Old"},
    )
    log_in(page, server, "admin@acme.test")
    tab_b = page.context.new_page()
    tab_b.goto(f"{server}/campaigns/{campaign.pk}/edit/")
    page.goto(f"{server}/campaigns/{campaign.pk}/edit/")
    page.get_by_label("Name", exact=True).fill("Roofing North")
    page.get_by_role("button", name="Save campaign").click()
    expect(page.get_by_text("Campaign saved.")).to_be_visible()

    sms = tab_b.locator("#id_sms_message")
    sms.fill("Call {{lead_phone}}")
    tab_b.get_by_role("button", name="Save campaign").click()
    expect(tab_b.get_by_role("alert")).to_contain_text(
        "Someone else changed this campaign after you opened this page (now Name: Roofing North)"
    )
    expect(tab_b.get_by_label("Name", exact=True)).to_have_value("Roofing North")
    expect(sms).to_have_value("Call {{lead_phone}}")
    campaign.refresh_from_db()
    assert campaign.sms_details["message"] == "Old"

    tab_b.get_by_role("button", name="Save campaign").click()
    expect(tab_b.get_by_text("Campaign saved.")).to_be_visible()
    campaign.refresh_from_db()
    assert campaign.campaign_name == "Roofing North"
    assert campaign.sms_details["message"] == "Call {{lead_phone}}"


def test_pause_in_a_second_tab_after_the_first_paused_keeps_the_campaign_paused(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    campaign = make_campaign(SimpleNamespace(account=account, admin=admin), campaign_name="Roofing")
    log_in(page, server, "admin@acme.test")
    tab_b = page.context.new_page()
    # A tab whose live connection is down (no frame reaches it) stays as it was drawn.
    tab_b.route_web_socket("**/ws/live/", lambda socket: None)
    tab_b.goto(f"{server}/campaigns/{campaign.pk}/")
    page.goto(f"{server}/campaigns/{campaign.pk}/")
    page.locator(".status-block").get_by_role("button", name="Pause").click()
    expect(page.locator(".status-block")).to_contain_text("Inactive")
    alerts = Delivery.objects.filter(event="campaign_disconnected").count()

    # The second tab was drawn while the campaign was active: its Pause asks for paused.
    expect(tab_b.locator(".status-block")).to_contain_text("Active")
    tab_b.locator(".status-block").get_by_role("button", name="Pause").click()
    expect(tab_b.locator("#messages")).to_contain_text(
        "This campaign is already paused; nothing changed."
    )
    expect(tab_b.locator(".status-block")).to_contain_text("Inactive")
    expect(tab_b.locator(".status-block").get_by_role("button", name="Activate")).to_be_visible()
    campaign.refresh_from_db()
    assert campaign.status is False
    assert Delivery.objects.filter(event="campaign_disconnected").count() == alerts

    tab_b.locator(".status-block").get_by_role("button", name="Activate").click()
    expect(tab_b.locator(".status-block").get_by_role("button", name="Pause")).to_be_visible()
    campaign.refresh_from_db()
    assert campaign.status is True


def test_the_lead_list_filters_by_a_deleted_campaign_and_exports_its_leads(server, page):
    from campaigns import services

    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get(role=Role.ADMIN).user
    tenant = SimpleNamespace(account=account, admin=admin)
    gone = make_campaign(tenant, campaign_name="Winter offer")
    kept = make_campaign(tenant, campaign_name="Spring offer")
    services.capture_lead(campaign=gone, source="form", external_id="1", name="Ann Gone")
    services.capture_lead(campaign=kept, source="form", external_id="2", name="Bob Kept")
    services.delete_campaign(campaign=gone)

    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/leads/")
    table = page.locator("#lead-table")
    expect(table).to_contain_text("Ann Gone")
    page.get_by_label("Campaign").select_option(label="Winter offer · Lead form (deleted)")
    expect(page).to_have_url(f"{server}/leads/?search=&campaign={gone.pk}&representative=&status=")
    expect(table).not_to_contain_text("Bob Kept")
    expect(table).to_contain_text("Ann Gone")
    expect(table).not_to_contain_text("cannot be used")
    with page.expect_download() as download:
        page.locator("#lead-export").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "Ann Gone" in text and "Bob Kept" not in text


def test_pause_and_activate_each_say_their_outcome_in_place_of_the_last_message(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    admin = account.memberships.get().user
    campaign = make_campaign(SimpleNamespace(account=account, admin=admin), campaign_name="Roofing")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/{campaign.pk}/edit/")
    page.get_by_role("button", name="Save campaign").click()
    messages = page.locator("#messages .message")
    expect(messages).to_have_text(["Campaign saved."])
    status = page.locator(".status-block")

    status.get_by_role("button", name="Pause").click()
    expect(messages).to_have_text(["Campaign paused."])
    expect(status).to_contain_text("Inactive")
    status.get_by_role("button", name="Activate").click()
    expect(messages).to_have_text(["Campaign activated."])
    expect(status).to_contain_text("Active")

    # Another campaign's page, drawn with no message, says the outcome as well.
    other = make_campaign(SimpleNamespace(account=account, admin=admin), campaign_name="Siding")
    page.goto(f"{server}/campaigns/{other.pk}/")
    expect(messages).to_have_count(0)
    status.get_by_role("button", name="Pause").click()
    expect(messages).to_have_text(["Campaign paused."])
    assert Campaign.objects.get(pk=other.pk).status is False
