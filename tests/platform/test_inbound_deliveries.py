"""The Incoming deliveries pages: an account admin reads what upstreams sent (refused posts
included), filters it, opens one with its credentials hidden, and replays it."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from campaignhub import inbound
from campaignhub.forms import InboundDeliveryFilterForm
from campaignhub.models import DeliveryStatus, InboundDelivery
from campaignhub.webhooks import INVALID_SIGNATURE
from campaigns.models import Lead
from campaigns.selectors import held_notice
from tests.campaigns.factories import make_campaign

pytestmark = pytest.mark.django_db

LIST = "/settings/deliveries/"


def post_lead(campaign, payload):
    return Client().post(
        f"/webhooks/leads/{campaign.webhook_token}/",
        json.dumps(payload),
        content_type="application/json",
    )


def row(delivery):
    """The list's row of `delivery`, as its page has it."""
    return f'id="inbound-delivery-{delivery.pk}"'


def store(account, **fields):
    values = {"source": "callrail", "status": DeliveryStatus.PROCESSED, "body": b"{}"}
    values.update(fields)
    return InboundDelivery.objects.create(account=account, **values)


@pytest.fixture
def hook(tenant_a):
    return make_campaign(tenant_a, integration="webhook", campaign_name="Spring roofing offer")


def test_a_refused_lead_webhook_post_is_listed_with_its_campaign_and_error(tenant_a, hook):
    assert post_lead(hook, {"name": "No Way To Call"}).status_code == 400
    page = tenant_a.admin_client.get(LIST)
    assert page.status_code == 200
    content = page.content.decode()
    row = content[content.index('id="inbound-delivery-') :]
    assert "Lead webhook" in row
    assert f'href="/campaigns/{hook.pk}/">Spring roofing offer</a>' in row
    assert "Rejected" in row
    # The form's errors stored as JSON are said as words.
    assert "Send a phone or an email." in row
    assert "non_field_errors" not in row
    assert 'data-label="Signature"' in row and "Not signed" in row


def test_the_campaign_names_of_a_page_cost_one_query_whatever_the_rows(
    tenant_a, django_assert_max_num_queries
):
    campaigns = [
        make_campaign(tenant_a, integration="webhook", campaign_name=f"Hook {n}") for n in range(6)
    ]
    for campaign in campaigns[:3]:
        store(tenant_a.account, source="leads", target_id=str(campaign.pk))
    # Deliveries whose processing found their campaign (a dialer call's lead) are named in the
    # same query.
    for campaign in campaigns[3:]:
        store(tenant_a.account, source="dialer", event="cdr", campaign_id=campaign.pk)
    tenant_a.admin_client.get(LIST)  # session and account read once
    with django_assert_max_num_queries(9) as captured:
        content = tenant_a.admin_client.get(LIST).content.decode()
    assert all(f"Hook {n}" in content for n in range(6))
    # One query names the rows' campaigns; the campaign filter's choices are read once more.
    campaign_queries = [q for q in captured.captured_queries if "campaigns_campaign" in q["sql"]]
    naming = [q for q in campaign_queries if " IN (" in q["sql"]]
    assert (len(naming), len(campaign_queries)) == (1, 2)


def test_the_list_is_the_accounts_own_newest_first(tenant_a, tenant_b):
    older = store(tenant_a.account, event="post_call")
    newer = store(tenant_a.account, source="dialer", event="call_ended")
    theirs = store(tenant_b.account, event="form_submission")
    content = tenant_a.admin_client.get(LIST).content.decode()
    assert content.index(row(newer)) < content.index(row(older))
    assert row(theirs) not in content
    assert "Post call" in content and "Call ended" in content


def test_filters_by_source_and_status(tenant_a):
    processed = store(tenant_a.account)
    failed = store(tenant_a.account, status=DeliveryStatus.FAILED, error="KeyError: 'call'")
    dialer = store(tenant_a.account, source="dialer")
    content = tenant_a.admin_client.get(LIST, {"source": "callrail", "status": "failed"}).content
    content = content.decode()
    assert row(failed) in content
    assert row(processed) not in content
    assert row(dialer) not in content
    assert "KeyError" in content


