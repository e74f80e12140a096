import json
import re
import smtplib
from email.utils import getaddresses
from html import unescape

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from campaigns import services
from campaigns.models import Campaign, LeadSource
from campaigns.serializers import campaign_data
from notifications.models import Delivery
from tests.campaigns.factories import make_campaign
from tests.factories import make_member
from tests.pages import form_values

pytestmark = pytest.mark.django_db


def form_post(**overrides):
    data = {
        "campaign_name": "Roofing",
        "integration": "form",
        "notification_type": "send_email_sms",
        "email_subject": "Lead {{lead_name}}",
        "email_message": "Call {{lead_phone}}",
        "sms_message": "SMS {{lead_name}}",
        "status": "on",
        "add_to_crm": "on",
        "add_person_or_business": "person",
        "currency": "USD",
    }
    data.update(overrides)
    return data


def test_list_shows_counts_rows_and_live_target(tenant_a):
    make_campaign(tenant_a, campaign_name="Roofing")
    make_campaign(tenant_a, campaign_name="Chat", integration="webhook")
    content = tenant_a.admin_client.get("/campaigns/").content.decode()
    assert '<div id="campaign-counts"' in content
    assert "<strong>2</strong><span>Total</span>" in content
    assert "Roofing" in content and "Chat" in content
    assert 'id="campaign-rows-live"' in content


