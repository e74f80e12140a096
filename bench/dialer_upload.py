#!/usr/bin/env python
"""Dialer lead-list upload: validation speed and memory on a generated CSV of 100k (or more) rows.

A CSV shaped like a real export is written to a temporary folder (CRLF, a BOM, accented names,
an extra column, and about 2% bad rows: phones a spreadsheet reformatted, duplicates, broken
emails), then validated twice with `dialer.leadlists.validate_lead_list`:

- once plainly, for rows per second;
- once under tracemalloc, for the peak of Python allocations during validation. That peak
  leaves out SQLite's own memory (the index of accepted phones), which its page cache caps at
  4 MiB; the process's maximum resident size is printed beside it, and covers everything.

Measurements that need the generated file afterwards are listed in `END_TO_END_MEASUREMENTS`;
each runs once per size with the file's path and row count. The one there sends the file through
the running sandbox dialer (a `python -m sandbox` process of its own, or `--sandbox URL`) as the
product does: an upload is validated, stored as contacts and sent in batches of 100 by the
sending task (run in-process, as without Redis), timed from the file to the last batch accepted.
Beside it, the floor: the same number of contacts POSTed to the same sandbox in batches of 100
by a bare sequential loop (one keep-alive session, payloads built on the fly). The product's
database is a temporary SQLite file unless `--database-url` names another (e.g. PostgreSQL).

    .venv/bin/python bench/dialer_upload.py                  # 100,000 rows
    .venv/bin/python bench/dialer_upload.py --rows 1000000   # 1M rows (a few minutes)
    .venv/bin/python bench/dialer_upload.py --rows 100000 --rows 1000000
    .venv/bin/python bench/dialer_upload.py --rows 2000 --sandbox http://127.0.0.1:8001
    .venv/bin/python bench/dialer_upload.py --no-end-to-end  # validation only
"""

import argparse
import contextlib
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dialer.leadlists import validate_lead_list  # noqa: E402

AREA_CODES = ["415", "212", "646", "312", "617", "303", "206", "512", "404", "702"]
FIRST_NAMES = ["José", "Zoë", "Ann", "François", "Ivy", "Renée", "Dev", "Łukasz", "Uma", "Sam"]
LAST_NAMES = ["Núñez", "Brontë", "Lee", "Müller", "Chen", "O'Brien", "Patel", "Nowak", "Roy"]
# One row in fifty is bad, in one of these ways, each as people send them.
BAD_EVERY = 50

# `measure(path, rows)` callables run after the validation figures, on the same file.
END_TO_END_MEASUREMENTS: list[Callable[[Path, int], None]] = []
SANDBOX_DIALER_KEY = "sandbox-dialer-key"
BATCH = 100
MIB = 1024 * 1024


@dataclass
class Figures:
    rows: int
    file_bytes: int
    valid: int
    invalid: int
    seconds: float
    traced_peak_bytes: int


def _phone_parts(n: int) -> tuple[str, int, int]:
    block, line = divmod(n, 10_000)
    return AREA_CODES[block % len(AREA_CODES)], 200 + block // len(AREA_CODES), line


def phone_for(n: int) -> str:
    """A distinct valid US phone for every n below 1,100,000 (exchange 211 is a service code)."""
    area, exchange, line = _phone_parts(n)
    return f"({area}) {exchange}-{line:04d}"


def e164_for(n: int) -> str:
    """`phone_for(n)` as E.164, as the dialer is sent it."""
    area, exchange, line = _phone_parts(n)
    return f"+1{area}{exchange}{line:04d}"


def write_lead_list(path: Path, rows: int) -> None:
    """A CSV of `rows` data rows: UTF-8 with a BOM, CRLF, phone/first/last/email/notes."""
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        out.write("Phone,First Name,Last Name,Email,Notes\r\n")
        for n in range(rows):
            phone = phone_for(n)
            email = f"lead{n}@example.com"
            kind = n % BAD_EVERY
            if kind == 7:
                phone = f"4.{n:09d}E9"
            elif kind == 17 and n:
                phone = phone_for(n - 1)
            elif kind == 27:
                email = f"lead{n}.example.com"
            first = FIRST_NAMES[n % len(FIRST_NAMES)]
            last = LAST_NAMES[n % len(LAST_NAMES)]
            out.write(f'{phone},{first},{last},{email},"visit {n}, ask for {first}"\r\n')


