"""Benchmark: API write throughput over many maintenance registrations and withdrawals.

Usage (from the repository root)::

    .venv/bin/python bench/api_writes.py                 # 2,000 POST + DELETE pairs
    .venv/bin/python bench/api_writes.py --pairs 1000 --every 250

Prints the rate of writes (a POST or a DELETE each) per block of ``--every`` writes; a rate
that falls block after block means some work per write grows with the store. Asserts
nothing.

Method: the API app on 127.0.0.1 with a fresh SQLite store and a write token, as the daemon
serves it, and one aiohttp client sending one request at a time (latency, not concurrency,
is what a ticket system or a script sees). Each window is a future one on its own day, so
none repeats another; every second one is withdrawn again.
"""

from __future__ import annotations

import argparse
import asyncio
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


async def run(pairs: int, every: int) -> None:
    import aiohttp

    from monitor.api import ApiContext, ApiTokens
    from monitor.config import parse_config
    from monitor.store import Store
    from monitor.web import create_app, start_server

    config = parse_config(CONFIG, "bench.yaml")
    first_day = datetime.now(UTC).replace(hour=2, minute=0, second=0, microsecond=0)
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with tempfile.TemporaryDirectory(prefix="bench-api-") as tmp:
        async with await Store.open(f"sqlite+aiosqlite:///{tmp}/api.db") as store:
            api = ApiContext(
                store=store, config=lambda: config, tokens=ApiTokens.of(write=[TOKEN], read=[])
            )
            runner = await start_server(create_app(lambda: "", [], api), "127.0.0.1", 0)
            host, port = runner.addresses[0][:2]
            url = f"http://{host}:{port}/api/v1/maintenance"
            writes = 0
            block = time.perf_counter()
            print(f"| writes | writes/s (last {every}) |")
            print("|---|---|")
            try:
                async with aiohttp.ClientSession(headers=headers) as client:
                    for k in range(pairs):
                        start = first_day + timedelta(days=1 + k)
                        body = {
                            "name": f"bench-{k}",
                            "targets": ["web"],
                            "start": start.isoformat(),
                            "end": (start + timedelta(hours=2)).isoformat(),
                            "reason": "benchmark",
                            "requested_by": "bench",
                        }
                        async with client.post(url, json=body) as response:
                            created = await response.json()
                            if response.status != 201:
                                sys.exit(f"POST {response.status}: {created}")
                        writes += 1
                        if k % 2:
                            async with client.delete(f"{url}/{created['id']}?by=bench") as gone:
                                if gone.status != 200:
                                    sys.exit(f"DELETE {gone.status}: {await gone.text()}")
                            writes += 1
                        if writes // every != (writes - 1 - (k % 2)) // every:
                            now = time.perf_counter()
                            print(f"| {writes} | {every / (now - block):.0f} |", flush=True)
                            block = now
            finally:
                await runner.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2000, help="windows registered")
    parser.add_argument("--every", type=int, default=500, help="writes per reported block")
    args = parser.parse_args()
    asyncio.run(run(args.pairs, args.every))


if __name__ == "__main__":
    main()
