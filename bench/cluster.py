"""Benchmark: several probe locations on one PostgreSQL.

Usage (from the repository root)::

    .venv/bin/python bench/cluster.py                     # short runs, a throwaway PostgreSQL
    .venv/bin/python bench/cluster.py --kills 10 --seconds 60
    .venv/bin/python bench/cluster.py --database-url postgresql+asyncpg://user@127.0.0.1/db

Prints progress to stderr and one table to stdout; asserts nothing.

Method
------
*Store.* A throwaway PostgreSQL cluster from Debian's binaries on loopback (the tests' own,
``tests/store/conftest.py``), or ``--database-url``; a fresh database per part.
*Targets.* One aiohttp server in this process on 127.0.0.1 answers every probe (``200 OK``);
its CPU is not the daemons'.
*Daemons.* Real ``sla-monitor run`` processes, one per location (a, b, c), each with its
``SLA_MONITOR_LOCATION``, all on the same database.

1. *Leader failover.* Three daemons with one target; ``--kills`` times: the leader (the one
   whose ``/api/v1/status`` says ``leads``) is SIGKILLed, and the time until another one says
   ``leads`` is measured (polled every 50 ms), then the killed location is started again.
   The default ``SLA_MONITOR_LEADER_FAILOVER`` (15 s) retries every 5 s: the expected
   failover is uniform in 0..5 s plus the poll.
2. *CPU per probe.* ``--targets`` targets at 1 s, run for ``--seconds`` with 1 location,
   then with 3; each daemon's user+system CPU from ``/proc/PID/stat`` over the run, divided
   by the probe results it stored in that time.
3. *Store write rate.* 3 locations × 1,000 targets at 10 s (300 results/s in total) for
   ``--seconds``: results stored per second, from ``probe_results`` counted by location.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import os
import signal
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import aiohttp

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# Run as a script, this file's folder is sys.path[0]; the repository root is what we need.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))

PLACES = ("a", "b", "c")
T = TypeVar("T")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def config_text(url: str, targets: int, interval: str) -> str:
    lines = ["timezone: Europe/Amsterdam", "locations:"]
    lines += [f"  - {{name: {place}}}" for place in PLACES]
    lines.append("targets:")
    for index in range(targets):
        lines.append(
            f'  - {{name: t{index:05d}, probe: {{type: http, url: "{url}t{index}", '
            f"timeout: 2s}}, interval: {interval}, slas: [{{window: 24x7, objective: 0.99}}]}}"
        )
    return "\n".join(lines) + "\n"


class Daemon:
    """One ``sla-monitor run`` at one location, its log in a file."""

    def __init__(self, place: str, port: int, env: dict[str, str], logs: Path) -> None:
        self.place = place
        self.port = port
        self._env = {
            **env,
            "SLA_MONITOR_LOCATION": place,
            "SLA_MONITOR_LISTEN": f"127.0.0.1:{port}",
        }
        self._log = logs / f"{place}-{uuid.uuid4().hex[:6]}.log"
        self.process: asyncio.subprocess.Process | None = None

    async def start(self) -> None:
        with self._log.open("wb") as sink:
            self.process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "monitor.cli", "run", "--log-format", "json",
                stdout=asyncio.subprocess.DEVNULL, stderr=sink, env=self._env,
            )  # fmt: skip

    async def status(self, session: aiohttp.ClientSession) -> dict[str, object] | None:
        with contextlib.suppress(aiohttp.ClientError, TimeoutError):
            async with session.get(f"http://127.0.0.1:{self.port}/api/v1/status") as answer:
                if answer.status == 200:
                    found: dict[str, object] = await answer.json()
                    return found
        return None

    def cpu_seconds(self) -> float:
        """User plus system CPU of the process so far."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def stop(self, sig: signal.Signals = signal.SIGTERM) -> None:
        if self.process is None or self.process.returncode is not None:
            return
        self.process.send_signal(sig)
        await asyncio.wait_for(self.process.wait(), 45)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def database(server_url: str) -> AsyncIterator[str]:
    """A fresh database on the server, dropped afterwards."""
    from sqlalchemy.engine import make_url

    from tests.store.conftest import _admin

    name = f"sla_monitor_bench_{uuid.uuid4().hex[:12]}"
    admin = await _admin(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        admin = await _admin(server_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


class Bench:
    def __init__(self, server_url: str, target_url: str, work: Path) -> None:
        self.server_url = server_url
        self.target_url = target_url
        self.work = work

    @contextlib.asynccontextmanager
    async def cluster(
        self, places: tuple[str, ...], targets: int, interval: str
    ) -> AsyncIterator[tuple[str, dict[str, Daemon]]]:
        config = self.work / f"config-{targets}-{interval}.yaml"
        config.write_text(config_text(self.target_url, targets, interval), encoding="utf-8")
        async with database(self.server_url) as url:
            env = {**os.environ, "SLA_MONITOR_DATABASE_URL": url, "SLA_MONITOR_CONFIG": str(config)}
            daemons = {p: Daemon(p, free_port(), env, self.work) for p in places}
            try:
                async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as http:
                    for daemon in daemons.values():
                        await daemon.start()
                        # A thousand targets take a while to start on a busy machine.
                        await until(
                            functools.partial(daemon.status, http), "a daemon to serve", 300
                        )
                yield url, daemons
            finally:
                for daemon in daemons.values():
                    await daemon.stop()

    async def failover(self, kills: int) -> list[float]:
        times = []
        async with (
            self.cluster(PLACES, 1, "1s") as (_url, daemons),
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1)) as http,
        ):
            for kill in range(kills):
                leader = await until(functools.partial(leader_of, daemons, http), "a leader")
                killed_at = time.monotonic()
                await daemons[leader].stop(signal.SIGKILL)
                others = {p: d for p, d in daemons.items() if p != leader}
                await until(functools.partial(leader_of, others, http), "a new leader", every=0.05)
                times.append(time.monotonic() - killed_at)
                log(f"kill {kill + 1}/{kills}: {leader} killed, failover {times[-1]:.2f} s")
                await daemons[leader].start()
                await until(functools.partial(daemons[leader].status, http), f"{leader} back")
        return times

    async def cpu_per_probe(self, places: tuple[str, ...], targets: int, seconds: float) -> float:
        async with self.cluster(places, targets, "1s") as (url, daemons):
            await asyncio.sleep(3)  # start-up and the first round of probes settle
            before = {p: d.cpu_seconds() for p, d in daemons.items()}
            stored = await results_by_location(url)
            await asyncio.sleep(seconds)
            spent = sum(d.cpu_seconds() - before[p] for p, d in daemons.items())
            after = await results_by_location(url)
        probes = sum(after.values()) - sum(stored.values())
        log(f"{len(places)} location(s): {probes} probes, {spent:.2f} s CPU")
        return spent / max(probes, 1)

    async def write_rate(self, seconds: float) -> tuple[float, dict[str, float]]:
        async with self.cluster(PLACES, 1000, "10s") as (url, _daemons):
            await asyncio.sleep(12)  # every target probed once
            before = await results_by_location(url)
            started = time.monotonic()
            await asyncio.sleep(seconds)
            after = await results_by_location(url)
            elapsed = time.monotonic() - started
        per = {p: (after.get(p, 0) - before.get(p, 0)) / elapsed for p in PLACES}
        return sum(per.values()), per


