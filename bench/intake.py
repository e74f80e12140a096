#!/usr/bin/env python
"""CallRail webhook accept (verify + store + enqueue) against a bare 200 view, same server.

Targets (issue "Scale"): accepted deliveries per second at least 0.6 of the floor's requests
per second, and p99 latency at most 2x the floor's. Four concurrent keep-alive clients.

The two loads take turns over `--rounds` rounds (floor first in odd rounds, product first in
even ones), so a machine that speeds up or slows down during the run weighs on both alike;
each side's rate is its requests over its seconds summed across the rounds, its percentiles
are over all its requests.

    .venv/bin/python bench/intake.py [--requests 600] [--rounds 3]
"""

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

SIGNING_KEY = "bench-signing-key"


def prepare():
    """An account with CallRail connected (signed webhooks) and a campaign on one number."""
    from callrail.models import CallRailSettings
    from campaignhub.models import Account
    from campaigns.models import Campaign

    account, _ = Account.objects.get_or_create(name="Bench intake")
    settings, _ = CallRailSettings.objects.get_or_create(account=account)
    settings.signing_key = SIGNING_KEY
    settings.save()
    Campaign.objects.get_or_create(
        account=account,
        campaign_name="Bench calls",
        defaults={"integration": "callrail", "tracking_number": "+14155550134"},
    )
    return settings.webhook_token


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=600, help="per client")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2, help="web server processes")
    parser.add_argument("--rounds", type=int, default=3, help="turns each load takes")
    args = parser.parse_args()

    harness.setup_django()
    from callrail.client import signature
    from campaignhub.models import InboundDelivery

    token = prepare()
    before = InboundDelivery.objects.count()

    def floor(session, client, n):
        return session.post(f"{url}/bench/floor/", data=b"{}")

    def accept(session, client, n):
        body = json.dumps(
            {
                "resource_id": f"CALbench{client}x{n}",
                "tracking_phone_number": "+14155550134",
                "customer_phone_number": "+14125550142",
                "customer_name": "Bench Caller",
                "duration": 0,
            }
        ).encode()
        headers = {
            "Content-Type": "application/json",
            "Signature": signature(SIGNING_KEY, body),
        }
        return session.post(f"{url}/webhooks/callrail/{token}/", data=body, headers=headers)

    per_round = max(1, args.requests // args.rounds)
    floor_loads, product_loads = [], []
    with harness.served(workers=args.workers) as url:
        for turn in range(args.rounds):
            sides = [(floor, floor_loads), (accept, product_loads)]
            for send, loads in sides if turn % 2 == 0 else reversed(sides):
                loads.append(harness.load(send, clients=args.clients, per_client=per_round))
    floor_load, product = harness.combined(floor_loads), harness.combined(product_loads)

    stored = InboundDelivery.objects.count() - before
    expected = args.rounds * args.clients * (per_round + 40)
    harness.flush_redis()
    rate_ratio = product.rate / floor_load.rate
    p99_ratio = product.percentile(99) / floor_load.percentile(99)
    ok = harness.report(
        f"CallRail webhook accept vs a bare 200 view ({args.clients} clients, "
        f"{args.workers} web processes, {args.rounds} rounds, "
        f"{stored} deliveries stored of {expected} sent)",
        [
            (
                "requests per second",
                floor_load.rate,
                product.rate,
                rate_ratio,
                (">= 0.60", lambda r: r >= 0.6),
            ),
            (
                "p50 latency (ms)",
                floor_load.percentile(50),
                product.percentile(50),
                product.percentile(50) / floor_load.percentile(50),
                ("(info)", lambda r: True),
            ),
            (
                "p99 latency (ms)",
                floor_load.percentile(99),
                product.percentile(99),
                p99_ratio,
                ("<= 2.00", lambda r: r <= 2.0),
            ),
        ],
    )
    if stored != expected:
        print(f"  LOST: {expected - stored} deliveries were answered but not stored")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
