"""The connection page's call data: the webhook URL to paste in Invoca, the poll's last run and
error, "Poll now" (the poll task, safe twice) and "Capture held calls"."""

from html import escape

import pytest
from django.contrib.messages import get_messages
from django.utils import timezone

from campaignhub.models import DeliveryStatus, InboundDelivery
from campaigns.models import Campaign, Lead
from invoca.models import InvocaConnection
from invoca.webhooks import webhook_url
from tests.invoca_calls.conftest import fixture, invoca_campaign, pages, post_json

pytestmark = pytest.mark.django_db(transaction=True)

PAGE = "/invoca/connection/"
POLL = "/invoca/connection/poll/"
CAPTURE = "/invoca/connection/held-calls/"


def said(response):
    """The message this request added (earlier ones wait in storage until a page shows them)."""
    return [str(message) for message in get_messages(response.wsgi_request)][-1:]


def test_the_page_shows_the_webhook_url_and_the_poll_state(tenant_a, connection):
    InvocaConnection.objects.filter(pk=connection.pk).update(
        transactions_polled_at=timezone.now(),
        transactions_error="Invoca answered 502: Bad Gateway",
        transactions_cursor="6A1F0C2B-00000021",
    )
    page = tenant_a.admin_client.get(PAGE).content.decode()
    assert webhook_url(tenant_a.account) in page
    assert "Invoca answered 502: Bad Gateway" in page
    assert "6A1F0C2B-00000021" in page
    assert "minute" in page  # "0 minutes ago"
    assert 'id="invoca-poll-now"' in page
    assert "None: every call so far went to a campaign." in page
    member_page = tenant_a.member_client.get(PAGE).content.decode()
    assert 'id="invoca-poll-now"' not in member_page
    assert webhook_url(tenant_a.account) not in member_page  # its token is a secret
    assert "An account admin has the address" in member_page


def test_without_a_connection_the_page_says_so(tenant_a):
    page = tenant_a.admin_client.get(PAGE).content.decode()
    assert "Connect Invoca to read its Transactions API." in page
    assert 'id="invoca-poll-now"' not in page
    response = tenant_a.admin_client.post(POLL)
    assert response.status_code == 302
    assert said(response) == ["Connect Invoca first."]


def test_poll_now_reads_the_calls_into_leads_and_is_safe_twice(
    tenant_a, connection, campaign, upstream
):
    pages(upstream, fixture("transactions__page_1"), [], [])
    response = tenant_a.admin_client.post(POLL)
    assert response.status_code == 302 and response.url == PAGE
    assert said(response) == ["Calls read from Invoca; new ones are leads now."]
    leads = sorted(Lead.objects.values_list("external_id", flat=True))
    assert leads == ["6A1F0C2B-00000011", "6A1F0C2B-00000013"]
    connection.refresh_from_db()
    assert connection.transactions_polled_at is not None
    assert connection.transactions_cursor

    # Again: the cursor is past those calls; nothing new, nothing doubled.
    again = tenant_a.admin_client.post(POLL)
    assert said(again) == ["Calls read from Invoca; new ones are leads now."]
    assert sorted(Lead.objects.values_list("external_id", flat=True)) == leads


def test_poll_now_while_a_poll_runs_reads_nothing(tenant_a, connection, upstream):
    InvocaConnection.objects.filter(pk=connection.pk).update(transactions_claimed_at=timezone.now())
    assert 'class="badge warn">reading now' in tenant_a.admin_client.get(PAGE).content.decode()
    response = tenant_a.admin_client.post(POLL)
    assert said(response) == ["Calls are being read from Invoca already; try again shortly."]
    assert len(upstream.calls) == 0


def test_a_failed_poll_is_said_and_kept_on_the_page(tenant_a, connection, upstream):
    pages(upstream, (403, {"errors": {"class": "Forbidden", "invalid_data": "No access"}}))
    response = tenant_a.admin_client.post(POLL)
    assert said(response)[0].startswith("Reading calls from Invoca failed:")
    connection.refresh_from_db()
    assert connection.transactions_error
    page = tenant_a.admin_client.get(PAGE).content.decode()
    assert escape(connection.transactions_error) in page


