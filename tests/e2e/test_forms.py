"""Sections a form hides (`data-show-when`) never block its submit in the browser; the public
form says each problem under its own field."""

from django.conf import settings
from django.core.cache import cache
from playwright.sync_api import expect

from campaigns.models import Lead
from tests.campaigns.factories import make_campaign
from tests.e2e.test_account_and_held_leads import _Tenant
from tests.e2e.test_platform import log_in
from tests.factories import make_account


def test_an_invalid_value_in_a_hidden_section_does_not_block_the_submit(server, page):
    make_account("Acme Agency", "admin@acme.test")
    log_in(page, server, "admin@acme.test")
    page.goto(f"{server}/campaigns/new/")
    page.get_by_label("Name", exact=True).fill("Spring roofing")
    page.get_by_label("Lead source").select_option("form")
    page.get_by_label("Email only").check()
    page.get_by_label("Reply-to email").fill("not-an-email")
    page.get_by_label("SMS only").check()
    expect(page.get_by_label("Reply-to email")).to_be_hidden()
    page.get_by_label("Email only").check()
    expect(page.get_by_label("Reply-to email")).to_be_editable()  # shown again, checked again
    page.get_by_label("SMS only").check()

    with page.expect_request(lambda request: request.method == "POST") as submitted:
        page.get_by_role("button", name="Create campaign").click()
    assert "reply_to_email=not-an-email" in submitted.value.post_data


def test_the_public_forms_errors_sit_under_their_fields_and_keep_what_was_typed(server, page):
    account = make_account("Acme Agency", "admin@acme.test")
    campaign = make_campaign(_Tenant(account), integration="form", campaign_name="Roofing")
    form_url = f"{server}/f/{campaign.form_secret_id}/"

    page.goto(form_url)
    page.get_by_label("Name").fill("Ann Visitor")
    page.get_by_label("Phone").fill("12")
    page.get_by_label("Email").fill("ann@")
    # The browser's own check of the email field is what the server's would say: skip it.
    page.locator("form").evaluate("form => form.noValidate = true")
    page.get_by_role("button", name="Send").click()

    phone = page.locator(".field", has=page.get_by_label("Phone"))
    email = page.locator(".field", has=page.get_by_label("Email"))
    expect(phone.locator("small.error")).to_have_count(1)
    expect(email.locator("small.error")).to_have_count(1)
    expect(email.locator("small.error")).to_contain_text("email")
    expect(page.locator(".field", has=page.get_by_label("Name")).locator(".error")).to_have_count(0)
    expect(page.get_by_label("Name")).to_have_value("Ann Visitor")
    expect(page.get_by_label("Phone")).to_have_value("12")
    assert not Lead.objects.exists()

    # Neither a phone nor an email: said once, where those two fields start.
    page.get_by_label("Phone").fill("")
    page.get_by_label("Email").fill("")
    page.get_by_role("button", name="Send").click()
    said = page.get_by_role("alert").filter(has_text="Leave a phone number or an email address.")
    expect(said).to_have_count(1)
    assert said.evaluate(
        "p => p.compareDocumentPosition(document.getElementById('id_phone'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    expect(page.locator("small.error")).to_have_count(0)

    page.get_by_label("Phone").fill("(415) 555-0111")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Thank you!")).to_be_visible()
    assert Lead.objects.get().name == "Ann Visitor"


def test_an_embeds_checkbox_group_posted_to_the_public_form_keeps_every_ticked_value(server, page):
    """A site's own form, posting to our send URL: each ticked box is one more `services`."""
    account = make_account("Acme Agency", "admin@acme.test")
    campaign = make_campaign(_Tenant(account), integration="form", campaign_name="Roofing")
    page.set_content(
        f'<form method="post" action="{server}/f/{campaign.form_secret_id}/send/">'
        '<label>Name <input name="name"></label><label>Phone <input name="phone"></label>'
        '<label><input type="checkbox" name="services" value="roof"> Roof</label>'
        '<label><input type="checkbox" name="services" value="gutter"> Gutter</label>'
        '<label><input type="checkbox" name="services" value="siding"> Siding</label>'
        "<button>Send</button></form>"
    )
    page.get_by_label("Name").fill("Multi")
    page.get_by_label("Phone").fill("+14155550301")
    page.get_by_label("Roof").check()
    page.get_by_label("Siding").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Thank you!")).to_be_visible()
    assert Lead.objects.get().payload["services"] == ["roof", "siding"]


def test_an_own_form_sent_as_text_plain_keeps_the_visitors_lead(server, page):
    """`enctype="text/plain"`, a copy mistake: the browser's `name=value` lines are read, a
    message's lines kept as one message."""
    account = make_account("Acme Agency", "admin@acme.test")
    campaign = make_campaign(_Tenant(account), integration="form", campaign_name="Roofing")
    page.set_content(
        f'<form method="post" enctype="text/plain" action="{server}/f/{campaign.form_secret_id}'
        '/send/"><label>Name <input name="name"></label><label>Phone <input name="phone"></label>'
        '<label>Message <textarea name="message"></textarea></label><button>Send</button></form>'
    )
    page.get_by_label("Name").fill("José García")
    page.get_by_label("Phone").fill("(415) 555-0111")
    page.get_by_label("Message").fill("Call after 5pm\nAsk for Ann & Bo")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Thank you!")).to_be_visible()
    lead = Lead.objects.get()
    assert (lead.name, lead.phone) == ("José García", "+14155550111")
    assert lead.message == "Call after 5pm\nAsk for Ann & Bo"


def test_an_own_form_sent_with_get_is_held_on_our_page_to_send_with_one_click(server, page):
    """`method="get"`, a copy mistake: our page says so, holding what was typed (an extra
    field too), and its Send makes the lead."""
    account = make_account("Acme Agency", "admin@acme.test")
    campaign = make_campaign(_Tenant(account), integration="form", campaign_name="Roofing")
    page.set_content(
        f'<form method="get" action="{server}/f/{campaign.form_secret_id}/send/">'
        '<label>Name <input name="name"></label><label>Phone <input name="phone"></label>'
        '<label><input type="checkbox" name="services" value="roof"> Roof</label>'
        "<button>Send</button></form>"
    )
    page.get_by_label("Name").fill("Ann Visitor")
    page.get_by_label("Phone").fill("(415) 555-0111")
    page.get_by_label("Roof").check()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("alert")).to_contain_text('method="post"')
    expect(page.get_by_label("Name")).to_have_value("Ann Visitor")
    expect(page.get_by_label("Phone")).to_have_value("(415) 555-0111")
    assert not Lead.objects.exists()

    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Thank you!")).to_be_visible()
    lead = Lead.objects.get()
    assert (lead.name, lead.phone) == ("Ann Visitor", "+14155550111")
    assert lead.payload["services"] == "roof"


