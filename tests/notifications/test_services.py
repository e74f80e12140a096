from datetime import timedelta

import pytest
import responses
from django.core import mail
from django.db import transaction
from django.utils import timezone

from campaignhub import services as platform
from campaignhub.models import Account
from notifications import services
from notifications.models import Delivery, Status
from notifications.services import Recipient, Sender, notify
from notifications.transports import push, sms
from tests.notifications.conftest import twilio_error, twilio_message

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(tenant_a):
    tenant_a.member.phone = "+14155550100"
    tenant_a.member.save()
    services.register_device(user=tenant_a.member, registration_id="tok-1", type="android")
    return tenant_a.member


def test_notify_writes_one_delivery_per_channel_per_recipient_and_sends_after_commit(
    tenant_a, person, committed
):
    with committed():
        rows = notify(
            account=tenant_a.account,
            event="test",
            recipients=[person, tenant_a.admin],
            context={"account": tenant_a.account, "user": person},
        )
        assert {row.status for row in rows} == {Status.QUEUED}
        assert mail.outbox == []
    assert len(rows) == 6
    by_channel = {
        (d.user_id, d.channel): d for d in Delivery.objects.filter(account=tenant_a.account)
    }
    assert by_channel[(person.pk, "email")].status == Status.SENT
    assert by_channel[(person.pk, "email")].recipient == "member@acme.test"
    assert by_channel[(person.pk, "sms")].status == Status.SENT
    assert by_channel[(person.pk, "sms")].recipient == "+14155550100"
    assert by_channel[(person.pk, "push")].status == Status.SENT
    # The admin has neither a phone nor a device: those fail once, visibly, and are not retried.
    assert by_channel[(tenant_a.admin.pk, "sms")].status == Status.FAILED
    assert by_channel[(tenant_a.admin.pk, "sms")].error == "No phone number to send to."
    assert by_channel[(tenant_a.admin.pk, "sms")].attempts == 1
    assert by_channel[(tenant_a.admin.pk, "push")].error == "No active push devices for this user."
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@acme.test", "member@acme.test"]
    assert [m.to for m in sms.outbox] == ["+14155550100"]
    assert push.outbox[0][0] == ["tok-1"]
    assert push.outbox[0][1].title == "CampaignHub test notification"


def test_explicit_addresses_and_senders_win(tenant_a, person, committed):
    with committed():
        notify(
            account=tenant_a.account,
            event="test",
            recipients=[Recipient(user=person, phone="+14155550199"), "ops@example.test"],
            context={"account": tenant_a.account, "user": person},
            channels=["email", "sms"],
            sender=Sender(
                email="Alerts <alerts@acme.test>", reply_to="desk@acme.test", sms="+15005550006"
            ),
        )
    assert [m.to for m in sms.outbox] == ["+14155550199"]
    assert sms.outbox[0].sender == "+15005550006"
    sent = {m.to[0]: m for m in mail.outbox}
    assert set(sent) == {"member@acme.test", "ops@example.test"}
    assert sent["ops@example.test"].from_email == "Alerts <alerts@acme.test>"
    assert sent["ops@example.test"].reply_to == ["desk@acme.test"]
    ops_sms = Delivery.objects.get(recipient="", channel="sms")
    assert ops_sms.status == Status.FAILED


def test_nothing_is_sent_when_the_callers_transaction_rolls_back(tenant_a, person, committed):
    with committed(), pytest.raises(RuntimeError), transaction.atomic():
        notify(
            account=tenant_a.account,
            event="test",
            recipients=[person],
            context={"account": tenant_a.account, "user": person},
        )
        raise RuntimeError("caller failed")
    assert not Delivery.objects.exists()
    assert mail.outbox == [] and sms.outbox == [] and push.outbox == []


@responses.activate
def test_provider_failure_leaves_the_callers_writes_intact(tenant_a, person, twilio, committed):
    responses.post(twilio, status=500, json=twilio_error(20500, "Internal error", 500))
    with committed(), transaction.atomic():
        Account.objects.filter(pk=tenant_a.account.pk).update(name="Renamed by caller")
        notify(
            account=tenant_a.account,
            event="test",
            recipients=[person],
            context={"account": tenant_a.account, "user": person},
            channels=["sms"],
        )
    assert Account.objects.get(pk=tenant_a.account.pk).name == "Renamed by caller"
    delivery = Delivery.objects.get()
    assert delivery.status == Status.FAILED
    assert delivery.attempts == services.MAX_ATTEMPTS


@responses.activate
def test_transient_failures_twice_then_success_ends_sent_after_three_attempts(
    tenant_a, person, twilio, committed
):
    responses.post(twilio, status=503, json=twilio_error(20503, "Service unavailable", 503))
    responses.post(twilio, status=429, json=twilio_error(20429, "Too many requests", 429))
    responses.post(twilio, status=201, json=twilio_message(sid="SMdone"))
    with committed():
        notify(
            account=tenant_a.account,
            event="test",
            recipients=[person],
            context={"account": tenant_a.account, "user": person},
            channels=["sms"],
        )
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Status.SENT, 3)
    assert delivery.provider_message_id == "SMdone"
    assert delivery.error == ""


@responses.activate
def test_permanent_failure_stops_after_one_attempt(tenant_a, person, twilio, committed):
    responses.post(
        twilio,
        status=400,
        json=twilio_error(21211, "The 'To' number is not a valid phone number.", 400),
    )
    with committed():
        notify(
            account=tenant_a.account,
            event="test",
            recipients=[person],
            context={"account": tenant_a.account, "user": person},
            channels=["sms"],
        )
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 1)
    assert delivery.error == (
        "Twilio error 21211: Unable to create record: The 'To' number is not a valid phone number."
    )
    assert len(responses.calls) == 1


