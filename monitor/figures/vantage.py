"""What the locations of one target saw, as figures for metrics, the status API and the
report (docs/rules.md#quorum): which location is monitoring and sees the target up now, the
degraded-vantage time per SLA window, the location-only failures per location.

Derived from the stored evidence of every location, like every other figure, so each
instance shows the same values.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.config import TargetConfig
from monitor.figures.evidence import Evidence
from monitor.figures.maker import FigureMaker, LiveSession
from monitor.sla.intervals import Interval, as_utc
from monitor.sla.months import Month
from monitor.sla.vantage import Vantage

__all__ = ["LocationView", "VantageFigures", "vantage_figures"]

_INSTANT = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class LocationView:
    """One location's view of a target now: monitoring it, and if so whether it is up."""

    location: str
    monitoring: bool
    up: bool | None


@dataclass(frozen=True, slots=True)
class VantageFigures:
    """The quorum's bookkeeping of one target over one month up to now."""

    target: str
    quorum: int
    vantage: Vantage
    views: tuple[LocationView, ...]
    degraded: Mapping[str, timedelta]
    """Degraded-vantage time inside each SLA window."""
    counted_down: bool = False
    """Whether the quorum counts the target down now."""

    def location_only(self, location: str) -> timedelta:
        found = self.vantage.location_only.get(location)
        return timedelta(0) if found is None else found.total


def vantage_figures(
    maker: FigureMaker,
    target: TargetConfig,
    month: Month,
    evidence: Evidence,
    now: datetime,
    live: LiveSession | None = None,
) -> VantageFigures:
    """The vantage of ``target`` in ``month`` as of ``now`` (the elapsed part of the month)."""
    now = as_utc(now)
    period = maker.period(month)
    span = Interval(period.start, max(period.start, min(period.end, now)))
    vantage = maker.vantage(target, evidence, span, now, live)
    at = span.end - _INSTANT
    views = []
    for location in maker.locations_of(target):
        monitoring = span.end > span.start and not vantage.not_monitoring[location].contains(at)
        up = not vantage.seen_down[location].contains(at) if monitoring else None
        views.append(LocationView(location, monitoring, up))
    degraded = {
        sla.window: (vantage.degraded & maker.window(sla.window, month)).total
        for sla in target.slas
    }
    down_now = span.end > span.start and vantage.counted_down.contains(at)
    return VantageFigures(
        target.name, vantage.quorum, vantage, tuple(views), degraded, counted_down=down_now
    )
