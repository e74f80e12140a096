#!/usr/bin/env python
"""Every campaign list path at 100 and 100,000 campaigns in one account: time, ratio, queries.

Each size is its own account in one throwaway database (created, then dropped): an admin, ten
members, one representative per campaign, and a bench member who owns 10 campaigns and
represents 40 more, spread over the whole account. Every path is asked through Django's test
client, the sizes taking turns, and the median time at each size is printed with the ratio and
the query counts (which must not grow with the account).

    .venv/bin/python bench/lists.py                           # SQLite file in a temporary folder
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/lists.py

On PostgreSQL the database `bench_lists` is created on that server and dropped at the end.
"""

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from html import unescape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
workdir = tempfile.mkdtemp(prefix="campaignhub-bench-")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir}/unused.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaignhub.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from campaignhub import services as platform  # noqa: E402
from campaignhub.api import next_cursor_after  # noqa: E402
from campaignhub.models import Role  # noqa: E402
from campaignhub.paging import BY_CREATED  # noqa: E402
from campaigns import services  # noqa: E402
from campaigns.models import Campaign, Integration, Lead, LeadSource, Representative  # noqa: E402

INTEGRATIONS = [Integration.CALLRAIL, Integration.FORM, Integration.WEBHOOK]
TRADES = ["Roofing", "Plumbing", "Solar", "Windows", "Gutters", "HVAC", "Siding", "Paving"]
CITIES = ["Austin", "Boston", "Chicago", "Denver", "Fresno", "Houston", "Miami", "Tampa", "Reno"]
# A client's name appears in a few campaigns whatever the account's size: a person looking
# for one campaign types part of its name.
CLIENT = "Zephyrine"
MEMBERS = 10
BATCH = 5000

# (label, who, url or a function of the built account giving it, target ratio)
PATHS = [
    ("admin /campaigns/ page 1", "admin", "/campaigns/", 1.5),
    ("admin /v1/campaigns page 1", "admin", "/v1/campaigns", 1.5),
    ("admin /campaigns/ last page", "admin", "html_last", 1.5),
    ("admin /v1/campaigns last page (cursor)", "admin", "api_last", 1.5),
    ("admin /campaigns/ deepest numbered page", "admin", "html_deepest", 1.5),
    ("admin /v1/campaigns deepest numbered page", "admin", "api_deepest", 1.5),
    ("admin /campaigns/?search=", "admin", f"/campaigns/?search={CLIENT[:6].lower()}", 2.0),
    ("admin /v1/campaigns?search=", "admin", f"/v1/campaigns?search={CLIENT[:6].lower()}", 2.0),
    ("admin /v1/campaigns/filters", "admin", "/v1/campaigns/filters", 1.5),
    ("admin /v1/campaigns/tracking-numbers", "admin", "/v1/campaigns/tracking-numbers", 1.5),
    ("member /campaigns/", "member", "/campaigns/", 1.5),
    ("member /v1/campaigns", "member", "/v1/campaigns", 1.5),
    ("member /v1/campaigns/filters", "member", "/v1/campaigns/filters", 1.5),
    ("member /v1/campaigns/tracking-numbers", "member", "/v1/campaigns/tracking-numbers", 1.5),
]


