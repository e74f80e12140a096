"""Reads for notifications: deliveries a person may see, their devices."""

from collections.abc import Callable
from dataclasses import dataclass

from fcm_django.models import FCMDevice

from campaignhub.models import member_exists
from notifications.models import Delivery


def deliveries_visible_to(membership):
    """Admins see every delivery of the account; members see the ones sent to them. Each
    carries `recipient_is_member` (for `Delivery.can_retry`)."""
    deliveries = (
        Delivery.objects.for_account(membership.account)
        .select_related("user")
        .annotate(recipient_is_member=member_exists())
    )
    if not membership.is_admin:
        deliveries = deliveries.filter(user=membership.user)
    return deliveries


def filter_deliveries(deliveries, *, event="", channel="", status=""):
    if event:
        deliveries = deliveries.filter(event=event)
    if channel:
        deliveries = deliveries.filter(channel=channel)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries


def as_they_stand(deliveries) -> list:
    """`deliveries` (Delivery rows) read again, in the order they were made: their status and
    error now, after the worker may have sent them."""
    return list(Delivery.objects.filter(pk__in=[d.pk for d in deliveries]).order_by("pk"))


def event_names(deliveries):
    return list(deliveries.order_by("event").values_list("event", flat=True).distinct())


def devices_of(user):
    # Devices belong to a person, whichever account they are working in.
    return FCMDevice.objects.filter(user=user).order_by("-date_created", "-id")


def has_active_device(user) -> bool:
    """True when `user` (a User, or None: False) has a push device registered and active: the
    person's opt-in to pushes that are sent only where they are wanted (lead alerts). A device
    fcm-django turned off (its token unregistered) does not count."""
    if user is None:
        return False
    return FCMDevice.objects.filter(user=user, active=True).exists()


@dataclass(frozen=True)
class Subject:
    """What a delivery is about, as its Details page links it: `label` ("Lead: Ann Lee") and
    `url` of that thing's page."""

    label: str
    url: str


# event -> callable(delivery, viewer) -> Subject | None
SUBJECTS: dict[str, Callable] = {}


def register_subject(event: str, subject: Callable) -> None:
    """Let the app that sends `event` name what a delivery of it is about, for the delivery's
    Details page: `subject(delivery, viewer) -> Subject | None`, None when `viewer` (a
    Membership) may not open it or it is gone (e.g. the campaigns app: a lead alert's lead)."""
    SUBJECTS[event] = subject


def subject_of(delivery, viewer) -> Subject | None:
    """What `delivery` is about, linked for `viewer`, as its event's app says; None when it
    registered nothing or the viewer may not open it."""
    subject = SUBJECTS.get(delivery.event)
    return subject(delivery, viewer) if subject is not None else None