async def leader_of(daemons: dict[str, Daemon], http: aiohttp.ClientSession) -> str | None:
    for place, daemon in daemons.items():
        status = await daemon.status(http)
        if status is not None and status.get("leads"):
            return place
    return None


async def until(
    check: Callable[[], Awaitable[T | None]], what: str, within: float = 60.0, every: float = 0.2
) -> T:
    """The first true answer of ``check`` (a coroutine function), within a bound."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        answer = await check()
        if answer:
            return answer
        await asyncio.sleep(every)
    sys.exit(f"bench/cluster.py: gave up waiting for {what}")


async def results_by_location(url: str) -> dict[str, int]:
    import sqlalchemy as sa

    from monitor.store import create_engine
    from monitor.store.schema import probe_results

    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                sa.select(probe_results.c.location, sa.func.count()).group_by(
                    probe_results.c.location
                )
            )
            return {str(location): int(count) for location, count in rows.tuples()}
    finally:
        await engine.dispose()


async def run(args: argparse.Namespace) -> None:
    from tests.servers.http import SwitchableHttpServer
    from tests.store.conftest import _Cluster, _postgres_bindir

    cluster = None
    server_url = args.database_url
    if server_url is None:
        cluster = _Cluster(_postgres_bindir())
        cluster.start()
        server_url = f"postgresql+asyncpg://postgres@127.0.0.1:{cluster.port}/postgres"
    try:
        with tempfile.TemporaryDirectory(prefix="sla-bench-cluster-") as work:
            async with SwitchableHttpServer() as target:
                bench = Bench(server_url, target.url, Path(work))
                rows = await measure(bench, args)
    finally:
        if cluster is not None:
            cluster.stop()
            cluster.remove()
    print(f"{'measure':<56} {'value':>14}")
    for label, value in rows:
        print(f"{label:<56} {value:>14}")


async def measure(bench: Bench, args: argparse.Namespace) -> list[tuple[str, str]]:
    rows = []
    parts = set(args.parts.split(","))
    if "failover" in parts:
        log("leader failover")
        times = await bench.failover(args.kills)
        rows.append(
            (f"leader failover p50 ({len(times)} kills)", f"{statistics.median(times):.2f} s")
        )
        rows.append((f"leader failover max ({len(times)} kills)", f"{max(times):.2f} s"))
    if "cpu" in parts:
        log("CPU per probe")
        for places in (("a",), PLACES):
            value = await bench.cpu_per_probe(places, args.targets, args.seconds)
            label = f"CPU per probe, {len(places)} location(s), {args.targets} targets @ 1 s"
            rows.append((label, f"{value * 1e3:.3f} ms"))
    if "writes" in parts:
        log("store write rate, 3 x 1,000 targets @ 10 s")
        rate, per = await bench.write_rate(args.seconds)
        rows.append(("store writes, 3 x 1,000 targets @ 10 s (300/s due)", f"{rate:.1f} /s"))
        rows += [(f"  of which location {p}", f"{v:.1f} /s") for p, v in per.items()]
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--kills", type=int, default=3, help="leader kills (10 for the full measure)"
    )
    parser.add_argument("--targets", type=int, default=100, help="targets for CPU per probe")
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each timed run")
    parser.add_argument("--parts", default="failover,cpu,writes", help="which measures to run")
    parser.add_argument(
        "--database-url", help="a PostgreSQL server whose user may create databases"
    )
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