def validate(path: Path, *, traced: bool) -> tuple[int, int, float, int]:
    """(valid, invalid, seconds, traced peak bytes or 0) of one validation of `path`."""
    if traced:
        tracemalloc.start()
    try:
        started = time.perf_counter()
        with validate_lead_list(path) as validation:
            for _ in validation:
                pass
            summary = validation.summary()
        seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1] if traced else 0
    finally:
        if traced:
            tracemalloc.stop()
    return summary["rows_valid"], summary["rows_invalid"], seconds, peak


def measure_validation(path: Path, rows: int) -> Figures:
    valid, invalid, seconds, _ = validate(path, traced=False)
    _, _, _, peak = validate(path, traced=True)
    return Figures(rows, path.stat().st_size, valid, invalid, seconds, peak)


# End to end, through the sandbox dialer


@dataclass
class EndToEnd:
    rows: int
    valid: int
    batches: int
    validate_store_s: float
    send_s: float
    floor_s: float

    @property
    def total_s(self):
        return self.validate_store_s + self.send_s


class SandboxDialer:
    """The running sandbox's dialer at `url` (its root): started as a process of its own on a
    free port when no URL is given, stopped with the benchmark."""

    def __init__(self, url=None):
        self.process = None
        if url is None:
            port = _free_port()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "sandbox", "--port", str(port), "--quiet"],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
            )
            url = f"http://127.0.0.1:{port}"
        self.url = url.rstrip("/")
        self.base = f"{self.url}/dialer"
        self._wait()

    def _wait(self, timeout=30.0):
        import requests

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(requests.RequestException):
                if requests.get(f"{self.url}/_sandbox/health", timeout=1).ok:
                    return
            time.sleep(0.2)
        raise RuntimeError(f"No sandbox answers at {self.url}")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class EndToEndMeasurement:
    """`measure(path, rows)`: the upload of `path` through the product into the sandbox dialer,
    and the bare loop of batch POSTs beside it. Django is set up on first use."""

    def __init__(self, *, sandbox_url=None, database_url=None, folder):
        self.sandbox_url = sandbox_url
        self.database_url = database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        self.folder = Path(folder)
        self.sandbox = None
        self.account = None
        self.results: list[EndToEnd] = []

    def _setup(self):
        from bench.harness import environment

        self.sandbox = SandboxDialer(self.sandbox_url)
        os.environ.update(
            environment(
                DJANGO_SETTINGS_MODULE="campaignhub.settings",
                DATABASE_URL=self.database_url,
                REDIS_URL="",
                CELERY_TASK_ALWAYS_EAGER="true",
                MEDIA_ROOT=str(self.folder / "media"),
                DIALER_API_BASE=self.sandbox.base,
            )
        )
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from campaignhub import services as platform
        from dialer import services

        self.account = platform.create_account(
            name="Dialer bench",
            admin_email=f"bench-{uuid.uuid4().hex[:8]}@example.com",
            admin_password=uuid.uuid4().hex,
        )
        services.connect(
            account=self.account, base_url=self.sandbox.base, api_key=SANDBOX_DIALER_KEY
        )

    def __call__(self, path: Path, rows: int) -> None:
        if self.account is None:
            self._setup()
        from django.core.files import File
        from django.db import transaction

        from dialer import services, uploads
        from dialer.models import UploadStatus

        campaign = services.create_campaign(
            account=self.account,
            name=f"Bench {rows:,} rows",
            aggression="1.5",
            max_attempts=3,
            retry_delay_s=3600,
        )
        started = time.perf_counter()
        with path.open("rb") as handle, transaction.atomic():
            upload = uploads.upload_lead_list(campaign=campaign, file=File(handle, name=path.name))
            stored = time.perf_counter()
        # The sending task ran once the upload committed (in-process, as without Redis).
        sent = time.perf_counter()
        upload.refresh_from_db()
        if upload.status != UploadStatus.SENT:
            raise RuntimeError(f"The upload did not finish sending: {upload.last_error}")
        self._delete_on_dialer(campaign.ref)
        floor = self._bare_loop(upload.rows_valid)
        self.results.append(
            EndToEnd(
                rows,
                upload.rows_valid,
                upload.batches_total,
                stored - started,
                sent - stored,
                floor,
            )
        )
        print_end_to_end(self.results[-1])

    def _session(self):
        import requests

        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {SANDBOX_DIALER_KEY}"
        return session

    def _delete_on_dialer(self, ref):
        # Frees the sandbox's memory (its contact refs stay taken, as the dialer's do).
        self._session().delete(f"{self.sandbox.base}/campaigns/{ref}", timeout=30)

    def _bare_loop(self, contacts: int) -> float:
        """Seconds to POST `contacts` contacts to a fresh sandbox campaign in batches of 100,
        one after another, each answered before the next."""
        session = self._session()
        ref = f"bench-floor-{uuid.uuid4().hex[:12]}"
        session.post(
            f"{self.sandbox.base}/campaigns", json={"ref": ref, "name": "Floor"}, timeout=30
        ).raise_for_status()
        url = f"{self.sandbox.base}/campaigns/{ref}/contacts"
        started = time.perf_counter()
        for first in range(0, contacts, BATCH):
            batch = [
                {
                    "ref": f"{ref}-{n + 1}",
                    "number": e164_for(n),
                    "alt_numbers": [],
                    "data": {
                        "first_name": FIRST_NAMES[n % len(FIRST_NAMES)],
                        "last_name": LAST_NAMES[n % len(LAST_NAMES)],
                        "email": f"lead{n}@example.com",
                        "notes": f"visit {n}",
                    },
                }
                for n in range(first, min(first + BATCH, contacts))
            ]
            session.post(url, json={"contacts": batch}, timeout=60).raise_for_status()
        seconds = time.perf_counter() - started
        self._delete_on_dialer(ref)
        return seconds

    def close(self):
        if self.sandbox is not None:
            self.sandbox.stop()


