"""Inbound webhooks: stored first with their verdict, then processed; leases, retries, outages
and replay (intake never loses or forges)."""

import hashlib
import hmac
import json
import re
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import OperationalError
from django.test import Client
from django.utils import timezone

from campaignhub import intake
from campaignhub.cleaning import NOT_UTF8, body_text
from campaignhub.models import Account, DeliveryStatus, InboundDelivery
from campaignhub.tasks import process_inbound_delivery
from tests.platform import webhook_urls

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.urls("tests.platform.webhook_urls"),
]


@pytest.fixture(autouse=True)
def _reset():
    webhook_urls.processed.clear()


@pytest.fixture
def account():
    return Account.objects.create(name="Acme")


def post(token, payload, **headers):
    body = payload if isinstance(payload, (bytes, str)) else json.dumps(payload)
    return Client().post(
        f"/webhooks/example/{token}/", body, content_type="application/json", **headers
    )


def test_delivery_is_stored_raw_then_processed(account):
    response = post("Acme", {"event": "lead", "name": "Ann"}, HTTP_COOKIE="sessionid=x")
    assert response.status_code == 200
    delivery = InboundDelivery.objects.get()
    assert response.json() == {"received": True, "id": delivery.pk}
    assert bytes(delivery.body) == b'{"event": "lead", "name": "Ann"}'
    assert delivery.account == account
    assert delivery.status == DeliveryStatus.PROCESSED
    assert delivery.event == "lead"
    assert delivery.attempts == 1
    assert delivery.signature_valid is None
    assert "Cookie" not in delivery.headers
    assert delivery.headers["Content-Type"] == "application/json"
    assert webhook_urls.processed == [delivery.pk]


def test_known_but_ignored_event_is_200_and_marked_ignored(account):
    assert post("Acme", {"event": "ignored"}).status_code == 200
    assert InboundDelivery.objects.get().status == DeliveryStatus.IGNORED


def test_processing_failure_is_recorded_and_still_answers_200(account):
    response = post("Acme", {"event": "lead", "explode": True})
    assert response.status_code == 200
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.error == "RuntimeError: processor failed"
    assert "Traceback" in delivery.traceback


def test_unparseable_body_is_kept_and_marked_failed(account):
    assert post("Acme", b"\xff not json").status_code == 200
    delivery = InboundDelivery.objects.get()
    assert bytes(delivery.body) == b"\xff not json"
    assert delivery.status == DeliveryStatus.FAILED


def test_a_delivery_processed_twice_runs_its_processor_once(account):
    post("Acme", {"event": "lead"})
    delivery = InboundDelivery.objects.get()
    process_inbound_delivery(delivery.pk)
    process_inbound_delivery.delay(delivery.pk)
    assert webhook_urls.processed == [delivery.pk]
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_failed_delivery_can_be_replayed(account):
    post("Acme", {"event": "lead", "explode": True})
    delivery = InboundDelivery.objects.get()
    payload = json.loads(delivery.text)
    payload.pop("explode")
    InboundDelivery.objects.filter(pk=delivery.pk).update(body=json.dumps(payload).encode())
    assert intake.replay_deliveries(InboundDelivery.objects.all()) == 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.PROCESSED
    # Replay starts a fresh set of attempts.
    assert delivery.attempts == 1


def sign(body):
    return hmac.new(webhook_urls.SIGNING_KEY.encode(), body, hashlib.sha256).hexdigest()


def test_good_signature_is_accepted(db):
    Account.objects.create(name="Signed Co")
    body = b'{"event": "lead"}'
    assert post("Signed Co", body, HTTP_X_SIGNATURE=sign(body)).status_code == 200
    delivery = InboundDelivery.objects.get()
    assert delivery.signature_valid is True
    assert delivery.status == DeliveryStatus.PROCESSED


@pytest.mark.parametrize("signature", [None, "bad", sign(b"other body")])
def test_bad_or_missing_signature_is_stored_rejected_and_not_processed(db, signature):
    Account.objects.create(name="Signed Co")
    headers = {"HTTP_X_SIGNATURE": signature} if signature else {}
    response = post("Signed Co", b'{"event": "lead"}', **headers)
    assert response.status_code == 400
    delivery = InboundDelivery.objects.get()
    assert delivery.status == DeliveryStatus.REJECTED
    assert delivery.signature_valid is False
    assert webhook_urls.processed == []
    assert intake.replay_deliveries(InboundDelivery.objects.all()) == 0


