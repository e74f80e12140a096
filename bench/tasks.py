"""The floors of the latency benchmarks: the least work the same queues and workers can do."""

import time

import redis
from celery import shared_task
from django.conf import settings


@shared_task(ignore_result=True)
def hop(run_id):
    """Queue `land` on the notifications queue, as intake processing queues an alert send."""
    land.apply_async((run_id,), queue="notifications")


@shared_task(ignore_result=True)
def land(run_id):
    """Record when the second task ran (seconds since the epoch), for the bench to read."""
    redis.Redis.from_url(settings.REDIS_URL).set(f"bench:landed:{run_id}", time.time(), ex=600)
