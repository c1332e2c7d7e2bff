"""The runner: timeouts, crashes inside probes, schedules, and what it hands to the store."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from monitor.probing.runner import TargetRunner, TargetSpec
from monitor.sla.calendar import BusinessCalendar
from monitor.sla.coverage import CoverageTracker, SessionExtended, SessionStarted
from monitor.sla.outages import OutageClosed, OutageOpened, OutageTracker
from probes.base import ProbeContext, ProbeResult
from probes.config import HttpProbeConfig, ProbeConfig

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@dataclass
class MemorySink:
    """Keeps what the runner hands over, in order."""

    records: list[object] = field(default_factory=list)

    def probe_result(self, target: str, result: ProbeResult) -> None:
        self.records.append((target, result.ok, result.error_class))

    def outage_opened(self, event: OutageOpened) -> None:
        self.records.append(event)

    def outage_closed(self, event: OutageClosed) -> None:
        self.records.append(event)

    def session_started(self, event: SessionStarted) -> None:
        self.records.append(event)

    def session_extended(self, event: SessionExtended) -> None:
        self.records.append(event)


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def make_runner(
    http: aiohttp.ClientSession,
    outcomes: list[bool | str],
    clock: Clock,
    *,
    schedule: BusinessCalendar | None = None,
    timeout: float = 0.2,
) -> tuple[TargetRunner, MemorySink]:
    """A runner whose probe answers from ``outcomes``: True, False, 'hang' or 'crash'."""
    ids = count(1)
    sink = MemorySink()
    script = iter(outcomes)

    async def probe(config: ProbeConfig, context: ProbeContext) -> ProbeResult:
        outcome = next(script)
        if outcome == "hang":
            await asyncio.sleep(60)  # a hang, not synchronisation: the timeout must end it
        if outcome == "crash":
            raise ZeroDivisionError("a bug in a probe")
        ok = outcome is True
        return ProbeResult(
            ok=ok,
            started_at=context.clock(),
            duration=timedelta(milliseconds=5),
            error_class=None if ok else "status",
            error_message=None if ok else "HTTP 503",
        )

    spec = TargetSpec(
        name="web",
        probe=HttpProbeConfig(url="http://127.0.0.1:9/", timeout=timeout),
        interval=timedelta(seconds=30),
        failures_before_down=2,
        schedule=schedule,
    )
    runner = TargetRunner(
        spec,
        probe=probe,
        context=ProbeContext(http=http, clock=clock, monotonic=lambda: 0.0),
        sink=sink,
        outages=OutageTracker("web", 2, lambda: f"o{next(ids)}"),
        coverage=CoverageTracker("web", timedelta(seconds=70), lambda: f"s{next(ids)}"),
    )
    return runner, sink


async def test_a_probe_that_hangs_becomes_a_timeout_failure(http: aiohttp.ClientSession) -> None:
    """The runner, not the probe, owns the timeout, and classifies it."""
    clock = Clock(datetime(2026, 6, 10, 12, tzinfo=UTC))
    runner, sink = make_runner(http, ["hang"], clock)
    result = await runner.run_once()
    assert result is not None
    assert not result.ok
    assert result.error_class == "timeout"
    assert sink.records[0] == ("web", False, "timeout")


async def test_a_crashing_probe_is_a_classified_failure_not_a_dead_target(
    http: aiohttp.ClientSession,
) -> None:
    """A bug inside a probe shows up as an 'internal' failure; monitoring goes on."""
    clock = Clock(datetime(2026, 6, 10, 12, tzinfo=UTC))
    runner, _ = make_runner(http, ["crash", True], clock)
    first = await runner.run_once()
    assert first is not None
    assert first.error_class == "internal"
    second = await runner.run_once()
    assert second is not None
    assert second.ok


async def test_the_runner_hands_sessions_and_outage_events_to_the_sink_in_order(
    http: aiohttp.ClientSession,
) -> None:
    """Up, down, down, up: one session, one outage opened at the first failure, closed later."""
    clock = Clock(datetime(2026, 6, 10, 12, tzinfo=UTC))
    runner, sink = make_runner(http, [True, False, False, True], clock)
    for _ in range(4):
        await runner.run_once()
        clock.now += timedelta(seconds=30)
    events = [r for r in sink.records if not isinstance(r, tuple | SessionExtended)]
    first_failure = datetime(2026, 6, 10, 12, 0, 30, tzinfo=UTC)
    assert events == [
        SessionStarted("web", "s1", datetime(2026, 6, 10, 12, tzinfo=UTC)),
        OutageOpened("web", "o2", first_failure, "status: HTTP 503"),
        OutageClosed("web", "o2", datetime(2026, 6, 10, 12, 1, 30, tzinfo=UTC)),
    ]


async def test_a_target_with_a_business_hours_schedule_is_not_probed_at_night(
    http: aiohttp.ClientSession,
) -> None:
    """Closed schedule time: no probe, and the session ends so closed time is no gap."""
    clock = Clock(datetime(2026, 6, 10, 17, 59, tzinfo=AMSTERDAM))
    runner, sink = make_runner(http, [True, True], clock, schedule=BusinessCalendar())
    assert await runner.run_once() is not None
    clock.now = datetime(2026, 6, 10, 22, 0, tzinfo=AMSTERDAM)
    assert await runner.run_once() is None
    assert runner.coverage.span is None
    clock.now = datetime(2026, 6, 11, 8, 0, tzinfo=AMSTERDAM)
    assert await runner.run_once() is not None
    sessions = [r for r in sink.records if isinstance(r, SessionStarted)]
    assert len(sessions) == 2  # the night is not covered, and not counted as a gap either
