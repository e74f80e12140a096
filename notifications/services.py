"""Writes for notifications: queue deliveries, send them, record provider outcomes, devices."""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from fcm_django.models import FCMDevice

from campaignhub import live, selectors
from campaignhub.models import is_member, member_exists
from campaignhub.phones import to_e164
from notifications.models import Channel, Delivery, Status
from notifications.rendering import event_channels, render_channel
from notifications.signals import delivery_sent
from notifications.transports import TransportError, transport_for

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
DELIVERY_EVENT = "deliverystatus"


@dataclass(frozen=True)
class Recipient:
    """A person (`user`) and/or explicit addresses; an explicit one wins over the profile's."""

    user: object = None
    email: str = ""
    phone: str = ""

    def address(self, channel):
        if channel == Channel.EMAIL:
            return self.email or (self.user.email if self.user else "")
        if channel == Channel.SMS:
            return self.phone or (self.user.phone if self.user else "")
        return self.user.email if self.user else ""

    def from_profile(self, channel) -> bool:
        """True when the address for `channel` is read off the user's profile (no explicit one)."""
        if self.user is None:
            return False
        explicit = {Channel.EMAIL: self.email, Channel.SMS: self.phone}.get(channel, "")
        return not explicit


def profile_address(user, channel) -> str:
    """The user's current address for `channel`: email for email and push, phone for SMS."""
    return user.phone if channel == Channel.SMS else user.email


@dataclass(frozen=True)
class Sender:
    email: str = ""
    reply_to: str = ""
    sms: str = ""


def as_recipient(value) -> Recipient:
    if isinstance(value, Recipient):
        return value
    if isinstance(value, str):
        return Recipient(email=value) if "@" in value else Recipient(phone=to_e164(value))
    return Recipient(user=value)


def notify(*, account, event, recipients, context, channels=None, sender=None, data=None):
    """Queue `event` for each recipient on each channel; sending happens after commit.

    Writes one Delivery per channel per recipient. Provider failures happen later, in the
    task, and never reach the caller. `data` (`{str: str}`) is the push payload, and is kept
    on every channel's delivery as what the notification is about (e.g. `{"lead_id": "12"}`),
    for `signals.delivery_sent` receivers.
    """
    channels = list(channels or event_channels(event))
    sender = sender or Sender()
    rendered = {channel: render_channel(event, channel, context) for channel in channels}
    rows = [
        Delivery(
            account=account,
            event=event,
            channel=channel,
            user=recipient.user,
            recipient=recipient.address(channel),
            recipient_from_profile=recipient.from_profile(channel),
            sender={Channel.SMS: sender.sms, Channel.EMAIL: sender.email}.get(channel, ""),
            reply_to=sender.reply_to if channel == Channel.EMAIL else "",
            data=dict(data or {}),
            **rendered[channel],
        )
        for recipient in map(as_recipient, recipients)
        for channel in channels
    ]
    Delivery.objects.bulk_create(rows)
    # Sends are queued first: after commit, the live rows must not hold the alerts up.
    for row in rows:
        _enqueue(row.pk)
    for row in rows:
        transaction.on_commit(lambda row=row: announce(row, created=True), robust=True)
    return rows


def _enqueue(delivery_id, countdown=None):
    from notifications.tasks import send_delivery

    def send():
        send_delivery.apply_async((delivery_id,), countdown=countdown)

    # robust: a broker outage must not break the caller's request; the sweeper requeues.
    transaction.on_commit(send, robust=True)


RECIPIENT_LEFT = "Cancelled: the person it was for was removed from the account."


def _recipient_left():
    """A filter on deliveries for a person who is not (or no longer) a member of its account."""
    return Q(user__isnull=False) & ~member_exists()


