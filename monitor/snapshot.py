"""The immutable SLA snapshot that metrics and the status API read, and how it is built.

DESIGN §4: scheduler -> probe -> runner -> store -> recompute -> pure core -> snapshot ->
collector. The snapshot is rebuilt by a background job and swapped in whole; a scrape reads
whichever snapshot is current and never touches the database.

The burn-rate counters ``sla_window_seconds_total`` and ``sla_unavailable_seconds_total`` must
only grow and must survive restarts. They are therefore *derived*, not accumulated in memory:
the sum, over every month since the first evidence in the store, of the window time outside
maintenance and of the penalised time. Closed months are summed once into a ledger; the
running month is added at every rebuild. Rebuilt from the store after a restart, the counters
continue where they were, so ``rate()`` sees no reset.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from monitor.evidence import Evidence
from monitor.figures import FigureMaker, LiveSession, counted_window
from monitor.servicedesk.figures import DeskFigures
from monitor.sla.availability import AvailabilityFigure
from monitor.sla.calendar import BusinessCalendar
from monitor.sla.intervals import Interval, IntervalSet
from monitor.sla.months import Month

__all__ = [
    "CounterLedger",
    "RequestTotals",
    "SlaSnapshot",
    "TargetSnapshot",
    "WindowSnapshot",
    "build_snapshot",
    "ledger_from_history",
]

Key = tuple[str, str]  # (target, window)


@dataclass(frozen=True, slots=True)
class WindowSnapshot:
    target: str
    window: str
    objective: float
    current: AvailabilityFigure
    previous: AvailabilityFigure
    window_seconds_total: float
    unavailable_seconds_total: float


@dataclass(frozen=True, slots=True)
class TargetSnapshot:
    name: str
    maintenance: IntervalSet  # agreed maintenance of this and next month, for live gauges
    windows: tuple[WindowSnapshot, ...]


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


@dataclass(frozen=True, slots=True)
class CounterLedger:
    """Counter totals of all *closed* months up to ``until`` (exclusive), per (target, window)."""

    until: Month
    window: Mapping[Key, timedelta] = field(default_factory=dict)
    unavailable: Mapping[Key, timedelta] = field(default_factory=dict)


def ledger_from_history(
    maker: FigureMaker, evidence: Evidence, first: Month, until: Month, now: datetime
) -> CounterLedger:
    """Sum the closed months ``first`` .. ``until - 1`` from stored evidence."""
    config = maker.config
    window: dict[Key, timedelta] = {}
    unavailable: dict[Key, timedelta] = {}
    month = first
    while month < until:
        for target in config.targets:
            for item in maker.month_figures(target, month, evidence, now):
                key = (item.target, item.window)
                window[key] = window.get(key, timedelta(0)) + counted_window(item.figure)
                unavailable[key] = unavailable.get(key, timedelta(0)) + item.figure.penalised
        month = month.next()
    return CounterLedger(until, MappingProxyType(window), MappingProxyType(unavailable))


def build_snapshot(
    maker: FigureMaker,
    evidence: Evidence,
    now: datetime,
    *,
    ledger: CounterLedger,
    live: Mapping[str, LiveSession] | None = None,
    previous: Mapping[Key, AvailabilityFigure] | None = None,
) -> SlaSnapshot:
    """Figures for the running and the previous month of every configured target and window.

    ``evidence`` must cover the previous month's start up to now. ``previous`` may carry
    already computed previous-month figures (they change rarely); missing ones are computed.
    """
    config = maker.config
    zone = config.zone
    month = Month.containing(now, zone)
    before = month.previous()
    if ledger.until != month:
        raise ValueError(f"ledger sums months up to {ledger.until}, snapshot is for {month}")
    ahead = Interval(month.interval(zone).start, month.next().interval(zone).end)
    targets = []
    for target in config.targets:
        session = (live or {}).get(target.name)
        current = maker.month_figures(target, month, evidence, now, live=session)
        cached = previous or {}
        missing = any((target.name, s.window) not in cached for s in target.slas)
        earlier = (
            {f.window: f.figure for f in maker.month_figures(target, before, evidence, now)}
            if missing
            else {}
        )
        windows = []
        for item in current:
            key = (item.target, item.window)
            prior = cached.get(key) or earlier[item.window]
            windows.append(
                WindowSnapshot(
                    target=item.target,
                    window=item.window,
                    objective=item.sla.objective,
                    current=item.figure,
                    previous=prior,
                    window_seconds_total=(
                        ledger.window.get(key, timedelta(0)) + counted_window(item.figure)
                    ).total_seconds(),
                    unavailable_seconds_total=(
                        ledger.unavailable.get(key, timedelta(0)) + item.figure.penalised
                    ).total_seconds(),
                )
            )
        targets.append(
            TargetSnapshot(
                name=target.name,
                maintenance=maker.maintenance(target.name, evidence, ahead),
                windows=tuple(windows),
            )
        )
    windows_used = {s.window for t in config.targets for s in t.slas}
    calendars = {name: config.window_calendar(name) for name in sorted(windows_used)}
    return SlaSnapshot(
        computed_at=now,
        month=month,
        targets=tuple(targets),
        calendars=MappingProxyType(calendars),
    )
