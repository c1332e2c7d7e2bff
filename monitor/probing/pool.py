"""Probe worker processes: the targets shared out over N processes, the records kept here.

With ``workers: N`` the daemon's one event loop no longer probes; N worker processes
(:mod:`monitor.probing.worker`) each run the dispatcher and the probes for the targets
:func:`~monitor.probing.ipc.owner` gives them, and send every outcome back. The daemon feeds
each outcome into the target's runner exactly as if it had probed it itself (outage and
coverage tracking, store writer, metrics, log lines), so the figures do not depend on how
many processes probed.

A worker that dies is a stretch in which its targets are not monitored, never downtime:
their monitoring sessions end at once (the next result starts a new one, leaving an
unmonitored gap, docs/rules.md#unmonitored-time), one ``probe_worker_died`` line names it, and it is
started again after a short back-off that grows while it keeps dying.

Stopping is two-phase, as in one process: every worker stops dispatching, gives the runs in
flight the drain grace, sends their outcomes and says ``Stopped``; a worker that does not
finish within the grace and a margin is killed.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog

from monitor.probing.ipc import (
    Assign,
    Message,
    Outcome,
    Outcomes,
    Stop,
    Stopped,
    encode,
    owner,
    read_message,
)
from monitor.probing.runner import TargetSpec

__all__ = ["WorkerInfo", "WorkerPool"]

_STOP_MARGIN = 5.0
"""Beyond the drain grace, how long a stopping worker may take to deliver and exit."""
_FIRST_BACKOFF = 0.5
_MAX_BACKOFF = 30.0
_STABLE = 60.0
"""A worker that ran this long before dying is restarted after the first back-off again."""


@dataclass(frozen=True, slots=True)
class WorkerInfo:
    """A worker as the status API shows it."""

    index: int
    pid: int | None
    targets: int
    restarts: int


class _Worker:
    """One worker slot: its process of the moment, its targets and its delivery counts."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.specs: tuple[TargetSpec, ...] = ()
        self.process: asyncio.subprocess.Process | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.reader: asyncio.Task[None] | None = None
        self.restarts = 0
        self.delivered = 0
        self.stopped: Stopped | None = None
        self.started_at = 0.0
        self.backoff = _FIRST_BACKOFF

    @property
    def pid(self) -> int | None:
        process = self.process
        return None if process is None or process.returncode is not None else process.pid

    def send(self, message: Message) -> None:
        if self.writer is not None and not self.writer.is_closing():
            self.writer.write(encode(message))


