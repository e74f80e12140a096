#!/usr/bin/env python
"""Lead report query time at 10,000 and 1,000,000 leads in one account, on PostgreSQL.

Each size is its own account (time zone America/New_York) in one throwaway database
`bench_reports` on the server of `BENCH_DATABASE_URL` (default
postgres://postgres@127.0.0.1:5432/campaignhub_bench), created, then dropped: 20 campaigns,
10 representatives, and the leads spread evenly over the last 365 days with outcomes, revenue
on won leads and first-response times, loaded with COPY. A bench member represents 4 of the 20
campaigns. Every report (`reports.selectors`, each group and the totals) is asked for the
default 30 days and for a whole year, as an admin and as that member, and the whole /reports/
page is fetched; the sizes take turns and the median time at each size is printed with the
ratio and the rows the period holds. A 30-day report reads ~82,000 leads at 1M, ~820 at 10k:
the ratio follows the rows aggregated, the absolute time is the figure to watch.

    .venv/bin/python bench/reports.py                   # 10k and 1M (loading 1M takes a while)
    .venv/bin/python bench/reports.py --sizes 10000 100000 --repeat 3
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.harness import DEFAULT_DATABASE_URL  # noqa: E402

os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaignhub.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from campaignhub import services as platform  # noqa: E402
from campaignhub.models import Membership, Role  # noqa: E402
from campaignhub.tenancy import account_zone  # noqa: E402
from campaigns.models import Campaign, Representative  # noqa: E402
from reports import selectors  # noqa: E402

CAMPAIGNS = 20
MEMBERS = 10
MEMBER_CAMPAIGNS = 4
SPREAD_DAYS = 365
STATUSES = ["new", "contacted", "qualified", "won", "lost"]
SOURCES = ["call", "form", "webhook", "dialer", "text"]
COLUMNS = [
    "account_id",
    "campaign_id",
    "source",
    "external_id",
    "name",
    "phone",
    "email",
    "message",
    "payload",
    "representative_id",
    "status",
    "revenue",
    "alerted_at",
    "first_response_at",
    "first_response_s",
    "created_at",
    "updated_at",
]


def build_account(size):
    """An account of `size` leads; returns (admin membership, bench member membership)."""
    account = platform.create_account(name=f"Bench {size}", admin_email=f"admin{size}@bench.test")
    account.timezone = "America/New_York"
    account.save()
    admin = account.memberships.get().user
    members = [
        platform.add_member(
            account=account, email=f"rep{i}-{size}@bench.test", role=Role.MEMBER
        ).user
        for i in range(MEMBERS)
    ]
    campaigns = Campaign.objects.bulk_create(
        Campaign(
            account=account,
            owner=admin,
            campaign_name=f"Bench campaign {n}",
            integration="webhook",
            currency="USD",
        )
        for n in range(CAMPAIGNS)
    )
    # Campaign n goes to member n % MEMBERS; the bench member (0) also represents a few more.
    Representative.objects.bulk_create(
        [Representative(campaign=c, user=members[n % MEMBERS]) for n, c in enumerate(campaigns)]
        + [
            Representative(campaign=c, user=members[0])
            for n, c in enumerate(campaigns[:MEMBER_CAMPAIGNS])
            if n % MEMBERS != 0
        ]
    )
    copy_leads(account, campaigns, members, size)
    return (
        Membership.objects.select_related("account").get(account=account, user=admin),
        Membership.objects.select_related("account").get(account=account, user=members[0]),
    )


def lead_rows(account, campaigns, members, size):
    rng = random.Random(size)
    now = timezone.now()
    step = timedelta(days=SPREAD_DAYS) / size
    start = now - timedelta(days=SPREAD_DAYS)
    for n in range(size):
        created = start + step * n
        index = rng.randrange(CAMPAIGNS)
        status = rng.choices(STATUSES, [20, 25, 15, 22, 18])[0]
        assigned = rng.random() > 0.05
        alerted = created + timedelta(seconds=rng.randrange(2, 30)) if assigned else None
        response = int(rng.lognormvariate(6, 1)) if status != "new" else None
        responded = (alerted or created) + timedelta(seconds=response) if response else None
        yield (
            account.pk,
            campaigns[index].pk,
            rng.choice(SOURCES),
            f"bench-{n}",
            f"Lead {n}",
            f"+1415555{n % 10000:04d}",
            "",
            "",
            "{}",
            members[index % MEMBERS].pk if assigned else None,
            status,
            f"{rng.randrange(10000, 500000) / 100:.2f}" if status == "won" else None,
            alerted,
            responded,
            response,
            created,
            created,
        )


def copy_leads(account, campaigns, members, size):
    started = time.perf_counter()
    raw = connection.connection  # psycopg's own connection: COPY streams the rows
    statement = f"COPY campaigns_lead ({', '.join(COLUMNS)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in lead_rows(account, campaigns, members, size):
            copy.write_row(row)
    raw.commit()
    print(f"loaded {size:,} leads in {time.perf_counter() - started:.0f} s", flush=True)


def analyze():
    # A bulk load leaves the planner's statistics and the visibility map stale; autovacuum
    # refreshes them in production, so measure the steady state.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE campaigns_lead")


def periods(account):
    today = timezone.localdate(timezone=account_zone(account))
    return {
        "30 days": (today - timedelta(days=29), today),
        "365 days": (today - timedelta(days=364), today),
    }


def paths():
    for period in ("30 days", "365 days"):
        for who in ("admin", "member"):
            for group in (*selectors.GROUPS, "totals"):
                yield f"{who} {group}, {period}", who, group, period
    yield "admin /reports/ page, 30 days", "admin", "page", "30 days"


def ask(built, who, group, period):
    membership, client = built[who]
    start, end = built["periods"][period]
    started = time.perf_counter()
    if group == "page":
        response = client.get(f"/reports/?from={start.isoformat()}&to={end.isoformat()}")
        assert response.status_code == 200, response.status_code
    elif group == "totals":
        selectors.report_totals(membership, start=start, end=end)
    else:
        selectors.lead_report(membership, group=group, start=start, end=end)
    return time.perf_counter() - started


def rows_in(built, who, period):
    start, end = built["periods"][period]
    return selectors.report_totals(built[who][0], start=start, end=end).leads


def plan(membership, start: date, end: date):
    """PostgreSQL's plan of the per-day report query (what `selectors.lead_report` runs)."""
    key = selectors.group_key("day", account_zone(membership.account))
    leads = selectors.report_leads(membership, start=start, end=end)
    figures = {**selectors.FIGURES, "median": selectors.Median("first_response_s")}
    return leads.annotate(key=key).values("key").annotate(**figures).explain()


