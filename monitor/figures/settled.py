"""The running month's figures, measured from where the last rebuild left off.

Every availability rule decides instant by instant, so the lengths a figure is made of add up
over consecutive parts of the month (:class:`~monitor.sla.availability.AvailabilityParts`).
The live figures keep, per target, the lengths of the month up to the previous rebuild and
measure only the seconds since, so a rebuild costs what the last seconds hold, not the
month's history. What lies ahead in the month (window time, agreed maintenance) is summed
once per month and maintenance change.

The kept lengths are used only while everything they were made from is unchanged: the
target's outages that began before the previous rebuild (with their corrections and ends),
its monitored time before it, and its agreed maintenance of the month. Anything else — an
outage found late, a correction, an import, a maintenance window registered, approved or
deleted, a late session write — makes the month be measured again from its start; a reload
brings a new :class:`~monitor.figures.maker.FigureMaker` (calendars, holidays, schedules)
and with it an empty memory. So a figure is always, to the microsecond, the one
:meth:`FigureMaker.month_figures` computes from scratch (docs/rules.md#availability, 3.2.10),
but for the outage listing, which the live figures leave to the report and the API.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from monitor.config import TargetConfig
from monitor.figures.evidence import Evidence
from monitor.figures.maker import FigureMaker, LiveSession, MonthInputs, SlaFigure
from monitor.sla.availability import (
    AvailabilityParts,
    Outage,
    availability_figure,
    availability_parts,
    check_bounds,
)
from monitor.sla.intervals import Interval, IntervalSet, as_utc
from monitor.sla.months import Month
from monitor.sla.registered import ForwardMaintenance

__all__ = ["SettledFigures"]


@dataclass(frozen=True, slots=True)
class _Settled:
    """The lengths of one target's month before ``until``, one per SLA, what they were made
    from, and each SLA's agreed maintenance in the whole month's window."""

    until: datetime
    outages: tuple[Outage, ...]
    given: tuple[Outage, ...]
    """The outages as given, of which ``outages`` are those begun before ``until``: the
    same tuple again (evidence read again unchanged) needs no comparing."""
    monitored: IntervalSet
    agreed: IntervalSet
    forward: tuple[ForwardMaintenance, ...]
    parts: tuple[AvailabilityParts, ...]
    agreed_in_month: tuple[timedelta, ...]

    def holds(self, given: MonthInputs) -> bool:
        """Whether the evidence before ``until`` is still what these lengths measured."""
        return (
            self.agreed == given.agreed
            and self.forward == given.forward
            and (given.outages is self.given or self.outages == _before(given.outages, self.until))
            and self.monitored == given.monitored.clip(given.period.start, self.until)
        )


def _before(outages: tuple[Outage, ...], until: datetime) -> tuple[Outage, ...]:
    """The outages begun before ``until``: ``outages`` itself when that is all of them."""
    found = tuple(o for o in outages if as_utc(o.start) < until)
    return outages if len(found) == len(outages) else found


class SettledFigures:
    """Month figures of the live snapshot, equal in every length to
    :meth:`FigureMaker.month_figures`; they do not list their outages (the snapshot shows
    lengths, and the listing would cost what the month holds at every rebuild)."""

    def __init__(self, maker: FigureMaker) -> None:
        self.maker = maker
        self._kept: dict[Month, dict[str, _Settled]] = {}
        self._window_totals: dict[tuple[str, Month], timedelta] = {}

    def month_figures(
        self,
        target: TargetConfig,
        month: Month,
        evidence: Evidence,
        now: datetime,
        *,
        live: LiveSession | None = None,
        given: MonthInputs | None = None,
    ) -> tuple[SlaFigure, ...]:
        """``given``: the month's inputs if the caller made them already, from the same
        arguments (:meth:`FigureMaker.month_inputs`)."""
        maker = self.maker
        if given is None:
            given = maker.month_inputs(target, month, evidence, now, live)
        outages = given.outages
        settled = self._settled(target, month, now, given)
        # Outages that begin after now (a clock set back) count nothing yet.
        unstarted = AvailabilityParts(counted=(timedelta(0),) * len(outages))
        figures = []
        for sla, kept, agreed_in_month in zip(
            target.slas, settled.parts, settled.agreed_in_month, strict=True
        ):
            min_coverage = maker.config.min_coverage(sla)
            objective = sla.objective.in_force(month)
            check_bounds(objective, min_coverage)
            # Outages all begun before the kept instant (as usual) are the kept ones.
            started = kept if len(kept.counted) == len(outages) else None
            parts = replace(
                started or unstarted.joined(outages, settled.until, kept),
                # The rest of the month: its window and its maintenance, none of it down yet.
                full_window=self._window_total(sla.window, month),
                full_maintenance=kept.full_maintenance + agreed_in_month - kept.agreed,
            )
            figure = availability_figure(
                period=given.period,
                outages=outages,
                parts=parts,
                now=now,
                objective=objective,
                policies=maker.policies,
                min_coverage=min_coverage,
                listed=False,
            )
            figures.append(SlaFigure(target.name, sla.window, sla, figure))
        return tuple(figures)

    def _window_total(self, window: str, month: Month) -> timedelta:
        key = (window, month)
        total = self._window_totals.get(key)
        if total is None:
            period = self.maker.period(month)
            total = self._window_totals[key] = (
                self.maker.window(window, month).clip(period.start, period.end).total
            )
        return total

    def _settled(
        self, target: TargetConfig, month: Month, now: datetime, given: MonthInputs
    ) -> _Settled:
        """The target's lengths up to now: the kept ones and the time since, or the whole
        month again when the evidence before the kept instant changed."""
        maker = self.maker
        period = given.period
        until = min(max(period.start, as_utc(now)), period.end)
        kept_month = self._kept.get(month)
        if kept_month is None:
            # A new month: only the running month is measured here (the previous month's
            # figures are made once from scratch), so nothing older is worth keeping.
            self._kept = {}
            kept_month = self._kept[month] = {}
        kept = kept_month.get(target.name)
        if kept is not None and kept.until <= until and kept.holds(given):
            if kept.until == until:
                return kept
            start, agreed_in_month = kept.until, kept.agreed_in_month
        else:
            kept, start = None, period.start
            agreed_in_month = tuple(
                availability_parts(
                    period=period,
                    within=period,
                    window=maker.window(sla.window, month),
                    outages=(),
                    maintenance=given.agreed,
                    now=period.start,
                    forward=given.forward,
                ).agreed
                for sla in target.slas
            )
        if kept is not None and kept.given is given.outages and kept.outages is kept.given:
            before = kept.outages  # all begun before the kept instant, so before this one
        else:
            before = _before(given.outages, until)
        parts = []
        for index, sla in enumerate(target.slas):
            measured = availability_parts(
                period=period,
                within=Interval(start, until),
                window=maker.window(sla.window, month),
                outages=before,
                maintenance=given.agreed,
                now=now,
                monitored=given.monitored,
                forward=given.forward,
            )
            if kept is not None:
                measured = measured.joined(before, start, kept.parts[index])
            parts.append(measured)
        settled = _Settled(
            until=until,
            outages=before,
            given=given.outages,
            monitored=given.monitored.clip(period.start, until),
            agreed=given.agreed,
            forward=given.forward,
            parts=tuple(parts),
            agreed_in_month=agreed_in_month,
        )
        kept_month[target.name] = settled
        return settled