def _cancel(deliveries, reason=RECIPIENT_LEFT) -> list[int]:
    """Cancel the queued ones among `deliveries` (never one a worker has claimed: it is
    `sending`), with `reason` in `error`; returns their ids."""
    queued = deliveries.filter(status=Status.QUEUED)
    ids = list(queued.values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids, status=Status.QUEUED).update(
        status=Status.CANCELLED,
        error=reason,
        next_attempt_at=None,
        updated_at=timezone.now(),
        version=F("version") + 1,
    )
    for delivery_id in ids:
        transaction.on_commit(
            lambda delivery_id=delivery_id: announce(Delivery(pk=delivery_id)), robust=True
        )
    return ids


def cancel_pending_for(*, account, user) -> list[int]:
    """Cancel `user`'s queued deliveries in `account` (they were removed from it): status
    `cancelled`, the reason in the delivery log. Returns their ids. Runs in the caller's
    transaction; a delivery already being sent is left to finish."""
    return _cancel(Delivery.objects.for_account(account).filter(user=user))


def on_member_removed(*, account, user, **signal):
    """The `campaignhub.signals.member_removed` receiver: `cancel_pending_for`."""
    cancel_pending_for(account=account, user=user)


def backoff(attempts: int) -> float:
    return settings.NOTIFICATION_RETRY_BACKOFF * 2 ** (attempts - 1)


def attempt_delivery(delivery_id) -> float | None:
    """Claim a queued delivery, send it once, record the outcome.

    Returns the seconds to wait before the next attempt when a transient error should be
    retried, else None. A delivery that is not queued (sent, failed, being sent by another
    worker) is left alone, so running this twice never sends twice. One its event's app no
    longer wants sent (`register_withhold_reason`: a lead alert whose lead was given to someone
    else meanwhile) is not sent: it is recorded `cancelled` with the app's reason.
    """
    now = timezone.now()
    # One statement claims it: queued, and for nobody who has left the account since.
    claimed = (
        Delivery.objects.filter(pk=delivery_id, status=Status.QUEUED)
        .exclude(_recipient_left())
        .update(
            status=Status.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=None,
            updated_at=now,
            version=F("version") + 1,
        )
    )
    if not claimed:
        # A person who left the account since it was queued gets nothing more from it.
        _cancel(Delivery.objects.filter(_recipient_left(), pk=delivery_id))
        return None
    delivery = Delivery.objects.select_related("user").get(pk=delivery_id)
    withheld = _withheld_because(delivery)
    if withheld:
        _withhold(delivery, withheld)
        return None
    # Queued a while (a backlog, a retry's wait), it goes where its person can be reached now:
    # a number changed on their profile, or on the campaign, meanwhile (`_address_now`).
    delivery.recipient = _address_now(delivery)
    # No live frame for "sending": it would hold the send up for a state that lasts a moment;
    # the outcome's frame (a higher version) follows at once.
    retry_in = None
    try:
        provider_message_id = transport_for(delivery.channel).send(delivery)
    except TransportError as exc:
        delivery.error = exc.message
        this_round = delivery.attempts - delivery.attempts_before_retry
        if not exc.permanent and this_round < MAX_ATTEMPTS:
            retry_in = backoff(this_round)
            delivery.status = Status.QUEUED
            delivery.next_attempt_at = now + timedelta(seconds=retry_in)
        else:
            delivery.status = Status.FAILED
    except Exception as exc:
        logger.exception("Sending delivery %s failed unexpectedly", delivery_id)
        delivery.status = Status.FAILED
        delivery.error = f"Unexpected error: {type(exc).__name__}: {exc}"
    else:
        delivery.status = Status.SENT
        delivery.provider_message_id = provider_message_id or ""
        delivery.sent_at = timezone.now()
        delivery.error = ""
    delivery.version = F("version") + 1
    delivery.save(
        update_fields=[
            "recipient",
            "devices",
            "status",
            "error",
            "provider_message_id",
            "sent_at",
            "next_attempt_at",
            "updated_at",
            "version",
        ]
    )
    delivery.refresh_from_db(fields=["version"])
    if delivery.status == Status.SENT:
        _announce_sent(delivery)
    announce(delivery)
    return retry_in


