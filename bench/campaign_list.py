#!/usr/bin/env python
"""Campaign list page at N=100 and N=100,000 campaigns in one account: render time and queries.

Target: the same number of queries at both sizes, and the big page at most 1.5x slower.
Runs on a throwaway SQLite file unless BENCH_DATABASE_URL points elsewhere.

    .venv/bin/python bench/campaign_list.py [--sizes 100 100000] [--repeat 25]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
workdir = tempfile.mkdtemp(prefix="campaignhub-bench-")
os.environ["DATABASE_URL"] = os.environ.get(
    "BENCH_DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3"
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campaignhub.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from campaignhub import services as platform  # noqa: E402
from campaigns import services  # noqa: E402
from campaigns.models import Campaign, Integration  # noqa: E402

INTEGRATIONS = list(Integration.values)


def build_account(size):
    account = platform.create_account(name=f"Bench {size}", admin_email=f"admin{size}@bench.test")
    admin = account.memberships.get().user
    batch = []
    for n in range(size):
        batch.append(
            Campaign(
                account=account,
                owner=admin,
                campaign_name=f"Campaign {n}",
                integration=INTEGRATIONS[n % len(INTEGRATIONS)],
                status=n % 7 != 0,
                currency="USD",
            )
        )
        if len(batch) == 5000:
            Campaign.objects.bulk_create(batch)
            batch = []
    Campaign.objects.bulk_create(batch)
    services.recount_tallies(account)
    # A bulk load leaves the planner's statistics stale; autovacuum would refresh them in
    # production, so measure the steady state.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return admin


def render_once(client):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get("/campaigns/")
        elapsed = time.perf_counter() - start
    assert response.status_code == 200
    return elapsed, len(queries.captured_queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 100_000])
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args()

    setup_test_environment()
    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({os.environ['DATABASE_URL']})")
    print(f"{'campaigns':>10}  {'median ms':>9}  {'queries':>7}")
    clients = {}
    for size in args.sizes:
        clients[size] = Client()
        clients[size].force_login(build_account(size))
        render_once(clients[size])  # warm templates and caches
    # Sizes take turns, so drift on a busy machine hits them alike.
    samples = {size: [] for size in args.sizes}
    for _ in range(args.repeat):
        for size in args.sizes:
            samples[size].append(render_once(clients[size]))
    results = []
    for size in args.sizes:
        seconds = statistics.median(elapsed for elapsed, _ in samples[size])
        queries = samples[size][-1][1]
        results.append((size, seconds, queries))
        print(f"{size:>10}  {seconds * 1000:>9.1f}  {queries:>7}")
    (small, small_s, small_q), (big, big_s, big_q) = results[0], results[-1]
    print(f"time ratio {big}/{small}: {big_s / small_s:.2f} (target <= 1.5)")
    print(f"queries: {small_q} vs {big_q} ({'identical' if small_q == big_q else 'DIFFERENT'})")


if __name__ == "__main__":
    main()
