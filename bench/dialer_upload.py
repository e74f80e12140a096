#!/usr/bin/env python
"""Dialer lead-list upload: validation speed and memory on a generated CSV of 100k (or more) rows.

A CSV shaped like a real export is written to a temporary folder (CRLF, a BOM, accented names,
an extra column, and about 2% bad rows: phones a spreadsheet reformatted, duplicates, broken
emails), then validated twice with `dialer.leadlists.validate_lead_list`:

- once plainly, for rows per second;
- once under tracemalloc, for the peak of Python allocations during validation. That peak
  leaves out SQLite's own memory (the index of accepted phones), which its page cache caps at
  4 MiB; the process's maximum resident size is printed beside it, and covers everything.

Measurements that need the generated file afterwards (the end-to-end send to the sandbox) are
listed in `END_TO_END_MEASUREMENTS`; each runs once per size with the file's path and row count.

    .venv/bin/python bench/dialer_upload.py                  # 100,000 rows
    .venv/bin/python bench/dialer_upload.py --rows 1000000   # 1M rows (a few minutes)
    .venv/bin/python bench/dialer_upload.py --rows 100000 --rows 1000000
"""

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
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


@dataclass
class Figures:
    rows: int
    file_bytes: int
    valid: int
    invalid: int
    seconds: float
    traced_peak_bytes: int


def phone_for(n: int) -> str:
    """A distinct valid US phone for every n below 1,100,000 (exchange 211 is a service code)."""
    block, line = divmod(n, 10_000)
    area = AREA_CODES[block % len(AREA_CODES)]
    exchange = 200 + block // len(AREA_CODES)
    return f"({area}) {exchange}-{line:04d}"


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


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, action="append", help="rows in the generated file (repeatable)"
    )
    sizes = parser.parse_args(argv).rows or [100_000]
    if max(sizes) >= 1_100_000:
        parser.error("at most 1,099,999 rows: the generated phones must stay distinct and valid")
    mib = 1024 * 1024
    print(
        f"{'rows':>10} {'file MiB':>9} {'valid':>10} {'invalid':>8} {'seconds':>8} "
        f"{'rows/s':>8} {'peak traced MiB':>16} {'max RSS MiB':>12}"
    )
    with tempfile.TemporaryDirectory(prefix="campaignhub-dialer-bench-") as folder:
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
