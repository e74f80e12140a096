"""`manage.py replay_deliveries --status failed --since 2026-11-01`: replay stored deliveries."""

import re
from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import ngettext

from campaignhub import services
from campaignhub.models import DeliveryStatus, InboundDelivery

# `rejected` takes only deliveries rejected for their signature, once today's key verifies them.
REPLAYABLE_STATUSES = [
    str(status)
    for status in (
        DeliveryStatus.FAILED,
        DeliveryStatus.IGNORED,
        DeliveryStatus.PROCESSED,
        DeliveryStatus.PROCESSING,
        DeliveryStatus.REJECTED,
    )
]
AGO = re.compile(r"^(\d+)([mhd])$")
UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def parse_since(value: str) -> datetime:
    """`2026-11-01`, `2026-11-01T08:00`, or an age such as `30m`, `6h`, `7d`, as an aware
    datetime (naive values are in the server's time zone). Raises CommandError otherwise."""
    wrong = CommandError(f"--since {value!r}: use a date, a datetime, or an age like 6h.")
    try:
        match = AGO.match(value.strip())
        if match:
            return timezone.now() - timedelta(**{UNITS[match[2]]: int(match[1])})
        moment = parse_datetime(value) or _midnight(parse_date(value))
    except (ValueError, OverflowError):
        raise wrong from None
    if moment is None:
        raise wrong
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _midnight(day):
    return datetime.combine(day, time.min) if day else None


class Command(BaseCommand):
    help = (
        "Process stored webhook deliveries again (signatures are checked again first, with "
        "today's signing key; a delivery rejected for its signature is processed only once that "
        "key verifies it, one rejected for what it held never)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--status", choices=REPLAYABLE_STATUSES, default=str(DeliveryStatus.FAILED)
        )
        parser.add_argument("--since", help="received at or after: a date, datetime or age (6h)")
        parser.add_argument("--source", help="only this source, e.g. callrail")
        parser.add_argument("--account", type=int, help="only this account id")
        parser.add_argument("--dry-run", action="store_true", help="count, replay nothing")

    def handle(self, *args, status, since, source, account, dry_run, **options):
        deliveries = InboundDelivery.objects.filter(status=status)
        if since:
            deliveries = deliveries.filter(received_at__gte=parse_since(since))
        if source:
            deliveries = deliveries.filter(source=source)
        if account:
            deliveries = deliveries.filter(account_id=account)
        count, refused = services.replay_deliveries(deliveries, dry_run=dry_run)
        for reason, held in sorted(refused.items()):
            self.stdout.write(f"{reason} ({held} of them)")
        if dry_run:
            self.stdout.write(
                ngettext(
                    "%d delivery would be replayed.", "%d deliveries would be replayed.", count
                )
                % count
            )
            return
        self.stdout.write(
            ngettext(
                "%d delivery queued for processing again.",
                "%d deliveries queued for processing again.",
                count,
            )
            % count
        )