def test_filter_by_campaign_keeps_what_was_posted_to_it(tenant_a, hook):
    other = make_campaign(tenant_a, integration="webhook", campaign_name="Other hook")
    post_lead(hook, {"name": "Ann", "phone": "+14155550134"})
    post_lead(other, {"name": "Bob", "phone": "+14155550135"})
    mine = InboundDelivery.objects.get(target_id=str(hook.pk))
    theirs = InboundDelivery.objects.get(target_id=str(other.pk))
    content = tenant_a.admin_client.get(LIST, {"campaign": hook.pk}).content.decode()
    assert row(mine) in content
    assert row(theirs) not in content
    # The campaign filter is a select of the account's campaigns, the chosen one selected.
    select = content[content.index('<select name="campaign"') :]
    select = select[: select.index("</select>")]
    assert '<option value="">All campaigns</option>' in select
    assert f'<option value="{hook.pk}" selected>Spring roofing offer · Webhook</option>' in select
    assert f'<option value="{other.pk}">Other hook · Webhook</option>' in select


def test_the_campaign_filter_offers_the_accounts_campaigns_only_deleted_ones_marked(
    tenant_a, tenant_b, hook
):
    gone = make_campaign(tenant_a, integration="dialer", campaign_name="Autumn calls")
    gone.is_deleted = True
    gone.save(update_fields=["is_deleted"])
    make_campaign(tenant_b, integration="webhook", campaign_name="Bolt hook")
    content = tenant_a.admin_client.get(LIST).content.decode()
    select = content[content.index('<select name="campaign"') :]
    select = select[: select.index("</select>")]
    assert select.index("Autumn calls · Dialer (deleted)") < select.index("Spring roofing offer")
    assert "Bolt hook" not in select


def test_the_list_shows_seconds_so_deliveries_of_one_minute_differ(tenant_a):
    from datetime import UTC, datetime

    tenant_a.account.timezone = "UTC"
    tenant_a.account.save(update_fields=["timezone"])
    first = store(tenant_a.account, received_at=datetime(2026, 12, 3, 14, 5, 7, tzinfo=UTC))
    store(tenant_a.account, received_at=datetime(2026, 12, 3, 14, 5, 41, tzinfo=UTC))
    content = tenant_a.admin_client.get(LIST).content.decode()
    assert ">3 Dec 2026, 14:05:07</time>" in content
    assert ">3 Dec 2026, 14:05:41</time>" in content
    # A delivery's own page keeps moments to the minute, as other pages do.
    detail = tenant_a.admin_client.get(f"{LIST}{first.pk}/").content.decode()
    assert ">3 Dec 2026, 14:05</time>" in detail


@pytest.mark.parametrize(
    "query, field",
    [
        ({"source": "smtp"}, "source"),
        ({"status": "lost"}, "status"),
        ({"campaign": "abc"}, "Enter a whole number in digits 0-9."),
        ("source=callrail&source=dialer", "Give each query parameter once: source."),
    ],
)
def test_a_filter_that_cannot_be_used_is_said_and_nothing_is_listed(tenant_a, query, field):
    kept = store(tenant_a.account)
    path = f"{LIST}?{query}" if isinstance(query, str) else LIST
    response = tenant_a.admin_client.get(path, query if isinstance(query, dict) else None)
    assert response.status_code == 400
    content = response.content.decode()
    assert "These filters cannot be used" in content and field in content
    assert row(kept) not in content
    assert "No deliveries are listed until the filters can be used." in content


def test_filter_errors_read_as_sentences_and_a_nul_is_shown_escaped(tenant_a):
    response = tenant_a.admin_client.get(f"{LIST}?status=bogus&campaign=999999")
    assert response.status_code == 400
    unknown = InboundDeliveryFilterForm.UNKNOWN_CAMPAIGN
    assert (
        "These filters cannot be used: Status: Select a valid choice. bogus is not one of the "
        f"available choices; Campaign: {unknown} Choose others above."
    ) in response.content.decode()
    assert ".;" not in response.content.decode()

    response = tenant_a.admin_client.get(f"{LIST}?status=%00")
    assert response.status_code == 400
    content = response.content.decode()
    assert "\x00" not in content
    assert "Status: Select a valid choice. \\x00 is not one of the available choices." in content


def test_another_accounts_campaign_is_no_filter(tenant_a, tenant_b):
    theirs = make_campaign(tenant_b, integration="webhook", campaign_name="Bolt hook")
    store(tenant_b.account, source="leads", target_id=str(theirs.pk))
    response = tenant_a.admin_client.get(LIST, {"campaign": theirs.pk})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Choose a campaign of this account." in content
    assert "Bolt hook" not in content


