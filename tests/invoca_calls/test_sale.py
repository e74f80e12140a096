"""The sale signal: a won Invoca call lead with a revenue goes back through the Signal API."""

import json
from decimal import Decimal

import pytest
import responses
from django.test import Client
from django.utils import timezone

from campaigns import outcomes
from campaigns.models import Lead, LeadSource
from campaigns.services import capture_lead
from invoca import sale
from invoca.models import InvocaConnection, SaleSignal, SaleSignalStatus
from tests.campaigns.factories import make_campaign
from tests.factories import bearer
from tests.invoca_calls.conftest import SIGNAL_URL, TOKEN, fixture, post_json

pytestmark = pytest.mark.django_db(transaction=True)


def answer(transaction_id="6A1F0C2B-00000041", corrects=None):
    return {
        "signals": [
            {
                "transaction_id": transaction_id,
                "corrects_transaction_id": corrects,
                "name": "sale",
                "partner_unique_id": "1",
                "occurred_at_time_t": "1796060000",
                "revenue": "250.00",
                "value": "true",
            }
        ],
        "call": {"transaction_id": "6A1F0C2B-00000011", "start_time_t": "1796060000"},
    }


@pytest.fixture
def lead(receiver, connection, campaign):
    post_json(receiver, fixture("post_call__json"))
    return Lead.objects.get()


def bodies(upstream):
    return [json.loads(call.request.body) for call in upstream.calls]


def test_won_with_a_revenue_sends_one_sale_signal_with_the_right_body(lead, upstream):
    upstream.put(SIGNAL_URL, json=answer())

    outcomes.set_outcome(lead=lead, status="won", revenue=Decimal("250"))

    assert len(upstream.calls) == 1
    request = upstream.calls[0].request
    assert request.method == "PUT"
    assert request.headers["Authorization"] == TOKEN
    body = json.loads(request.body)
    signal = SaleSignal.objects.get(lead=lead)
    assert body == {
        "search": {"transaction_id": "6A1F0C2B-00000011"},
        "signals": [
            {
                "name": "sale",
                "partner_unique_id": str(lead.pk),
                "occurred_at_time": str(int(signal.occurred_at.timestamp())),
                "revenue": "250.00",
                "value": "true",
            }
        ],
    }
    assert signal.status == SaleSignalStatus.SENT
    assert signal.signal_transaction_id == "6A1F0C2B-00000041"
    assert signal.sent_at is not None
    assert (signal.attempts, signal.error) == (1, "")


def test_the_same_outcome_again_sends_nothing_more(lead, upstream):
    upstream.put(SIGNAL_URL, json=answer())
    outcomes.set_outcome(lead=lead, status="won", revenue=Decimal("250"))
    outcomes.set_outcome(lead=lead, status="won", revenue=Decimal("250.00"))
    sale.send(SaleSignal.objects.get().pk)
    assert len(upstream.calls) == 1


def test_a_new_revenue_updates_the_same_signal(lead, upstream):
    upstream.put(SIGNAL_URL, json=answer())
    outcomes.set_outcome(lead=lead, status="won", revenue=Decimal("250"))
    outcomes.set_outcome(lead=lead, revenue=Decimal("310.50"))
    first, second = bodies(upstream)
    assert second["signals"][0]["revenue"] == "310.50"
    # Invoca updates the signal it has: same name, same partner_unique_id, same time.
    for key in ("name", "partner_unique_id", "occurred_at_time"):
        assert first["signals"][0][key] == second["signals"][0][key]
    assert SaleSignal.objects.count() == 1


def test_a_lead_no_longer_won_retracts_the_sale(lead, upstream):
    upstream.put(SIGNAL_URL, json=answer())
    outcomes.set_outcome(lead=lead, status="won", revenue=Decimal("250"))
    outcomes.set_outcome(lead=lead, status="lost")
    retraction = bodies(upstream)[-1]["signals"][0]
    assert (retraction["value"], retraction["revenue"]) == ("false", "250.00")
    assert SaleSignal.objects.get().value is False
    # Lost again, or another status that is not won: nothing more to say.
    outcomes.set_outcome(lead=lead, status="contacted")
    assert len(upstream.calls) == 2


def test_won_without_a_revenue_sends_nothing(lead, upstream):
    outcomes.set_outcome(lead=lead, status="won")
    outcomes.set_outcome(lead=lead, status="qualified")
    assert len(upstream.calls) == 0
    assert not SaleSignal.objects.exists()


def test_leads_of_other_campaigns_send_nothing(tenant_a, connection, upstream):
    form_campaign = make_campaign(tenant_a, campaign_name="Web form", integration="form")
    lead = Lead.objects.create(
        account=tenant_a.account, campaign=form_campaign, source="form", external_id="F1"
    )
    outcomes.set_outcome(lead=lead, status="won", revenue=Decimal("10"))
    assert len(upstream.calls) == 0
    assert not SaleSignal.objects.exists()


