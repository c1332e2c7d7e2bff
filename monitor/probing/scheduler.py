"""Probe scheduling on APScheduler 3.x, with a drain that APScheduler itself does not offer.

One interval job per target. Start times are spread over the interval by a stable hash of the
target name (so 1,000 targets at 10 s do not all fire in the same millisecond, and a restart
keeps the same phase), with a little random jitter on top. ``max_instances=1`` means a slow
target never overlaps itself; ``coalesce`` with no misfire grace limit means a stalled loop
runs a late probe once instead of skipping it or bursting.

APScheduler 3 cancels running asyncio jobs on shutdown whatever ``wait=`` says, so stopping is
ours: pause (no new runs), wait for the runs in flight up to a grace period, cancel the rest,
then shut the scheduler down (the two-phase shutdown of arq).
"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable, Coroutine
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


class ProbeScheduler:
    """Owns the APScheduler instance and the set of probe runs in flight."""

    def __init__(
        self,
        *,
        clock: Callable[[], datetime],
        on_lag: Callable[[float], None] | None = None,
    ) -> None:
        self._clock = clock
        self._on_lag = on_lag
        self._scheduler = AsyncIOScheduler(timezone=UTC)
        self._scheduler.add_listener(self._submitted, EVENT_JOB_SUBMITTED)
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

    def schedule(self, key: str, interval: timedelta, job: Job) -> None:
        """Add or replace the job of ``key`` (a target name)."""
        jitter = min(interval.total_seconds() * 0.05, 1.0)
        first = self._clock() + spread_offset(key, interval)
        self._add(
            key,
            IntervalTrigger(
                seconds=interval.total_seconds(), start_date=first, timezone=UTC, jitter=jitter
            ),
            job,
        )

    def add_periodic(self, key: str, interval: timedelta, job: Job) -> None:
        """A housekeeping job (pruning, recompute) that is not a probe; same tracking."""
        self._add(key, IntervalTrigger(seconds=interval.total_seconds(), timezone=UTC), job)

    def _add(self, key: str, trigger: IntervalTrigger, job: Job) -> None:
        """One tracked job per key: never overlapping itself, a late run run once, not skipped."""
        self._scheduler.add_job(
            self._tracked,
            trigger,
            args=(job,),
            id=key,
            name=key,
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=None,
        )

    def unschedule(self, key: str) -> None:
        if self._scheduler.get_job(key) is not None:
            self._scheduler.remove_job(key)

    def job_keys(self) -> set[str]:
        return {job.id for job in self._scheduler.get_jobs()}

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

    def start(self) -> None:
        self._scheduler.start()

    async def drain(self, grace: timedelta) -> tuple[int, int]:
        """Stop new runs, wait up to ``grace`` for runs in flight, cancel the rest.

        Returns ``(finished, cancelled)`` for the shutdown summary line.
        """
        self._accepting = False
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
