#!/usr/bin/env python
"""A campaign update (`PUT /v1/campaigns/<id>`) until its websocket frame reaches a subscribed
browser, against a view that sends one group event to the same socket.

Targets (issue "Scale"): p95 at most 50 ms on this machine, and at most 2x the floor's.

    .venv/bin/python bench/live_latency.py [--trials 100]
"""

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import harness

FRAME_TIMEOUT = 10.0


def prepare():
    """An admin with a signed-in session, an API token and one campaign."""
    from django.test import Client

    from campaignhub import services as platform
    from campaignhub.models import Account, Membership, Role, User
    from campaigns import services
    from campaigns.models import Campaign

    account, _ = Account.objects.get_or_create(name="Bench live")
    user, _ = User.objects.get_or_create(email="admin@live.bench.test")
    Membership.objects.get_or_create(account=account, user=user, defaults={"role": Role.ADMIN})
    campaign = Campaign.objects.filter(account=account, is_deleted=False).first()
    if campaign is None:
        campaign = services.create_campaign(
            account=account,
            owner=user,
            data={"campaign_name": "Bench live", "integration": "form", "status": True},
        )
    token = platform.issue_token(account=account, user=user, name="bench")
    client = Client()
    client.force_login(user)
    return campaign, user.pk, token.raw, client.cookies["sessionid"].value


async def trial(socket, send, marker):
    """Send, and meanwhile read frames until the one that carries `marker` arrives;
    milliseconds from send to that frame. The socket is read while the request is still in
    flight, so the figure is the frame's arrival, whether it comes before or after the HTTP
    answer (the product's view answers after its frame is out)."""

    async def frame_arrival():
        while True:
            frame = await socket.recv()
            if marker in frame:
                return time.perf_counter()

    arrival = asyncio.create_task(frame_arrival())
    started = time.perf_counter()
    await asyncio.to_thread(send)
    arrived = await asyncio.wait_for(arrival, timeout=FRAME_TIMEOUT)
    return (arrived - started) * 1000


async def measure(url, campaign, user_id, token, session_id, trials):
    import requests
    import websockets

    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    ws_url = url.replace("http://", "ws://") + "/ws/live/"
    headers = {"Cookie": f"sessionid={session_id}", "Origin": url}
    floors, products = [], []
    async with websockets.connect(ws_url, additional_headers=headers) as socket:
        for n in range(trials + 5):
            floor_marker = f"bench-floor-{n}"

            def ping(marker=floor_marker):
                http.post(
                    f"{url}/bench/live/",
                    data={"marker": marker, "account": campaign.account_id, "user": user_id},
                ).raise_for_status()

            name = f"Bench live {n}"

            def rename(name=name):
                response = http.put(
                    f"{url}/v1/campaigns/{campaign.pk}",
                    json={"campaigndata": {"campaign_name": name}},
                )
                response.raise_for_status()

            floor = await trial(socket, ping, floor_marker)
            product = await trial(socket, rename, name)
            if n >= 5:
                floors.append(floor)
                products.append(product)
    return floors, products


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    args = parser.parse_args()

    port = harness.free_port()
    public = f"http://127.0.0.1:{port}"
    harness.setup_django(PUBLIC_BASE_URL=public)
    prepared = prepare()
    with harness.served(workers=2, port=port, PUBLIC_BASE_URL=public) as url:
        floors, products = asyncio.run(measure(url, *prepared, args.trials))
    harness.flush_redis()

    def p95(values):
        return statistics.quantiles(values, n=100)[94]

    ok = harness.report(
        f"Campaign update -> websocket frame, vs a view sending one group event "
        f"({args.trials} trials)",
        [
            (
                "p50 latency (ms)",
                statistics.median(floors),
                statistics.median(products),
                statistics.median(products) / statistics.median(floors),
                ("(info)", lambda r: True),
            ),
            (
                "p95 latency (ms), ratio",
                p95(floors),
                p95(products),
                p95(products) / p95(floors),
                ("<= 2.00", lambda r: r <= 2),
            ),
            (
                "p95 latency (ms), absolute",
                50.0,
                p95(products),
                p95(products) / 50.0,
                ("<= 1.00 (50 ms)", lambda r: r <= 1),
            ),
        ],
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