def print_end_to_end(result: EndToEnd) -> None:
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(
        f"  end to end through the sandbox dialer, {result.valid:,} contacts in "
        f"{result.batches:,} batches of at most {BATCH}:\n"
        f"    validate + store {result.validate_store_s:8.1f} s\n"
        f"    send             {result.send_s:8.1f} s   bare loop of the same batch POSTs "
        f"{result.floor_s:.1f} s, send / bare loop {result.send_s / result.floor_s:.2f}\n"
        f"    total            {result.total_s:8.1f} s   {result.rows / result.total_s:,.0f} "
        f"rows/s, total / bare loop {result.total_s / result.floor_s:.2f}\n"
        f"    max RSS          {max_rss / MIB:8.1f} MiB",
        flush=True,
    )


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, action="append", help="rows in the generated file (repeatable)"
    )
    parser.add_argument(
        "--sandbox", help="a running sandbox's address (default: start one for the run)"
    )
    parser.add_argument("--database-url", help="the product's database (default: a temp SQLite)")
    parser.add_argument("--no-end-to-end", action="store_true", help="only the validation figures")
    args = parser.parse_args(argv)
    sizes = args.rows or [100_000]
    if max(sizes) >= 1_100_000:
        parser.error("at most 1,099,999 rows: the generated phones must stay distinct and valid")
    print(
        f"{'rows':>10} {'file MiB':>9} {'valid':>10} {'invalid':>8} {'seconds':>8} "
        f"{'rows/s':>8} {'peak traced MiB':>16} {'max RSS MiB':>12}"
    )
    with tempfile.TemporaryDirectory(prefix="campaignhub-dialer-bench-") as folder:
        if not args.no_end_to_end:
            end_to_end = EndToEndMeasurement(
                sandbox_url=args.sandbox, database_url=args.database_url, folder=folder
            )
            END_TO_END_MEASUREMENTS.append(end_to_end)
        try:
            _run(sizes, folder, MIB)
        finally:
            for measure in END_TO_END_MEASUREMENTS:
                if isinstance(measure, EndToEndMeasurement):
                    measure.close()


def _run(sizes, folder, mib):
    for rows in sizes:
        path = Path(folder) / f"leads-{rows}.csv"
        write_lead_list(path, rows)
        figures = measure_validation(path, rows)
        max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        print(
            f"{figures.rows:>10,} {figures.file_bytes / mib:>9.1f} {figures.valid:>10,} "
            f"{figures.invalid:>8,} {figures.seconds:>8.1f} "
            f"{figures.rows / figures.seconds:>8,.0f} "
            f"{figures.traced_peak_bytes / mib:>16.2f} {max_rss / mib:>12.1f}",
            flush=True,
        )
        for measure in END_TO_END_MEASUREMENTS:
            measure(path, rows)
        path.unlink()


if __name__ == "__main__":
    main()
