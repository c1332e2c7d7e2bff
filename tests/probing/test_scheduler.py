"""Probe scheduling: spread start times, no overlapping runs, and the two-phase drain."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime, timedelta
from typing import Any

from monitor.probing.scheduler import ProbeScheduler, spread_offset


def clock() -> datetime:
    return datetime.now(UTC)


def test_start_times_are_spread_stably_over_the_interval() -> None:
    """Offsets lie inside the interval, differ between targets, and survive a restart."""
    interval = timedelta(seconds=10)
    offsets = [spread_offset(f"t{i}", interval) for i in range(1000)]
    assert all(timedelta(0) <= o < interval for o in offsets)
    assert len(set(offsets)) > 990
    assert spread_offset("t1", interval) == offsets[1]


async def test_a_slow_target_never_overlaps_itself() -> None:
    """max_instances=1: while a run is in flight the next one is skipped, not stacked."""
    scheduler = ProbeScheduler(clock=clock)
    running = 0
    peak = 0

    async def slow() -> None:
        nonlocal running, peak
        running += 1
        peak = max(peak, running)
        await asyncio.sleep(0.35)
        running -= 1

    scheduler.schedule("slow", timedelta(milliseconds=100), slow)
    scheduler.start()
    await asyncio.sleep(1.2)
    await scheduler.drain(timedelta(seconds=1))
    assert peak == 1


async def test_drain_waits_for_runs_in_flight_and_cancels_what_outlasts_the_grace() -> None:
    """Stop taking work, let short runs finish, cancel the rest, and say how many of each."""
    scheduler = ProbeScheduler(clock=clock)
    finished: list[str] = []
    started = asyncio.Event()

    def job(name: str, seconds: float) -> Callable[[], Coroutine[Any, Any, None]]:
        async def run() -> None:
            started.set()
            await asyncio.sleep(seconds)
            finished.append(name)

        return run

    # Run both once now, through the same tracking the interval jobs use.
    tasks = [
        asyncio.ensure_future(scheduler._tracked(job("quick", 0.2))),
        asyncio.ensure_future(scheduler._tracked(job("stuck", 30))),
    ]
    scheduler.start()
    await started.wait()
    done, cancelled = await scheduler.drain(timedelta(seconds=1))
    assert (done, cancelled) == (1, 1)
    assert finished == ["quick"]
    assert tasks[1].cancelled()
    assert scheduler.in_flight == 0
