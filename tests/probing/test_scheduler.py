"""Probe scheduling: spread start times, repeated runs that never overlap, the two-phase drain.

The scheduler is driven only through its public API; what it dispatches is observed through
recording jobs. Nothing here measures wall-clock time: the tests count runs and check their
order, and every wait is bounded.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from monitor.probing.scheduler import ProbeScheduler, spread_offset
from tests.polling import eventually

GRACE = timedelta(seconds=5)


def clock() -> datetime:
    return datetime.now(UTC)


class Recorder:
    """A job that logs when each run starts and ends, and how many run at once."""

    def __init__(self, busy: float = 0.0) -> None:
        self.busy = busy
        self.log: list[str] = []
        self.running = 0
        self.peak = 0

    @property
    def finished(self) -> int:
        return self.log.count("end")

    async def __call__(self) -> None:
        self.running += 1
        self.peak = max(self.peak, self.running)
        self.log.append("start")
        try:
            if self.busy:
                await asyncio.sleep(self.busy)  # a duration: the run outlasts the interval
        finally:
            self.running -= 1
            self.log.append("end")


def test_start_times_are_spread_stably_over_the_interval() -> None:
    """Offsets lie inside the interval, differ between targets, and survive a restart."""
    interval = timedelta(seconds=10)
    offsets = [spread_offset(f"t{i}", interval) for i in range(1000)]
    assert all(timedelta(0) <= o < interval for o in offsets)
    assert len(set(offsets)) > 990
    assert spread_offset("t1", interval) == offsets[1]


async def test_a_target_is_probed_again_and_again_at_its_interval() -> None:
    """One scheduled job runs repeatedly, not once, and each dispatch is reported as lag."""
    lags: list[float] = []
    scheduler = ProbeScheduler(clock=clock, on_lag=lags.append)
    job = Recorder()
    scheduler.schedule("web", timedelta(milliseconds=50), job)
    scheduler.start()
    try:
        await eventually(lambda: job.finished >= 5, "five runs of the target's job")
    finally:
        await scheduler.drain(GRACE)
    assert len(lags) >= 5
    assert scheduler.last_tick is not None


async def test_a_slow_target_never_overlaps_itself() -> None:
    """max_instances=1: a run longer than the interval delays the next, it is never stacked."""
    scheduler = ProbeScheduler(clock=clock)
    job = Recorder(busy=0.15)
    scheduler.schedule("slow", timedelta(milliseconds=50), job)
    scheduler.start()
    try:
        await eventually(lambda: job.finished >= 3, "three runs of the slow job")
    finally:
        await scheduler.drain(GRACE)
    assert job.peak == 1
    assert job.log == ["start", "end"] * job.finished


async def test_a_housekeeping_job_runs_repeatedly() -> None:
    """add_periodic jobs (pruning, export) repeat like probes, beside them."""
    scheduler = ProbeScheduler(clock=clock)
    probe, housekeeping = Recorder(), Recorder()
    scheduler.schedule("web", timedelta(milliseconds=50), probe)
    scheduler.add_periodic("housekeeping:prune", timedelta(milliseconds=50), housekeeping)
    assert scheduler.job_keys() == {"web", "housekeeping:prune"}
    scheduler.start()
    try:
        await eventually(
            lambda: probe.finished >= 3 and housekeeping.finished >= 3, "three runs of each job"
        )
    finally:
        await scheduler.drain(GRACE)


async def test_an_unscheduled_target_is_no_longer_run() -> None:
    """After unschedule the job is gone; the other target keeps being probed."""
    scheduler = ProbeScheduler(clock=clock)
    kept, removed = Recorder(), Recorder()
    scheduler.schedule("kept", timedelta(milliseconds=50), kept)
    scheduler.schedule("removed", timedelta(milliseconds=50), removed)
    scheduler.start()
    try:
        await eventually(lambda: removed.finished >= 1, "a run of the job to remove")
        scheduler.unschedule("removed")
        scheduler.unschedule("never-scheduled")  # unknown keys are ignored
        assert scheduler.job_keys() == {"kept"}
        runs = removed.finished + removed.running
        mark = kept.finished
        await eventually(lambda: kept.finished >= mark + 3, "three more runs of the kept job")
    finally:
        await scheduler.drain(GRACE)
    assert removed.log.count("start") == runs


async def test_no_run_starts_once_the_drain_has_begun() -> None:
    """The drain pauses the scheduler first: the run count stays where it was."""
    scheduler = ProbeScheduler(clock=clock)
    job = Recorder()
    scheduler.schedule("web", timedelta(milliseconds=50), job)
    scheduler.start()
    await eventually(lambda: job.finished >= 2, "two runs before the drain")
    # A run handed over on the tick the drain began is waited for, never cancelled.
    _, cancelled = await scheduler.drain(GRACE)
    assert cancelled == 0
    assert job.running == 0
    runs = len(job.log)
    await asyncio.sleep(0.3)  # a duration: six intervals in which no run may come
    assert len(job.log) == runs


async def test_drain_waits_for_runs_in_flight_and_cancels_what_outlasts_the_grace() -> None:
    """Stop taking work, let a short run finish, cancel the stuck one, and count each."""
    scheduler = ProbeScheduler(clock=clock)
    release, started = asyncio.Event(), {"quick": asyncio.Event(), "stuck": asyncio.Event()}
    finished: list[str] = []
    cancelled: list[str] = []

    async def quick() -> None:
        started["quick"].set()
        await release.wait()
        finished.append("quick")

    async def stuck() -> None:
        started["stuck"].set()
        try:
            await asyncio.Event().wait()  # nobody sets it: only a cancel ends this run
        except asyncio.CancelledError:
            cancelled.append("stuck")
            raise

    scheduler.schedule("quick", timedelta(milliseconds=100), quick)
    scheduler.schedule("stuck", timedelta(milliseconds=100), stuck)
    scheduler.start()
    await eventually(
        lambda: all(e.is_set() for e in started.values()) and scheduler.in_flight == 2,
        "both jobs in flight",
    )
    draining = asyncio.create_task(scheduler.drain(timedelta(milliseconds=500)))
    # call_soon callbacks run in order: the drain has taken the runs in flight when the
    # quick one is released.
    asyncio.get_running_loop().call_soon(release.set)
    assert await asyncio.wait_for(draining, timeout=10) == (1, 1)
    assert finished == ["quick"]
    assert cancelled == ["stuck"]
    assert scheduler.in_flight == 0


async def test_probes_due_in_the_same_tick_start_together_on_one_dispatch() -> None:
    """Fifty targets at 1 s start their first runs in at most one dispatch per 100 ms tick."""
    scheduler = ProbeScheduler(clock=clock)
    ticks: list[datetime | None] = []

    def job_for(name: str) -> Recorder:
        recorder = Recorder()

        async def run() -> None:
            if name not in seen:
                seen.add(name)
                ticks.append(scheduler.last_tick)
            await recorder()

        scheduler.schedule(name, timedelta(seconds=1), run)
        return recorder

    seen: set[str] = set()
    jobs = [job_for(f"t{i}") for i in range(50)]
    scheduler.start()
    try:
        await eventually(lambda: all(job.finished >= 1 for job in jobs), "a run of every target")
    finally:
        await scheduler.drain(GRACE)
    # Due times lie within interval + jitter (1.05 s), so on at most 12 tick boundaries.
    assert len(ticks) == 50
    assert len(set(ticks)) <= 12


async def test_a_target_replaced_while_its_run_is_in_flight_does_not_overlap_it() -> None:
    """A reload that changes the interval waits for the run in flight before the next one."""
    scheduler = ProbeScheduler(clock=clock)
    release, started = asyncio.Event(), asyncio.Event()
    log: list[str] = []

    async def first() -> None:
        log.append("first")
        started.set()
        await release.wait()
        log.append("first done")

    async def second() -> None:
        log.append("second")

    witness = Recorder()
    scheduler.schedule("web", timedelta(milliseconds=50), first)
    scheduler.schedule("witness", timedelta(milliseconds=50), witness)
    scheduler.start()
    try:
        await asyncio.wait_for(started.wait(), timeout=10)
        scheduler.schedule("web", timedelta(milliseconds=60), second)
        mark = witness.finished
        await eventually(lambda: witness.finished >= mark + 4, "four more ticks of the witness")
        assert log == ["first"]
        release.set()
        await eventually(lambda: "second" in log, "a run of the replaced job")
    finally:
        release.set()
        await scheduler.drain(GRACE)
    assert log[:3] == ["first", "first done", "second"]
