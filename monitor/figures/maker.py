"""From configuration and evidence to the availability figures of one target and month.

One place used by the live snapshot (metrics, status API) and by the monthly report, so the
dashboard and the report can never disagree about how a figure is made. It gathers the inputs
docs/rules.md names and hands them to the pure core:

* the SLA window inside the month (24x7 or a business calendar);
* the outages, probed and imported;
* the monitored time: the monitoring sessions, plus the time the target's own ``schedule``
  was closed (a target probed only in business hours is not "unmonitored" at night);
* the agreed maintenance: the configuration's windows plus API-registered ones that count.

A :class:`FigureMaker` is built once per configuration and reused for every target, so the
maintenance schedule and the business windows of a month are expanded once, not per target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.config import ALWAYS, Config, SlaConfig, TargetConfig
from monitor.figures.evidence import Evidence
from monitor.sla.availability import (
    AvailabilityFigure,
    Outage,
    OutageSource,
    compute_availability,
    sla_window,
)
from monitor.sla.coverage import covered_time, max_gap_for
from monitor.sla.intervals import Interval, IntervalSet, as_utc
from monitor.sla.months import Month
from monitor.sla.registered import ForwardMaintenance, RegisteredCover, registered_cover
from monitor.sla.vantage import CANARY, LocationEvidence, Vantage, judge_vantage
from monitor.store import DEFAULT_LOCATION

__all__ = [
    "FigureMaker",
    "LiveSession",
    "MonthInputs",
    "QuorumJudgement",
    "SlaFigure",
    "counted_window",
]


@dataclass(frozen=True, slots=True)
class LiveSession:
    """The running monitoring session of a target, from the daemon's memory."""

    started_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True, slots=True)
class SlaFigure:
    target: str
    window: str
    sla: SlaConfig
    figure: AvailabilityFigure


@dataclass(frozen=True, slots=True)
class MonthInputs:
    """A target's evidence for one month as the figures use it: its outages, its monitored
    time, and the maintenance that forgives all downtime or only later outages' downtime."""

    period: Interval
    outages: tuple[Outage, ...]
    monitored: IntervalSet
    agreed: IntervalSet
    forward: tuple[ForwardMaintenance, ...]
    judgement: QuorumJudgement | None = None
    """With several locations, the quorum's judgement the outages and time were taken from."""


@dataclass(frozen=True, slots=True)
class QuorumJudgement:
    """The quorum rule's judgement of a target and the locations' evidence it was made
    from, so a part of its span can be read from it (:func:`clip_vantage`)."""

    vantage: Vantage
    located: tuple[LocationEvidence, ...]


def counted_window(figure: AvailabilityFigure) -> timedelta:
    """Window time outside maintenance: what ``sla_window_seconds_total`` counts."""
    return figure.window - figure.maintenance