def test_unknown_endpoint_is_404_and_stores_nothing(db):
    assert post("Nobody", {"event": "lead"}).status_code == 404
    assert not InboundDelivery.objects.exists()


def test_oversized_body_is_413(account, settings):
    settings.WEBHOOK_MAX_BODY_BYTES = 64
    assert post("Acme", {"event": "lead", "pad": "x" * 100}).status_code == 413
    assert not InboundDelivery.objects.exists()


def test_valid_deliveries_are_never_rate_limited(account, settings):
    settings.WEBHOOK_RATE_LIMIT_PER_MINUTE = 2
    cache.clear()
    codes = {post("Acme", {"event": "lead"}).status_code for _ in range(10)}
    assert codes == {200}
    assert InboundDelivery.objects.filter(status=DeliveryStatus.PROCESSED).count() == 10


def test_failed_signatures_are_limited_and_past_the_limit_not_stored(db, settings):
    Account.objects.create(name="Signed Co")
    settings.WEBHOOK_RATE_LIMIT_PER_MINUTE = 2
    cache.clear()
    codes = [
        post("Signed Co", {"event": "lead"}, HTTP_X_SIGNATURE="bad").status_code for _ in range(4)
    ]
    assert codes == [400, 400, 429, 429]
    assert InboundDelivery.objects.filter(status=DeliveryStatus.REJECTED).count() == 2
    body = b'{"event": "lead"}'
    assert post("Signed Co", body, HTTP_X_SIGNATURE=sign(body)).status_code == 200


def test_get_is_405(account):
    assert Client().get("/webhooks/example/Acme/").status_code == 405


@pytest.fixture
def signed():
    return Account.objects.create(name="Signed Co")


def stored(**fields):
    """A delivery as the view stores it, without queueing its task."""
    with mock.patch("campaignhub.webhooks.enqueue"):
        assert post("Acme", {"event": "lead", **fields}).status_code == 200
    return InboundDelivery.objects.latest("id")


class TestVerdict:
    def test_a_signature_that_cannot_be_checked_is_invalid_and_stored_with_the_row(self, signed):
        # Non-ASCII in the header made compare_digest raise: that must be a verdict, not a 500.
        response = post("Signed Co", {"event": "lead"}, HTTP_X_SIGNATURE="sïgnature")
        assert response.status_code == 400
        delivery = InboundDelivery.objects.get()
        assert (delivery.status, delivery.signature_valid) == (DeliveryStatus.REJECTED, False)

    def test_a_verifier_that_crashes_counts_as_invalid(self, signed):
        with mock.patch.object(webhook_urls.ExampleWebhook, "verify", side_effect=TypeError):
            assert post("Signed Co", {"event": "lead"}).status_code == 400
        assert InboundDelivery.objects.get().signature_valid is False
        assert webhook_urls.processed == []

    def test_no_worker_sweeper_or_replay_processes_a_rejected_delivery(self, signed):
        post("Signed Co", {"event": "lead"}, HTTP_X_SIGNATURE="forged")
        delivery = InboundDelivery.objects.get()
        # Even if something set it back to received, the claim refuses a failed verdict.
        InboundDelivery.objects.update(
            status=DeliveryStatus.RECEIVED, received_at=timezone.now() - timedelta(hours=1)
        )
        process_inbound_delivery(delivery.pk)
        intake.requeue_due()
        assert intake.replay_deliveries(InboundDelivery.objects.all()) == 0
        assert webhook_urls.processed == []

    def test_a_delivery_rejected_under_a_wrong_key_is_processed_once_the_key_is_fixed(self, signed):
        """A signing key pasted wrong rejects genuine deliveries the upstream never sends again:
        replay takes them once today's key verifies them, and still never a forged one."""
        genuine, forged = b'{"event": "lead", "n": 1}', b'{"event": "lead", "n": 2}'
        signature = sign(genuine)  # by the upstream, with the right key
        with mock.patch.object(webhook_urls, "SIGNING_KEY", "pasted-wrong"):
            assert post("Signed Co", genuine, HTTP_X_SIGNATURE=signature).status_code == 400
        assert post("Signed Co", forged, HTTP_X_SIGNATURE="forged").status_code == 400
        assert intake.replay_deliveries(InboundDelivery.objects.all()) == 1
        statuses = dict(InboundDelivery.objects.values_list("body", "status"))
        assert statuses[genuine] == DeliveryStatus.PROCESSED
        assert statuses[forged] == DeliveryStatus.REJECTED
        assert len(webhook_urls.processed) == 1

    def test_the_command_takes_rejected_deliveries_by_their_status_word(self, signed):
        body = b'{"event": "lead"}'
        signature = sign(body)
        with mock.patch.object(webhook_urls, "SIGNING_KEY", "pasted-wrong"):
            post("Signed Co", body, HTTP_X_SIGNATURE=signature)
        out = StringIO()
        call_command("replay_deliveries", "--status", "rejected", stdout=out)
        assert "1 delivery queued" in out.getvalue()
        assert InboundDelivery.objects.get().status == DeliveryStatus.PROCESSED

    def test_replay_checks_the_signature_again(self, signed):
        body = b'{"event": "lead"}'
        post("Signed Co", body, HTTP_X_SIGNATURE=sign(body))
        assert InboundDelivery.objects.get().status == DeliveryStatus.PROCESSED
        with mock.patch.object(webhook_urls, "SIGNING_KEY", "a-new-key"):
            assert intake.replay_deliveries(InboundDelivery.objects.all()) == 0
        delivery = InboundDelivery.objects.get()
        assert (delivery.status, delivery.signature_valid) == (DeliveryStatus.REJECTED, False)
        assert len(webhook_urls.processed) == 1


