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
from typing import TypeVar, cast

from monitor.config import TargetConfig
from monitor.figures.evidence import Evidence
from monitor.figures.maker import FigureMaker, LiveSession, MonthInputs
from monitor.sla.intervals import Interval, IntervalSet, as_utc
from monitor.sla.months import Month
from monitor.sla.vantage import Vantage, clip_vantage, glance_alone

__all__ = [
    "LocationSummary",
    "LocationView",
    "VantageFigures",
    "VantageSummary",
    "vantage_figures",
    "vantage_summary",
]

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

    def summary(self, shared: dict[object, object] | None = None) -> VantageSummary:
        """What the live snapshot keeps. ``shared``: equal parts already made, reused."""
        vantage = self.vantage
        locations = tuple(
            LocationSummary(
                view.location,
                view.monitoring,
                view.up,
                self.location_only(view.location),
                vantage.not_monitoring[view.location].total,
            )
            for view in self.views
        )
        return _summary(
            shared,
            VantageSummary(
                quorum=self.quorum,
                locations=locations,
                degraded=tuple(self.degraded.items()),
                degraded_total=vantage.degraded.total,
                counted_down=self.counted_down,
            ),
        )


def _summary(shared: dict[object, object] | None, summary: VantageSummary) -> VantageSummary:
    """``summary`` made of the equal parts already in ``shared``, if any."""
    known = shared if shared is not None else {}
    return _shared(
        known,
        VantageSummary(
            quorum=summary.quorum,
            locations=_shared(known, tuple(_shared(known, s) for s in summary.locations)),
            degraded=_shared(known, summary.degraded),
            degraded_total=summary.degraded_total,
            counted_down=summary.counted_down,
        ),
    )


_T = TypeVar("_T")


def _shared(known: dict[object, object], value: _T) -> _T:
    return cast(_T, known.setdefault(value, value))


@dataclass(frozen=True, slots=True)
class LocationSummary:
    """One location's part of a :class:`VantageSummary`."""

    location: str
    monitoring: bool
    up: bool | None
    location_only: timedelta
    """Time it alone saw the target down: never downtime."""
    not_monitoring: timedelta


@dataclass(frozen=True, slots=True)
class VantageSummary:
    """The numbers of :class:`VantageFigures` that metrics and the status API show, without
    the interval sets they were measured from: the live snapshot keeps two per target, and
    at 10,000 targets the full figures were tens of megabytes. Equal parts are shared
    (:meth:`VantageFigures.summary`), so the targets that look alike cost one copy."""

    quorum: int
    locations: tuple[LocationSummary, ...]
    degraded: tuple[tuple[str, timedelta], ...]
    """Degraded-vantage time inside each SLA window."""
    degraded_total: timedelta
    counted_down: bool


def vantage_summary(
    maker: FigureMaker,
    target: TargetConfig,
    month: Month,
    evidence: Evidence,
    now: datetime,
    live: LiveSession | None = None,
    judged: MonthInputs | None = None,
    shared: dict[object, object] | None = None,
) -> VantageSummary:
    """``vantage_figures(...).summary(shared)``, the live snapshot's part of it. A target with
    one location is glanced at (:func:`glance_alone`) instead of judged: its counted outages
    are not listed, so a rebuild does not pay for the month's history. A property test holds
    both equal."""
    locations = maker.locations_of(target)
    if len(locations) > 1:
        return vantage_figures(maker, target, month, evidence, now, live, judged).summary(shared)
    span = _elapsed(maker, month, now)
    (alone,) = maker.located(target, evidence, span, now, live)
    glance = glance_alone(alone, maker.config.quorum(target, maker.location), span, now)
    monitoring = span.end > span.start and glance.monitored.contains(span.end - _INSTANT)
    view = LocationSummary(
        alone.location,
        monitoring,
        not glance.down_at_end if monitoring else None,
        timedelta(0),
        (IntervalSet((span,)) - glance.monitored).total,
    )
    return _summary(
        shared,
        VantageSummary(
            quorum=glance.quorum,
            locations=(view,),
            degraded=tuple(
                (sla.window, (glance.degraded & maker.window(sla.window, month)).total)
                for sla in target.slas
            ),
            degraded_total=glance.degraded.total,
            counted_down=glance.down_at_end,
        ),
    )


def _elapsed(maker: FigureMaker, month: Month, now: datetime) -> Interval:
    """The elapsed part of ``month`` at ``now``."""
    period = maker.period(month)
    return Interval(period.start, max(period.start, min(period.end, as_utc(now))))


def vantage_figures(
    maker: FigureMaker,
    target: TargetConfig,
    month: Month,
    evidence: Evidence,
    now: datetime,
    live: LiveSession | None = None,
    judged: MonthInputs | None = None,
) -> VantageFigures:
    """The vantage of ``target`` in ``month`` as of ``now`` (the elapsed part of the month).

    ``judged``: inputs made from the same evidence, ``now`` and ``live``; when their quorum
    judgement spans the elapsed month, it is read from there (:func:`clip_vantage`) instead
    of judging the month again."""
    now = as_utc(now)
    span = _elapsed(maker, month, now)
    found = judged.judgement if judged is not None else None
    if found is not None and found.vantage.span.holds(span):
        vantage = clip_vantage(found.vantage, found.located, span, now)
    else:
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