def _announce_sent(delivery):
    """Send `signals.delivery_sent`; a receiver's failure is logged, the send stays recorded."""
    for receiver, result in delivery_sent.send_robust(sender=Delivery, delivery=delivery):
        if isinstance(result, Exception):
            logger.error(
                "A delivery_sent receiver (%r) failed for delivery %s",
                receiver,
                delivery.pk,
                exc_info=result,
            )


class RetryRefused(Exception):
    """A failed delivery that is not sent again; the message says why, in the product's words."""


RECIPIENT_LEFT_RETRY = (
    "This notification is not sent again: the person it was for was removed from the account."
)


CURRENT_ADDRESSES: dict[str, Callable] = {}


def register_current_address(event: str, address: Callable) -> None:
    """Let the app that sends `event` say where a delivery of it goes when it is sent (each
    attempt, a retry's too):
    `address(delivery) -> str | None`, None leaving the rule of `_address_now` (e.g. the
    campaigns app: a lead alert's SMS goes to the representative's custom number as it is now)."""
    CURRENT_ADDRESSES[event] = address


WITHHOLD_REASONS: dict[str, Callable] = {}


def register_withhold_reason(event: str, reason: Callable) -> None:
    """Let the app that sends `event` stop a delivery of it that is no longer wanted, when it is
    about to be sent (each attempt, a retry's too): `reason(delivery) -> str | None`, the reason
    shown in the delivery log (e.g. the campaigns app: "Cancelled: the lead was given to someone
    else before this alert went out."), or None to send it."""
    WITHHOLD_REASONS[event] = reason


def _withheld_because(delivery) -> str | None:
    """Why `delivery` (claimed, about to be sent) must not go out, as its event's app says
    (`register_withhold_reason`); None to send it."""
    reason = WITHHOLD_REASONS.get(delivery.event)
    return reason(delivery) if reason is not None else None


def _withhold(delivery, reason: str) -> None:
    """Record a claimed `delivery` as cancelled, with `reason` in `error`, instead of sending
    it: the claim's try is taken back (nothing was tried), and the log row updates live."""
    Delivery.objects.filter(pk=delivery.pk, status=Status.SENDING).update(
        status=Status.CANCELLED,
        error=reason,
        attempts=F("attempts") - 1,
        next_attempt_at=None,
        updated_at=timezone.now(),
        version=F("version") + 1,
    )
    announce(delivery)


def _address_now(delivery) -> str:
    """Where `delivery` goes when it is sent (each attempt, a retry's too): what its event's app
    says (`register_current_address`), else, addressed from a person's profile, the address the
    profile has now, else where it was addressed."""
    find = CURRENT_ADDRESSES.get(delivery.event)
    found = find(delivery) if find is not None else None
    if found:
        return found
    if delivery.recipient_from_profile and delivery.user is not None:
        return profile_address(delivery.user, delivery.channel)
    return delivery.recipient


def retry_delivery(*, delivery) -> bool:
    """Send a failed delivery again, with a fresh set of attempts; False when it is not failed.

    Its tries keep counting (`attempts`; `attempts_before_retry` records where the retry
    started, so the log shows it was retried) and its last error stays until the retry's
    outcome replaces it. It goes where `_address_now` says: the number or address fixed since
    it failed, where its sender or the person's profile has one. One for a person who
    is no longer a member of the account raises `RetryRefused` and nothing changes. `delivery`
    is refreshed to the stored state once the retry is committed (with eager sending, that is
    already the outcome).
    """
    with transaction.atomic():
        retried = Delivery.objects.select_for_update().filter(pk=delivery.pk, status=Status.FAILED)
        current = retried.first()
        changed = 0
        if current is not None:
            if current.recipient_left:
                raise RetryRefused(RECIPIENT_LEFT_RETRY)
            changed = retried.update(
                status=Status.QUEUED,
                attempts_before_retry=F("attempts"),
                next_attempt_at=None,
                recipient=_address_now(current),
                updated_at=timezone.now(),
                version=F("version") + 1,
            )
            transaction.on_commit(lambda: announce(current), robust=True)
            _enqueue(delivery.pk)
    delivery.refresh_from_db()
    return bool(changed)