class TestLease:
    def test_a_delivery_held_by_a_dead_worker_is_processed_after_the_lease(self, account, settings):
        delivery = stored()
        # A worker claimed it and died before finishing.
        claimed = timezone.now() - timedelta(seconds=settings.WEBHOOK_CLAIM_LEASE_SECONDS - 30)
        InboundDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PROCESSING, claimed_at=claimed, attempts=1
        )
        assert intake.requeue_due() == 0
        process_inbound_delivery(delivery.pk)
        assert webhook_urls.processed == []

        InboundDelivery.objects.filter(pk=delivery.pk).update(
            claimed_at=claimed - timedelta(seconds=60)
        )
        assert intake.requeue_due() == 1
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PROCESSED, 2)
        assert webhook_urls.processed == [delivery.pk]

    def test_replay_takes_a_stuck_delivery_but_not_one_a_live_worker_holds(self, account):
        delivery = stored()
        InboundDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PROCESSING, claimed_at=timezone.now()
        )
        assert intake.replay_deliveries(InboundDelivery.objects.all()) == 0
        InboundDelivery.objects.filter(pk=delivery.pk).update(
            claimed_at=timezone.now() - timedelta(hours=1)
        )
        assert intake.replay_deliveries(InboundDelivery.objects.all()) == 1
        assert webhook_urls.processed == [delivery.pk]

    def test_a_lost_task_message_is_sent_again_by_the_sweeper(self, account):
        delivery = stored()
        assert intake.requeue_due() == 0  # too fresh: its task may still be on the way
        InboundDelivery.objects.filter(pk=delivery.pk).update(
            received_at=timezone.now() - timedelta(minutes=10)
        )
        assert intake.requeue_due() == 1
        assert webhook_urls.processed == [delivery.pk]


class TestRetries:
    def test_transient_errors_are_retried_then_processed(self, account):
        delivery = stored()
        calls = []

        def flaky(delivery):
            calls.append(1)
            if len(calls) < 3:
                raise OperationalError("database is locked")
            return True

        with mock.patch.dict("campaignhub.webhooks.PROCESSORS", {"example": flaky}):
            process_inbound_delivery(delivery.pk)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts, delivery.error) == (
            DeliveryStatus.PROCESSED,
            3,
            "",
        )

    def test_a_retry_waits_for_its_time_on_a_real_worker(self, account):
        delivery = stored()
        with mock.patch.dict(
            "campaignhub.webhooks.PROCESSORS",
            {"example": mock.Mock(side_effect=OperationalError("server closed the connection"))},
        ):
            retry_in = intake.process_delivery(delivery.pk)
        assert retry_in == intake.backoff(1)
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.RECEIVED
        assert delivery.next_attempt_at > timezone.now()
        assert "server closed the connection" in delivery.error
        # Not before its time, neither by a duplicate task nor the sweeper.
        assert intake.process_delivery(delivery.pk) is None
        assert intake.requeue_due() == 0
        assert webhook_urls.processed == []

    def test_transient_errors_give_up_after_the_bounded_attempts_with_the_reason(
        self, account, settings
    ):
        delivery = stored()
        broken = mock.Mock(side_effect=OperationalError("could not connect to server"))
        with mock.patch.dict("campaignhub.webhooks.PROCESSORS", {"example": broken}):
            process_inbound_delivery(delivery.pk)
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.FAILED
        assert delivery.attempts == settings.WEBHOOK_MAX_ATTEMPTS == broken.call_count
        assert delivery.error == "OperationalError: could not connect to server"

    def test_permanent_errors_fail_at_once(self, account):
        stored(explode=True)
        delivery = InboundDelivery.objects.get()
        process_inbound_delivery(delivery.pk)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
        assert delivery.error == "RuntimeError: processor failed"