class FigureMaker:
    """Availability figures for the targets of one configuration (3.2.10)."""

    def __init__(self, config: Config, location: str = DEFAULT_LOCATION) -> None:
        self.config = config
        self.location = location
        self._schedule = config.maintenance_schedule()
        self.policies = config.availability_policies()
        self._notice = config.maintenance_notice
        self._windows: dict[tuple[str, Month], IntervalSet] = {}
        self._periods: dict[Month, Interval] = {}

    def period(self, month: Month) -> Interval:
        """The month's span in the configured zone, worked out once per month."""
        found = self._periods.get(month)
        if found is None:
            found = self._periods[month] = month.interval(self.config.zone)
        return found

    def window(self, name: str, month: Month) -> IntervalSet:
        """The open time of window ``name`` in ``month``, expanded once per month."""
        key = (name, month)
        cached = self._windows.get(key)
        if cached is None:
            period = self.period(month)
            cached = sla_window(period, self.config.window_calendar(name))
            self._windows[key] = cached
        return cached

    def registered(self, target: str, evidence: Evidence) -> RegisteredCover:
        """The target's registered windows, split by how much downtime each may forgive."""
        return registered_cover(evidence.registered, target, self._notice)

    def maintenance(self, target: str, evidence: Evidence, span: Interval) -> IntervalSet:
        """Maintenance in force for a target inside ``span``: configured plus registered
        windows that count (some of which forgive only outages that began after them)."""
        configured = self._schedule.for_target(target, span.start, span.end)
        registered = self.registered(target, evidence).in_force
        return (configured | registered).clip(span.start, span.end)

    def agreed(
        self, target: str, evidence: Evidence, span: Interval
    ) -> tuple[IntervalSet, tuple[ForwardMaintenance, ...]]:
        """The maintenance that forgives all downtime inside ``span`` (configured and approved
        windows), and the registered windows that forgive only outages begun after them: the
        monthly figures and the burn-rate counters' steps apply the same rule."""
        cover = self.registered(target, evidence)
        configured = self._schedule.for_target(target, span.start, span.end)
        return (configured | cover.approved).clip(span.start, span.end), cover.forward

    def monitored(
        self,
        target: TargetConfig,
        evidence: Evidence,
        month: Month,
        now: datetime,
        live: LiveSession | None,
    ) -> IntervalSet:
        return self._monitored(target, evidence, (month,), now, live)

    def _monitored(
        self,
        target: TargetConfig,
        evidence: Evidence,
        months: tuple[Month, ...],
        now: datetime,
        live: LiveSession | None,
    ) -> IntervalSet:
        sessions = list(evidence.sessions_of(target.name))
        live_tail = None
        if live is not None:
            sessions.append((live.started_at, live.last_seen_at))
            live_tail = (live.last_seen_at, max_gap_for(target.interval, target.probe.timeout))
        covered = covered_time(sessions, now, live_tail)
        if len(self.locations_of(target)) < 2:
            # One location: while its canary fails it is not monitoring (docs/rules.md#quorum).
            covered -= self._canary_failing(evidence, now, self.locations_of(target)[0])
        if target.schedule == ALWAYS:
            return covered
        for month in months:
            covered |= IntervalSet((self.period(month),)) - self.window(target.schedule, month)
        return covered

    def locations_of(self, target: TargetConfig) -> tuple[str, ...]:
        return self.config.target_locations(target, self.location)

    def vantage(
        self,
        target: TargetConfig,
        evidence: Evidence,
        span: Interval,
        now: datetime,
        live: LiveSession | None = None,
    ) -> Vantage:
        """The quorum rule's judgement of ``target`` over ``span`` from every location's
        evidence (docs/rules.md#quorum); the same on every instance for a past span."""
        return self.judgement(target, evidence, span, now, live).vantage

    def judgement(
        self,
        target: TargetConfig,
        evidence: Evidence,
        span: Interval,
        now: datetime,
        live: LiveSession | None = None,
    ) -> QuorumJudgement:
        """:meth:`vantage` with the locations' evidence it was judged from."""
        located = self.located(target, evidence, span, now, live)
        quorum = self.config.quorum(target, self.location)
        return QuorumJudgement(judge_vantage(located, quorum, span, now), located)

    def located(
        self,
        target: TargetConfig,
        evidence: Evidence,
        span: Interval,
        now: datetime,
        live: LiveSession | None = None,
    ) -> tuple[LocationEvidence, ...]:
        """What each location of ``target`` knows, as the quorum rule takes it: its
        monitored time (the target's closed schedule counts, a failing canary does not)
        and its own probed outages."""
        months = tuple(
            dict.fromkeys(Month.containing(t, self.config.zone) for t in (span.start, span.end))
        )
        closed = IntervalSet()
        if target.schedule != ALWAYS:
            for month in months:
                closed |= IntervalSet((self.period(month),)) - self.window(target.schedule, month)
        probed: dict[str, list[Outage]] = {name: [] for name in self.locations_of(target)}
        for outage in evidence.outages_of(target.name):
            if outage.source is OutageSource.PROBE:
                probed.setdefault(evidence.location_of(outage, self.location), []).append(outage)
        located = []
        max_gap = max_gap_for(target.interval, target.probe.timeout)
        for name in self.locations_of(target):
            sessions = list(evidence.sessions_at(target.name, name))
            if live is not None and name == self.location:
                sessions.append((live.started_at, live.last_seen_at))
            # Another location's running session is known only as far as it has written
            # it: until a gap is proven, its time up to now counts as covered, as our own.
            last = max((end for _start, end in sessions), default=None)
            tail = (last, max_gap) if last is not None and now - last < max_gap else None
            covered = (covered_time(sessions, now, tail) | closed) - self._canary_failing(
                evidence, now, name
            )
            located.append(LocationEvidence(name, covered, tuple(probed[name])))
        return tuple(located)

    def _canary_failing(
        self, evidence: Evidence, now: datetime, location: str | None = None
    ) -> IntervalSet:
        """When the canary of ``location`` (of any location: ``None``) failed."""
        spans = (
            o.interval(now)
            for o in evidence.outages_of(CANARY)
            if location is None or evidence.location_of(o, self.location) == location
        )
        return IntervalSet(s for s in spans if s is not None)

    def _judged(
        self,
        target: TargetConfig,
        evidence: Evidence,
        span: Interval,
        now: datetime,
        live: LiveSession | None,
        monitored: IntervalSet,
    ) -> tuple[tuple[Outage, ...], IntervalSet, QuorumJudgement | None]:
        """The outages and monitored time the figures count. One location: its own, as
        ever; several: the counted outages of the quorum rule, plus imported outages
        (evidence in themselves), and the time at least one location monitored."""
        outages = evidence.outages_of(target.name)
        if len(self.locations_of(target)) < 2:
            return outages, monitored, None
        # Judged from the start of the evidence, not of ``span``: a counted outage keeps the
        # instant the quorum first held, which decides what maintenance registered later
        # forgives (docs/rules.md#maintenance), in the month figure and the counter step alike.
        since = min(evidence.span.start, span.start)
        judgement = self.judgement(target, evidence, Interval(since, span.end), now, live)
        imported = tuple(o for o in outages if o.source is not OutageSource.PROBE)
        counted = tuple(o.as_outage(target.name) for o in judgement.vantage.outages)
        return counted + imported, judgement.vantage.monitored, judgement

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
        """Every SLA of ``target`` for ``month``, as of ``now``; ``given``: the month's inputs
        if the caller made them already, from the same arguments."""
        if given is None:
            given = self.month_inputs(target, month, evidence, now, live)
        return tuple(
            SlaFigure(
                target.name,
                sla.window,
                sla,
                compute_availability(
                    period=given.period,
                    window=self.window(sla.window, month),
                    outages=given.outages,
                    maintenance=given.agreed,
                    now=now,
                    objective=sla.objective.in_force(month),
                    monitored=given.monitored,
                    policies=self.policies,
                    min_coverage=self.config.min_coverage(sla),
                    forward=given.forward,
                ),
            )
            for sla in target.slas
        )

    def month_inputs(
        self,
        target: TargetConfig,
        month: Month,
        evidence: Evidence,
        now: datetime,
        live: LiveSession | None,
    ) -> MonthInputs:
        """What the figures of ``target`` for ``month`` are made from, besides the window:
        with several locations, the counted outages of the quorum rule and the time at least
        one location monitored (docs/rules.md#quorum)."""
        period = self.period(month)
        agreed, forward = self.agreed(target.name, evidence, period)
        monitored = self.monitored(target, evidence, month, now, live)
        outages, monitored, judgement = self._judged(target, evidence, period, now, live, monitored)
        return MonthInputs(
            period=period,
            outages=outages,
            monitored=monitored,
            agreed=agreed,
            forward=forward,
            judgement=judgement,
        )

    def span_figures(
        self,
        target: TargetConfig,
        span: Interval,
        evidence: Evidence,
        now: datetime,
        *,
        live: LiveSession | None = None,
        judged: MonthInputs | None = None,
    ) -> tuple[SlaFigure, ...]:
        """Every SLA of ``target`` over a short ``span`` (the burn-rate counters' step), with
        the month windows expanded once and reused; ``span`` may cross a month boundary.

        The figures list only the outages whose stored span reaches into ``span``: the others
        count nothing in it, and a step should cost what it spans, not the month's history.
        ``judged``: the running month's inputs made from the same evidence, ``now`` and
        ``live``; when the step lies inside that month (and, with several locations, the
        month's quorum judgement starts where this step's would), its outages, monitored
        time and maintenance are taken instead of gathering them again. The rule decides
        instant by instant from the start of the evidence, so a longer span's judgement
        holds this one's inside it (docs/rules.md#quorum)."""
        zone = self.config.zone
        months = tuple(dict.fromkeys(Month.containing(t, zone) for t in (span.start, span.end)))
        if judged is not None and _holds_step(judged, span, evidence):
            # Every input is a set over the month read inside the step, or the step's own
            # computation over the same evidence: maintenance is clipped, monitored time and
            # the quorum decide instant by instant.
            outages, monitored = judged.outages, judged.monitored
            agreed, forward = judged.agreed, judged.forward
        else:
            agreed, forward = self.agreed(target.name, evidence, span)
            monitored = self._monitored(target, evidence, months, now, live)
            outages, monitored, _ = self._judged(target, evidence, span, now, live, monitored)
        outages = tuple(
            o
            for o in outages
            if as_utc(o.start) < span.end and (o.end is None or as_utc(o.end) > span.start)
        )
        figures = []
        for sla in target.slas:
            window = self.window(sla.window, months[0])
            for month in months[1:]:
                window |= self.window(sla.window, month)
            figure = compute_availability(
                period=span,
                window=window,
                outages=outages,
                maintenance=agreed,
                now=now,
                objective=sla.objective.in_force(months[0]),
                monitored=monitored,
                policies=self.policies,
                forward=forward,
            )
            figures.append(SlaFigure(target.name, sla.window, sla, figure))
        return tuple(figures)


def _holds_step(judged: MonthInputs, span: Interval, evidence: Evidence) -> bool:
    """Whether the month's inputs serve a counter step over ``span``: it lies inside the
    month, and a quorum judgement starts where the step's own would (see ``_judged``)."""
    if not judged.period.holds(span):
        return False
    found = judged.judgement
    if found is None:
        return True
    judging = Interval(min(evidence.span.start, span.start), span.end)
    return found.vantage.span.holds(judging) and found.vantage.span.start == judging.start
