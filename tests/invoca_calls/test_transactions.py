"""The Transactions API poll: cursor, pages until empty, corrections, one lead per call."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from django.utils import timezone

from campaignhub.http import ApiError
from campaignhub.models import DeliveryStatus, InboundDelivery
from campaigns.models import Lead
from invoca import tasks, transactions
from invoca.leads import TRANSACTIONS_SOURCE
from invoca.models import InvocaConnection
from notifications.models import Delivery
from tests.invoca_calls.conftest import (
    TOKEN,
    connect,
    fixture,
    pages,
    post_json,
)

pytestmark = pytest.mark.django_db(transaction=True)


def sent(call):
    """The query parameters of one Transactions API request."""
    return {k: v[-1] for k, v in parse_qs(urlparse(call.request.url).query).items()}


def test_the_poll_reads_pages_until_empty_and_keeps_the_cursor(
    settings, connection, campaign, upstream
):
    settings.INVOCA_TRANSACTIONS_PAGE_SIZE = 3
    calls = pages(upstream, fixture("transactions__page_1"), fixture("transactions__page_2"), [])

    result = transactions.poll(connection.pk)

    assert (result.pages, result.rows, result.finished) == (2, 5, True)
    assert [sent(c).get("start_after_transaction_id") for c in calls] == [
        None,
        "6A1F0C2B-00000014",
        "6A1F0C2B-00000021",
    ]
    assert all(sent(c)["limit"] == "3" for c in calls)
    assert all(c.request.headers["Authorization"] == TOKEN for c in calls)
    connection.refresh_from_db()
    assert connection.transactions_cursor == "6A1F0C2B-00000021"
    assert connection.transactions_polled_at is not None
    assert connection.transactions_claimed_at is None
    assert connection.transactions_error == ""
    # Three calls (one corrected), a sale that is not a call.
    assert sorted(Lead.objects.values_list("external_id", flat=True)) == [
        "6A1F0C2B-00000011",
        "6A1F0C2B-00000013",
        "6A1F0C2B-00000021",
    ]
    stored = InboundDelivery.objects.filter(source=TRANSACTIONS_SOURCE)
    assert stored.count() == 5
    assert set(stored.values_list("status", flat=True)) == {
        DeliveryStatus.PROCESSED,
        DeliveryStatus.IGNORED,
    }
    assert stored.get(target_id="6A1F0C2B-00000014").event == "sale"


def test_the_next_run_resumes_after_the_cursor(connection, campaign, upstream):
    first = pages(upstream, fixture("transactions__page_1"), [])
    transactions.poll(connection.pk)
    assert len(first) == 2
    upstream.reset()
    later = pages(upstream, fixture("transactions__page_2"), [])

    transactions.poll(connection.pk)

    assert sent(later[0])["start_after_transaction_id"] == "6A1F0C2B-00000014"
    assert Lead.objects.count() == 3
    assert InboundDelivery.objects.filter(source=TRANSACTIONS_SOURCE).count() == 5


def test_a_correction_updates_the_lead_it_corrects(connection, campaign, upstream):
    pages(upstream, fixture("transactions__page_1"), fixture("transactions__page_2"), [])
    transactions.poll(connection.pk)

    lead = Lead.objects.get(external_id="6A1F0C2B-00000011")
    assert lead.phone == "+14155550162"
    assert lead.payload["duration"] == 131
    assert lead.payload["hangup_cause"] == "Agent"
    assert lead.payload["corrects_transaction_id"] == "6A1F0C2B-00000011"
    correction = InboundDelivery.objects.get(target_id="6A1F0C2B-00000020")
    assert (correction.event, correction.status) == ("call_correction", DeliveryStatus.PROCESSED)
    # The correction alerted nobody: the call was already a lead.
    assert Delivery.objects.filter(event="lead_arrived").count() == 3


def test_a_correction_of_a_correction_reaches_the_same_lead(connection, campaign, upstream):
    first, correction = fixture("transactions__page_1")[0], fixture("transactions__page_2")[0]
    again = {
        **correction,
        "transaction_id": "6A1F0C2B-00000030",
        "corrects_transaction_id": "6A1F0C2B-00000020",
        "duration": 140,
    }
    pages(upstream, [first, correction, again], [])
    transactions.poll(connection.pk)

    lead = Lead.objects.get()
    assert lead.external_id == "6A1F0C2B-00000011"
    assert lead.payload["duration"] == 140


def test_a_correction_whose_original_never_arrived_makes_the_lead_under_the_original_id(
    connection, campaign, upstream
):
    pages(upstream, [fixture("transactions__page_2")[0]], [])
    transactions.poll(connection.pk)
    lead = Lead.objects.get()
    assert (lead.external_id, lead.phone) == ("6A1F0C2B-00000011", "+14155550162")


def test_an_original_read_after_its_correction_changes_nothing(
    receiver, connection, campaign, upstream
):
    pages(upstream, [fixture("transactions__page_2")[0]], [])
    transactions.poll(connection.pk)
    post_json(receiver, fixture("post_call__json"))
    lead = Lead.objects.get()
    assert lead.phone == "+14155550162"
    assert lead.payload["duration"] == 131


def test_the_webhook_and_the_poll_of_one_call_make_one_lead(
    receiver, connection, campaign, upstream
):
    post_json(receiver, fixture("post_call__json"))
    pages(upstream, fixture("transactions__page_1")[:1], [])
    transactions.poll(connection.pk)

    lead = Lead.objects.get()
    assert (lead.source, lead.external_id) == ("call", "6A1F0C2B-00000011")
    # The poll's row added what the webhook did not send.
    assert lead.payload["call_result_description_detail"] == "Connected"
    assert lead.payload["display_name_data_append"] == "Jordan Miles"
    assert Delivery.objects.filter(event="lead_arrived").count() == 1
    assert InboundDelivery.objects.filter(status=DeliveryStatus.PROCESSED).count() == 2


def test_the_poll_then_the_webhook_of_one_call_make_one_lead(
    receiver, connection, campaign, upstream
):
    pages(upstream, fixture("transactions__page_1")[:1], [])
    transactions.poll(connection.pk)
    post_json(receiver, fixture("post_call__json"))
    lead = Lead.objects.get()
    assert lead.name == "Jordan Miles"


def test_a_polled_call_for_an_unlinked_campaign_is_held_not_lost(tenant_a, connection, upstream):
    pages(upstream, fixture("transactions__page_1")[:1], [])
    transactions.poll(connection.pk)
    held = InboundDelivery.objects.get(source=TRANSACTIONS_SOURCE)
    assert held.status == DeliveryStatus.IGNORED
    assert held.error.startswith("Held: ")
    connection.refresh_from_db()
    assert connection.transactions_cursor == "6A1F0C2B-00000011"


def test_a_failure_mid_way_keeps_what_was_stored_and_the_next_run_resumes(
    connection, campaign, upstream
):
    calls = pages(upstream, fixture("transactions__page_1"), (503, {"errors": {}}))
    with pytest.raises(ApiError):
        transactions.poll(connection.pk)
    connection.refresh_from_db()
    assert connection.transactions_cursor == "6A1F0C2B-00000014"
    assert "503" in connection.transactions_error
    assert connection.transactions_claimed_at is None
    assert Lead.objects.count() == 2
    assert len(calls) >= 2

    upstream.reset()
    later = pages(upstream, fixture("transactions__page_2"), [])
    transactions.poll(connection.pk)
    assert sent(later[0])["start_after_transaction_id"] == "6A1F0C2B-00000014"
    connection.refresh_from_db()
    assert connection.transactions_error == ""
    assert Lead.objects.count() == 3


def test_a_refused_token_is_marked_rejected_and_polling_stops(connection, campaign, upstream):
    pages(upstream, (401, {"errors": {"class": "Unauthorized", "invalid_data": "Invalid"}}))
    with pytest.raises(ApiError):
        transactions.poll(connection.pk)
    connection.refresh_from_db()
    assert connection.rejected_at is not None
    assert not transactions.live_connections().filter(pk=connection.pk).exists()
    assert transactions.poll(connection.pk) is None


def test_a_connection_another_run_holds_is_not_polled_twice(connection, upstream):
    InvocaConnection.objects.filter(pk=connection.pk).update(transactions_claimed_at=timezone.now())
    assert transactions.poll(connection.pk) is None
    assert len(upstream.calls) == 0


def test_a_claim_whose_run_died_lapses(settings, connection, campaign, upstream):
    settings.INVOCA_POLL_LEASE_SECONDS = 60
    InvocaConnection.objects.filter(pk=connection.pk).update(
        transactions_claimed_at=timezone.now() - timezone.timedelta(minutes=5)
    )
    pages(upstream, [])
    assert transactions.poll(connection.pk).finished is True


def test_a_run_stops_after_its_page_budget_and_the_next_goes_on(
    settings, connection, campaign, upstream
):
    settings.INVOCA_TRANSACTIONS_MAX_PAGES = 1
    pages(upstream, fixture("transactions__page_1"), fixture("transactions__page_2"), [])
    result = transactions.poll(connection.pk)
    assert (result.pages, result.finished) == (1, False)
    result = transactions.poll(connection.pk)
    assert (result.pages, result.finished) == (1, False)
    assert transactions.poll(connection.pk).finished is True
    assert Lead.objects.count() == 3


def test_rows_without_transaction_ids_cannot_move_the_cursor(connection, upstream):
    pages(upstream, [{"transaction_type": "Call"}])
    with pytest.raises(ApiError, match="without a transaction_id"):
        transactions.poll(connection.pk)
    connection.refresh_from_db()
    assert connection.transactions_cursor == ""
    assert "without a transaction_id" in connection.transactions_error


def test_an_answer_that_is_not_a_list_is_an_error_and_stores_nothing(connection, upstream):
    pages(upstream, {"rows": []})
    with pytest.raises(ApiError):
        transactions.poll(connection.pk)
    assert InboundDelivery.objects.count() == 0


def test_the_beat_task_polls_every_live_connection(tenant_a, tenant_b, campaign, upstream):
    a = connect(tenant_a)
    removed = connect(tenant_b, token="gone-token-1111", network="3003")
    InvocaConnection.objects.filter(pk=removed.pk).update(deleted_at=timezone.now())
    b = connect(tenant_b, token="bolt-token-0000", network="2002", base_url="https://bolt.test")
    a_calls = pages(upstream, [])
    upstream.get("https://bolt.test/api/2020-10-01/networks/transactions/2002.json", json=[])

    tasks.poll_all_transactions.delay()

    hosts = sorted(urlparse(c.request.url).netloc for c in a_calls)
    assert hosts == ["acme.invoca.test", "bolt.test"]
    for connection in (a, b):
        connection.refresh_from_db()
        assert connection.transactions_polled_at is not None


def test_the_command_polls_now(connection, campaign, upstream, capsys):
    pages(upstream, fixture("transactions__page_1"), [])
    call_command("poll_invoca_transactions")
    assert "3 transactions in 1 page, up to date" in capsys.readouterr().out
    assert Lead.objects.count() == 2
