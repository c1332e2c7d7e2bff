"""Benchmark: ``/metrics`` latency and size, and the recompute job's time, by target count.

Recompute times are wall-clock and CPU time of the whole process (all threads): on a shared
machine the CPU time is the steadier reading.

Method: for each size, a configuration with N http targets (two SLA windows each: 24x7 and
business-hours), a SQLite store seeded with a month and a half of evidence (one monitoring
session per target with a restart gap, one 17-minute outage per target per week, or as many
as ``--outages-per-week`` asks, spread evenly: the recompute's cost against the month's
history; with ``--locations N``, each of N probe locations' evidence, its outages five
minutes apart, judged by the default quorum), the real
``SlaRecomputer`` building the snapshot (timed over several runs; before each steady run,
untimed, the store is written what probing writes in 15 s: every target's running session
extended, and ``--churn`` of the targets, 1 % by default, opening an outage and closing the
one opened the run before; rows are stamped by the bench's clock), then the daemon's real
metrics registry (probe metrics for every target plus the SLA collector) served by the real
aiohttp app on 127.0.0.1 and scraped sequentially over keep-alive, once plainly and once with
``Accept-Encoding: gzip`` as Prometheus scrapes (the body is read, not decompressed). The
steady recompute runs advance the clock by 15 s each, as the daemon's job does, after the
garbage collector is settled as the daemon settles it once started. Prints a
table; asserts nothing. The scraping client runs in the same process, so latencies include
its share of the CPU; on a 2-core machine that is the conservative reading.

Usage: .venv/bin/python -m bench.scrape [--sizes 100,1000,10000] [--scrapes 200] [--recomputes 5]
       [--outages-per-week 1] [--locations 1] [--churn 0.01]
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
from prometheus_client import CollectorRegistry

from monitor.config import parse_config
from monitor.daemon._build import render_metrics
from monitor.daemon._heap import settle_heap
from monitor.live.overlay import LiveOverlay
from monitor.live.recompute import SlaRecomputer
from monitor.probing.metrics import DaemonMetrics
from monitor.probing.recording import WriterSink
from monitor.server.web import create_app, start_server
from monitor.store import DEFAULT_LOCATION, Store, StoreWriter
from monitor.store.records import MonitoringSession, OutageClosed, OutageOpened, WriteBatch

NOW = datetime(2026, 6, 17, 11, 0, tzinfo=UTC)


_NO_OFFSET = timedelta(0)
LOCATIONS = ("ams", "rtm", "cloud", "fra", "lon")


def config_yaml(count: int, locations: int = 1) -> str:
    lines = ["timezone: Europe/Amsterdam"]
    if locations > 1:
        lines += ["locations:", *(f"  - {{name: {n}}}" for n in LOCATIONS[:locations])]
    lines += ["targets:"]
    for index in range(count):
        lines += [
            f"  - name: t{index:05d}",
            '    probe: {type: http, url: "http://127.0.0.1:9/health"}',
            "    interval: 10s",
            "    slas:",
            "      - {window: 24x7, objective: 0.99}",
            "      - {window: business-hours, objective: 1.0}",
        ]
    return "\n".join(lines) + "\n"


async def seed(store: Store, count: int, per_week: int = 1, offset: timedelta = _NO_OFFSET) -> None:
    """A month and a half of one location's evidence; ``offset`` shifts its outages, so
    several locations see each outage begin at a different instant."""
    month_ago = NOW - timedelta(days=47)
    sessions: list[MonitoringSession] = []
    opened: list[OutageOpened] = []
    closed: list[OutageClosed] = []
    every = timedelta(days=7) / per_week
    for index in range(count):
        name = f"t{index:05d}"
        restart = NOW - timedelta(days=9)
        sessions.append(MonitoringSession(f"s{index}a{offset.seconds}", name, month_ago, restart))
        sessions.append(
            MonitoringSession(f"s{index}b{offset.seconds}", name, restart + timedelta(hours=2), NOW)
        )
        for number in range(6 * per_week):
            start = month_ago + every * number + timedelta(hours=index % 24) / per_week + offset
            outage_id = f"o{index}-{number}-{offset.seconds}"
            opened.append(OutageOpened(name, outage_id, start, "status: 503"))
            closed.append(
                OutageClosed(name, outage_id, start + min(timedelta(minutes=17), every / 2))
            )
    await store.write_batch(WriteBatch((), (*opened, *closed), tuple(sessions)))


def probed(count: int, run: int, churn: float, now: datetime) -> WriteBatch:
    """What the probing wrote in the 15 s before a steady run: every target's running
    session extended to now, and a ``churn`` share of the targets opening an outage (the
    share that opened one in the run before closes it)."""
    sessions = tuple(
        MonitoringSession(f"s{index}b0", f"t{index:05d}", NOW - timedelta(days=9, hours=-2), now)
        for index in range(count)
    )
    every = max(1, round(1 / churn)) if churn > 0 else 0
    events: list[OutageOpened | OutageClosed] = []
    for index in range(run % every, count, every) if every else ():
        events.append(OutageOpened(f"t{index:05d}", f"r{run}-{index}", now, "status: 503"))
    for index in range((run - 1) % every, count, every) if every and run else ():
        events.append(OutageClosed(f"t{index:05d}", f"r{run - 1}-{index}", now))
    return WriteBatch((), tuple(events), sessions)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(
    count: int,
    scrapes: int,
    recomputes: int,
    workdir: Path,
    per_week: int = 1,
    locations: int = 1,
    churn: float = 0.01,
) -> dict[str, float]:
    config = parse_config(config_yaml(count, locations))
    url = f"sqlite+aiosqlite:///{workdir / f'bench-{count}-{locations}.db'}"
    names = LOCATIONS[:locations] if locations > 1 else (DEFAULT_LOCATION,)
    started = time.perf_counter()
    # The stores stamp rows by the bench's clock: the history was written a day ago.
    clock = [NOW - timedelta(days=1)]
    # Every location's evidence, written as that location's process writes it; this
    # process measures from the first.
    for number, name in reversed(list(enumerate(names))):
        store = await Store.open(url, location=name, clock=lambda: clock[0])
        await seed(store, count, per_week, timedelta(minutes=5 * number))
        if number:
            await store.close()
    seed_seconds = time.perf_counter() - started
    writer = StoreWriter(store)
    clock[0] = NOW
    overlay = LiveOverlay(WriterSink(writer))
    recomputer = SlaRecomputer(
        store=store,
        overlay=overlay,
        config=lambda: config,
        live=dict,
        clock=lambda: clock[0],
        on_error=lambda: None,
    )
    first, first_cpu = time.perf_counter(), time.process_time()
    await recomputer.recompute()  # includes summing the closed months into the ledger
    first_seconds = time.perf_counter() - first
    first_cpu_seconds = time.process_time() - first_cpu
    settle_heap()  # as the daemon does once started
    runs, cpu = [], []
    for run in range(recomputes):
        clock[0] += timedelta(seconds=15)
        await store.write_batch(probed(count, run, churn, clock[0]))  # not timed
        begin, begin_cpu = time.perf_counter(), time.process_time()
        await recomputer.recompute()
        runs.append(time.perf_counter() - begin)
        cpu.append(time.process_time() - begin_cpu)

    metrics = DaemonMetrics(CollectorRegistry(auto_describe=True), "bench")
    for target in config.targets:
        metrics.register_target(target.name)
    runner = await start_server(
        create_app(render_metrics(metrics, recomputer, lambda: clock[0]), []), "127.0.0.1", 0
    )
    port = runner.addresses[0][1]
    plain = await scrape(port, scrapes, "identity")
    gzipped = await scrape(port, scrapes, "gzip")
    await runner.cleanup()
    await store.close()
    # A daemon without gzip answers a gzip scrape plainly.
    body = gzip.decompress(gzipped.body) if gzipped.body[:2] == b"\x1f\x8b" else gzipped.body
    assert body == plain.body
    return {
        "targets": count,
        "seed_s": seed_seconds,
        "recompute_first_s": first_seconds,
        "first_cpu_s": first_cpu_seconds,
        "recompute_p50_s": statistics.median(runs),
        "recompute_max_s": max(runs),
        "steady_cpu_p50_s": statistics.median(cpu),
        "cpu_per_target_ms": 1000 * statistics.median(cpu) / count,
        "scrape_p50_ms": 1000 * percentile(plain.latencies, 0.5),
        "scrape_p99_ms": 1000 * percentile(plain.latencies, 0.99),
        "gzip_p50_ms": 1000 * percentile(gzipped.latencies, 0.5),
        "gzip_p99_ms": 1000 * percentile(gzipped.latencies, 0.99),
        "size_kib": len(body) / 1024,
        "gzip_kib": len(gzipped.body) / 1024,
        "samples": body.count(b"\n") - body.count(b"\n#"),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


@dataclass(frozen=True, slots=True)
class Scrapes:
    latencies: list[float]
    body: bytes


async def scrape(port: int, scrapes: int, encoding: str) -> Scrapes:
    latencies, body = [], b""
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        for _ in range(scrapes):
            begin = time.perf_counter()
            async with session.get(
                f"http://127.0.0.1:{port}/metrics", headers={"Accept-Encoding": encoding}
            ) as response:
                body = await response.read()
            latencies.append(time.perf_counter() - begin)
    return Scrapes(latencies, body)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--scrapes", type=int, default=200)
    parser.add_argument("--recomputes", type=int, default=5)
    parser.add_argument("--outages-per-week", type=int, default=1)
    parser.add_argument("--locations", type=int, default=1, choices=range(1, 6))
    parser.add_argument("--churn", type=float, default=0.01)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        for count in (int(s) for s in args.sizes.split(",")):
            print(f"measuring {count} targets ...", file=sys.stderr)
            rows.append(
                await measure(
                    count,
                    args.scrapes,
                    args.recomputes,
                    Path(directory),
                    args.outages_per_week,
                    args.locations,
                    args.churn,
                )
            )
    columns = list(rows[0])
    print(" | ".join(f"{c:>17}" for c in columns))
    for row in rows:
        print(
            " | ".join(
                f"{row[c]:>17.3f}" if isinstance(row[c], float) else f"{row[c]:>17}"
                for c in columns
            )
        )
    print("peak RSS is the process maximum so far (cumulative across sizes)", file=sys.stderr)


if __name__ == "__main__":
    asyncio.run(main())
