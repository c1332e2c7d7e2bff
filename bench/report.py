"""Benchmark: the monthly report of a large month, per format.

Usage (from the repository root)::

    .venv/bin/python bench/report.py                 # 200 targets, 10,000 outages, 50,000 requests
    .venv/bin/python bench/report.py --targets 50 --outages 2000 --requests 10000

Prints progress to stderr and one table to stdout; asserts nothing.

Method
------
*Data.* A fresh SQLite store in a temporary directory, seeded through the store's own write
paths with May 2026 (Europe/Amsterdam): N targets with two SLAs each (24x7 at 99 %,
business-hours at 99.5 %), a weekly maintenance window for all of them, one monitoring
session per target with two gaps, the outages spread at random (fixed seed) over the targets
and the month (1 to 180 minutes each), and the requests spread over the month and the four
default categories, 5 % unanswered, the rest answered after 0 to 40 hours.

*Measurement.* Each format is measured in a fresh process (role ``_measure``), so its peak
RSS is its own: ``ru_maxrss`` at the end, against the RSS after the imports (``baseline``).
Inside it, three phases are timed with ``perf_counter``: reading the store (the four
queries of ``load_report``), ``build_report`` (every figure, every deadline), and rendering.
"now" is 10 June 2026, so the month is final.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

# Run as a script, Python puts bench/ first on the path, where bench/probes.py would shadow
# the ``probes`` package that the configuration imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

ZONE = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 6, 10, 12, tzinfo=ZONE)
MONTH_START = datetime(2026, 5, 1, tzinfo=ZONE)
MONTH_END = datetime(2026, 6, 1, tzinfo=ZONE)
CATEGORIES = ("email", "complaint", "escalation", "information_request")


def config_text(targets: int) -> str:
    names = [f"target-{i:03d}" for i in range(targets)]
    lines = [
        "timezone: Europe/Amsterdam",
        "maintenance:",
        "  - name: weekly-patching",
        f"    targets: [{', '.join(names)}]",
        '    every: "sun 01:00-03:00"',
        "targets:",
    ]
    for name in names:
        lines += [
            f"  - name: {name}",
            f'    probe: {{type: http, url: "http://127.0.0.1:9/{name}"}}',
            "    slas:",
            "      - {window: 24x7, objective: 0.99}",
            "      - {window: business-hours, objective: 0.995}",
        ]
    return "\n".join(lines) + "\n"


async def seed(url: str, targets: int, outages: int, requests: int) -> None:
    from monitor.store import (
        MonitoringSession,
        OutageClosed,
        OutageOpened,
        Store,
        WriteBatch,
        new_outage,
    )
    from monitor.store.records import RequestRecord

    rng = random.Random(20260501)
    span = (MONTH_END - MONTH_START).total_seconds()
    async with await Store.open(url, logger=_quiet()) as store:
        sessions = []
        for i in range(targets):
            name = f"target-{i:03d}"
            gap1 = MONTH_START + timedelta(days=rng.randint(2, 12))
            gap2 = MONTH_START + timedelta(days=rng.randint(15, 28))
            cuts = [
                (MONTH_START - timedelta(hours=1), gap1),
                (gap1 + timedelta(hours=2), gap2),
                (gap2 + timedelta(minutes=30), NOW),
            ]
            sessions += [
                MonitoringSession(f"{name}-{k}", name, s, e) for k, (s, e) in enumerate(cuts)
            ]
        events: list[OutageOpened | OutageClosed] = []
        for _ in range(outages):
            name = f"target-{rng.randrange(targets):03d}"
            start = MONTH_START + timedelta(seconds=rng.uniform(0, span))
            opened = new_outage(name, start, rng.choice(("HTTP 503", "timeout", "refused")))
            events += [
                opened,
                OutageClosed(name, opened.id, start + timedelta(minutes=rng.randint(1, 180))),
            ]
        for chunk in range(0, len(events), 2000):
            await store.write_batch(WriteBatch(outage_events=tuple(events[chunk : chunk + 2000])))
        await store.write_batch(WriteBatch(sessions=tuple(sessions)))
        records = []
        for k in range(requests):
            received = MONTH_START + timedelta(seconds=rng.uniform(0, span))
            answered = (
                None
                if rng.random() < 0.05
                else received + timedelta(minutes=rng.randint(5, 40 * 60))
            )
            records.append(
                RequestRecord(
                    id=f"req-{k:06d}",
                    category=CATEGORIES[k % len(CATEGORIES)],
                    received_at=received,
                    answered_at=answered,
                    source="import",
                )
            )
        await store.upsert_requests(records)


def _quiet() -> Any:
    """Warnings only, on stderr: stdout carries the results."""
    import logging

    import structlog

    return structlog.wrap_logger(
        structlog.PrintLogger(sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING),
    )


def _rss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


async def _measure(url: str, config_path: str, name: str) -> dict[str, object]:
    from monitor.config import load_config
    from monitor.figures.evidence import load_evidence
    from monitor.report import build_report, render
    from monitor.sla.months import Month
    from monitor.store import Store

    config = load_config(Path(config_path))
    baseline = _rss_kib()
    month = Month(2026, 5)
    period = month.interval(config.zone)
    async with await Store.open(url, logger=_quiet()) as store:
        started = time.perf_counter()
        evidence = await load_evidence(store, period)
        requests = await store.requests(since=period.start, until=period.end)
        registrations = await store.maintenance_windows(period.start, period.end)
        read = time.perf_counter()
    report = build_report(config, month, evidence, requests, NOW, registrations=registrations)
    built = time.perf_counter()
    text = render(report, name)
    rendered = time.perf_counter()
    return {
        "format": name,
        "read_s": read - started,
        "build_s": built - read,
        "render_s": rendered - built,
        "total_s": rendered - started,
        "baseline_mib": baseline / 1024,
        "peak_mib": _rss_kib() / 1024,
        "bytes": len(text.encode()),
        "requests": len(requests),
        "outages": sum(len(v) for v in evidence.outages.values()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--targets", type=int, default=200)
    parser.add_argument("--outages", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--_measure", nargs=3, metavar=("URL", "CONFIG", "FORMAT"))
    args = parser.parse_args()
    if args._measure:
        url, config_path, name = args._measure
        print(json.dumps(asyncio.run(_measure(url, config_path, name))))
        return
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        config_path = Path(tmp) / "sla-monitor.yaml"
        config_path.write_text(config_text(args.targets), encoding="utf-8")
        url = f"sqlite+aiosqlite:///{tmp}/store.db"
        print(
            f"seeding {args.targets} targets, {args.outages} outages, {args.requests} requests",
            file=sys.stderr,
        )
        started = time.perf_counter()
        asyncio.run(seed(url, args.targets, args.outages, args.requests))
        print(f"seeded in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        rows = []
        for name in ("json", "csv", "html"):
            print(f"measuring {name}", file=sys.stderr)
            done = subprocess.run(
                [sys.executable, __file__, "--_measure", url, str(config_path), name],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0:
                sys.exit(f"measuring {name} failed:\n{done.stderr}")
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(
        f"May 2026: {args.targets} targets x 2 SLAs, {rows[0]['outages']} outages, "
        f"{rows[0]['requests']} requests; one fresh process per format"
    )
    header = ("format", "read s", "build s", "render s", "total s", "base MiB", "peak MiB", "size")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for r in rows:
        print(
            f"| {r['format']} | {r['read_s']:.2f} | {r['build_s']:.2f} | {r['render_s']:.2f} | "
            f"{r['total_s']:.2f} | {r['baseline_mib']:.0f} | {r['peak_mib']:.0f} | "
            f"{int(r['bytes']) / 1e6:.1f} MB |"
        )


if __name__ == "__main__":
    main()