def test_invoca_refusing_the_signal_fails_it_with_invoca_s_words(lead, upstream):
    upstream.put(
        SIGNAL_URL,
        status=404,
        json={"errors": {"class": "RecordNotFound", "invalid_data": "No call found."}},
    )
    outcomes.set_outcome(lead=lead, status="won", revenue=Decimal("250"))
    signal = SaleSignal.objects.get()
    assert signal.status == SaleSignalStatus.FAILED
    assert "No call found." in signal.error
    assert len(upstream.calls) == 1


def test_a_transient_failure_leaves_it_pending_and_a_retry_sends_it(lead, upstream):
    upstream.put(SIGNAL_URL, status=503, json={})
    outcomes.set_outcome(lead=lead, status="won", revenue=Decimal("250"))
    signal = SaleSignal.objects.get()
    assert signal.status == SaleSignalStatus.PENDING
    assert "503" in signal.error

    upstream.replace(responses.PUT, SIGNAL_URL, json=answer())
    assert sale.send(signal.pk) is True
    signal.refresh_from_db()
    assert (signal.status, signal.attempts) == (SaleSignalStatus.SENT, 2)


def test_a_refused_token_fails_the_signal_and_marks_the_connection(lead, connection, upstream):
    upstream.put(SIGNAL_URL, status=401, json={"errors": {"class": "Unauthorized"}})
    outcomes.set_outcome(lead=lead, status="won", revenue=Decimal("250"))
    assert SaleSignal.objects.get().status == SaleSignalStatus.FAILED
    connection.refresh_from_db()
    assert connection.rejected_at is not None


def test_without_a_connection_the_signal_fails_saying_so(lead, connection, upstream):
    InvocaConnection.objects.filter(pk=connection.pk).update(deleted_at=timezone.now())
    outcomes.set_outcome(lead=lead, status="won", revenue=Decimal("250"))
    signal = SaleSignal.objects.get()
    assert signal.status == SaleSignalStatus.FAILED
    assert "not connected" in signal.error
    assert len(upstream.calls) == 0


def test_a_send_that_runs_twice_sends_once(lead, upstream):
    upstream.put(SIGNAL_URL, json=answer())
    outcomes.set_outcome(lead=lead, status="won", revenue=Decimal("250"))
    signal = SaleSignal.objects.get()
    assert sale.send(signal.pk) is None
    assert len(upstream.calls) == 1


def test_a_change_while_sending_is_sent_after(lead, upstream):
    upstream.put(SIGNAL_URL, json=answer())
    outcomes.set_outcome(lead=lead, status="won", revenue=Decimal("250"))
    signal = SaleSignal.objects.get()
    # A send claimed the row, then the revenue changed before it finished.
    SaleSignal.objects.filter(pk=signal.pk).update(
        status=SaleSignalStatus.SENDING, claimed_at=timezone.now()
    )
    outcomes.set_outcome(lead=lead, revenue=Decimal("300"))
    assert bodies(upstream)[-1]["signals"][0]["revenue"] == "300.00"
    assert SaleSignal.objects.get().status == SaleSignalStatus.SENT


def test_the_sweeper_queues_signals_whose_task_was_lost(lead, upstream):
    upstream.put(SIGNAL_URL, json=answer())
    signal = SaleSignal.objects.create(
        account=lead.account,
        lead=lead,
        transaction_id=lead.external_id,
        revenue=Decimal("99"),
        occurred_at=timezone.now(),
    )
    SaleSignal.objects.filter(pk=signal.pk).update(
        updated_at=timezone.now() - timezone.timedelta(minutes=5)
    )
    assert sale.requeue_pending() == 1
    assert SaleSignal.objects.get().status == SaleSignalStatus.SENT


def test_marking_the_lead_won_through_the_api_sends_the_sale(tenant_a, lead, upstream):
    upstream.put(SIGNAL_URL, json=answer())
    response = Client().patch(
        f"/v1/leads/{lead.pk}",
        json.dumps({"status": "won", "revenue": 250}),
        content_type="application/json",
        **bearer(tenant_a.token.raw),
    )
    assert response.status_code == 200, response.content
    assert bodies(upstream)[0]["signals"][0]["revenue"] == "250.00"


def test_a_call_lead_that_did_not_come_from_invoca_sends_nothing(connection, campaign, upstream):
    """Leads made on an Invoca campaign otherwise (imported, demo history) carry no Invoca
    transaction; Invoca could not find their call, so no signal is recorded or sent."""
    made, _ = capture_lead(
        campaign=campaign,
        source=LeadSource.CALL,
        external_id="report-demo-7",
        name="Avery Silva",
        phone="+14155550123",
        payload={"name": "Avery Silva", "phone": "+14155550123"},
        alert=False,
    )
    outcomes.set_outcome(lead=made, status="won", revenue=Decimal("120"))
    assert not SaleSignal.objects.exists()
    assert len(upstream.calls) == 0