def run(sizes, repeat):
    built = {}
    for size in sizes:
        admin, member = build_account(size)
        clients = {}
        for key, membership in (("admin", admin), ("member", member)):
            clients[key] = Client()
            clients[key].force_login(membership.user)
        built[size] = {
            "admin": (admin, clients["admin"]),
            "member": (member, clients["member"]),
            "periods": periods(admin.account),
        }
    analyze()
    small, big = sizes[0], sizes[-1]
    print(f"\nplan of the 30-day period at {big:,} leads (admin):")
    start, end = built[big]["periods"]["30 days"]
    print("  " + plan(built[big]["admin"][0], start, end).replace("\n", "\n  "))
    print(
        f"\n{'report (median ms)':<40} {f'at {small:,}':>10} {f'at {big:,}':>12} {'ratio':>7} "
        f"{'leads in period':>19}"
    )
    for label, who, group, period in paths():
        for size in sizes:
            ask(built[size], who, group, period)  # warm the plan and the buffer cache
        samples = {size: [] for size in sizes}
        for _ in range(repeat):
            for size in sizes:
                samples[size].append(ask(built[size], who, group, period))
        median = {size: statistics.median(samples[size]) for size in sizes}
        counted = {size: rows_in(built[size], who, period) for size in sizes}
        print(
            f"{label:<40} {median[small] * 1000:>10.1f} {median[big] * 1000:>12.1f} "
            f"{median[big] / median[small]:>7.1f} {f'{counted[small]:,}/{counted[big]:,}':>19}",
            flush=True,
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 1_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("bench/reports.py measures PostgreSQL: set BENCH_DATABASE_URL.")

    setup_test_environment()
    settings_dict = connection.settings_dict
    settings_dict["TEST"].update(NAME="bench_reports", MIGRATE=True)
    old_name = settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(f"database: {connection.vendor} ({settings_dict['NAME']})")
        run(args.sizes, args.repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
