"""Benchmark: ``sla-monitor import outages`` and ``import requests`` of large files.

Usage (from the repository root; ``import`` is a keyword, so this file runs as a path, not
with ``python -m``)::

    .venv/bin/python bench/import.py                        # 100,000 and 1,000,000 rows
    .venv/bin/python bench/import.py --rows 10000 100000 --timeout 150
    .venv/bin/python bench/import.py --kinds outages --rows 1000000

Prints progress to stderr and one table to stdout; asserts nothing.

Method
------
*Data.* One CSV file per kind and size, made with a fixed seed in a temporary directory:
outages spread over 20 targets and the years 2019 to 2025, one every ~2 hours per target,
1 to 60 minutes long (so they do not overlap), all closed except the last of each target;
requests over the four default
categories, 5 % unanswered, the rest answered after 5 minutes to 40 hours.

*Measurement.* Each import runs the real command (``python -m monitor.cli import KIND FILE``)
in a fresh process against a fresh SQLite file, so its time includes reading, checking and
writing the whole file, and its peak RSS (``ru_maxrss`` of that child, from ``wait4``) is its
own. Then the same file is imported a second time into the same store ("again"), which must
change nothing. A run that takes longer than ``--timeout`` seconds is killed and reported as
not done.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where bench/probes.py would shadow
# the ``probes`` package that the configuration imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

TARGETS = tuple(f"target-{i:02d}" for i in range(20))
CATEGORIES = ("email", "complaint", "escalation", "information_request")
HISTORY_START = datetime(2019, 1, 1, tzinfo=UTC)
HISTORY_END = datetime(2025, 12, 31, tzinfo=UTC)


def config_text() -> str:
    lines = ["timezone: Europe/Amsterdam", "targets:"]
    for name in TARGETS:
        lines += [
            f"  - name: {name}",
            f'    probe: {{type: http, url: "http://127.0.0.1:9/{name}"}}',
            "    slas:",
            "      - {window: 24x7, objective: 0.99}",
        ]
    return "\n".join(lines) + "\n"


def write_outages(path: Path, rows: int) -> None:
    rng = random.Random(20260501)
    per_target = -(-rows // len(TARGETS))
    step = (HISTORY_END - HISTORY_START) / per_target
    with path.open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file)
        out.writerow(("target", "start", "end", "reason"))
        written = 0
        for k in range(per_target):
            for t, name in enumerate(TARGETS):
                if written == rows:
                    return
                start = HISTORY_START + step * k + timedelta(seconds=t * 7)
                last = k == per_target - 1
                end = "" if last else (start + timedelta(minutes=rng.randint(1, 60))).isoformat()
                reason = rng.choice(("HTTP 503", "timeout", "connection refused"))
                out.writerow((name, start.isoformat(), end, reason))
                written += 1


def write_requests(path: Path, rows: int) -> None:
    rng = random.Random(20260502)
    span = (HISTORY_END - HISTORY_START).total_seconds()
    with path.open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file)
        out.writerow(("id", "category", "received_at", "answered_at"))
        for k in range(rows):
            received = HISTORY_START + timedelta(seconds=int(rng.uniform(0, span)))
            answered = (
                ""
                if rng.random() < 0.05
                else (received + timedelta(minutes=rng.randint(5, 40 * 60))).isoformat()
            )
            out.writerow((f"REQ-{k:07d}", CATEGORIES[k % 4], received.isoformat(), answered))


def run_import(
    kind: str, csv_path: Path, config: Path, url: str, timeout: float
) -> tuple[float | None, float, str]:
    """Seconds (``None`` when killed at the timeout), peak RSS in MiB, last output line."""
    env = {**os.environ, "SLA_MONITOR_DATABASE_URL": url}
    argv = [sys.executable, "-m", "monitor.cli", "import", kind, str(csv_path)]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(
            [*argv, "--config", str(config)], stdout=out, stderr=subprocess.STDOUT, env=env
        )
        deadline = started + timeout
        status = None
        while status is None:
            pid, code, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                status = code
                break
            if time.perf_counter() > deadline:
                process.send_signal(signal.SIGKILL)
                _, code, usage = os.wait4(process.pid, 0)
                process.returncode = -9
                out.seek(0)
                return None, usage.ru_maxrss / 1024, "killed at the timeout"
            time.sleep(0.05)
        process.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        out.seek(0)
        lines = out.read().decode(errors="replace").strip().splitlines()
    last = lines[-1] if lines else ""
    if process.returncode != 0:
        sys.exit(f"import {kind} {csv_path} failed ({process.returncode}):\n" + "\n".join(lines))
    return elapsed, usage.ru_maxrss / 1024, last


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument(
        "--kinds", nargs="+", choices=("outages", "requests"), default=["outages", "requests"]
    )
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds per import")
    args = parser.parse_args()
    results: list[tuple[str, int, str, float | None, float]] = []
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        config = Path(tmp) / "sla-monitor.yaml"
        config.write_text(config_text(), encoding="utf-8")
        for kind in args.kinds:
            for rows in args.rows:
                csv_path = Path(tmp) / f"{kind}-{rows}.csv"
                print(f"writing {csv_path.name}", file=sys.stderr)
                (write_outages if kind == "outages" else write_requests)(csv_path, rows)
                url = f"sqlite+aiosqlite:///{tmp}/{kind}-{rows}.db"
                for run in ("first", "again"):
                    print(f"importing {csv_path.name} ({run})", file=sys.stderr)
                    seconds, peak, last = run_import(kind, csv_path, config, url, args.timeout)
                    print(f"  {last}", file=sys.stderr)
                    results.append((kind, rows, run, seconds, peak))
                    if seconds is None:
                        break
                csv_path.unlink()
    print(f"SQLite, one fresh process per import, timeout {args.timeout:.0f} s")
    header = ("kind", "rows", "run", "seconds", "rows/s", "peak RSS MiB")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for kind, rows, run, seconds, peak in results:
        took = f"{seconds:.1f}" if seconds is not None else f"> {args.timeout:.0f} (killed)"
        rate = f"{rows / seconds:,.0f}" if seconds else "-"
        print(f"| {kind} | {rows:,} | {run} | {took} | {rate} | {peak:.0f} |")


if __name__ == "__main__":
    main()
