"""Benchmark: the cost of sending probe outcomes from a worker process to the daemon.

Method: batches of N outcomes shaped like an HTTP probe's (``ProbeResult`` with the HTTP
probe's details) are framed with :func:`monitor.probing.ipc.encode`, written to one end of a
real socketpair and read back with :func:`~monitor.probing.ipc.read_message` on the other,
both ends in this process on one event loop, so the CPU time measured is the whole IPC cost
of an outcome (pickling, two socket system calls per frame, unpickling). Prints CPU
microseconds and bytes per outcome by batch size; asserts nothing. A worker sends what
finished within 20 ms as one batch: about 20 outcomes at 1,000 probes/s, 200 at 10,000.

Usage: .venv/bin/python -m bench.ipc [--outcomes 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import time
from datetime import UTC, datetime, timedelta

from monitor.probing.ipc import Outcome, Outcomes, encode, read_message
from probes.base import ProbeResult


def batch(size: int) -> Outcomes:
    """Distinct objects per outcome, as a worker sends them (pickle shares repeated ones)."""
    now = datetime.now(UTC)
    outcomes: list[Outcome] = []
    for i in range(size):
        at = now + timedelta(microseconds=i)
        result = ProbeResult(
            ok=True,
            started_at=at,
            duration=timedelta(seconds=0.0021 + i * 1e-7),
            details={"redirects": 0, "body_bytes_read": 2 + i % 3, "status_code": 200},
        )
        outcomes.append((f"target-{i:05}", at, result))
    return Outcomes(tuple(outcomes), tuple(0.004 + i * 1e-6 for i in range(size)))


async def measure(size: int, total: int) -> tuple[float, float]:
    """(CPU microseconds, bytes) per outcome at batch ``size``."""
    message = batch(size)
    frames = max(1, total // size)
    ours, theirs = socket.socketpair()
    _, writer = await asyncio.open_connection(sock=ours)
    reader, other = await asyncio.open_connection(sock=theirs)

    async def send() -> None:
        for _ in range(frames):
            writer.write(encode(message))
            await writer.drain()

    async def receive() -> None:
        for _ in range(frames):
            await read_message(reader)

    begin = time.process_time()
    await asyncio.gather(send(), receive())
    spent = time.process_time() - begin
    writer.close()
    other.close()
    return spent / (frames * size) * 1e6, len(encode(message)) / size


async def run(total: int) -> None:
    print(f"{'batch':>6} {'us CPU/outcome':>15} {'bytes/outcome':>14}")
    for size in (1, 20, 200, 2000):
        micros, size_bytes = await measure(size, total)
        print(f"{size:>6} {micros:>15.1f} {size_bytes:>14.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--outcomes", type=int, default=50_000)
    asyncio.run(run(parser.parse_args().outcomes))


if __name__ == "__main__":
    main()
