"""The immutable SLA snapshot that metrics and the status API read, and how it is built.

scheduler -> probe -> runner -> store -> recompute -> pure core -> snapshot -> collector. The
snapshot is rebuilt by a background job and swapped in whole; a scrape reads whichever
snapshot is current and never touches the database.

The monthly gauges are recomputed from the evidence at every build, so history (imports,
maintenance registered after the fact, reloads) reaches them. The burn-rate counters
``sla_window_seconds_total`` and ``sla_unavailable_seconds_total`` are not: each build adds
only the live time since the previous one (:mod:`monitor.sla.burn`), so they only grow, by
at most the time that passed, and history never moves them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from monitor.config import TargetConfig
from monitor.figures.evidence import Evidence
from monitor.figures.maker import FigureMaker, LiveSession, MonthInputs, SlaFigure, counted_window
from monitor.figures.settled import SettledFigures
from monitor.figures.vantage import VantageSummary, vantage_figures, vantage_summary
from monitor.live.reporting import ReportingStatus
from monitor.live.slices import Steps, drained
from monitor.servicedesk.figures import DeskFigures
from monitor.sla.availability import AvailabilityFigure
from monitor.sla.burn import BurnCounter, settle_time
from monitor.sla.calendar import BusinessCalendar
from monitor.sla.intervals import Interval, IntervalSet
from monitor.sla.months import Month
from monitor.sla.norms import Band, bands_in_force

__all__ = [
    "RequestTotals",
    "SlaSnapshot",
    "TargetSnapshot",
    "WindowSnapshot",
    "build_snapshot",
    "snapshot_steps",
]

Key = tuple[str, str]  # (target, window)


@dataclass(frozen=True, slots=True)
class WindowSnapshot:
    target: str
    window: str
    objective: float
    current: AvailabilityFigure
    previous: AvailabilityFigure
    counter: BurnCounter
    bands: tuple[Band | None, Band | None] = (None, None)
    """The bonus/malus bands in force in the current and the previous month (B3.7)."""

    @property
    def window_seconds_total(self) -> float:
        return self.counter.window.total_seconds()

    @property
    def unavailable_seconds_total(self) -> float:
        return self.counter.unavailable.total_seconds()


@dataclass(frozen=True, slots=True)
class TargetSnapshot:
    name: str
    maintenance: IntervalSet  # agreed maintenance of this and next month, for live gauges
    windows: tuple[WindowSnapshot, ...]
    vantage: tuple[VantageSummary, VantageSummary] | None = None
    """What the locations saw in the running and the previous month."""


@dataclass(frozen=True, slots=True)
class RequestTotals:
    """All requests of a category ever received, met and breached: a counter, because an
    outcome once decided never changes (a late answer cannot make a breach met)."""

    received: int = 0
    met: int = 0
    breached: int = 0

    def __add__(self, other: RequestTotals) -> RequestTotals:
        return RequestTotals(
            self.received + other.received, self.met + other.met, self.breached + other.breached
        )


@dataclass(frozen=True, slots=True)
class SlaSnapshot:
    computed_at: datetime
    month: Month
    targets: tuple[TargetSnapshot, ...]
    calendars: Mapping[str, BusinessCalendar | None] = field(
        default_factory=lambda: MappingProxyType({})
    )
    desk: DeskFigures | None = None
    desk_totals: Mapping[str, RequestTotals] = field(default_factory=lambda: MappingProxyType({}))
    reporting: ReportingStatus | None = None
    """Report deadlines, deliveries and analyses (3.2.5, 3.2.6, 3.2.38)."""


def snapshot_steps(
    maker: FigureMaker,
    evidence: Evidence,
    now: datetime,
    *,
    counters: Mapping[Key, BurnCounter] | None = None,
    live: Mapping[str, LiveSession] | None = None,
    previous: Mapping[Key, AvailabilityFigure] | None = None,
    settled: SettledFigures | None = None,
    previous_vantage: Mapping[str, VantageSummary] | None = None,
) -> Steps[SlaSnapshot]:
    """Figures for the running and the previous month of every configured target and window.

    ``evidence`` must cover the previous month's start up to now; when ``previous`` holds
    every previous-month figure, the running month's start (or the earliest counter frontier
    before it) is enough. ``counters`` are the
    burn-rate counters of the previous build (missing ones start at zero); the snapshot
    carries them advanced to ``now``. ``previous`` may carry already computed previous-month
    figures (they change rarely); missing ones are computed. ``settled`` (of the same
    maker) computes the running month from where its last build left off, to the same
    figures. ``previous_vantage`` may carry the locations' previous-month figures by target,
    made like ``previous`` from evidence that covered that month; missing ones are made.
    Yields after each target (:mod:`monitor.live.slices`).
    """
    config = maker.config
    zone = config.zone
    month = Month.containing(now, zone)
    before = month.previous()
    ahead = Interval(month.interval(zone).start, month.next().interval(zone).end)
    month_figures = maker.month_figures if settled is None else settled.month_figures
    shared: dict[object, object] = {}
    targets = []
    for target in config.targets:
        session = (live or {}).get(target.name)
        given = maker.month_inputs(target, month, evidence, now, session)
        current = month_figures(target, month, evidence, now, live=session, given=given)
        cached = previous or {}
        missing = any((target.name, s.window) not in cached for s in target.slas)
        earlier = (
            {f.window: f.figure for f in maker.month_figures(target, before, evidence, now)}
            if missing
            else {}
        )
        settle = settle_time(target.interval, target.failures_before_down, target.probe.timeout)
        advanced = _advance_counters(
            maker, target, evidence, now, settle, counters or {}, session, given
        )
        windows = []
        for item in current:
            key = (item.target, item.window)
            prior = cached.get(key) or earlier[item.window]
            windows.append(
                WindowSnapshot(
                    target=item.target,
                    window=item.window,
                    objective=item.figure.objective,
                    current=item.figure,
                    previous=prior,
                    counter=advanced[item.window],
                    bands=bands_in_force(item.sla.band, month),
                )
            )
        targets.append(
            TargetSnapshot(
                name=target.name,
                maintenance=maker.maintenance(target.name, evidence, ahead),
                windows=tuple(windows),
                vantage=(
                    vantage_summary(maker, target, month, evidence, now, session, given, shared),
                    (previous_vantage or {}).get(target.name)
                    or vantage_figures(maker, target, before, evidence, now).summary(shared),
                ),
            )
        )
        yield
    windows_used = {s.window for t in config.targets for s in t.slas}
    calendars = {name: config.window_calendar(name) for name in sorted(windows_used)}
    return SlaSnapshot(
        computed_at=now,
        month=month,
        targets=tuple(targets),
        calendars=MappingProxyType(calendars),
    )


build_snapshot = drained(snapshot_steps)
"""The snapshot at once, for callers off the event loop (tests, tools)."""


def _advance_counters(
    maker: FigureMaker,
    target: TargetConfig,
    evidence: Evidence,
    now: datetime,
    settle: timedelta,
    counters: Mapping[Key, BurnCounter],
    live: LiveSession | None,
    month: MonthInputs,
) -> dict[str, BurnCounter]:
    """Each SLA window's counters advanced by the live span due now, measured once with the
    same rules as the monthly figure. A span older than the loaded evidence (the job stalled
    for over a month) is counted only where evidence was loaded. ``month``: the running
    month's inputs, whose quorum judgement the step reuses."""
    due: dict[str, tuple[BurnCounter, Interval | None]] = {}
    for sla in target.slas:
        counter = counters.get((target.name, sla.window)) or BurnCounter.start(now, settle)
        due[sla.window] = (counter, counter.due(now, settle))
    measured: dict[Interval, dict[str, SlaFigure]] = {}
    for span in {span for _, span in due.values() if span is not None}:
        inside = span.intersection(evidence.span)
        if inside is not None:
            figures = maker.span_figures(target, inside, evidence, now, live=live, judged=month)
            measured[span] = {f.window: f for f in figures}
    advanced = {}
    for window, (counter, step) in due.items():
        item = measured.get(step, {}).get(window) if step is not None else None
        if item is None:
            advanced[window] = counter.advance(now, step)
        else:
            advanced[window] = counter.advance(
                now, step, counted_window(item.figure), item.figure.penalised
            )
    return advanced
