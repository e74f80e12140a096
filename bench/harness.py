"""What the server benchmarks share: a bench database, the served app, and a load generator.

Every figure is measured side by side with a floor on the same server in the same run, and
printed as floor, product and ratio, because the machines are noisy and only ratios travel.

The benchmarks run against PostgreSQL and Redis, as production does: `make bench` runs them all
on `BENCH_DATABASE_URL` (default postgres://postgres@127.0.0.1:5432/campaignhub_bench) and
`BENCH_REDIS_URL` (default redis://127.0.0.1:6379/1). The bench database is created when missing
and migrated; the Redis database is flushed before and after, so never point them at real data.
"""

import contextlib
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/campaignhub_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/1"
FERNET_KEY = "dGhlLWJlbmNoLWtleS1pcy1ub3QtYS1zZWNyZXQtMzI="


def environment(**extra) -> dict:
    """The environment of the bench process, its server and its workers: production settings
    (DEBUG off) on the bench database and Redis, plain HTTP on 127.0.0.1."""
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-" + "x" * 60,
        "FIELD_ENCRYPTION_KEY": FERNET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
        **extra,
    }
    return env


def setup_django(**extra):
    """Configure this process like the server, create and migrate the bench database."""
    os.environ.update(environment(**extra))
    sys.path.insert(0, str(ROOT))
    _create_database(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    flush_redis()


def _create_database(url):
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        return
    import psycopg

    name = parts.path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def flush_redis():
    import redis

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def served(*, workers=2, port=None, **extra):
    """The Procfile's web process (uvicorn, `workers` processes) on `port` (a free one by
    default); yields its URL."""
    port = port or free_port()
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "campaignhub.asgi:application",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-access-log",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=environment(**extra))
    try:
        _wait_for_port(port)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=20)


@contextlib.contextmanager
def celery_workers(queues, **extra):
    """One Celery worker (prefork, 2 processes) per entry of `queues` (a list of queue lists)."""
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "--app",
                "campaignhub",
                "worker",
                "--queues",
                ",".join(names),
                "--concurrency",
                "2",
                "--loglevel",
                "WARNING",
                "--hostname",
                f"bench-{'-'.join(names)}@%h",
            ],
            cwd=ROOT,
            env=environment(CELERY_DB_REUSE_MAX="100", **extra),
            # Console email, SMS and push print every send; the figures are what we want.
            stdout=subprocess.DEVNULL,
        )
        for names in queues
    ]
    try:
        time.sleep(4)
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def _wait_for_port(port, timeout=30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"Nothing listens on port {port} after {timeout}s")


@dataclass
class Load:
    """Requests per second over the run and latency percentiles in milliseconds."""

    requests: int
    seconds: float
    latencies_ms: list

    @property
    def rate(self):
        return self.requests / self.seconds

    def percentile(self, p):
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p / 100))]


def load(send, *, clients=4, per_client=400, warmup=40) -> Load:
    """Run `send(session, client, n)` `per_client` times in each of `clients` threads, each
    with its own keep-alive session, after `warmup` untimed calls per client. `send` returns
    the response; anything but a 2xx stops the run with an error."""
    import requests

    latencies = [[] for _ in range(clients)]
    errors = []
    barrier = threading.Barrier(clients + 1)

    def run(client):
        session = requests.Session()
        try:
            for n in range(warmup):
                _check(send(session, client, -1 - n))
            barrier.wait()
            for n in range(per_client):
                started = time.perf_counter()
                _check(send(session, client, n))
                latencies[client].append((time.perf_counter() - started) * 1000)
        except Exception as exc:
            errors.append(exc)
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.abort()

    threads = [threading.Thread(target=run, args=(client,)) for client in range(clients)]
    for thread in threads:
        thread.start()
    with contextlib.suppress(threading.BrokenBarrierError):
        barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    if errors:
        raise errors[0]
    flat = [value for client in latencies for value in client]
    return Load(len(flat), seconds, flat)


def combined(loads) -> Load:
    """One Load of several runs of the same load: their requests, seconds and latencies."""
    return Load(
        sum(load.requests for load in loads),
        sum(load.seconds for load in loads),
        [value for load in loads for value in load.latencies_ms],
    )


def _check(response):
    if not 200 <= response.status_code < 300:
        raise RuntimeError(f"{response.status_code} from {response.url}: {response.text[:300]}")


def median(values):
    return statistics.median(values)


def report(title, rows):
    """Print `rows` of (name, floor, product, ratio, target) under `title`; returns True when
    every ratio meets its target (a callable taking the ratio)."""
    print(f"\n{title}")
    print(f"  {'measure':<34} {'floor':>10} {'product':>10} {'ratio':>7}  target")
    ok = True
    for name, floor, product, ratio, (target_text, meets) in rows:
        good = meets(ratio)
        ok = ok and good
        mark = "ok" if good else "MISSED"
        print(f"  {name:<34} {floor:>10.2f} {product:>10.2f} {ratio:>7.2f}  {target_text} {mark}")
    return ok