def test_a_rate_limited_visitor_keeps_what_they_typed_and_sends_it_a_minute_later(server, page):
    """The 11th submission in a minute from one address is refused (429), on our page holding
    the visitor's name, phone, email and message; once the minute is over, Send makes the lead."""
    account = make_account("Acme Agency", "admin@acme.test")
    campaign = make_campaign(_Tenant(account), integration="form", campaign_name="Roofing")
    send_url = f"{server}/f/{campaign.form_secret_id}/send/"
    for _ in range(settings.LEAD_FORM_RATE_LIMIT_PER_MINUTE):
        assert page.request.post(send_url, form={"name": ""}).status == 400

    page.goto(f"{server}/f/{campaign.form_secret_id}/")
    page.get_by_label("Name").fill("Ann Visitor")
    page.get_by_label("Phone").fill("(415) 555-0111")
    page.get_by_label("Email").fill("ann@example.com")
    page.get_by_label("Message").fill("Call after 5pm\nAsk for Ann")
    with page.expect_response(send_url) as sent:
        page.get_by_role("button", name="Send").click()
    assert sent.value.status == 429
    assert sent.value.headers["retry-after"] == "60"
    expect(page.get_by_role("alert")).to_contain_text("Please try again in a minute.")
    expect(page.get_by_label("Name")).to_have_value("Ann Visitor")
    expect(page.get_by_label("Phone")).to_have_value("(415) 555-0111")
    expect(page.get_by_label("Email")).to_have_value("ann@example.com")
    expect(page.get_by_label("Message")).to_have_value("Call after 5pm\nAsk for Ann")
    assert not Lead.objects.exists()

    cache.clear()  # the minute is over (the server and the tests share one cache)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Thank you!")).to_be_visible()
    lead = Lead.objects.get()
    assert (lead.name, lead.phone) == ("Ann Visitor", "+14155550111")
    assert lead.message.splitlines() == ["Call after 5pm", "Ask for Ann"]