def test_the_empty_list_says_where_deliveries_come_from(tenant_a):
    content = tenant_a.admin_client.get(LIST).content.decode()
    assert "No deliveries yet." in content
    assert (
        "Everything the lead webhook, CallRail, Invoca and the dialer sent to this account, and "
        "the public form submissions held while their campaign was paused, stored as it arrived"
    ) in content
    assert "and form submissions held while their campaign is paused, appear here" in content
    filtered = tenant_a.admin_client.get(LIST, {"status": "failed"}).content.decode()
    assert "No deliveries match these filters." in filtered


def test_long_lists_are_paged_by_number_then_keyset_keeping_filters(tenant_a):
    rows = [store(tenant_a.account, event=f"e{n}") for n in range(30)]
    store(tenant_a.account, source="dialer")
    first = tenant_a.admin_client.get(LIST, {"source": "callrail"}).content.decode()
    assert "Page 1 of 2 · 30 in all" in first
    assert row(rows[-1]) in first and row(rows[0]) not in first
    assert "source=callrail&amp;page=2" in first
    second = tenant_a.admin_client.get(LIST, {"source": "callrail", "page": 2}).content.decode()
    assert row(rows[0]) in second
    assert row(rows[-1]) not in second
    assert 'rel="last"' in first
    last_link = first.split('rel="last" href="')[1].split('"')[0].replace("&amp;", "&")
    last = tenant_a.admin_client.get(LIST + last_link).content.decode()
    assert row(rows[0]) in last and "Older pages" in last


def test_the_detail_hides_credentials_and_keeps_signatures(tenant_a):
    delivery = store(
        tenant_a.account,
        headers={
            "Content-Type": "application/json",
            "Authorization": "Bearer sk_live_abc",
            "Cookie": "sessionid=s3cret",
            "X-Webhook-Secret": "hush",
            "X-Auth-Token": "tok_123",
            "Signature": "c2lnbmVk",
            "User-Agent": "CallRail",
        },
        body=b'{"caller": "<script>alert(1)</script>"}',
    )
    content = tenant_a.admin_client.get(f"{LIST}{delivery.pk}/").content.decode()
    for secret in ("sk_live_abc", "s3cret", "hush", "tok_123"):
        assert secret not in content
    assert content.count(inbound.HIDDEN) == 4
    assert "c2lnbmVk" in content and "CallRail" in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "<script>alert(1)" not in content


@pytest.mark.parametrize(
    "name", ["X-Hub-Signature-Secret", "X-My-Signature-Token", "X-Webhook-Signature-Key"]
)
def test_a_signature_header_naming_a_secret_is_hidden(tenant_a, name):
    delivery = store(tenant_a.account, headers={name: "whsec_live_42", "Signature": "c2lnbmVk"})
    content = tenant_a.admin_client.get(f"{LIST}{delivery.pk}/").content.decode()
    assert "whsec_live_42" not in content
    assert f"<dt>{name}</dt><dd><code>{inbound.HIDDEN}</code></dd>" in content
    assert "<dt>Signature</dt><dd><code>c2lnbmVk</code></dd>" in content


def test_header_values_hide_form_ids_and_webhook_tokens_as_the_logs_do(tenant_a):
    form_id = "de35d222-4f1c-4c62-9a51-0d2f0a7c9e11"
    delivery = store(
        tenant_a.account,
        source="form",
        headers={
            "Referer": f"http://testserver/f/{form_id}/",
            "X-Forwarded-Uri": "/webhooks/leads/tok_9f8e7d6c5b4a/",
        },
    )
    content = tenant_a.admin_client.get(f"{LIST}{delivery.pk}/").content.decode()
    assert form_id not in content and "tok_9f8e7d6c5b4a" not in content
    assert "<dt>Referer</dt><dd><code>http://testserver/f/…/</code></dd>" in content
    assert "<dt>X-Forwarded-Uri</dt><dd><code>/webhooks/leads/…/</code></dd>" in content


def test_a_long_body_is_cut_with_a_note(tenant_a):
    delivery = store(tenant_a.account, body=b"x" * (inbound.BODY_SHOWN + 5))
    content = tenant_a.admin_client.get(f"{LIST}{delivery.pk}/").content.decode()
    assert "x" * inbound.BODY_SHOWN in content
    assert "x" * (inbound.BODY_SHOWN + 1) not in content
    assert "5 more characters not shown" in content