def test_a_rejected_token_is_not_polled(tenant_a, connection, upstream):
    InvocaConnection.objects.filter(pk=connection.pk).update(rejected_at=timezone.now())
    page = tenant_a.admin_client.get(PAGE).content.decode()
    assert 'id="invoca-poll-now"' not in page
    assert "calls are not read until you reconnect" in page
    response = tenant_a.admin_client.post(POLL)
    assert said(response) == ["Invoca refused the token: reconnect before reading calls."]
    assert len(upstream.calls) == 0


def test_members_cannot_poll_or_capture(tenant_a, connection, upstream):
    assert tenant_a.member_client.post(POLL).status_code == 403
    assert tenant_a.member_client.post(CAPTURE).status_code == 403
    assert len(upstream.calls) == 0


def test_held_calls_are_listed_and_captured_once_linked(tenant_a, connection, roofing, receiver):
    call = fixture("post_call__json")
    assert post_json(receiver, call).status_code == 200
    held = InboundDelivery.objects.get()
    assert held.status == DeliveryStatus.IGNORED and held.error.startswith("Held: ")

    page = tenant_a.admin_client.get(PAGE).content.decode()
    assert (
        "1 call</strong>: no inbound campaign is linked to advertiser campaign ADV7/roof-2026."
        in page
    )
    assert 'id="invoca-capture-held"' in page
    assert 'id="invoca-capture-held"' not in tenant_a.member_client.get(PAGE).content.decode()

    # Still unlinked: sent again, still held.
    response = tenant_a.admin_client.post(CAPTURE)
    assert said(response) == [
        "1 call still held: choose their advertiser campaign on an active inbound campaign first."
    ]
    assert not Lead.objects.exists()

    # A paused campaign takes none either; once it is active (here switched on without a
    # save, so nothing captured them on its own) the button captures both.
    campaign = invoca_campaign(tenant_a, roofing, status=False)
    assert post_json(receiver, {**call, "transaction_id": "6A1F0C2B-00000099"}).status_code == 200
    assert not Lead.objects.exists()
    Campaign.objects.filter(pk=campaign.pk).update(status=True)
    response = tenant_a.admin_client.post(CAPTURE)
    assert said(response) == ["2 held calls captured as leads."]
    assert sorted(Lead.objects.values_list("external_id", flat=True)) == [
        "6A1F0C2B-00000011",
        "6A1F0C2B-00000099",
    ]
    assert said(tenant_a.admin_client.post(CAPTURE)) == ["No held calls to capture."]
    assert "None: every call so far went to a campaign." in (
        tenant_a.admin_client.get(PAGE).content.decode()
    )


def test_a_held_call_that_came_both_ways_counts_once(
    tenant_a, connection, roofing, receiver, upstream
):
    """The webhook and the poll of one call are two held deliveries but one held call; a
    correction of it is the same call too."""
    call = fixture("post_call__json")
    assert post_json(receiver, call).status_code == 200
    row = {**call, "transaction_type": "Call"}
    correction = {
        **row,
        "transaction_id": "6A1F0C2B-00000015",
        "corrects_transaction_id": call["transaction_id"],
    }
    other = {**row, "transaction_id": "6A1F0C2B-00000016"}
    pages(upstream, [row, correction, other], [])
    assert tenant_a.admin_client.post(POLL).status_code == 302
    assert InboundDelivery.objects.filter(status=DeliveryStatus.IGNORED).count() == 4
    page = tenant_a.admin_client.get(PAGE).content.decode()
    assert "<strong>2 calls</strong> reached us" in page
    assert (
        "2 calls</strong>: no inbound campaign is linked to advertiser campaign ADV7/roof-2026."
        in page
    )