class TestOutages:
    def test_with_the_cache_down_every_delivery_is_stored_and_processed(self, account):
        with (
            mock.patch("django.core.cache.cache.add", side_effect=ConnectionError("cache down")),
            mock.patch("django.core.cache.cache.incr", side_effect=ConnectionError("cache down")),
            mock.patch("django_ratelimit.core.caches") as caches,
        ):
            caches.__getitem__.return_value.add.side_effect = ConnectionError("cache down")
            codes = {post("Acme", {"event": "lead", "n": n}).status_code for n in range(100)}
        assert codes == {200}
        assert InboundDelivery.objects.filter(status=DeliveryStatus.PROCESSED).count() == 100

    def test_with_the_broker_down_the_delivery_is_stored_and_the_sweeper_processes_it(
        self, account
    ):
        with mock.patch.object(
            process_inbound_delivery, "delay", side_effect=OSError("broker unreachable")
        ):
            assert post("Acme", {"event": "lead"}).status_code == 200
        delivery = InboundDelivery.objects.get()
        assert delivery.status == DeliveryStatus.RECEIVED
        InboundDelivery.objects.update(received_at=timezone.now() - timedelta(minutes=10))
        intake.requeue_due()
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PROCESSED

    def test_bad_signatures_with_the_cache_down_are_still_refused(self, signed):
        with mock.patch("django_ratelimit.core.caches") as caches:
            caches.__getitem__.return_value.add.side_effect = ConnectionError("cache down")
            assert post("Signed Co", {"event": "lead"}, HTTP_X_SIGNATURE="bad").status_code == 400
        assert InboundDelivery.objects.get().status == DeliveryStatus.REJECTED


class TestReplayCommand:
    def test_replays_failed_deliveries_since_a_date(self, account):
        old, recent = stored(explode=True), stored(explode=True)
        InboundDelivery.objects.update(status=DeliveryStatus.FAILED)
        InboundDelivery.objects.filter(pk=old.pk).update(
            received_at=timezone.now() - timedelta(days=10)
        )
        for delivery in (old, recent):
            body = json.dumps({"event": "lead"}).encode()
            InboundDelivery.objects.filter(pk=delivery.pk).update(body=body)
        out = StringIO()
        since = (timezone.now() - timedelta(days=2)).date().isoformat()
        call_command("replay_deliveries", "--status", "failed", "--since", since, stdout=out)
        assert "1 delivery queued" in out.getvalue()
        assert webhook_urls.processed == [recent.pk]
        old.refresh_from_db()
        assert old.status == DeliveryStatus.FAILED

    def test_dry_run_changes_nothing(self, account):
        stored(explode=True)
        InboundDelivery.objects.update(status=DeliveryStatus.FAILED)
        out = StringIO()
        call_command("replay_deliveries", "--since", "6h", "--dry-run", stdout=out)
        assert "1 delivery would be replayed" in out.getvalue()
        assert InboundDelivery.objects.get().status == DeliveryStatus.FAILED

    def test_a_bad_since_is_a_clear_error(self, account):
        from django.core.management import CommandError

        with pytest.raises(CommandError, match="--since 'yesterday'"):
            call_command("replay_deliveries", "--since", "yesterday")