def test_the_detail_shows_error_traceback_attempts_and_processed_at(tenant_a):
    delivery = store(
        tenant_a.account,
        status=DeliveryStatus.FAILED,
        error="ValueError: no tracker",
        traceback="Traceback (most recent call last):\n  ValueError: no tracker",
        attempts=3,
    )
    content = tenant_a.admin_client.get(f"{LIST}{delivery.pk}/").content.decode()
    assert "ValueError: no tracker" in content
    assert "Traceback (most recent call last)" in content
    assert "<dt>Attempts</dt><dd>3" in content
    assert 'id="replay"' in content


def test_a_processed_delivery_is_titled_in_words_and_links_the_lead_it_made(
    tenant_a, hook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_lead(hook, {"name": "Ann Lee", "phone": "+14155550134"})
    delivery = InboundDelivery.objects.get()
    lead = Lead.objects.get()
    assert delivery.lead_id == lead.pk
    content = tenant_a.admin_client.get(f"{LIST}{delivery.pk}/").content.decode()
    assert f"<title>Lead webhook · Lead · delivery #{delivery.pk}" in content
    assert f"<h2>Lead webhook · Lead · delivery #{delivery.pk}</h2>" in content
    assert f'<dd id="delivery-lead"><a href="/leads/{lead.pk}/">Ann Lee</a></dd>' in content
    # A lead deleted since is linked no more.
    lead.delete()
    content = tenant_a.admin_client.get(f"{LIST}{delivery.pk}/").content.decode()
    assert 'id="delivery-lead"' not in content


def test_a_dialer_call_record_reads_in_words(tenant_a):
    delivery = store(tenant_a.account, source="dialer", event="cdr")
    assert "Call record" in tenant_a.admin_client.get(LIST).content.decode()
    content = tenant_a.admin_client.get(f"{LIST}{delivery.pk}/").content.decode()
    assert f"<h2>Dialer · Call record · delivery #{delivery.pk}</h2>" in content
    assert "Cdr" not in content


def test_a_delivery_held_for_its_paused_campaign_is_not_offered_replay(
    tenant_a, hook, django_capture_on_commit_callbacks
):
    hook.status = False
    hook.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        post_lead(hook, {"name": "Ann Lee", "phone": "+14155550134"})
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.IGNORED
    content = tenant_a.admin_client.get(f"{LIST}{delivery.pk}/").content.decode()
    assert 'id="replay"' not in content
    assert 'id="delivery-error"' not in content and "<strong>Error:</strong>" not in content
    held = content[content.index('id="delivery-held"') :]
    held = held[: held.index("</div>")]
    assert f'<a href="/campaigns/{hook.pk}/">Spring roofing offer</a> is paused.' in held
    assert "captured with “Capture it now” on" in held
    assert "The campaign is paused; the lead is stored" in held
    # In the list, its reason is a note, not an error.
    listed = tenant_a.admin_client.get(LIST).content.decode()
    cell = listed[listed.index(row(delivery)) :].split('data-label="Error">', 1)[1]
    assert cell.startswith('<small class="muted">The campaign is paused;')
    # Posted anyway, replay says why it does not.
    response = tenant_a.admin_client.post(f"{LIST}{delivery.pk}/replay/", follow=True)
    text = response.content.decode()
    assert "queued for processing again" not in text
    assert "Not replayed: it is held while its campaign is paused" in text
    delivery.refresh_from_db()
    assert delivery.attempts == 0

    # Once the campaign is active, replay is offered again.
    hook.status = True
    hook.save(update_fields=["status"])
    content = tenant_a.admin_client.get(f"{LIST}{delivery.pk}/").content.decode()
    assert 'id="replay"' in content and 'id="delivery-held"' not in content


@pytest.mark.parametrize(
    "change, refusal",
    [
        ({"status": False}, inbound.PAUSED_NOT_REPLAYED),
        ({"is_deleted": True}, inbound.DELETED_NOT_REPLAYED),
    ],
    ids=["paused", "deleted"],
)
def test_a_processed_delivery_is_not_replayed_while_its_campaign_is_paused_or_deleted(
    tenant_a, hook, django_capture_on_commit_callbacks, change, refusal
):
    with django_capture_on_commit_callbacks(execute=True):
        post_lead(hook, {"name": "Ann Lee", "phone": "+14155550134"})
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PROCESSED
    for field, value in change.items():
        setattr(hook, field, value)
    hook.save(update_fields=list(change))
    before = InboundDelivery.objects.values().get(pk=delivery.pk)

    content = tenant_a.admin_client.get(f"{LIST}{delivery.pk}/").content.decode()
    assert 'id="replay"' not in content
    assert f'<p class="muted" id="replay-note">{refusal}</p>' in content
    # Posted anyway, replay says why it does not, and nothing changes.
    with django_capture_on_commit_callbacks(execute=True):
        response = tenant_a.admin_client.post(f"{LIST}{delivery.pk}/replay/", follow=True)
    text = response.content.decode()
    assert response.redirect_chain[-1][0] == f"{LIST}{delivery.pk}/"
    assert refusal in text and "queued for processing again" not in text
    assert InboundDelivery.objects.values().get(pk=delivery.pk) == before
    assert 'id="delivery-held"' not in text and "Held, not lost" not in text
    assert Lead.objects.filter(campaign=hook).count() == 1
    assert held_notice(hook)["held_leads"] == 0


def test_an_ignored_deliverys_reason_is_a_note_not_an_error(tenant_a):
    reason = "Held: the call names no advertiser campaign, so no campaign of this account holds it."
    delivery = store(tenant_a.account, source="invoca", status=DeliveryStatus.IGNORED, error=reason)
    content = tenant_a.admin_client.get(f"{LIST}{delivery.pk}/").content.decode()
    assert 'id="delivery-error"' not in content and "<strong>Error:</strong>" not in content
    assert f'<div class="message" id="delivery-note"><p><strong>Ignored:</strong> {reason}' in (
        content
    )
    listed = tenant_a.admin_client.get(LIST).content.decode()
    cell = listed[listed.index(row(delivery)) :].split('data-label="Error">', 1)[1]
    assert cell.startswith('<small class="muted">Held: the call names no advertiser')
    # A failed delivery's reason stays an error.
    failed = store(tenant_a.account, status=DeliveryStatus.FAILED, error="ValueError: no tracker")
    content = tenant_a.admin_client.get(f"{LIST}{failed.pk}/").content.decode()
    assert 'id="delivery-error"' in content and 'id="delivery-note"' not in content


def test_replay_captures_the_lead_of_a_failed_delivery(
    tenant_a, hook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_lead(hook, {"name": "Ann", "phone": "+14155550134"})
    delivery = InboundDelivery.objects.get()
    Lead.objects.all().delete()
    InboundDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.FAILED, error="OperationalError: locked"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = tenant_a.admin_client.post(f"{LIST}{delivery.pk}/replay/", follow=True)
    assert response.redirect_chain[-1][0] == f"{LIST}{delivery.pk}/"
    assert "1 delivery queued for processing again." in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PROCESSED
    assert Lead.objects.filter(campaign=hook, name="Ann").exists()


def test_replay_of_a_delivery_rejected_for_what_it_held_is_skipped(tenant_a, hook):
    post_lead(hook, {"name": "No Way To Call"})
    delivery = InboundDelivery.objects.get()
    page = tenant_a.admin_client.get(f"{LIST}{delivery.pk}/").content.decode()
    assert 'id="replay"' not in page and "for what it held" in page
    response = tenant_a.admin_client.post(f"{LIST}{delivery.pk}/replay/", follow=True)
    assert "1 skipped: rejected for what it held" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.REJECTED


def test_replay_of_a_forged_delivery_is_skipped(tenant_a):
    delivery = store(
        tenant_a.account,
        status=DeliveryStatus.REJECTED,
        signature_valid=False,
        error=INVALID_SIGNATURE,
    )
    response = tenant_a.admin_client.post(f"{LIST}{delivery.pk}/replay/", follow=True)
    assert "1 skipped" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.REJECTED


def test_replay_is_a_post(tenant_a):
    delivery = store(tenant_a.account, status=DeliveryStatus.FAILED)
    assert tenant_a.admin_client.get(f"{LIST}{delivery.pk}/replay/").status_code == 405


@pytest.mark.parametrize(
    "name", ["inbound_deliveries", "inbound_delivery", "inbound_delivery_replay"]
)
def test_a_representative_is_refused(tenant_a, name):
    delivery = store(tenant_a.account, status=DeliveryStatus.FAILED)
    path = reverse(name) if name == "inbound_deliveries" else reverse(name, args=[delivery.pk])
    client = tenant_a.member_client
    response = client.post(path) if name.endswith("replay") else client.get(path)
    assert response.status_code == 403
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED


def test_settings_offers_the_page_to_admins_only(tenant_a):
    assert (
        'href="/settings/deliveries/"' in tenant_a.admin_client.get("/settings/").content.decode()
    )
    assert "/settings/deliveries/" not in tenant_a.member_client.get("/settings/").content.decode()


def test_a_webhook_campaigns_page_links_its_deliveries_for_admins(tenant_a, hook):
    link = f'href="/settings/deliveries/?campaign={hook.pk}"'
    assert link in tenant_a.admin_client.get(f"/campaigns/{hook.pk}/").content.decode()
    form = make_campaign(tenant_a, integration="form")
    assert (
        "/settings/deliveries/"
        not in tenant_a.admin_client.get(f"/campaigns/{form.pk}/").content.decode()
    )


def test_the_admins_replay_action_says_what_the_page_says(tenant_a, hook):
    post_lead(hook, {"name": "No Way To Call"})
    failed = store(tenant_a.account, status=DeliveryStatus.FAILED)
    tenant_a.admin.is_staff = tenant_a.admin.is_superuser = True
    tenant_a.admin.save()
    response = tenant_a.admin_client.post(
        reverse("admin:campaignhub_inbounddelivery_changelist"),
        {
            "action": "replay",
            "_selected_action": list(InboundDelivery.objects.values_list("pk", flat=True)),
        },
        follow=True,
    )
    content = response.content.decode()
    assert "1 delivery queued for processing again." in content
    assert "1 skipped: rejected for what it held" in content
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.RECEIVED


@pytest.mark.parametrize(
    "change, refusal",
    [
        ({"status": False}, inbound.PAUSED_NOT_REPLAYED),
        ({"is_deleted": True}, inbound.DELETED_NOT_REPLAYED),
    ],
    ids=["paused", "deleted"],
)
def test_the_admins_replay_action_skips_deliveries_of_a_paused_or_deleted_campaign(
    tenant_a, hook, django_capture_on_commit_callbacks, change, refusal
):
    with django_capture_on_commit_callbacks(execute=True):
        post_lead(hook, {"name": "Ann Lee", "phone": "+14155550134"})
    concerned = InboundDelivery.objects.get()
    failed = store(tenant_a.account, status=DeliveryStatus.FAILED)
    for field, value in change.items():
        setattr(hook, field, value)
    hook.save(update_fields=list(change))
    before = InboundDelivery.objects.values().get(pk=concerned.pk)
    tenant_a.admin.is_staff = tenant_a.admin.is_superuser = True
    tenant_a.admin.save()

    response = tenant_a.admin_client.post(
        reverse("admin:campaignhub_inbounddelivery_changelist"),
        {"action": "replay", "_selected_action": [concerned.pk, failed.pk]},
        follow=True,
    )
    content = response.content.decode()
    assert "1 delivery queued for processing again." in content
    assert f"{refusal} (1 selected)" in content
    assert "skipped" not in content
    assert InboundDelivery.objects.values().get(pk=concerned.pk) == before
    assert Lead.objects.filter(campaign=hook).count() == 1
    failed.refresh_from_db()
    assert failed.status == DeliveryStatus.RECEIVED


def test_the_replay_command_skips_deliveries_of_a_deleted_campaign(
    tenant_a, hook, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post_lead(hook, {"name": "Ann Lee", "phone": "+14155550134"})
    concerned = InboundDelivery.objects.get()
    hook.is_deleted = True
    hook.save(update_fields=["is_deleted"])
    before = InboundDelivery.objects.values().get(pk=concerned.pk)
    out = io.StringIO()
    call_command("replay_deliveries", "--status", "processed", "--dry-run", stdout=out)
    assert (
        out.getvalue()
        == f"{inbound.DELETED_NOT_REPLAYED} (1 of them)\n0 deliveries would be replayed.\n"
    )
    out = io.StringIO()
    call_command("replay_deliveries", "--status", "processed", stdout=out)
    assert out.getvalue().endswith("0 deliveries queued for processing again.\n")
    assert InboundDelivery.objects.values().get(pk=concerned.pk) == before
