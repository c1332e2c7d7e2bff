"""Runs one target's probe and turns the result into records, state and log lines.

The runner, not the probe, owns the cross-cutting concerns (as blackbox_exporter's handler
does): the overall timeout, the conversion of a crash inside a probe into a classified
failure, the outage and coverage state machines of the pure core, and the hand-off of records
to the store writer, which never makes the probe path wait for the database.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import aiohttp
import structlog
from structlog.typing import FilteringBoundLogger

from monitor.sla.calendar import BusinessCalendar
from monitor.sla.coverage import CoverageTracker, SessionExtended, SessionStarted
from monitor.sla.outages import OutageClosed, OutageOpened, OutageTracker
from probes.base import ProbeContext, ProbeResult
from probes.config import ProbeConfig

__all__ = [
    "ProbeFunction",
    "RecordSink",
    "ResultObserver",
    "TargetRunner",
    "TargetSpec",
    "probe_once",
    "probe_session",
]

ProbeFunction = Callable[[ProbeConfig, ProbeContext], Awaitable[ProbeResult]]


class RecordSink(Protocol):
    """Where the runner hands its records; the store writer implements it without blocking."""

    def probe_result(self, target: str, result: ProbeResult) -> None: ...

    def outage_opened(self, event: OutageOpened) -> None: ...

    def outage_closed(self, event: OutageClosed) -> None: ...

    def session_started(self, event: SessionStarted) -> None: ...

    def session_extended(self, event: SessionExtended) -> None: ...


def probe_session() -> aiohttp.ClientSession:
    """The HTTP session probes share: the daemon's one, and the ``probe`` command's.

    ``force_close``: every probe opens a fresh connection, so a dead server is noticed at
    once instead of being hidden behind a pooled keep-alive connection.
    """
    return aiohttp.ClientSession(
        connector=aiohttp.TCPConnector(force_close=True, limit=0, ttl_dns_cache=60),
        cookie_jar=aiohttp.DummyCookieJar(),
    )


async def probe_once(
    probe: ProbeFunction,
    config: ProbeConfig,
    context: ProbeContext,
    started_at: datetime,
    log: FilteringBoundLogger,
    *,
    target: str | None = None,
) -> ProbeResult:
    """One probe run under the configured timeout; a crash becomes a classified failure.

    The one place a probe is called, for the daemon's runners and for ``sla-monitor probe``,
    so a one-off probe sees exactly what the monitoring sees. ``target`` names the target in
    the crash line when ``log`` is not bound to it.
    """
    timeout = config.timeout.total_seconds()
    begin = context.monotonic()
    try:
        async with asyncio.timeout(timeout):
            return await probe(config, context)
    except TimeoutError:
        return ProbeResult(
            ok=False,
            started_at=started_at,
            duration=timedelta(seconds=context.monotonic() - begin),
            error_class="timeout",
            error_message=f"no answer within {timeout:g}s",
        )
    except Exception as error:  # a bug in a probe must not stop the monitoring
        if target is None:
            log.exception("probe_crashed")
        else:
            log.exception("probe_crashed", target=target)
        return ProbeResult(
            ok=False,
            started_at=started_at,
            duration=timedelta(seconds=context.monotonic() - begin),
            error_class="internal",
            error_message=type(error).__name__,
        )


_LOG: FilteringBoundLogger = structlog.get_logger("monitor.probing.runner")
"""A lazy proxy: it binds to the configured logging at first use."""

ResultObserver = Callable[[str, ProbeResult, OutageTracker], None]
"""Live state for metrics and the status API; called on the event loop after each run."""


@dataclass(frozen=True, slots=True)
class TargetSpec:
    """What the runner needs of a configured target."""

    name: str
    probe: ProbeConfig
    interval: timedelta
    failures_before_down: int
    schedule: BusinessCalendar | None = None  # None: 24x7


class TargetRunner:
    """One target: probe, classify, track, record. One instance per configured target."""

    def __init__(
        self,
        spec: TargetSpec,
        *,
        probe: ProbeFunction,
        context: ProbeContext,
        sink: RecordSink,
        outages: OutageTracker,
        coverage: CoverageTracker,
        observer: ResultObserver | None = None,
    ) -> None:
        self.spec = spec
        self._probe = probe
        self._context = context
        self._sink = sink
        self.outages = outages
        self.coverage = coverage
        self._observer = observer
        self._schedule_open: bool | None = None

    @property
    def _log(self) -> FilteringBoundLogger:
        """Bound anew for each line: a target logs only when its state changes (its first
        result among them), and a bound logger kept for each of 10,000 targets cost 2.6 MB."""
        return _LOG.bind(target=self.spec.name)

    def update(self, spec: TargetSpec) -> None:
        """Take a reloaded configuration; outage and coverage state carry over."""
        self.spec = spec

    async def run_once(self) -> ProbeResult | None:
        """Probe once unless the target's schedule is closed now; ``None`` when skipped."""
        now = self._context.clock()
        if not self._schedule_allows(now):
            return None
        result = await self._probe_with_timeout(now)
        self.record(result)
        return result

    def accept(self, attempted_at: datetime, result: ProbeResult | None) -> None:
        """A run a probe worker made for this target: the same schedule check and records
        as :meth:`run_once`; ``None`` when the worker found the schedule closed."""
        if self._schedule_allows(attempted_at) and result is not None:
            self.record(result)

    def _schedule_allows(self, now: datetime) -> bool:
        """Closed schedule time is not unmonitored time: the session ends at closing."""
        schedule = self.spec.schedule
        is_open = schedule is None or schedule.is_open(now)
        if is_open != self._schedule_open and self._schedule_open is not None:
            self._log.info("schedule_" + ("opened" if is_open else "closed"))
        self._schedule_open = is_open
        if not is_open:
            self.coverage.interrupt()
        return is_open

    async def _probe_with_timeout(self, started_at: datetime) -> ProbeResult:
        spec = self.spec
        return await probe_once(
            self._probe, spec.probe, self._context, started_at, _LOG, target=spec.name
        )

    def record(self, result: ProbeResult) -> None:
        """Feed the trackers and the sink; log only what changed."""
        name = self.spec.name
        self._sink.probe_result(name, result)
        session = self.coverage.observe(result.started_at)
        if isinstance(session, SessionStarted):
            self._sink.session_started(session)
        else:
            self._sink.session_extended(session)
        first = self.outages.last_ok is None
        observation = self.outages.observe(result.ok, result.started_at, result.cause)
        event = observation.event
        if isinstance(event, OutageOpened):
            self._sink.outage_opened(event)
            self._log.warning(
                "outage_opened",
                outage=event.id,
                start=event.start.isoformat(),
                cause=event.cause,
            )
        elif isinstance(event, OutageClosed):
            self._sink.outage_closed(event)
            self._log.info("outage_closed", outage=event.outage_id, end=event.end.isoformat())
        if observation.outcome_changed or first:
            self._log.info(
                "probe_" + ("succeeded" if result.ok else "failed"),
                first=first,
                error_class=result.error_class,
                error=result.error_message,
            )
        if self._observer is not None:
            self._observer(name, result, self.outages)