def test_list_filters_return_the_table_partial(tenant_a):
    make_campaign(tenant_a, campaign_name="Roofing")
    make_campaign(tenant_a, campaign_name="Chat", integration="webhook")
    response = tenant_a.admin_client.get("/campaigns/?integration=webhook", HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert content.strip().startswith('<section class="card" id="campaign-table">')
    assert "Chat" in content and "Roofing" not in content
    assert 'id="campaign-rows"' in content


def test_list_pages_and_empty_state(tenant_a):
    assert "No campaigns yet." in tenant_a.admin_client.get("/campaigns/").content.decode()
    for n in range(27):
        make_campaign(tenant_a, campaign_name=f"Campaign {n:02}", integration="webhook")
    first = tenant_a.admin_client.get("/campaigns/").content.decode()
    second = tenant_a.admin_client.get("/campaigns/?page=2").content.decode()
    assert "Page 1 of 2 · 27 in all" in first
    assert "Campaign 26" in first and "Campaign 00" in second
    # An empty cursor beside a page (a form sending every key) is no cursor: that page.
    emptied = tenant_a.admin_client.get("/campaigns/?page=2&cursor=")
    assert emptied.context["page_obj"].number == 2
    assert "Campaign 00" in emptied.content.decode()
    searched = tenant_a.admin_client.get("/campaigns/?search=campaign 0").content.decode()
    # One page: its count is said all the same, with no next page.
    assert "Page 1 of 1 · 10 in all" in searched and "Campaign 05" in searched
    assert "Next →" not in searched


def test_member_sees_only_their_campaigns(tenant_a):
    make_campaign(tenant_a, campaign_name="Hidden one")
    make_campaign(tenant_a, campaign_name="Shared one", selected_user=[{"id": tenant_a.member.pk}])
    content = tenant_a.member_client.get("/campaigns/").content.decode()
    assert "Shared one" in content and "Hidden one" not in content
    assert "<strong>1</strong><span>Total</span>" in content


def test_create_with_representatives_and_custom_numbers(tenant_a):
    response = tenant_a.admin_client.post(
        "/campaigns/new/",
        form_post(
            representatives=[tenant_a.member.pk, tenant_a.admin.pk],
            **{f"custom_number_{tenant_a.member.pk}": "(415) 555-0100"},
        ),
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/campaigns/{campaign.pk}/"
    assert [(a.user, a.custom_number) for a in campaign.assignments.all()] == [
        (tenant_a.member, "+14155550100"),
        (tenant_a.admin, ""),
    ]
    assert campaign.email_details["subject"] == "Lead {{lead_name}}"
    assert campaign.status is True and campaign.owner == tenant_a.admin


def test_create_with_errors_shows_them_and_keeps_the_input(tenant_a):
    response = tenant_a.admin_client.post(
        "/campaigns/new/",
        form_post(campaign_name="", integration="callrail", email_from="not-an-email"),
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert "This field is required." in content
    assert "A tracking number is required for CallRail campaigns." in content
    assert error_under(content, 'id="id_email_from"') == ["Enter a valid email address."]
    assert 'value="not-an-email"' in content
    assert not Campaign.objects.exists()


def error_under(html, marker):
    """The error messages of the field (`div.field` or table cell) holding `marker`, which must
    be marked has-error when there are any."""
    at = html.index(marker)
    start = max(html.rfind('<div class="field', 0, at), html.rfind("<td", 0, at))
    end = min(i for i in (html.find("</div>", at), html.find("</td>", at)) if i != -1)
    block = html[start:end]
    messages = re.findall(r'<small class="error">(.*?)</small>', block)
    assert bool(messages) == ("has-error" in block[: block.index(">")]), block
    return [unescape(message) for message in messages]


def test_errors_of_nested_values_are_under_their_own_inputs_in_plain_words(tenant_a):
    response = tenant_a.admin_client.post(
        "/campaigns/new/",
        form_post(
            representatives=[tenant_a.admin.pk, tenant_a.member.pk],
            email_from="sales@",
            reply_to_email="nope",
            attachments="https://example.com/a.pdf\nftp:/x",
            sms_from="12",
            **{f"custom_number_{tenant_a.member.pk}": "555-12"},
        ),
    )
    assert response.status_code == 400
    html = response.content.decode()
    phone = error_under(html, f'name="custom_number_{tenant_a.member.pk}"')
    assert len(phone) == 1 and phone[0].startswith("Enter a valid phone number")
    assert error_under(html, f'name="custom_number_{tenant_a.admin.pk}"') == []
    assert error_under(html, 'id="id_email_from"') == ["Enter a valid email address."]
    assert error_under(html, 'id="id_reply_to_email"') == ["Enter a valid email address."]
    assert error_under(html, 'id="id_reply_to_name"') == []
    assert error_under(html, 'id="id_attachments"') == [
        "Line 2: Enter a full URL, starting with https:// or http://."
    ]
    assert error_under(html, 'id="id_sms_from"')[0].startswith("Enter a valid phone number")
    shown = " ".join(re.findall(r'<small class="error">(.*?)</small>', html))
    for internal in ("custom_number", "[1]", "from:", "reply_to", "email:", "url:"):
        assert internal not in shown
    assert not Campaign.objects.exists()


@pytest.mark.parametrize("field", ["currency", "add_person_or_business"])
def test_a_choice_not_offered_is_an_error_under_its_field(tenant_a, field):
    # The currency is a deal field: checked while the campaign creates deals.
    response = tenant_a.admin_client.post(
        "/campaigns/new/", form_post(create_deal="on", **{field: "ZZZ"})
    )
    assert response.status_code == 400
    html = response.content.decode()
    start = html.index(f'<label for="id_{field}">')
    assert '<small class="error">' in html[start : html.index("</div>", start)]
    assert not Campaign.objects.exists()


def test_duplicate_tracking_number_is_a_form_error(tenant_a):
    make_campaign(tenant_a, integration="callrail", tracking_number="+14155551234")
    response = tenant_a.admin_client.post(
        "/campaigns/new/", form_post(integration="callrail", tracking_number="(415) 555-1234")
    )
    assert response.status_code == 400
    assert "Tracking number already added!" in response.content.decode()
    assert Campaign.objects.count() == 1


def test_edit_prefills_and_saves(tenant_a):
    campaign = make_campaign(
        tenant_a, campaign_name="Old", email_details={"subject": "Hi {{lead_name}}"}
    )
    page = tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/edit/").content.decode()
    assert 'value="Old"' in page and 'value="Hi {{lead_name}}"' in page
    response = tenant_a.admin_client.post(
        f"/campaigns/{campaign.pk}/edit/", form_post(campaign_name="New")
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.campaign_name == "New"


def test_detail_shows_form_link_and_leads(tenant_a):
    campaign = make_campaign(tenant_a)
    services.capture_lead(
        campaign=campaign,
        source=LeadSource.FORM,
        external_id="1",
        name="Ann Lee",
        phone="+14155550111",
    )
    content = tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f"http://testserver/f/{campaign.form_secret_id}/" in content
    assert "Ann Lee" in content
    assert f'id="campaign-{campaign.pk}-leads"' in content


def test_a_form_campaigns_page_shows_an_html_form_of_its_own_that_makes_a_lead(tenant_a, client):
    campaign = make_campaign(tenant_a, campaign_name="Roofing")
    content = tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    send = f"http://testserver/f/{campaign.form_secret_id}/send/"
    assert f'<code id="form-send-url">{send}</code>' in content
    assert "Use your own form" in content
    for words in ("a lead needs a phone or an email", "up to 30 fields", "windows-1252"):
        assert words in content
    example = unescape(
        re.search(r'<pre class="example" id="form-example">(.*?)</pre>', content, re.S)[1]
    )
    assert f'<form method="post" action="{send}" accept-charset="UTF-8">' in example
    names = re.findall(r'name="(\w+)"', example)
    assert names == ["name", "phone", "email", "message"]

    # What that form posts (with a page's own checkbox group) is a lead, its extras kept.
    values = ["Ann Lee", "+14155550134", "ann@example.com", "Call after 5."]
    fields = dict(zip(names, values, strict=True))
    answer = client.post(
        send.removeprefix("http://testserver"), {**fields, "services": ["roof", "gutter"]}
    )
    assert answer.status_code == 200
    lead = campaign.leads.get()
    assert (lead.name, lead.phone, lead.email) == ("Ann Lee", "+14155550134", "ann@example.com")
    assert lead.payload["services"] == ["roof", "gutter"]


def test_only_a_form_campaigns_page_offers_a_form_of_your_own(tenant_a):
    campaign = make_campaign(tenant_a, integration="webhook")
    content = tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "Use your own form" not in content and "form-example" not in content


def test_detail_of_webhook_campaign_shows_its_url(tenant_a):
    campaign = make_campaign(tenant_a, integration="webhook")
    content = tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f"/webhooks/leads/{campaign.webhook_token}/" in content


def test_status_toggle_with_htmx(tenant_a, committed):
    campaign = make_campaign(tenant_a)
    with committed():
        response = tenant_a.admin_client.post(
            f"/campaigns/{campaign.pk}/status/", {"status": "off"}, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200
    assert (
        f'id="campaign-{campaign.pk}-status"' in response.content.decode()
        and "Activate" in response.content.decode()
    )
    assert "Campaign paused." in unescape(response["HX-Trigger-After-Swap"])
    campaign.refresh_from_db()
    assert campaign.status is False
    assert Delivery.objects.filter(event="campaign_disconnected").exists()


def test_activate_with_htmx_says_it_was_activated(tenant_a, committed):
    campaign = make_campaign(tenant_a, status=False)
    with committed():
        response = tenant_a.admin_client.post(
            f"/campaigns/{campaign.pk}/status/", {"status": "on"}, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200
    assert ">Pause</button>" in response.content.decode()
    notice = json.loads(response["HX-Trigger-After-Swap"])["notice"]
    assert notice == {"level": "success", "text": "Campaign activated."}


def test_pause_from_a_page_drawn_before_the_campaign_was_paused_changes_nothing(
    tenant_a, committed
):
    campaign = make_campaign(tenant_a, campaign_name="Roofing")
    url = f"/campaigns/{campaign.pk}/status/"
    with committed():
        tenant_a.admin_client.post(url, {"status": "off"})
    alerts = Delivery.objects.filter(event="campaign_disconnected").count()
    campaign.refresh_from_db()
    paused_at = campaign.updated_at

    with committed():
        response = tenant_a.admin_client.post(url, {"status": "off"}, follow=True)

    assert response.status_code == 200
    content = unescape(response.content.decode())
    assert "This campaign is already paused; nothing changed." in content
    assert ">Activate</button>" in content
    campaign.refresh_from_db()
    assert campaign.status is False and campaign.updated_at == paused_at
    assert Delivery.objects.filter(event="campaign_disconnected").count() == alerts


def test_activate_on_an_active_campaign_says_so_with_htmx(tenant_a, committed):
    campaign = make_campaign(tenant_a)
    with committed():
        response = tenant_a.admin_client.post(
            f"/campaigns/{campaign.pk}/status/", {"status": "on"}, HTTP_HX_REQUEST="true"
        )
    assert response.status_code == 200
    assert ">Pause</button>" in response.content.decode()
    assert "This campaign is already active" in response["HX-Trigger-After-Swap"]
    campaign.refresh_from_db()
    assert campaign.status is True


@pytest.mark.parametrize("data", [{}, {"status": ""}, {"status": "flip"}, {"status": "true"}])
def test_status_without_the_state_to_set_is_400(tenant_a, data):
    campaign = make_campaign(tenant_a)
    url = f"/campaigns/{campaign.pk}/status/"
    response = tenant_a.admin_client.post(url, data)
    assert response.status_code == 400
    assert (
        'Say which state the campaign should be in: "on" to activate it, "off" to pause it.'
        in unescape(response.content.decode())
    )
    htmx = tenant_a.admin_client.post(url, data, HTTP_HX_REQUEST="true")
    assert htmx.status_code == 400
    assert f'id="campaign-{campaign.pk}-status"' in htmx.content.decode()
    assert "Say which state" in htmx["HX-Trigger-After-Swap"]
    campaign.refresh_from_db()
    assert campaign.status is True
    assert not Delivery.objects.filter(event="campaign_disconnected").exists()


def test_delete_asks_then_soft_deletes(tenant_a):
    campaign = make_campaign(tenant_a, campaign_name="Roofing")
    assert (
        "Delete “Roofing”?"
        in tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/delete/").content.decode()
    )
    response = tenant_a.admin_client.post(f"/campaigns/{campaign.pk}/delete/")
    assert response["Location"] == "/campaigns/"
    campaign.refresh_from_db()
    assert campaign.is_deleted is True
    assert tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/").status_code == 404


def test_preview_renders_the_rule_with_a_sample_lead(tenant_a):
    response = tenant_a.admin_client.post(
        "/campaigns/preview/",
        form_post(
            email_subject="New: {{lead_name}} for {{campaign_name}}", sms_message="{{lead_phone}}"
        ),
    )
    content = response.content.decode()
    assert "New: Sam Sample for Roofing" in content
    assert "(415) 555-0123" in content and "+14155550123" not in content


def test_preview_shows_rule_errors(tenant_a):
    response = tenant_a.admin_client.post(
        "/campaigns/preview/", form_post(email_from="nope", reply_to_email="x@")
    )
    shown = response.content.decode()
    assert "From address: Enter a valid email address." in shown
    assert "Reply-to email: Enter a valid email address." in shown
    assert "reply_to:" not in shown and "from:" not in shown


@pytest.mark.django_db(transaction=True)  # sent at once on commit, as on a running site
def test_a_test_alert_that_fails_says_so(tenant_a, monkeypatch):
    def refuse(message, fail_silently=False):
        raise smtplib.SMTPSenderRefused(550, b"sender not allowed", "alerts@acme.test")

    monkeypatch.setattr(EmailMultiAlternatives, "send", refuse)
    response = tenant_a.member_client.post(
        "/campaigns/test-alert/", form_post(notification_type="only_send_email")
    )
    html = response.content.decode()
    assert 'class="message error">Test alert to you: Email to member@acme.test: failed' in html


@pytest.mark.parametrize("name", ["Müller, Hans", "José [Sales]", 'Équipe "<Ventes>"'])
def test_any_reply_to_name_reaches_the_email(tenant_a, committed, name):
    with committed():
        tenant_a.member_client.post(
            "/campaigns/test-alert/",
            form_post(
                notification_type="only_send_email",
                reply_to_email="hans@acme.com",
                reply_to_name=name,
            ),
        )
    (message,) = mail.outbox
    assert getaddresses(message.reply_to) == [(name, "hans@acme.com")]
    assert "hans@acme.com" in message.message()["Reply-To"]


def test_a_test_sms_says_it_is_a_test(tenant_a):
    tenant_a.member_client.post(
        "/campaigns/test-alert/", form_post(notification_type="only_send_sms", sms_message="Hi")
    )
    assert Delivery.objects.get(channel="sms").body == "[Test] Hi"


def test_a_test_alert_not_sent_yet_says_queued(tenant_a, committed):
    with committed():
        response = tenant_a.member_client.post(
            "/campaigns/test-alert/", form_post(notification_type="only_send_email")
        )
    assert "Test alert to you: Email to member@acme.test: queued." in response.content.decode()


@pytest.mark.django_db(transaction=True)  # sent at once on commit, as on a running site
def test_send_me_a_test(tenant_a):
    response = tenant_a.member_client.post(
        "/campaigns/test-alert/",
        form_post(notification_type="only_send_email", email_subject="Test {{lead_name}}"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="message success">Test alert to you: Email to member@acme.test: sent' in html
    assert mail.outbox[0].to == ["member@acme.test"]
    assert mail.outbox[0].subject == "[Test] Test Sam Sample"
    assert "[Test with a sample lead]" in mail.outbox[0].body


def test_leads_list_detail_and_visibility(tenant_a):
    shared = make_campaign(
        tenant_a, campaign_name="Shared", selected_user=[{"id": tenant_a.member.pk}]
    )
    hidden = make_campaign(tenant_a, campaign_name="Hidden")
    services.capture_lead(
        campaign=shared,
        source=LeadSource.FORM,
        external_id="1",
        name="Ann Visible",
        phone="+14155550111",
    )
    secret, _ = services.capture_lead(
        campaign=hidden,
        source=LeadSource.FORM,
        external_id="2",
        name="Bob Hidden",
        email="b@x.test",
    )
    admin_page = tenant_a.admin_client.get("/leads/").content.decode()
    assert (
        "Ann Visible" in admin_page
        and "Bob Hidden" in admin_page
        and 'id="lead-rows-live"' in admin_page
    )
    member_page = tenant_a.member_client.get("/leads/").content.decode()
    assert "Ann Visible" in member_page and "Bob Hidden" not in member_page
    assert tenant_a.member_client.get(f"/leads/{secret.pk}/").status_code == 404
    detail = tenant_a.admin_client.get(f"/leads/{secret.pk}/").content.decode()
    assert "Bob Hidden" in detail and "b@x.test" in detail
    filtered = tenant_a.admin_client.get(f"/leads/?campaign={hidden.pk}").content.decode()
    assert "Bob Hidden" in filtered and "Ann Visible" not in filtered

    # Filters that cannot be used say so, list nothing and offer no export.
    for client, query, problem in (
        (
            tenant_a.member_client,
            f"campaign={hidden.pk}",
            "Campaign: Choose one of your campaigns.",
        ),
        (tenant_a.admin_client, "status=xyz", "Status: Select a valid choice."),
        (tenant_a.admin_client, "campaign=abc", "Campaign: Enter a whole number in digits 0-9."),
    ):
        refused = client.get(f"/leads/?{query}")
        assert refused.status_code == 400, query
        html = refused.content.decode()
        assert "These filters cannot be used: " + problem in html, query
        assert "Ann Visible" not in html and 'id="lead-export"' not in html
        assert "No leads are listed until the filters can be used." in html
        export = client.get(f"/leads/export/?{query}")
        assert export.status_code == 400, query
        assert export["Content-Type"].startswith("text/html"), query
        assert "These filters cannot be used: " + problem in export.content.decode(), query
        assert 'href="/leads/"' in export.content.decode()


def test_the_lead_list_filters_by_a_deleted_campaign_its_viewer_saw(tenant_a):
    gone = make_campaign(tenant_a, campaign_name="Gone offer", owner=tenant_a.member)
    other = make_campaign(tenant_a, campaign_name="Other offer")
    services.capture_lead(campaign=gone, source=LeadSource.FORM, external_id="1", name="Ann Gone")
    services.capture_lead(campaign=other, source=LeadSource.FORM, external_id="2", name="Bob Here")
    services.delete_campaign(campaign=gone)
    services.delete_campaign(campaign=make_campaign(tenant_a, campaign_name="Not theirs"))
    for client in (tenant_a.admin_client, tenant_a.member_client):
        page = client.get(f"/leads/?campaign={gone.pk}")
        assert page.status_code == 200
        html = page.content.decode()
        assert "Ann Gone" in html and "Bob Here" not in html
        option = f'<option value="{gone.pk}" selected>Gone offer · Lead form (deleted)</option>'
        assert option in html
        export = client.get(f"/leads/export/?campaign={gone.pk}")
        assert export.status_code == 200 and "Ann Gone" in b"".join(export).decode()
    # A member is offered only the deleted campaigns they saw.
    assert "Not theirs" not in tenant_a.member_client.get("/leads/").content.decode()


def test_the_lead_feed_writes_every_moment_one_way_today_or_before(tenant_a):
    from datetime import timedelta

    from django.utils import timezone

    from campaigns.models import Lead

    campaign = make_campaign(tenant_a, campaign_name="Roofing")
    old, _ = services.capture_lead(
        campaign=campaign, source=LeadSource.FORM, external_id="old", name="Old Lead"
    )
    services.capture_lead(campaign=campaign, source=LeadSource.FORM, external_id="n", name="New")
    three_days_ago = timezone.now() - timedelta(days=3)
    Lead.objects.filter(pk=old.pk).update(created_at=three_days_ago)
    page = tenant_a.admin_client.get("/").content.decode()
    shown = timezone.localtime(three_days_ago)
    assert f">{shown.day} {shown:%b %Y, %H:%M}</time>" in page
    today = timezone.localtime(Lead.objects.get(external_id="n").created_at)
    assert f">{today.day} {today:%b %Y, %H:%M}</time>" in page
    assert f">{today:%H:%M}</time>" not in page


def test_dashboard_shows_counts_and_lead_feed(tenant_a):
    campaign = make_campaign(tenant_a)
    services.capture_lead(
        campaign=campaign,
        source=LeadSource.FORM,
        external_id="1",
        name="Ann Lee",
        phone="+14155550111",
    )
    content = tenant_a.admin_client.get("/").content.decode()
    assert '<div id="campaign-counts"' in content
    assert 'id="lead-feed"' in content and "Ann Lee" in content


def test_editing_a_paused_campaign_does_not_alert_again(tenant_a, committed):
    campaign = make_campaign(tenant_a)
    with committed():
        services.update_campaign(campaign=campaign, changes={"status": False})
        tenant_a.admin_client.post(
            f"/campaigns/{campaign.pk}/edit/", {**form_post(campaign_name="Renamed"), "status": ""}
        )
    campaign.refresh_from_db()
    assert (campaign.campaign_name, campaign.status) == ("Renamed", False)
    assert Delivery.objects.filter(event="campaign_disconnected", channel="email").count() == 1


@pytest.mark.parametrize(
    ("search", "found"),
    [
        ("(415) 555-0182", True),
        ("555-0182", True),
        ("+14155550182", True),
        ("4155550182", True),
        ("(415) 555-0199", False),
        ("Ann", True),
    ],
)
def test_leads_are_found_by_phone_as_people_write_it(tenant_a, search, found):
    from urllib.parse import urlencode

    campaign = make_campaign(tenant_a)
    services.capture_lead(
        campaign=campaign, source="form", external_id="p-1", name="Ann", phone="+14155550182"
    )
    page = tenant_a.admin_client.get("/leads/?" + urlencode({"search": search})).content.decode()
    assert ("+14155550182" in page) is found


def test_a_filter_the_campaign_list_does_not_take_is_named(tenant_a):
    listed = make_campaign(tenant_a, campaign_name="Roofing")
    refused = tenant_a.admin_client.get("/campaigns/?integration=fax")
    assert f'id="campaign-{listed.pk}"' not in refused.content.decode()
    assert refused.status_code == 400
    assert "These filters cannot be used: Lead source: Select a valid choice." in (
        refused.content.decode()
    )
    assert "No campaigns are listed until the filters can be used." in refused.content.decode()


def test_a_test_alert_has_the_campaigns_lead_source_and_is_logged_as_a_test(tenant_a, committed):
    response = tenant_a.admin_client.post(
        "/campaigns/test-alert/",
        form_post(integration="callrail", notification_type="only_send_email"),
    )
    assert response.status_code == 200
    delivery = Delivery.objects.get()
    assert delivery.event == services.TEST_ALERT_EVENT
    assert "Source: Call" in delivery.body
    log = tenant_a.admin_client.get("/notifications/").content.decode()
    assert "Test lead alert" in log
    assert not Delivery.objects.filter(event="lead_arrived").exists()


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Spring roofing (Copy)", "Spring roofing"),
        ("Spring roofing (Copy 3)", "Spring roofing"),
        ("Spring (Copy) roofing", "Spring (Copy) roofing"),
        ("(Copy)", "(Copy)"),
    ],
)
def test_visitors_of_a_public_form_never_see_the_copy_suffix(tenant_a, name, shown):
    from django.test import Client

    campaign = make_campaign(tenant_a, campaign_name="Placeholder")
    Campaign.objects.filter(pk=campaign.pk).update(campaign_name=name)
    page = Client().get(f"/f/{campaign.form_secret_id}/").content.decode()
    assert f"<h1>{shown}</h1>" in page and f"<title>{shown}</title>" in page


def post_as_drawn(client, url, html=None, **entries):
    """Save the page at `url` (drawn now, or as `html`) as a browser would, with `entries`
    typed in and nothing else touched."""
    html = html if html is not None else client.get(url).content.decode()
    data = {}
    for name, value in form_values(html, "campaign-form"):
        data.setdefault(name, []).append(value)
    data.update({name: [value] for name, value in entries.items()})
    return client.post(url, data)


def test_saving_the_edit_page_untouched_changes_nothing(tenant_a):
    """The representatives keep their round-robin order (the member first, although the admin
    comes first by name), a campaign without a pipeline keeps none, and nothing is written:
    `updated_at` stays."""
    campaign = make_campaign(
        tenant_a,
        selected_user=[
            {"id": tenant_a.member.pk, "custom_number": "+14155550100"},
            {"id": tenant_a.admin.pk},
        ],
        email_details={
            "subject": "Hi",
            "attachments": [{"name": "a.pdf", "url": "https://x.test/a.pdf"}],
        },
    )
    before = campaign_data(Campaign.objects.get(pk=campaign.pk))
    assert before["pipeline_id"] == "" and before["stage_id"] == ""
    response = post_as_drawn(tenant_a.admin_client, f"/campaigns/{campaign.pk}/edit/")
    assert response.status_code == 302
    after = campaign_data(Campaign.objects.get(pk=campaign.pk))
    assert [rep["id"] for rep in after["selected_user"]] == [tenant_a.member.pk, tenant_a.admin.pk]
    assert after == before

    response = post_as_drawn(
        tenant_a.admin_client, f"/campaigns/{campaign.pk}/edit/", sms_message="Call back"
    )
    moved = campaign_data(Campaign.objects.get(pk=campaign.pk))
    assert response.status_code == 302 and moved["updated_at"] > before["updated_at"]


def test_an_attachment_link_without_a_scheme_is_refused_on_the_page(tenant_a):
    response = tenant_a.admin_client.post("/campaigns/new/", form_post(attachments="brochure.pdf"))
    assert response.status_code == 400
    assert error_under(response.content.decode(), 'id="id_attachments"') == [
        "Enter a full URL, starting with https:// or http://."
    ]
    assert not Campaign.objects.exists()


def test_a_save_from_a_page_drawn_before_another_change_is_refused_once_then_applies(tenant_a):
    """Tab B was opened before tab A renamed the campaign; B changes only the SMS message: B's
    save is refused once naming the change, the page shows A's name with B's message, and saving
    that page keeps both."""
    campaign = make_campaign(tenant_a, campaign_name="Roofing", sms_details={"message": "Old"})
    url = f"/campaigns/{campaign.pk}/edit/"
    tab_b = tenant_a.admin_client.get(url).content.decode()
    assert (
        post_as_drawn(tenant_a.admin_client, url, campaign_name="Roofing North").status_code == 302
    )

    refused = post_as_drawn(tenant_a.admin_client, url, tab_b, sms_message="Call {{lead_phone}}")
    assert refused.status_code == 409
    html = refused.content.decode()
    assert (
        "Someone else changed this campaign after you opened this page (now Name: Roofing North)"
        in unescape(html)
    )
    assert 'value="Roofing North"' in html
    assert ">Call {{lead_phone}}</textarea>" in html
    campaign.refresh_from_db()
    assert campaign.sms_details["message"] == "Old"

    assert post_as_drawn(tenant_a.admin_client, url, html).status_code == 302
    campaign.refresh_from_db()
    assert campaign.campaign_name == "Roofing North"
    assert campaign.sms_details["message"] == "Call {{lead_phone}}"


def test_an_entry_over_another_change_of_the_same_field_is_kept_for_a_second_save(tenant_a):
    campaign = make_campaign(tenant_a, campaign_name="Roofing")
    url = f"/campaigns/{campaign.pk}/edit/"
    tab_b = tenant_a.admin_client.get(url).content.decode()
    post_as_drawn(tenant_a.admin_client, url, campaign_name="Roofing North")
    refused = post_as_drawn(tenant_a.admin_client, url, tab_b, campaign_name="Roofing South")
    assert refused.status_code == 409
    html = refused.content.decode()
    assert 'value="Roofing South"' in html and "now Name: Roofing North" in unescape(html)
    campaign.refresh_from_db()
    assert campaign.campaign_name == "Roofing North"
    assert post_as_drawn(tenant_a.admin_client, url, html).status_code == 302
    campaign.refresh_from_db()
    assert campaign.campaign_name == "Roofing South"


def test_a_change_of_what_the_page_does_not_edit_lets_the_save_through(tenant_a):
    campaign = make_campaign(tenant_a, campaign_name="Roofing")
    url = f"/campaigns/{campaign.pk}/edit/"
    tab = tenant_a.admin_client.get(url).content.decode()
    Campaign.objects.filter(pk=campaign.pk).update(updated_at=timezone.now())
    assert post_as_drawn(tenant_a.admin_client, url, tab, sms_message="New").status_code == 302
    campaign.refresh_from_db()
    assert campaign.sms_details["message"] == "New"


def test_two_campaigns_of_one_name_are_told_apart_in_the_lead_filter(tenant_a):
    make_campaign(tenant_a, campaign_name="Plumbing Leads", integration="webhook")
    make_campaign(tenant_a, campaign_name="Plumbing Leads", integration="dialer")
    page = tenant_a.admin_client.get("/leads/").content.decode()
    assert ">Plumbing Leads · Webhook</option>" in page
    assert ">Plumbing Leads · Dialer</option>" in page


def test_live_lead_lists_say_their_page_size_and_count_for_arrivals(tenant_a):
    campaign = make_campaign(tenant_a)
    for number in range(3):
        services.capture_lead(
            campaign=campaign, source=LeadSource.FORM, external_id=f"f-{number}", name="Ann"
        )
    client = tenant_a.admin_client
    leads = client.get("/leads/").content.decode()
    assert 'id="lead-rows-live" data-live-page-size="25"' in leads
    # One page so far: the pager says the count, which follows the leads that arrive.
    assert 'data-live-count="3" data-per-page="25" data-page="1">' in leads
    assert "Page 1 of 1 · 3 in all" in leads
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f'id="campaign-{campaign.pk}-leads" data-live-page-size="25"' in page
    assert 'data-live-count="3"' in page
    assert (
        'id="lead-feed" class="feed" data-live-page-size="10"' in client.get("/").content.decode()
    )
    # A filtered list takes no live rows, and its pager counts nothing.
    filtered = client.get("/leads/?search=Ann").content.decode()
    assert "data-live-page-size" not in filtered and "data-live-count" not in filtered


def test_test_alerts_past_the_limit_are_refused_and_say_when_to_send_again(tenant_a, settings):
    settings.TEST_ALERT_RATE_LIMIT_PER_MINUTE = 2
    post = form_post(notification_type="only_send_sms", sms_message="Hi")
    for _ in range(2):
        assert tenant_a.member_client.post("/campaigns/test-alert/", post).status_code == 200
    refused = tenant_a.member_client.post("/campaigns/test-alert/", post)
    assert refused.status_code == 429
    assert "You sent 2 test alerts in the last minute" in refused.content.decode()
    assert Delivery.objects.filter(channel="sms").count() == 2
    # Someone else's test alerts are theirs to count.
    assert tenant_a.admin_client.post("/campaigns/test-alert/", post).status_code == 200


def test_the_page_shows_each_source_specific_field_for_the_sources_that_use_it(tenant_a):
    html = tenant_a.admin_client.get("/campaigns/new/").content.decode()
    shown_when = re.findall(r'data-show-when="integration:([^"]*)">\s*<label for="id_(\w+)"', html)
    assert {field: used_by for used_by, field in shown_when} == {
        "tracking_number": "callrail,form,webhook",
        "invoca_campaign_id": "invoca",
        "page_url": "callrail,form,webhook",
        "page_id": "form,webhook",
    }
    # Each says which sources use it (without scripts every field shows).
    assert "Used by CallRail, Lead form and Webhook campaigns." in html
    assert "Used by Lead form and Webhook campaigns." in html


def test_fields_the_lead_source_does_not_use_never_block_the_save_and_keep_their_value(tenant_a):
    """A dialer campaign's page hides the tracking number and page fields: what they hold (a
    value kept from when it was a form campaign, or one typed before the source changed) is
    neither checked nor saved, and the stored values stay."""
    campaign = make_campaign(
        tenant_a,
        tracking_number="+14155550177",
        page_url="https://example.com/roof",
        page_id="fb-123",
    )
    response = post_as_drawn(
        tenant_a.admin_client,
        f"/campaigns/{campaign.pk}/edit/",
        integration="dialer",
        tracking_number="not a number",
        page_url="brochure",
    )
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.integration == "dialer"
    assert (campaign.tracking_number, campaign.page_url, campaign.page_id) == (
        "+14155550177",
        "https://example.com/roof",
        "fb-123",
    )


def _details(html, campaign):
    start = html.index(f'id="campaign-{campaign.pk}-details"')
    return html[start : html.index("</dl>", start)]


def test_details_show_only_the_fields_of_the_current_lead_source(tenant_a, live_events):
    """A campaign switched from CallRail to the dialer keeps its tracking number and landing
    page (stored, routing nothing): its page, and the details it is sent live, no longer list
    them; switched back, they show again."""
    from campaigns import events

    campaign = make_campaign(
        tenant_a,
        integration="callrail",
        tracking_number="+14155550177",
        page_url="https://example.com/roof",
    )
    url = f"/campaigns/{campaign.pk}/"
    details = _details(tenant_a.admin_client.get(url).content.decode(), campaign)
    assert "<dt>Tracking number</dt>" in details
    assert "<dt>Landing page</dt>" in details

    services.update_campaign(campaign=campaign, changes={"integration": "dialer"})
    campaign.refresh_from_db()
    assert campaign.page_url == "https://example.com/roof"
    details = _details(tenant_a.admin_client.get(url).content.decode(), campaign)
    assert "<dd>Dialer</dd>" in details
    assert "Tracking number" not in details
    assert "Landing page" not in details
    assert "example.com/roof" not in details
    events.campaign_page_changed(campaign.pk, {tenant_a.admin.pk})
    [frame] = live_events.to(tenant_a.account, tenant_a.admin, events.PAGE_EVENT)
    live_details = _details(frame["html"], campaign)
    assert "<dd>Dialer</dd>" in live_details
    assert "Landing page" not in live_details
    assert "Tracking number" not in live_details

    services.update_campaign(campaign=campaign, changes={"integration": "form"})
    details = _details(tenant_a.admin_client.get(url).content.decode(), campaign)
    assert "<dt>Tracking number</dt>" in details
    assert "<dt>Landing page</dt>" in details


def test_a_new_campaign_keeps_no_value_of_a_field_its_source_does_not_use(tenant_a):
    response = tenant_a.admin_client.post(
        "/campaigns/new/",
        form_post(integration="dialer", tracking_number="(415) 555-0178", page_url="nope"),
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert (campaign.tracking_number, campaign.page_url) == ("", "")


@pytest.mark.parametrize("deal_value", ["-5", "1e400", "NaN"])
def test_hidden_deal_fields_never_block_a_new_campaign_that_creates_no_deals(tenant_a, deal_value):
    """Without "Create a deal for each lead" the page hides the deal fields: what they hold
    is neither checked nor kept (the account's currency stands)."""
    response = tenant_a.admin_client.post(
        "/campaigns/new/",
        form_post(deal_value=deal_value, pipeline_id="999999", stage_id="nope", currency="XXX"),
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert not campaign.create_deal
    assert (campaign.pipeline_id, campaign.stage_id, campaign.deal_value) == ("", "", None)
    assert campaign.currency == tenant_a.account.currency


def test_unticking_create_deal_keeps_the_stored_deal_settings_whatever_the_hidden_fields_say(
    tenant_a,
):
    pipeline = tenant_a.account.pipelines.get(name="Sales")
    stage_id = str(pipeline.stages.get(name="New").pk)
    campaign = make_campaign(
        tenant_a,
        create_deal=True,
        pipeline_id=str(pipeline.pk),
        stage_id=stage_id,
        deal_value="1500.00",
        currency="EUR",
    )
    url = f"/campaigns/{campaign.pk}/edit/"
    html = tenant_a.admin_client.get(url).content.decode()
    data = {}
    for name, value in form_values(html, "campaign-form"):
        data.setdefault(name, []).append(value)
    data.pop("create_deal")  # the box unticked
    data.update(deal_value=["-5"], pipeline_id=[""], stage_id=[""], currency=["XXX"])
    response = tenant_a.admin_client.post(url, data)
    assert response.status_code == 302
    campaign.refresh_from_db()
    assert not campaign.create_deal
    assert (campaign.pipeline_id, campaign.stage_id, str(campaign.deal_value)) == (
        str(pipeline.pk),
        stage_id,
        "1500.00",
    )
    assert campaign.currency == "EUR"


def test_deal_fields_are_checked_while_create_deal_is_ticked(tenant_a):
    response = tenant_a.admin_client.post(
        "/campaigns/new/", form_post(create_deal="on", deal_value="-5")
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert error_under(content, 'id="id_deal_value"') == [
        "Ensure this value is greater than or equal to 0."
    ]
    assert error_under(content, 'id="id_pipeline_id"') == [
        "Choose a pipeline and a stage to create deals."
    ]
    assert not Campaign.objects.exists()


def test_fields_the_lead_source_uses_are_still_checked(tenant_a):
    response = tenant_a.admin_client.post(
        "/campaigns/new/", form_post(integration="callrail", page_url="brochure")
    )
    assert response.status_code == 400
    content = response.content.decode()
    assert error_under(content, 'id="id_tracking_number"') == [
        "A tracking number is required for CallRail campaigns."
    ]
    assert error_under(content, 'id="id_page_url"') == [
        "Enter a full http(s) URL, e.g. https://example.com/landing."
    ]
    assert not Campaign.objects.exists()


def test_the_edit_page_writes_the_deal_value_with_cents_and_saving_it_untouched_changes_nothing(
    tenant_a,
):
    campaign = make_campaign(tenant_a, deal_value="4500")
    page = tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/edit/").content.decode()
    assert 'name="deal_value" value="4500.00"' in page
    before = Campaign.objects.get(pk=campaign.pk).updated_at
    response = post_as_drawn(tenant_a.admin_client, f"/campaigns/{campaign.pk}/edit/")
    assert response.status_code == 302
    assert Campaign.objects.get(pk=campaign.pk).updated_at == before


def test_the_owner_picker_names_someone_without_a_name_by_their_email_once(tenant_a):
    make_member(tenant_a.account, "noname@acme.test")
    make_member(tenant_a.account, "max@acme.test", name="Max Doe")
    campaign = make_campaign(tenant_a, campaign_name="Roofing")
    page = tenant_a.admin_client.get(f"/campaigns/{campaign.pk}/edit/").content.decode()
    options = re.findall(r'<option value="\d+"[^>]*>([^<]*)</option>', page)
    assert "noname@acme.test" in options
    assert "Max Doe (max@acme.test)" in options
    assert not any("noname@acme.test (" in option for option in options)