class TestStuckAndStale:
    def test_a_delivery_whose_worker_keeps_dying_fails_after_the_bounded_attempts(
        self, account, settings
    ):
        delivery = stored()
        InboundDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PROCESSING,
            claimed_at=timezone.now() - timedelta(hours=1),
            attempts=settings.WEBHOOK_MAX_ATTEMPTS,
        )
        intake.requeue_due()
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.FAILED
        assert "Gave up after" in delivery.error
        assert webhook_urls.processed == []

    def test_a_claim_from_before_leases_existed_is_taken_back(self, account):
        delivery = stored()
        InboundDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PROCESSING, claimed_at=None, attempts=1
        )
        assert intake.requeue_due() == 1
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.PROCESSED

    def test_a_worker_that_lost_its_lease_never_overwrites_the_newer_outcome(self, account):
        delivery = stored()

        def slow(row):
            # Meanwhile the lease lapsed and another worker took the delivery and settled it.
            InboundDelivery.objects.filter(pk=row.pk).update(
                status=DeliveryStatus.IGNORED, error="settled by B", claimed_at=timezone.now()
            )
            return True

        with mock.patch.dict("campaignhub.webhooks.PROCESSORS", {"example": slow}):
            intake.process_delivery(delivery.pk)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.error) == (DeliveryStatus.IGNORED, "settled by B")

    def test_an_outcome_that_cannot_be_stored_still_settles_the_delivery(self, account):
        delivery = stored()

        def explains_with_bad_text(row):
            row.error = "No campaign uses \udc00"
            return False

        with mock.patch.dict(
            "campaignhub.webhooks.PROCESSORS", {"example": explains_with_bad_text}
        ):
            intake.process_delivery(delivery.pk)
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.IGNORED
        assert delivery.error == "No campaign uses \ufffd"

    def test_a_header_with_a_nul_is_stored(self, account):
        assert post("Acme", {"event": "lead"}, HTTP_X_ODD="a\x00b").status_code == 200
        assert InboundDelivery.objects.get().headers["X-Odd"] == "ab"

    @pytest.mark.parametrize("since", ["2026-13-45", "2026-02-30T25:00", "99999999d"])
    def test_an_impossible_since_is_a_clear_error(self, account, since):
        from django.core.management import CommandError

        with pytest.raises(CommandError, match="use a date"):
            call_command("replay_deliveries", "--since", since)


def test_deliveries_are_accepted_on_threads_of_their_own(account, settings):
    settings.WEBHOOK_INTAKE_THREADS = True
    import threading

    seen = []
    accept = webhook_urls.ExampleWebhook.accept

    def spy(self, request, token):
        seen.append(threading.get_ident())
        return accept(self, request, token)

    with mock.patch.object(webhook_urls.ExampleWebhook, "accept", spy):
        assert post("Acme", {"event": "lead"}).status_code == 200
    assert seen and seen[0] != threading.get_ident()
    assert InboundDelivery.objects.get().status == DeliveryStatus.PROCESSED


def test_guessed_endpoints_are_limited_per_address(db, settings):
    settings.WEBHOOK_RATE_LIMIT_PER_MINUTE = 2
    cache.clear()
    codes = [post(f"Nobody{n}", {"event": "lead"}).status_code for n in range(4)]
    assert codes == [404, 404, 429, 429]
    assert not InboundDelivery.objects.exists()


@pytest.mark.parametrize(
    ("raw", "content_type", "text"),
    [
        (b"\xef\xbb\xbf{}", "application/json", "{}"),
        ('{"a": "é"}'.encode("utf-16"), "application/json", '{"a": "é"}'),
        (b'{"a": "\xe9"}', 'application/json; charset="ISO-8859-1"', '{"a": "é"}'),
        (b"\xef\xbb\xbf{}", "application/json; charset=utf-8", "{}"),
        (b'{"a": "\x80"}', "text/plain; charset=windows-1252", '{"a": "€"}'),
    ],
)
def test_a_body_is_read_in_its_charset_or_as_json_is_without_one(raw, content_type, text):
    assert body_text(raw, content_type) == text


@pytest.mark.parametrize(
    ("raw", "content_type", "message"),
    [
        (b'{"a": "\xe9"}', "", NOT_UTF8),
        (b'{"a": "\xe9"}', "application/json; charset=us-ascii", "not us-ascii text"),
        (b"{}", "application/json; charset=base64", "charset that is not known: base64."),
        (b"{}", "application/json; charset=a\x00b", "charset that is not known: ab."),
    ],
)
def test_a_body_not_in_its_charset_is_refused_naming_why(raw, content_type, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        body_text(raw, content_type)
