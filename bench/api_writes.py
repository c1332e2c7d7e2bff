"""Benchmark: API write throughput over many maintenance registrations and withdrawals.

Usage (from the repository root)::

    .venv/bin/python bench/api_writes.py                 # 2,000 POST + DELETE pairs
    .venv/bin/python bench/api_writes.py --pairs 1000 --every 250
    .venv/bin/python bench/api_writes.py --daemon     # against ``sla-monitor run``

Prints the rate of writes (a POST or a DELETE each) per block of ``--every`` writes; a rate
that falls block after block means some work per write grows with the store. Asserts
nothing.

Method: the API app on 127.0.0.1 with a fresh SQLite store and a write token, as the daemon
serves it (``--daemon``: the whole daemon, ``sla-monitor run`` in a subprocess, probing its
targets and recomputing its figures after every maintenance change), and one aiohttp
client sending one request at a time (latency, not concurrency, is what a ticket system or
a script sees). Each window is a future one on its own day, so
none repeats another; every second one is withdrawn again.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import socket
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# Run as a script, Python puts bench/ first on the path, where bench/probes.py would shadow
# the ``probes`` package that the configuration imports.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).parent.resolve()]

TOKEN = "bench-write-token-0123456789abcdef"
CONFIG = """\
targets:
  - name: web
    probe: {type: http, url: "http://127.0.0.1:9/"}
    slas:
      - {window: 24x7, objective: 0.99}
"""


async def writes(url: str, pairs: int, every: int, past: bool) -> None:
    """POST ``pairs`` windows to ``url``, withdrawing every second one; print the rates.

    ``past``: approved windows of one minute each in the last hours instead, which excuse
    time of the running month (and so are in every recompute); they cannot be withdrawn.
    """
    import aiohttp

    first_day = datetime.now(UTC).replace(hour=2, minute=0, second=0, microsecond=0)
    recent = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=pairs + 1)
    writes = 0
    block = time.perf_counter()
    print(f"| writes | writes/s (last {every}) |")
    print("|---|---|")
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        for k in range(pairs):
            start = recent + timedelta(minutes=k) if past else first_day + timedelta(days=1 + k)
            body = {
                "name": f"bench-{k}",
                "targets": ["web"],
                "start": start.isoformat(),
                "end": (start + timedelta(minutes=1 if past else 120)).isoformat(),
                "reason": "benchmark",
                "requested_by": "bench",
                **({"approved_by": "bench"} if past else {}),
            }
            async with client.post(url, json=body) as response:
                created = await response.json()
                if response.status != 201:
                    sys.exit(f"POST {response.status}: {created}")
            done = [created["id"]]
            if k % 2 and not past:
                async with client.delete(f"{url}/{created['id']}?by=bench") as gone:
                    if gone.status != 200:
                        sys.exit(f"DELETE {gone.status}: {await gone.text()}")
                done.append("deleted")
            for _ in done:
                writes += 1
                if writes % every == 0:
                    now = time.perf_counter()
                    print(f"| {writes} | {every / (now - block):.0f} |", flush=True)
                    block = now


async def in_process(pairs: int, every: int, past: bool) -> None:
    from monitor.config import parse_config
    from monitor.server.api import ApiContext, ApiTokens
    from monitor.server.web import create_app, start_server
    from monitor.store import Store

    config = parse_config(CONFIG, "bench.yaml")
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        async with await Store.open(f"sqlite+aiosqlite:///{tmp}/api.db") as store:
            api = ApiContext(
                store=store, config=lambda: config, tokens=ApiTokens.of(write=[TOKEN], read=[])
            )
            runner = await start_server(create_app(lambda: "", [], api), "127.0.0.1", 0)
            host, port = runner.addresses[0][:2]
            try:
                await writes(f"http://{host}:{port}/api/v1/maintenance", pairs, every, past)
            finally:
                await runner.cleanup()


async def daemon(pairs: int, every: int, past: bool) -> None:
    import aiohttp

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        config = Path(tmp) / "sla-monitor.yaml"
        config.write_text(CONFIG, encoding="utf-8")
        env = {
            **os.environ,
            "SLA_MONITOR_CONFIG": str(config),
            "SLA_MONITOR_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/store.db",
            "SLA_MONITOR_LISTEN": f"127.0.0.1:{port}",
            "SLA_MONITOR_WRITE_TOKEN": TOKEN,
        }
        log = (Path(tmp) / "daemon.log").open("wb")
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "monitor.cli", "run", env=env, stdout=log, stderr=log
        )
        try:
            base = f"http://127.0.0.1:{port}"
            async with aiohttp.ClientSession() as client:
                for _ in range(300):
                    with contextlib.suppress(aiohttp.ClientError):
                        async with client.get(f"{base}/-/healthy") as response:
                            if response.status == 200:
                                break
                    await asyncio.sleep(0.1)
                else:
                    sys.exit("the daemon did not answer within 30 s")
            await writes(f"{base}/api/v1/maintenance", pairs, every, past)
        finally:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)
            log.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2000, help="windows registered")
    parser.add_argument("--every", type=int, default=500, help="writes per reported block")
    parser.add_argument("--daemon", action="store_true", help="run the whole daemon")
    parser.add_argument("--past", action="store_true", help="approved windows of the last hours")
    args = parser.parse_args()
    asyncio.run((daemon if args.daemon else in_process)(args.pairs, args.every, args.past))


if __name__ == "__main__":
    main()
