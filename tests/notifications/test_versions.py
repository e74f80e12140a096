"""Delivery rows carry a version that rises with every change; retries use the current profile."""

import pytest
from django.core import mail

from notifications import services
from notifications.models import Delivery, Status
from notifications.rendering import event_label
from notifications.services import Recipient, notify
from notifications.transports import sms

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_outboxes():
    sms.outbox.clear()


def failed_delivery(tenant, user, channel, recipient, *, from_profile=True):
    return Delivery.objects.create(
        account=tenant.account,
        event="test",
        channel=channel,
        user=user,
        recipient=recipient,
        recipient_from_profile=from_profile,
        subject="Hello",
        body="Body",
        status=Status.FAILED,
        attempts=5,
        error="Mailbox unavailable",
    )


def test_every_change_of_a_delivery_raises_its_version(tenant_a, committed, live_events):
    with committed():
        [delivery] = notify(
            account=tenant_a.account,
            event="test",
            recipients=[tenant_a.member],
            context={},
            channels=["email"],
        )
    delivery.refresh_from_db()
    # Queued (0), claimed (1), sent (2).
    assert (delivery.status, delivery.version) == (Status.SENT, 2)
    frames = live_events.to(tenant_a.account, tenant_a.admin, services.DELIVERY_EVENT)
    versions = [int(f["html"].split('data-version="')[1].split('"')[0]) for f in frames]
    assert versions == sorted(versions)
    # The new row is offered to the live log (sends are queued first, so in-process it may
    # already read as sent when it is).
    inserted = '<tbody hx-swap-oob="afterbegin:#delivery-rows-live">'
    assert any(frame["html"].startswith(inserted) for frame in frames)

    Delivery.objects.filter(pk=delivery.pk).update(provider_message_id="msg-1")
    services.record_provider_status(channel="email", provider_message_id="msg-1", delivered=True)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.version) == (Status.DELIVERED, 3)


def test_a_frame_pairs_the_stored_state_with_its_version(tenant_a, live_events):
    delivery = failed_delivery(tenant_a, tenant_a.member, "email", tenant_a.member.email)
    stale = Delivery.objects.get(pk=delivery.pk)
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.SENT, version=7)

    services.announce(stale)

    [frame] = live_events.to(tenant_a.account, tenant_a.admin)
    assert f'<tr id="delivery-{delivery.pk}" data-version="7">' in frame["html"]
    assert "Sent" in frame["html"]


def test_retry_sends_to_the_profile_email_the_person_has_now(tenant_a, committed):
    person = tenant_a.member
    delivery = failed_delivery(tenant_a, person, "email", "old-address@acme.test")
    person.email = "new-address@acme.test"
    person.save()

    with committed():
        assert services.retry_delivery(delivery=delivery) is True

    delivery.refresh_from_db()
    assert delivery.recipient == "new-address@acme.test"
    # Five tries before the retry, and the retry's own.
    assert (delivery.status, delivery.attempts) == (Status.SENT, 6)
    assert [message.to for message in mail.outbox] == [["new-address@acme.test"]]


def test_retry_sends_to_the_profile_phone_the_person_has_now(tenant_a, committed):
    person = tenant_a.member
    delivery = failed_delivery(tenant_a, person, "sms", "+14155550100")
    person.phone = "+14155550199"
    person.save()

    with committed():
        assert services.retry_delivery(delivery=delivery) is True

    assert delivery.recipient == "+14155550199"
    assert [message.to for message in sms.outbox] == ["+14155550199"]


def test_retry_keeps_an_address_that_did_not_come_from_the_profile(tenant_a, committed):
    person = tenant_a.member
    person.phone = "+14155550199"
    person.save()
    delivery = failed_delivery(tenant_a, person, "sms", "+14155550123", from_profile=False)

    with committed():
        assert services.retry_delivery(delivery=delivery) is True

    assert delivery.recipient == "+14155550123"


def test_notify_records_where_each_address_came_from(tenant_a, committed):
    person = tenant_a.member
    person.phone = "+14155550199"
    person.save()
    with committed():
        rows = notify(
            account=tenant_a.account,
            event="test",
            recipients=[Recipient(user=person, phone="+14155550123"), tenant_a.admin],
            context={},
            channels=["email", "sms"],
        )
    from_profile = {(row.user_id, row.channel): row.recipient_from_profile for row in rows}
    assert from_profile == {
        (person.pk, "email"): True,
        (person.pk, "sms"): False,
        (tenant_a.admin.pk, "email"): True,
        (tenant_a.admin.pk, "sms"): True,
    }


def test_a_retry_that_is_refused_changes_nothing(tenant_a):
    delivery = failed_delivery(tenant_a, tenant_a.member, "email", "old@acme.test")
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.SENT, version=4)

    assert services.retry_delivery(delivery=delivery) is False

    delivery.refresh_from_db()
    assert (delivery.status, delivery.version, delivery.recipient) == (
        Status.SENT,
        4,
        "old@acme.test",
    )


def test_events_read_as_their_labels():
    assert event_label("lead_arrived") == "New lead"
    assert event_label("campaign_disconnected") == "Campaign paused or deleted"
    assert event_label("some_future_event") == "Some future event"