class WorkerPool:
    """N probe worker processes and the routing of their outcomes into the daemon.

    ``deliver`` takes each outcome on the event loop, in the order the worker sent them;
    ``lost`` takes the names of the targets of a worker that died; ``on_lag`` takes the
    dispatch lag of every run a worker started.
    """

    name = "workers"

    def __init__(
        self,
        count: int,
        *,
        specs: Callable[[], Sequence[TargetSpec]],
        deliver: Callable[[Outcome], None],
        lost: Callable[[Iterable[str]], None],
        on_lag: Callable[[float], None],
        clock: Callable[[], datetime],
        drain_grace: timedelta,
        log_level: str = "info",
        log_format: str = "auto",
    ) -> None:
        if count < 1:
            raise ValueError("a worker pool needs at least one worker")
        self._workers = [_Worker(index) for index in range(count)]
        self._specs = specs
        self._deliver = deliver
        self._lost = lost
        self._on_lag = on_lag
        self._clock = clock
        self._drain_grace = drain_grace
        self._log_args = ("--log-level", log_level, "--log-format", log_format)
        self._stopping = False
        self._restarts: set[asyncio.Task[None]] = set()
        self.last_tick: datetime | None = None
        self.drained = 0
        self.cancelled = 0
        self._log = structlog.get_logger("monitor.probing.pool")

    def info(self) -> tuple[WorkerInfo, ...]:
        return tuple(WorkerInfo(w.index, w.pid, len(w.specs), w.restarts) for w in self._workers)

    # -- targets --------------------------------------------------------------------------

    def assign(self, specs: Sequence[TargetSpec]) -> None:
        """Share ``specs`` out and send each worker its set (a reload sends them all again;
        a worker keeps the phase of every target it already had)."""
        shares: list[list[TargetSpec]] = [[] for _ in self._workers]
        for spec in specs:
            shares[owner(spec.name, len(self._workers))].append(spec)
        for worker, share in zip(self._workers, shares, strict=True):
            worker.specs = tuple(share)
            worker.send(Assign(worker.specs))

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        self.assign(self._specs())
        for worker in self._workers:
            await self._spawn(worker)
            self._log.info(
                "probe_worker_started",
                worker=worker.index,
                pid=worker.pid,
                targets=len(worker.specs),
            )

    async def _spawn(self, worker: _Worker) -> None:
        ours, theirs = socket.socketpair()
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "monitor.probing.worker",
                "--fd",
                str(theirs.fileno()),
                "--index",
                str(worker.index),
                *self._log_args,
                pass_fds=(theirs.fileno(),),
                stdin=asyncio.subprocess.DEVNULL,
            )
        finally:
            theirs.close()
        reader, writer = await asyncio.open_connection(sock=ours)
        loop = asyncio.get_running_loop()
        worker.process, worker.writer = process, writer
        worker.delivered, worker.stopped = 0, None
        worker.started_at = loop.time()
        worker.send(Assign(worker.specs))
        worker.reader = asyncio.create_task(
            self._receive(worker, reader), name=f"probe-worker-{worker.index}"
        )

    async def _receive(self, worker: _Worker, reader: asyncio.StreamReader) -> None:
        while True:
            message = await read_message(reader)
            if message is None:
                break
            if isinstance(message, Outcomes):
                try:
                    self._take(worker, message)
                except Exception:  # a bug in recording must not stop the deliveries
                    self._log.exception("probe_outcomes_failed", worker=worker.index)
            elif isinstance(message, Stopped):
                worker.stopped = message
        if not self._stopping:
            await self._died(worker)

    def _take(self, worker: _Worker, batch: Outcomes) -> None:
        for lag in batch.lags:
            self._on_lag(lag)
        for outcome in batch.outcomes:
            if outcome[2] is not None:
                worker.delivered += 1
            self._deliver(outcome)
        if batch.outcomes:
            self.last_tick = self._clock()

    async def _died(self, worker: _Worker) -> None:
        """Log the death, end the coverage of its targets, restart it after a back-off."""
        process = worker.process
        code = None
        if process is not None:
            try:  # the socket closed: the process is gone or going
                async with asyncio.timeout(_STOP_MARGIN):
                    code = await process.wait()
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    process.kill()
                code = await process.wait()
        if worker.writer is not None:
            worker.writer.close()
        self._lost(spec.name for spec in worker.specs)
        loop = asyncio.get_running_loop()
        if loop.time() - worker.started_at >= _STABLE:
            worker.backoff = _FIRST_BACKOFF
        self._log.error(
            "probe_worker_died",
            worker=worker.index,
            pid=None if process is None else process.pid,
            exit=_describe(code),
            targets=len(worker.specs),
            restart_in=worker.backoff,
            problem="its targets are unmonitored until it is back (a coverage gap, not downtime)",
        )
        delay, worker.backoff = worker.backoff, min(worker.backoff * 2, _MAX_BACKOFF)
        task = asyncio.create_task(self._restart(worker, delay), name="probe-worker-restart")
        self._restarts.add(task)
        task.add_done_callback(self._restarts.discard)

    async def _restart(self, worker: _Worker, delay: float) -> None:
        await asyncio.sleep(delay)
        if self._stopping:
            return
        try:
            await self._spawn(worker)
        except OSError as error:
            self._log.error("probe_worker_restart_failed", worker=worker.index, error=str(error))
            await self._died(worker)
            return
        worker.restarts += 1
        self._log.warning(
            "probe_worker_restarted",
            worker=worker.index,
            pid=worker.pid,
            targets=len(worker.specs),
            restarts=worker.restarts,
        )

    async def close(self) -> None:
        """Stop every worker: drain, deliver, exit; kill what outlives grace and margin."""
        self._stopping = True
        for task in list(self._restarts):
            task.cancel()
        grace = self._drain_grace.total_seconds()
        for worker in self._workers:
            worker.send(Stop(grace))
        await asyncio.gather(
            *(self._stop(worker, grace + _STOP_MARGIN) for worker in self._workers)
        )

    async def _stop(self, worker: _Worker, bound: float) -> None:
        process = worker.process
        if process is None:
            return
        try:
            async with asyncio.timeout(bound):
                if worker.reader is not None:
                    await worker.reader
                await process.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            if worker.reader is not None:
                worker.reader.cancel()
        if worker.writer is not None:
            worker.writer.close()
        stopped = worker.stopped
        if stopped is not None:
            self.drained += stopped.finished
            self.cancelled += stopped.cancelled
        self._log.info(
            "probe_worker_stopped",
            worker=worker.index,
            pid=process.pid,
            probed=None if stopped is None else stopped.probed,
            delivered=worker.delivered,
            cancelled=None if stopped is None else stopped.cancelled,
        )


def _describe(code: int | None) -> str:
    if code is None:
        return "unknown"
    if code < 0:
        with contextlib.suppress(ValueError):
            return signal.Signals(-code).name
    return f"exit code {code}"