def campaign_name(n, size):
    # Five campaigns carry the client's name at any size, spread over the whole account.
    if n % max(size // 5, 1) == 1:
        return f"{CLIENT} {TRADES[n % len(TRADES)]} {n}"
    return f"{TRADES[n % len(TRADES)]} {CITIES[n % len(CITIES)]} {n}"


def build_account(size):
    """An account of `size` campaigns; returns (admin, bench member, its campaign ids)."""
    account = platform.create_account(name=f"Bench {size}", admin_email=f"admin{size}@bench.test")
    admin = account.memberships.get().user
    members = [
        platform.add_member(
            account=account, email=f"rep{i}-{size}@bench.test", role=Role.MEMBER
        ).user
        for i in range(MEMBERS)
    ]
    bench_member = members[0]
    # The bench member's 50 campaigns are spread evenly, so none of them is near one end.
    step = max(size // 50, 1)
    mine = {n for n in range(0, size, step)}
    owned = set(sorted(mine)[:10])
    campaigns = []
    for n in range(size):
        integration = INTEGRATIONS[n % len(INTEGRATIONS)]
        campaigns.append(
            Campaign(
                account=account,
                owner=bench_member if n in owned else admin,
                campaign_name=campaign_name(n, size),
                integration=integration,
                tracking_number=f"+1415{size % 10}{n:06d}" if integration == "callrail" else "",
                status=n % 7 != 0,
                currency="USD",
            )
        )
    for start in range(0, size, BATCH):
        Campaign.objects.bulk_create(campaigns[start : start + BATCH])
    ids = list(Campaign.objects.filter(account=account).order_by("id").values_list("id", flat=True))
    representatives = [
        Representative(
            campaign_id=pk,
            user=bench_member if n in mine and n not in owned else members[1 + n % (MEMBERS - 1)],
        )
        for n, pk in enumerate(ids)
    ]
    Representative.objects.bulk_create(representatives, batch_size=BATCH)
    leads = [
        Lead(
            account=account,
            campaign_id=pk,
            source=LeadSource.FORM,
            external_id=f"bench-{pk}-{k}",
            name=f"Lead {k}",
        )
        for pk in ids[-200:]
        for k in range(3)
    ]
    Lead.objects.bulk_create(leads, batch_size=BATCH)
    services.recount_tallies(account)
    return admin, bench_member, ids


def _last_link(html):
    """The pager's link to the last (oldest) page of the campaign list."""
    match = re.search(r'<a[^>]*rel="last"[^>]*href="([^"]+)"', html) or re.search(
        r'<a[^>]*href="([^"]+)"[^>]*rel="last"', html
    )
    if not match:
        raise SystemExit("The campaign list has no link to its last page.")
    href = unescape(match.group(1))
    return href if href.startswith("/") else "/campaigns/" + href


def _deepest_link(html):
    numbers = [int(n) for n in re.findall(r'data-deepest-page="(\d+)"', html)]
    if not numbers:
        raise SystemExit("The campaign list does not say its deepest numbered page.")
    return numbers[0]


def resolve(url, clients, ids):
    admin = clients["admin"]
    if url == "html_last":
        return _last_link(admin.get("/campaigns/").content.decode())
    if url == "html_deepest":
        return f"/campaigns/?page={_deepest_link(admin.get('/campaigns/').content.decode())}"
    if url == "api_deepest":
        pagination = admin.get("/v1/campaigns").json()["pagination"]
        return f"/v1/campaigns?page={min(pagination['max_page'], pagination['total_pages'])}"
    if url == "api_last":
        # The cursor a client reaches after walking every page: after the 11th-oldest campaign
        # (created in id order here, so the 11th by id).
        cursor = next_cursor_after(Campaign.objects.get(pk=ids[10]), BY_CREATED)
        return f"/v1/campaigns?cursor={cursor}"
    return url


def ask(client, url):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"{url}: {response.status_code} {response.content[:300]!r}")
    return elapsed, len(queries.captured_queries), len(response.content)


def analyze():
    # A bulk load leaves the planner's statistics stale; autovacuum (PostgreSQL) or
    # `PRAGMA optimize` (SQLite) refresh them in production, so measure the steady state.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def run(sizes, repeat):
    built = {}
    for size in sizes:
        started = time.perf_counter()
        admin, member, ids = build_account(size)
        clients = {"admin": Client(), "member": Client()}
        clients["admin"].force_login(admin)
        clients["member"].force_login(member)
        built[size] = (clients, ids)
        print(f"built {size:,} campaigns in {time.perf_counter() - started:.0f} s", flush=True)
    analyze()
    small, big = sizes[0], sizes[-1]
    print(
        f"\n{'path':<44} {f'{small:,} ms':>9} {f'{big:,} ms':>10} {'ratio':>6} {'target':>6} "
        f"{'queries':>9}  {'bytes':>13}"
    )
    failures = 0
    for label, who, url, target in PATHS:
        urls = {size: resolve(url, built[size][0], built[size][1]) for size in sizes}
        for size in sizes:
            ask(built[size][0][who], urls[size])  # warm templates, caches and the plan cache
        samples = {size: [] for size in sizes}
        # Sizes take turns, so drift on a busy machine hits them alike.
        for _ in range(repeat):
            for size in sizes:
                samples[size].append(ask(built[size][0][who], urls[size]))
        median = {size: statistics.median(s[0] for s in samples[size]) for size in sizes}
        queries = {size: samples[size][-1][1] for size in sizes}
        size_bytes = {size: samples[size][-1][2] for size in sizes}
        ratio = median[big] / median[small]
        within = ratio <= target and queries[small] == queries[big]
        failures += not within
        print(
            f"{label:<44} {median[small] * 1000:>9.1f} {median[big] * 1000:>10.1f} "
            f"{ratio:>6.2f} {target:>6.1f} {f'{queries[small]}/{queries[big]}':>9}  "
            f"{f'{size_bytes[small]}/{size_bytes[big]}':>13}  {'ok' if within else 'OVER'}",
            flush=True,
        )
    return failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs=2, default=[100, 100_000])
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()

    setup_test_environment()
    settings_dict = connection.settings_dict
    test_name = f"{workdir}/bench.sqlite3" if connection.vendor == "sqlite" else "bench_lists"
    settings_dict["TEST"].update(NAME=test_name, MIGRATE=True)
    old_name = settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(f"database: {connection.vendor} ({settings_dict['NAME']})")
        failures = run(args.sizes, args.repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print("\nall within target" if not failures else f"\n{failures} path(s) over target")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
