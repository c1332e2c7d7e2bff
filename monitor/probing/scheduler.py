"""Probe scheduling: one dispatcher on the event loop for the probes, APScheduler for the rest.

Probes are the hot path: at 10,000 targets every 10 s, a job per target in APScheduler costs
more CPU in its bookkeeping (trigger arithmetic on datetimes, a submission event, a thread-safe
wake-up per run) than the probe itself. So targets sit in one heap ordered by their next due
time on the event loop's monotonic clock, and one timer callback starts the probes that are
due. APScheduler keeps the housekeeping jobs (pruning, export, mailbox polls), which are few.

The probe semantics are the ones an APScheduler interval job with ``max_instances=1``,
``coalesce`` and no misfire grace limit had:

- Start times are spread over the interval by a stable hash of the target name (so 1,000
  targets at 10 s do not all fire in the same millisecond, and a restart keeps the same
  phase), with a little random jitter on top that never accumulates: run *k* is due at
  ``first + k * interval + jitter``.
- A slow target never overlaps itself: a slot that comes while its run is still in flight is
  skipped, and the target keeps its phase.
- A stalled loop runs a late probe once instead of skipping it or bursting: the missed slots
  collapse into one run, then the grid continues.

Due times are rounded up to the dispatcher's tick (100 ms by default), a timing wheel's slot:
the probes due in one slot start together on one wake-up of the loop, and their connects,
answers and records then share wake-ups too. Starting each probe on its own wake-up cost
about twice the CPU per probe (every wake-up is an ``epoll_wait`` and a cold pass through the
interpreter); 100 ms is far below the interval and the jitter, so the spread stays even.

The lag reported to ``on_lag`` is measured when the probe's task actually starts running,
from its slot's time, so it includes the time the task waited in the loop's ready queue.

Stopping is ours (APScheduler 3 cancels running asyncio jobs on shutdown whatever ``wait=``
says): stop starting runs, wait for the runs in flight up to a grace period, cancel the rest,
then shut the scheduler down (the two-phase shutdown of arq).
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import math
import random
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import structlog
from apscheduler.events import EVENT_JOB_SUBMITTED, JobSubmissionEvent
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

__all__ = ["ProbeScheduler", "spread_offset"]

Job = Callable[[], Coroutine[Any, Any, object]]


def spread_offset(name: str, interval: timedelta) -> timedelta:
    """A stable phase in ``[0, interval)`` derived from the target name."""
    digest = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big")
    micros = max(1, int(interval / timedelta(microseconds=1)))
    return timedelta(microseconds=digest % micros)


@dataclass(slots=True, eq=False)
class _Probe:
    """One scheduled target: its grid on the loop's clock and its run in flight, if any.

    ``slot`` is the index of the next grid point; ``due`` is that point plus its jitter,
    rounded up to the tick.
    A replaced or removed entry is marked ``dead`` and dropped when it reaches the heap's top.
    """

    key: str
    job: Job
    every: float
    jitter: float
    offset: float
    anchor: float = math.nan
    slot: int = 0
    due: float = math.inf
    dead: bool = False
    running: asyncio.Task[object] | None = field(default=None, repr=False)


class ProbeScheduler:
    """The probe dispatcher, the APScheduler of the housekeeping jobs, and every run in flight."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime],
        on_lag: Callable[[float], None] | None = None,
        rng: random.Random | None = None,
        tick: timedelta = timedelta(milliseconds=100),
    ) -> None:
        self._clock = clock
        self._on_lag = on_lag
        self._tick = tick.total_seconds()
        self._rng = rng or random.Random()  # noqa: S311  (jitter, not cryptography)
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._scheduler.add_listener(self._submitted, EVENT_JOB_SUBMITTED)
        self._probes: dict[str, _Probe] = {}
        self._heap: list[tuple[float, int, _Probe]] = []
        self._pushes = 0  # tie-breaker: equal due times keep insertion order
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf
        self._loop: asyncio.AbstractEventLoop | None = None
        self._in_flight: set[asyncio.Task[object]] = set()
        self._accepting = True
        self._last_tick: datetime | None = None
        self._log = structlog.get_logger("monitor.probing.scheduler")

    @property
    def last_tick(self) -> datetime | None:
        """When the scheduler last dispatched a run; ``/-/ready`` checks it is ticking."""
        return self._last_tick

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    def _submitted(self, event: JobSubmissionEvent) -> None:
        now = self._clock()
        self._last_tick = now
        if self._on_lag is not None:
            for scheduled in event.scheduled_run_times:
                self._on_lag((now - scheduled).total_seconds())

    # -- probes: the dispatcher ---------------------------------------------------------

    def schedule(self, key: str, interval: timedelta, job: Job) -> None:
        """Add or replace the probe job of ``key`` (a target name).

        A replaced target gets a fresh grid from now (its phase offset is the same), and a
        run of it still in flight keeps counting as its run, so the two never overlap.
        """
        if self._scheduler.get_job(key) is not None:
            self._scheduler.remove_job(key)
        every = interval.total_seconds()
        entry = _Probe(
            key=key,
            job=job,
            every=every,
            jitter=min(every * 0.05, 1.0),
            offset=spread_offset(key, interval).total_seconds(),
        )
        previous = self._probes.pop(key, None)
        if previous is not None:
            previous.dead = True
            entry.running = previous.running
        self._probes[key] = entry
        if self._loop is not None:
            self._place(entry, self._loop.time())

    def _place(self, entry: _Probe, now: float) -> None:
        entry.anchor = now + entry.offset
        entry.slot = 0
        self._push(entry)
        self._arm()

    def _push(self, entry: _Probe) -> None:
        """Into the heap at its grid point plus a jitter that never accumulates, rounded up
        to the dispatcher's tick."""
        grid = entry.anchor + entry.slot * entry.every
        due = grid + (self._rng.uniform(0, entry.jitter) if entry.jitter else 0.0)
        tick = min(self._tick, entry.every)
        entry.due = math.ceil(due / tick) * tick if tick > 0 else due
        self._pushes += 1
        heapq.heappush(self._heap, (entry.due, self._pushes, entry))

    def _arm(self) -> None:
        """Keep exactly one timer, at the earliest due time."""
        if not self._heap or self._loop is None or not self._accepting:
            return
        first = self._heap[0][0]
        if first >= self._timer_at:
            return
        if self._timer is not None:
            self._timer.cancel()
        self._timer_at = first
        self._timer = self._loop.call_at(first, self._dispatch)

    def _dispatch(self) -> None:
        """Start every probe that is due, and put each back at its next slot."""
        self._timer, self._timer_at = None, math.inf
        loop = self._loop
        if loop is None or not self._accepting:
            return
        now = loop.time()
        # The loop may fire a timer up to its clock resolution early; what is due within a
        # millisecond starts now rather than on another wake-up.
        limit = now + 0.001
        heap = self._heap
        started = False
        while heap and heap[0][0] <= limit:
            _, _, entry = heapq.heappop(heap)
            if entry.dead:
                continue
            due = entry.due
            # Coalesce: the slots missed by a stalled loop become this one run.
            elapsed = now - entry.anchor
            entry.slot = max(entry.slot + 1, math.floor(elapsed / entry.every) + 1)
            self._push(entry)
            if entry.running is not None:
                continue  # never overlapping itself: this slot is skipped
            task = loop.create_task(self._run(entry, due), name=f"probe:{entry.key}")
            entry.running = task
            self._in_flight.add(task)
            task.add_done_callback(self._in_flight.discard)
            started = True
        if started:
            self._last_tick = self._clock()
        self._arm()

    async def _run(self, entry: _Probe, due: float) -> object:
        if self._on_lag is not None and self._loop is not None:
            self._on_lag(max(0.0, self._loop.time() - due))
        try:
            return await entry.job()
        finally:
            if entry.running is asyncio.current_task():
                entry.running = None
            replacement = self._probes.get(entry.key)
            if replacement is not None and replacement.running is asyncio.current_task():
                replacement.running = None

    # -- housekeeping: APScheduler ------------------------------------------------------

    def add_periodic(self, key: str, interval: timedelta, job: Job) -> None:
        """A housekeeping job (pruning, recompute) that is not a probe; same tracking."""
        self._drop_probe(key)
        self._scheduler.add_job(
            self._tracked,
            IntervalTrigger(seconds=interval.total_seconds(), timezone=UTC),
            args=(job,),
            id=key,
            name=key,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )

    def _drop_probe(self, key: str) -> bool:
        entry = self._probes.pop(key, None)
        if entry is None:
            return False
        entry.dead = True
        return True

    def unschedule(self, key: str) -> None:
        if self._drop_probe(key):
            return
        if self._scheduler.get_job(key) is not None:
            self._scheduler.remove_job(key)

    def job_keys(self) -> set[str]:
        return set(self._probes) | {job.id for job in self._scheduler.get_jobs()}

    async def _tracked(self, job: Job) -> object:
        if not self._accepting:
            return None
        task = asyncio.current_task()
        assert task is not None
        self._in_flight.add(task)
        try:
            return await job()
        finally:
            self._in_flight.discard(task)

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> None:
        """Start dispatching; needs the running event loop."""
        self._loop = asyncio.get_running_loop()
        now = self._loop.time()
        for entry in self._probes.values():
            self._place(entry, now)
        self._scheduler.start()

    async def drain(self, grace: timedelta) -> tuple[int, int]:
        """Stop new runs, wait up to ``grace`` for runs in flight, cancel the rest.

        Returns ``(finished, cancelled)`` for the shutdown summary line.
        """
        self._accepting = False
        if self._timer is not None:
            self._timer.cancel()
            self._timer, self._timer_at = None, math.inf
        if self._scheduler.running:
            self._scheduler.pause()
        pending = set(self._in_flight)
        finished = cancelled = 0
        if pending:
            done, still = await asyncio.wait(pending, timeout=grace.total_seconds())
            finished = len(done)
            for task in still:
                task.cancel()
            if still:
                await asyncio.wait(still, timeout=1.0)
            cancelled = len(still)
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
            await asyncio.sleep(0)  # AsyncIOScheduler shuts down in a loop callback
        return finished, cancelled