def queued_delivery(tenant, user, channel="email"):
    return Delivery.objects.create(
        account=tenant.account,
        event="test",
        channel=channel,
        user=user,
        recipient=user.email if channel == "email" else user.phone,
        subject="Hello",
        body="Body",
    )


def test_a_delivery_claimed_twice_is_sent_once(tenant_a, person):
    delivery = queued_delivery(tenant_a, person)
    assert services.attempt_delivery(delivery.pk) is None
    assert services.attempt_delivery(delivery.pk) is None
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.SENT, 1)


@responses.activate
def test_transient_failure_schedules_the_next_attempt_with_backoff(
    tenant_a, person, twilio, settings
):
    settings.NOTIFICATION_RETRY_BACKOFF = 30
    responses.post(twilio, status=503, json=twilio_error(20503, "Unavailable", 503))
    delivery = queued_delivery(tenant_a, person, channel="sms")
    assert services.attempt_delivery(delivery.pk) == 30
    delivery.refresh_from_db()
    assert delivery.status == Status.QUEUED
    assert delivery.next_attempt_at > timezone.now() + timedelta(seconds=25)
    assert services.attempt_delivery(delivery.pk) == 60


def test_retry_sends_a_failed_delivery_again_and_its_tries_keep_counting(
    tenant_a, person, committed
):
    delivery = queued_delivery(tenant_a, person, channel="push")
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.FAILED, attempts=1, error="boom")
    with committed():
        assert services.retry_delivery(delivery=delivery) is True
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == (Status.SENT, 2, "")
    assert delivery.attempts_before_retry == 1
    assert services.retry_delivery(delivery=delivery) is False


def test_a_retry_keeps_the_last_error_until_its_own_outcome(tenant_a, person):
    delivery = queued_delivery(tenant_a, person, channel="push")
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.FAILED, attempts=5, error="boom")
    assert services.retry_delivery(delivery=delivery) is True
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error) == (Status.QUEUED, 5, "boom")


@responses.activate
def test_a_retry_gets_a_fresh_set_of_tries_for_transient_errors(tenant_a, person, twilio, settings):
    settings.NOTIFICATION_RETRY_BACKOFF = 30
    responses.post(twilio, status=503, json=twilio_error(20503, "Unavailable", 503))
    delivery = queued_delivery(tenant_a, person, channel="sms")
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.FAILED, attempts=5, error="boom")
    assert services.retry_delivery(delivery=delivery) is True
    # The retry's first try: backed off as a first try, not failed as a sixth.
    assert services.attempt_delivery(delivery.pk) == 30
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.QUEUED, 6)
    for _ in range(4):
        services.attempt_delivery(delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Status.FAILED, 10)


def test_a_retry_for_someone_removed_from_the_account_is_refused(tenant_a, person):
    delivery = queued_delivery(tenant_a, person, channel="push")
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.FAILED, attempts=1, error="boom")
    platform.remove_member(
        membership=person.memberships.get(account=tenant_a.account), removed_by=tenant_a.admin
    )
    delivery.refresh_from_db()
    before = (delivery.status, delivery.attempts, delivery.error, delivery.version)

    with pytest.raises(services.RetryRefused, match="removed from the account"):
        services.retry_delivery(delivery=delivery)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.error, delivery.version) == before
    assert before[0] == Status.FAILED
    assert delivery.can_retry is False


def test_provider_reports_move_status_forward_only(tenant_a, person):
    delivery = queued_delivery(tenant_a, person)
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.SENT, provider_message_id="m-1")
    assert services.record_provider_status(
        channel="email", provider_message_id="m-1", delivered=True
    )
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED
    services.record_provider_status(
        channel="email", provider_message_id="m-1", delivered=False, error="Bounced"
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.error) == (Status.FAILED, "Bounced")
    services.record_provider_status(channel="email", provider_message_id="m-1", delivered=True)
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED
    assert (
        services.record_provider_status(channel="sms", provider_message_id="m-1", delivered=True)
        is None
    )


def test_stalled_work_is_requeued_and_interrupted_sends_are_failed_not_resent(
    tenant_a, person, committed
):
    lost = queued_delivery(tenant_a, person)
    interrupted = queued_delivery(tenant_a, person)
    recent = queued_delivery(tenant_a, person)
    long_ago = timezone.now() - timedelta(hours=1)
    Delivery.objects.filter(pk=lost.pk).update(updated_at=long_ago)
    Delivery.objects.filter(pk=interrupted.pk).update(status=Status.SENDING, updated_at=long_ago)
    with committed():
        assert services.requeue_stalled() == 1
    lost.refresh_from_db()
    interrupted.refresh_from_db()
    recent.refresh_from_db()
    assert lost.status == Status.SENT
    assert interrupted.status == Status.FAILED
    assert "Retry to send again" in interrupted.error
    assert recent.status == Status.QUEUED
    assert len(mail.outbox) == 1


def test_status_changes_are_pushed_live_to_admins_and_the_recipient(
    tenant_a, person, tenant_b, live_events
):
    delivery = queued_delivery(tenant_a, person)
    services.attempt_delivery(delivery.pk)
    for user in (tenant_a.admin, person):
        (sent,) = live_events.to(tenant_a.account, user)
        assert sent["event"] == "deliverystatus"
        assert f'<tr id="delivery-{delivery.pk}" data-version="2">' in sent["html"]
        assert "Sent" in sent["html"]
    assert live_events.to(tenant_b.account, tenant_b.admin) == []
