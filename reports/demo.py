"""Demo data for reports: a month of leads across the demo account's campaigns, with outcomes.

About 150 leads spread over the last 30 days of the account's time zone (a few just before
local midnight), each captured through `campaigns.services.capture_lead` so they are assigned
round-robin and followed by the CRM (contacts, deals) like real ones, but with `alert=False`:
a month of history must not send hundreds of alerts. Each is then dated back (an UPDATE of
`created_at`, which `auto_now_add` stamped), and most get an outcome through
`campaigns.outcomes.set_outcome` (so deals follow), with a first-response time typical of its
representative, counted from the lead's arrival: no alert was sent about them, so none shows on
their pages or in the delivery log. Loading twice adds nothing.
"""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.template.defaultfilters import pluralize
from django.utils import timezone

from campaignhub.tenancy import account_zone
from campaigns import outcomes, services
from campaigns.models import Campaign, Lead, LeadSource, LeadStatus

DAYS = 30
LEADS = 150
EXTERNAL_PREFIX = "report-demo-"
FIRST_NAMES = ["Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Harper", "Jordan", "Kai"]
LAST_NAMES = ["Nguyen", "Garcia", "Okafor", "Schmidt", "Rossi", "Kowalski", "Haddad", "Silva"]
# Fictional numbers only: 555-0100 to 555-0199 in a few area codes.
AREA_CODES = ["415", "212", "312", "617"]
# (status, weight) of leads older than two days; the newest are mostly still new.
OUTCOMES = [
    (LeadStatus.NEW, 12),
    (LeadStatus.CONTACTED, 24),
    (LeadStatus.QUALIFIED, 18),
    (LeadStatus.WON, 26),
    (LeadStatus.LOST, 20),
]


def _arrival(rng, zone, today, now):
    """A local time on one of the last `DAYS` days, mostly office hours, some late evening."""
    day = today - timedelta(days=rng.randrange(DAYS))
    if rng.random() < 0.06:
        moment = time(23, rng.randrange(30, 60))
    else:
        moment = time(rng.randrange(7, 21), rng.randrange(60), rng.randrange(60))
    arrived = datetime.combine(day, moment, tzinfo=zone)
    # The last hour and a half is today's demo leads' (crm.demo): history stops before it.
    return min(arrived, now - timedelta(minutes=rng.randrange(90, 180)))


def _status(rng, age):
    if age < timedelta(days=2):
        return rng.choice([LeadStatus.NEW, LeadStatus.NEW, LeadStatus.CONTACTED])
    statuses, weights = zip(*OUTCOMES, strict=True)
    return rng.choices(statuses, weights)[0]


def _response_s(rng, speed):
    """Seconds to the first response; `speed` is the representative's typical minutes."""
    return max(20, int(rng.lognormvariate(0, 0.8) * speed * 60))


def load(*, account, admin, member, stdout):
    leads = Lead.objects.for_account(account)
    if leads.filter(external_id__startswith=EXTERNAL_PREFIX).exists():
        stdout.write("Reports: the month of demo leads is loaded already.")
        return
    campaigns = list(Campaign.objects.for_account(account).filter(is_deleted=False).order_by("id"))
    if not campaigns:
        stdout.write("Reports: no campaigns, so no month of leads.")
        return
    rng = random.Random(f"reports-demo-{account.pk}")
    zone = account_zone(account)
    now = timezone.now()
    today = timezone.localdate(now, timezone=zone)
    # Typical minutes to a first response: the representative answers faster than the admin.
    speed = {member.pk: 6, admin.pk: 25}
    # Captured oldest first, so ids follow arrival as they do for real leads (lists are newest
    # first by id).
    arrivals = sorted(_arrival(rng, zone, today, now) for _ in range(LEADS))
    for n, arrived in enumerate(arrivals):
        campaign = campaigns[n % len(campaigns)] if n < len(campaigns) else rng.choice(campaigns)
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        details = {
            "name": f"{first} {last}",
            "phone": f"+1{rng.choice(AREA_CODES)}5550{rng.randrange(100, 200)}",
            "email": f"{first}.{last}{n}@example.com".lower(),
            "message": rng.choice(["Quote please.", "Call me back.", "", "Is this still on?"]),
        }
        lead, _ = services.capture_lead(
            campaign=campaign,
            source=services.LEAD_SOURCES.get(campaign.integration, LeadSource.WEBHOOK),
            external_id=f"{EXTERNAL_PREFIX}{n}",
            payload=details,
            alert=False,
            **details,
        )
        Lead.objects.filter(pk=lead.pk).update(created_at=arrived)
        status = _status(rng, now - arrived)
        if status == LeadStatus.NEW:
            continue
        revenue = Decimal(rng.randrange(30000, 600000)) / 100 if status == LeadStatus.WON else None
        outcomes.set_outcome(
            lead=lead,
            status=status,
            revenue=revenue,
            actor=lead.representative or admin,
            via="lead",
        )
        response = _response_s(rng, speed.get(lead.representative_id, 15))
        responded = min(arrived + timedelta(seconds=response), now)
        Lead.objects.filter(pk=lead.pk).update(
            first_response_at=responded,
            first_response_s=int((responded - arrived).total_seconds()),
        )
    stdout.write(
        f"Reports: {LEADS} demo leads over the last {DAYS} days across "
        f"{len(campaigns)} campaign{pluralize(len(campaigns))}."
    )
