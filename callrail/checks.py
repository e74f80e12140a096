"""CallRail's setup check: a CallRail campaign's tracking number is one of the active trackers
of the company the account works in, or no call can ever reach the campaign.

The check never calls CallRail (it runs on every campaign page and on the dashboard). It
compares with the company's tracking numbers as the campaign form's number picker last listed
them, which the picker keeps in the cache for a day. With no such listing (never listed, expired,
another company chosen since, or the cache unreachable) there is nothing to compare with and no
warning is given. A tracker created in CallRail after the listing counts from the next time
someone opens a CallRail campaign's form, which lists the numbers again.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone
from django.utils.timesince import timesince

from callrail.models import CallRailSettings
from campaignhub.phones import e164_or_blank, for_display
from campaigns.checks import NO_CAMPAIGN, register_check
from campaigns.models import Integration

logger = logging.getLogger(__name__)

LISTING_LIFETIME = timedelta(days=1)


@dataclass(frozen=True)
class TrackerListing:
    """The active tracking numbers (E.164) of one CallRail company, and when they were listed."""

    company_id: str
    company_name: str
    tracking_numbers: frozenset[str]
    listed_at: datetime


def _cache_key(account_id) -> str:
    return f"callrail:tracker-listing:{account_id}"


def remember_trackers(account, *, company_id: str, company_name: str = "", tracking_numbers):
    """Keep the company's complete list of active tracking numbers for the check.

    `tracking_numbers` are every number of every active tracker, in any dialable format. Only a
    complete listing may be remembered (all pages): a number missing from it is taken as "not a
    tracker". A cache outage is logged and ignored.
    """
    listing = {
        "company_id": company_id,
        "company_name": company_name,
        "tracking_numbers": sorted({e164_or_blank(number) for number in tracking_numbers} - {""}),
        "listed_at": timezone.now().isoformat(),
    }
    try:
        cache.set(_cache_key(account.pk), listing, LISTING_LIFETIME.total_seconds())
    except Exception:
        logger.warning("Could not keep the CallRail tracker listing", exc_info=True)


def tracker_listing(account) -> TrackerListing | None:
    """The remembered listing of the company the account works in now, or None."""
    try:
        stored = cache.get(_cache_key(account.pk))
    except Exception:
        logger.warning("Could not read the CallRail tracker listing", exc_info=True)
        return None
    if not stored:
        return None
    chosen = (
        CallRailSettings.objects.for_account(account).values_list("company_id", flat=True).first()
    )
    if not chosen or chosen != stored["company_id"]:
        return None
    return TrackerListing(
        company_id=stored["company_id"],
        company_name=stored["company_name"],
        tracking_numbers=frozenset(stored["tracking_numbers"]),
        listed_at=datetime.fromisoformat(stored["listed_at"]),
    )


def _not_a_tracker(setup):
    campaign = setup.campaign
    if campaign.integration != Integration.CALLRAIL or not campaign.tracking_number:
        return ""
    listing = tracker_listing(campaign.account)
    if listing is None or campaign.tracking_number in listing.tracking_numbers:
        return ""
    company = listing.company_name or listing.company_id
    number = for_display(campaign.tracking_number, campaign.account.country)
    return (
        f"{number} is not one of the active trackers of the CallRail company {company} (as "
        f"listed {timesince(listing.listed_at)} ago), so no call or text can reach this "
        "campaign. Pick one of the company's numbers, or create the tracker in CallRail."
    )


def _not_a_tracker_failing(account):
    listing = tracker_listing(account)
    if listing is None:
        return NO_CAMPAIGN
    return (
        Q(integration=Integration.CALLRAIL)
        & ~Q(tracking_number="")
        & ~Q(tracking_number__in=sorted(listing.tracking_numbers))
    )


def register():
    """Add the check to the campaigns' setup checks (called from CallRailConfig.ready)."""
    register_check(
        "tracking_number_not_a_tracker",
        title="Tracking number is not a CallRail tracker",
        evaluate=_not_a_tracker,
        failing=_not_a_tracker_failing,
    )
