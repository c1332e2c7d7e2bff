"""A probe worker process: the daemon's dispatcher and probes for a share of the targets.

Started by :class:`~monitor.probing.pool.WorkerPool` as ``python -m monitor.probing.worker``
with one end of a socketpair. It runs the same :class:`ProbeScheduler` and the same
:func:`probe_once` as a single-process daemon, and sends every outcome back; it keeps no
outage or coverage state and never touches the store, so the daemon records exactly what it
would have recorded had it probed the target itself.

Signals: the worker ignores SIGTERM, SIGINT and SIGHUP. Stopping and reloading go through
the daemon (a ``Stop`` or ``Assign`` frame), so a terminal's Ctrl-C or a service manager
that signals the whole group cannot make a worker drop the results it still has to deliver.
When the daemon's end of the socket closes (the daemon died), the worker exits at once.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import socket
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog

from monitor.logging import configure_logging
from monitor.probing.ipc import Assign, Outcome, Outcomes, Stop, Stopped, encode, read_message
from monitor.probing.runner import TargetSpec, probe_once, probe_session
from monitor.probing.scheduler import ProbeScheduler
from probes import LeanHttp, run_probe
from probes.base import ProbeContext

__all__ = ["main"]

BATCH_DELAY = 0.02
"""How long a finished outcome may wait for others to share its frame: far below any
interval, long enough that the probes of one dispatcher tick travel together."""
BATCH_SIZE = 2000


def _utc_now() -> datetime:
    return datetime.now(UTC)


class _Outbox:
    """Outcomes and lags collected between frames; one frame per batch."""

    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self._writer = writer
        self._outcomes: list[Outcome] = []
        self._lags: list[float] = []
        self._timer: asyncio.TimerHandle | None = None
        self.probed = 0

    def lag(self, seconds: float) -> None:
        self._lags.append(seconds)

    def add(self, outcome: Outcome) -> None:
        self._outcomes.append(outcome)
        if outcome[2] is not None:
            self.probed += 1
        if len(self._outcomes) >= BATCH_SIZE:
            self.flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(BATCH_DELAY, self.flush)

    def flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._outcomes and not self._lags:
            return
        batch = Outcomes(tuple(self._outcomes), tuple(self._lags))
        self._outcomes, self._lags = [], []
        if not self._writer.is_closing():
            self._writer.write(encode(batch))


@dataclass(slots=True)
class _Job:
    """One target's run: the schedule check and the probe, as the daemon's runner does them."""

    spec: TargetSpec
    context: ProbeContext
    outbox: _Outbox
    log: structlog.typing.FilteringBoundLogger = field(repr=False)

    async def __call__(self) -> None:
        spec = self.spec
        now = self.context.clock()
        if spec.schedule is not None and not spec.schedule.is_open(now):
            self.outbox.add((spec.name, now, None))
            return
        result = await probe_once(run_probe, spec.probe, self.context, now, self.log)
        self.outbox.add((spec.name, now, result))


class _Worker:
    def __init__(self, index: int, writer: asyncio.StreamWriter, context: ProbeContext) -> None:
        self._context = context
        self._writer = writer
        self.outbox = _Outbox(writer)
        self.scheduler = ProbeScheduler(clock=context.clock, on_lag=self.outbox.lag)
        self._jobs: dict[str, _Job] = {}
        self._log = structlog.get_logger("monitor.probing.worker").bind(worker=index)

    def assign(self, specs: Sequence[TargetSpec]) -> None:
        """Take the worker's new target set; a kept target keeps its phase unless its
        interval changed, as a reload in the single-process daemon does."""
        wanted = {spec.name: spec for spec in specs}
        for name in set(self._jobs) - set(wanted):
            self.scheduler.unschedule(name)
            del self._jobs[name]
        for name, spec in wanted.items():
            job = self._jobs.get(name)
            if job is None:
                job = _Job(spec, self._context, self.outbox, self._log.bind(target=name))
                self._jobs[name] = job
                self.scheduler.schedule(name, spec.interval, job)
                continue
            if spec.interval != job.spec.interval:
                self.scheduler.schedule(name, spec.interval, job)
            job.spec = spec

    async def stop(self, grace: float) -> None:
        finished, cancelled = await self.scheduler.drain(timedelta(seconds=grace))
        self.outbox.flush()
        self._writer.write(encode(Stopped(self.outbox.probed, finished, cancelled)))
        await self._writer.drain()


async def _serve(sock: socket.socket, index: int) -> int:
    reader, writer = await asyncio.open_connection(sock=sock)
    http = probe_session()
    context = ProbeContext(
        http=http,
        clock=_utc_now,
        monotonic=time.monotonic,
        lean_http=LeanHttp(monotonic=time.monotonic),
    )
    worker = _Worker(index, writer, context)
    worker.scheduler.start()
    try:
        while True:
            message = await read_message(reader)
            if message is None:  # the daemon is gone: nobody to deliver to
                await worker.scheduler.drain(timedelta(0))
                return 1
            if isinstance(message, Assign):
                worker.assign(message.specs)
            elif isinstance(message, Stop):
                await worker.stop(message.grace)
                return 0
    finally:
        await http.close()
        writer.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="monitor.probing.worker")
    parser.add_argument("--fd", type=int, required=True)
    parser.add_argument("--index", type=int, required=True)
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--log-format", choices=("auto", "json", "console"), default="auto")
    args = parser.parse_args(argv)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    json = {"auto": None, "json": True, "console": False}[args.log_format]
    configure_logging(level=args.log_level, json=json)
    sock = socket.socket(fileno=args.fd)
    return asyncio.run(_serve(sock, args.index))


if __name__ == "__main__":
    sys.exit(main())
