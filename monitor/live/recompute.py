"""The job that rebuilds the SLA snapshot: on a short interval and right after a state change.

It reads the evidence of the previous and the running month from the store (whole once an
hour, otherwise only what changed since the previous run: :mod:`monitor.figures.reading`),
lays the not-yet-written outage events over it, and runs the pure core. The burn-rate
counters live here, in memory: each run advances them by the live time since the previous
one and nothing else moves them (:mod:`monitor.sla.burn`); a restart starts them at zero,
which Prometheus reads as a counter reset. Previous-month figures (the locations' too) and
the request totals of older months are cached, and refreshed when the month rolls over, the
configuration changes, stored history changes, and once an hour. The running month's figures
are measured from the previous run on (:mod:`monitor.figures.settled`), to the same figures
as from scratch.

If the store cannot be read, the last snapshot stays in place (a scrape keeps working) and the
failure is counted; the next run tries again.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType

import structlog

from monitor.config import Config
from monitor.figures.maker import FigureMaker, LiveSession
from monitor.figures.reading import EvidenceReader
from monitor.figures.settled import SettledFigures
from monitor.figures.vantage import VantageSummary
from monitor.live.exposition import SlaExposition, render_exposition
from monitor.live.overlay import LiveOverlay
from monitor.live.reporting import reporting_status
from monitor.live.slices import Slicer
from monitor.live.snapshot import RequestTotals, SlaSnapshot, snapshot_steps
from monitor.servicedesk.figures import DeskFigures, desk_figures, figures_since
from monitor.sla.availability import AvailabilityFigure
from monitor.sla.burn import BurnCounter
from monitor.sla.intervals import Interval
from monitor.sla.months import Month
from monitor.sla.response import Outcome
from monitor.store import Store
from monitor.store.records import RequestRecord

__all__ = ["SlaRecomputer"]

_TICK = timedelta(microseconds=1)


class SlaRecomputer:
    def __init__(
        self,
        *,
        store: Store,
        overlay: LiveOverlay,
        config: Callable[[], Config],
        live: Callable[[], Mapping[str, LiveSession]],
        clock: Callable[[], datetime],
        on_error: Callable[[], None],
        interval: timedelta = timedelta(seconds=15),
        history_every: timedelta = timedelta(hours=1),
        debounce: timedelta = timedelta(milliseconds=250),
        wake: asyncio.Event | None = None,
        slicer: Slicer | None = None,
    ) -> None:
        """``wake``: set by whoever sees a state change (the probe runners' observer), so the
        changes can be reported by objects built before this one; :meth:`request` sets it too.
        ``slicer``: how the CPU-bound builds share the event loop (:mod:`monitor.live.slices`).
        """
        self._store = store
        self._reader = EvidenceReader(store)
        self._overlay = overlay
        self._config = config
        self._live = live
        self._clock = clock
        self._on_error = on_error
        self._interval = interval
        self._history_every = history_every
        self._debounce = debounce
        self._wake = wake if wake is not None else asyncio.Event()
        self._lock = asyncio.Lock()
        self._slicer = slicer if slicer is not None else Slicer()
        self._settled: SettledFigures | None = None
        self._counters: dict[tuple[str, str], BurnCounter] = {}
        self._history_month: Month | None = None
        self._history_at: datetime | None = None
        self._previous: dict[tuple[str, str], AvailabilityFigure] = {}
        self._previous_vantage: dict[str, VantageSummary] = {}
        self._desk_before: dict[str, RequestTotals] = {}
        self._failing = False
        self._log = structlog.get_logger("monitor.live.recompute")
        self.snapshot: SlaSnapshot | None = None
        self.exposition: SlaExposition | None = None

    def request(self) -> None:
        """Ask for a rebuild soon (after a state change); cheap, callable from anywhere."""
        self._wake.set()

    def invalidate_history(self) -> None:
        """Stored history changed (maintenance registered, outages imported): recompute the
        cached figures, and read the evidence whole. The burn-rate counters stay as they are:
        history never moves them."""
        self._history_at = None
        self._reader.invalidate()
        self._wake.set()

    def _figures_for(self, config: Config) -> SettledFigures:
        """A new configuration (a reload: targets, calendars, holidays, maintenance) starts
        from scratch: new month windows and no settled lengths."""
        if self._settled is None or self._settled.maker.config is not config:
            self._settled = SettledFigures(FigureMaker(config, self._store.location))
            self._history_at = None
        return self._settled

    async def _refresh_history(self, maker: FigureMaker, month: Month, now: datetime) -> None:
        older = await self._store.requests(until=figures_since(maker.config, now))
        self._desk_before = await asyncio.to_thread(request_totals, maker.config, older, now)
        self._previous = {}
        self._previous_vantage = {}
        self._history_month = month
        self._history_at = now

    def _evidence_start(self, maker: FigureMaker, month: Month) -> datetime:
        """Where the evidence to read begins: the previous month while its figures are to be
        made or a target has several locations, else the running month, or the earliest
        counter frontier before it (a step across the month boundary is measured with its
        evidence, as always)."""
        earliest = maker.period(month.previous()).start
        # Several locations: a counted outage keeps the instant the quorum first held, which
        # may lie in the previous month, so the quorum is judged from its start
        # (FigureMaker._judged, docs/rules.md#quorum).
        several = any(len(maker.locations_of(t)) > 1 for t in maker.config.targets)
        if not self._previous or several:
            return earliest
        start = min(
            (c.frontier for c in self._counters.values()), default=maker.period(month).start
        )
        return max(earliest, min(start, maker.period(month).start))

    async def recompute(self) -> SlaSnapshot:
        async with self._lock:
            now = self._clock()
            settled = self._figures_for(self._config())
            maker = settled.maker
            month = Month.containing(now, maker.config.zone)
            stale = self._history_at is None or now - self._history_at >= self._history_every
            if self._history_month != month or stale:
                await self._refresh_history(maker, month, now)
            span = Interval(self._evidence_start(maker, month), now + _TICK)
            evidence = self._overlay.apply(await self._reader.read(span, now))
            recent = await self._store.requests(since=figures_since(maker.config, now))
            # CPU-bound and pure: on the event loop in slices, so probes keep their schedule.
            snapshot = await self._slicer.run(
                snapshot_steps(
                    maker,
                    evidence,
                    now,
                    counters=self._counters,
                    live=self._live(),
                    previous=self._previous,
                    settled=settled,
                    previous_vantage=self._previous_vantage,
                )
            )
            desk = await asyncio.to_thread(desk_figures, maker.config, recent, now)
            snapshot = dataclasses.replace(
                snapshot,
                desk=desk,
                desk_totals=MappingProxyType(_add_totals(self._desk_before, desk)),
            )
            snapshot = dataclasses.replace(
                snapshot,
                reporting=reporting_status(
                    maker.config,
                    snapshot,
                    await self._store.report_deliveries(),
                    await self._store.miss_analyses(str(month.previous())),
                    now,
                ),
            )
            if not self._previous:
                self._previous = {
                    (w.target, w.window): w.previous for t in snapshot.targets for w in t.windows
                }
                self._previous_vantage = {
                    t.name: t.vantage[1] for t in snapshot.targets if t.vantage is not None
                }
            self._counters = {
                (w.target, w.window): w.counter for t in snapshot.targets for w in t.windows
            }
            # Rendered here, once per snapshot, so a scrape only copies bytes.
            self.exposition = await render_exposition(snapshot, self._slicer)
            self.snapshot = snapshot
            return snapshot

    async def run(self, stop: asyncio.Event) -> None:
        """Rebuild until ``stop`` is set; a failed rebuild keeps the last snapshot."""
        while not stop.is_set():
            try:
                await self.recompute()
                if self._failing:
                    self._log.info("recompute_recovered")
                self._failing = False
            except Exception as error:  # a job: the last snapshot stays, the next run retries
                self._on_error()
                if not self._failing:
                    self._log.warning("recompute_failed", error=type(error).__name__)
                self._failing = True
            self._wake.clear()
            waiter = asyncio.ensure_future(self._wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            try:
                await asyncio.wait(
                    {waiter, stopper},
                    timeout=self._interval.total_seconds(),
                    return_when=asyncio.FIRST_COMPLETED,
                )
            finally:
                waiter.cancel()
                stopper.cancel()
            # Let a burst of state changes settle into one rebuild.
            await asyncio.sleep(self._debounce.total_seconds())


def request_totals(
    config: Config, requests: Iterable[RequestRecord], now: datetime
) -> dict[str, RequestTotals]:
    """Received, met and breached per configured category (3.2.9, 3.2.13, 3.2.14, 3.2.39)."""
    judge = config.request_judge()
    totals: dict[str, RequestTotals] = {}
    for record in requests:
        verdict = judge.judge(record, now)
        if verdict is None:
            continue
        outcome = verdict.outcome
        totals[record.category] = totals.get(record.category, RequestTotals()) + RequestTotals(
            1, int(outcome is Outcome.MET), int(outcome is Outcome.BREACHED)
        )
    return totals


def _add_totals(before: Mapping[str, RequestTotals], desk: DeskFigures) -> dict[str, RequestTotals]:
    totals = dict(before)
    for figures in desk.categories:
        recent = RequestTotals()
        for month in (figures.previous_month, figures.current_month):
            recent = recent + RequestTotals(month.received, month.met, month.breached)
        totals[figures.category] = totals.get(figures.category, RequestTotals()) + recent
    return totals