def record_provider_status(*, channel, provider_message_id, delivered, error=""):
    """Apply a provider's delivery report: sent -> delivered, or sent/delivered -> failed."""
    if not provider_message_id:
        return None
    delivery = Delivery.objects.filter(
        channel=channel, provider_message_id=provider_message_id
    ).first()
    if delivery is None:
        return None
    if delivered:
        changed = Delivery.objects.filter(pk=delivery.pk, status=Status.SENT).update(
            status=Status.DELIVERED, updated_at=timezone.now(), version=F("version") + 1
        )
    else:
        changed = Delivery.objects.filter(
            pk=delivery.pk, status__in=[Status.SENT, Status.DELIVERED]
        ).update(
            status=Status.FAILED,
            error=error,
            updated_at=timezone.now(),
            version=F("version") + 1,
        )
    delivery.refresh_from_db()
    if changed:
        announce(delivery)
    return delivery


def requeue_stalled(*, older_than=timedelta(minutes=10)) -> int:
    """Hand lost work back to the queue; a send interrupted midway is failed, never resent blind."""
    cutoff = timezone.now() - older_than
    lost = Delivery.objects.filter(status=Status.QUEUED, updated_at__lt=cutoff).exclude(
        next_attempt_at__gte=cutoff
    )
    ids = list(lost.values_list("pk", flat=True))
    for delivery_id in ids:
        _enqueue(delivery_id)
    Delivery.objects.filter(status=Status.SENDING, updated_at__lt=cutoff).update(
        status=Status.FAILED,
        error="Interrupted while sending; it may or may not have gone out. Retry to send again.",
        updated_at=timezone.now(),
        version=F("version") + 1,
    )
    return len(ids)


def announce(delivery, *, created=False) -> None:
    """Live row update for the admins of the account and the person it was for.

    The row is read again here, so a frame always pairs a state with its `version`; frames
    can still arrive out of order (a worker and a web request both announce), and pages keep
    the row with the highest version. A `created` row is also offered to the live log.
    """
    if not live.watching(delivery.account_id):
        return
    delivery = Delivery.objects.select_related("user", "account").filter(pk=delivery.pk).first()
    if delivery is None:
        return
    user_ids = set(selectors.admin_ids(delivery.account_id))
    if delivery.user_id and is_member(delivery.account_id, delivery.user_id):
        user_ids.add(delivery.user_id)
    html = live.render(
        delivery.account, "notifications/deliveries.html#delivery-row", {"delivery": delivery}
    )
    if created:
        html = f'<tbody hx-swap-oob="afterbegin:#delivery-rows-live">{html}</tbody>'
    live.push_to_members(delivery.account_id, user_ids, DELIVERY_EVENT, html)


def register_device(*, user, registration_id, type, name="") -> FCMDevice:
    """Register a device token (FCM's `registration_id`) for `user`, or update and reactivate
    theirs. A token registered by someone else means the phone changed hands (its app signed in
    as `user`): the old registration is deleted and a new one made, so nothing of the previous
    owner's (its id, when they registered it) is handed to the new one."""
    with transaction.atomic():
        device = FCMDevice.objects.select_for_update().filter(registration_id=registration_id)
        device = device.first()
        if device is not None and device.user_id != user.pk:
            device.delete()
            device = None
        if device is None:
            return FCMDevice.objects.create(
                registration_id=registration_id, user=user, type=type, name=name, active=True
            )
        device.type, device.name, device.active = type, name, True
        device.save(update_fields=["type", "name", "active"])
        return device


def remove_device(*, device) -> None:
    device.delete()


def send_test_push(*, account, user):
    return notify(
        account=account,
        event="test_push",
        recipients=[user],
        context={"user": user, "account": account},
        channels=[Channel.PUSH],
        data={"module": "notifications", "type": "test"},
    )
