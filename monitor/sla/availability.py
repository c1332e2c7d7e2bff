"""Availability of a target in a window over one calendar month (requirement 3.2.10).

docs/rules.md#availability: ``A = 1 − D / T``. ``T`` is the length of the window inside the
month (up to "now" for the running month); ``D`` is the length of (union of outages ∩ window)
minus agreed maintenance. The contract's own worked example is the reference: 2 h down in a
30-day month gives (720 − 2) / 720 = 99.72 %.

Every component is returned, not just the ratio, because a report line must be explainable
from stored outages, maintenance windows and monitoring gaps:

* window time ``T`` and, for the budget, the whole month's window;
* unplanned downtime ``D``: outage time inside the window, outside maintenance, and outside
  monitoring gaps (a gap is unmonitored whatever the state around it; imported outages are
  evidence in themselves and count fully);
* maintenance ``M``: agreed maintenance inside the window;
* unmonitored ``U``: window time with no probe result, outside maintenance and outside
  imported outages.

Policies: ``maintenance: count_as_available`` keeps maintenance in ``T`` (the contract's
reading); ``exclude_from_window`` computes ``1 − D / (T − M)`` (the Zabbix/ITIL reading).
``unmonitored: count_as_available`` leaves ``U`` out of ``D``; ``count_as_unavailable`` adds it.

Evidence threshold: a figure is only judged when enough of its window was measured (3.2.2
asks for measured service levels, not assumed ones). Coverage is the share of the window
with evidence; below ``min_coverage`` the figure is *insufficient evidence*: ``met`` is
``None`` with a reason, never "met".
"""

from __future__ import annotations

import math
import operator
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from monitor.sla.budget import ErrorBudget
from monitor.sla.calendar import BusinessCalendar
from monitor.sla.corrections import OutageCorrection, corrected_end
from monitor.sla.intervals import Interval, IntervalSet, as_utc
from monitor.sla.norms import Band, BandOutcome, Bound, judged_outcome
from monitor.sla.registered import ForwardMaintenance

__all__ = [
    "AvailabilityFigure",
    "AvailabilityParts",
    "AvailabilityPolicies",
    "CountedOutage",
    "EvidenceVerdict",
    "MaintenancePolicy",
    "Outage",
    "OutageSource",
    "UnmonitoredPolicy",
    "availability_figure",
    "availability_parts",
    "check_bounds",
    "compute_availability",
    "sla_window",
]

_ZERO = timedelta(0)


class MaintenancePolicy(StrEnum):
    COUNT_AS_AVAILABLE = "count_as_available"
    EXCLUDE_FROM_WINDOW = "exclude_from_window"


class UnmonitoredPolicy(StrEnum):
    COUNT_AS_AVAILABLE = "count_as_available"
    COUNT_AS_UNAVAILABLE = "count_as_unavailable"


class OutageSource(StrEnum):
    PROBE = "probe"
    IMPORT = "import"


@dataclass(frozen=True, slots=True)
class AvailabilityPolicies:
    maintenance: MaintenancePolicy = MaintenancePolicy.COUNT_AS_AVAILABLE
    unmonitored: UnmonitoredPolicy = UnmonitoredPolicy.COUNT_AS_AVAILABLE


@dataclass(frozen=True, slots=True)
class Outage:
    """A stored outage; ``end is None`` while it is still open (it then counts up to now).

    ``corrections`` are laid over the stored evidence, never written into it: ``interval``
    is the corrected span (``None`` once voided), ``measured`` the span as stored.
    """

    start: datetime
    end: datetime | None
    cause: str
    source: OutageSource = OutageSource.PROBE
    id: str = ""
    corrections: tuple[OutageCorrection, ...] = ()
    _stored: Interval | None = field(default=None, init=False, repr=False, compare=False)
    """A closed outage's stored span, made once: a live rebuild asks every outage of the
    month for its span several times, and a closed one's never depends on ``now``."""

    def __post_init__(self) -> None:
        if self.end is not None:
            start, end = as_utc(self.start), as_utc(self.end)
            object.__setattr__(self, "_stored", Interval(start, end) if start < end else None)

    @property
    def voided(self) -> bool:
        return any(c.kind == "void" for c in self.corrections)

    @property
    def disputed(self) -> bool:
        return any(c.kind == "dispute" for c in self.corrections)

    def measured(self, now: datetime) -> Interval | None:
        """The span as the evidence has it, before any correction."""
        if self.end is not None:
            return self._stored
        start, end = as_utc(self.start), as_utc(now)
        return Interval(start, end) if start < end else None

    def interval(self, now: datetime) -> Interval | None:
        """The span that counts: closed at the earliest close correction, none if voided."""
        if not self.corrections:
            return self.measured(now)
        if self.voided:
            return None
        start = as_utc(self.start)
        end = corrected_end(self.end, self.corrections)
        end = as_utc(now) if end is None else min(end, as_utc(now))
        return Interval(start, end) if start < end else None


@dataclass(frozen=True, slots=True)
class CountedOutage:
    """An outage and the part of it that counts as unplanned downtime in this figure."""

    outage: Outage
    counted: timedelta


@dataclass(frozen=True, slots=True)
class EvidenceVerdict:
    """Whether a figure's coverage reaches the agreed minimum, and if not, why it is not
    judged. A month with 1.1 % coverage says nothing about the other 98.9 %."""

    coverage: float
    min_coverage: float
    note: str | None = None

    @property
    def sufficient(self) -> bool:
        return self.coverage >= self.min_coverage

    @property
    def reason(self) -> str | None:
        if self.sufficient:
            return None
        reason = (
            f"insufficient evidence: coverage {_percent_below(self.coverage)} "
            f"< {_percent(self.min_coverage)}"
        )
        return reason if self.note is None else f"{reason}; {self.note}"


def _percent(ratio: float) -> str:
    return f"{ratio * 100:.10g} %"


def _percent_below(ratio: float) -> str:
    """One decimal, rounded down: 94.96 % reads 94.9 %, never as the 95 % it falls short of."""
    return f"{math.floor(ratio * 1000 + 1e-9) / 10:.1f} %"


@dataclass(frozen=True, slots=True)
class AvailabilityFigure:
    """One availability figure with everything needed to explain it line by line."""

    objective: float
    policies: AvailabilityPolicies
    window: timedelta
    unplanned_downtime: timedelta
    maintenance: timedelta
    unmonitored: timedelta
    full_window: timedelta
    full_maintenance: timedelta
    outages: tuple[CountedOutage, ...]
    """The outages the figure lists with their counted parts (see :func:`availability_figure`);
    empty in a figure made without its listing, as the live snapshot's are."""
    min_coverage: float = 0.0

    @property
    def penalised(self) -> timedelta:
        """Time counted against the target: D, plus U when unmonitored counts as down."""
        if self.policies.unmonitored is UnmonitoredPolicy.COUNT_AS_UNAVAILABLE:
            return self.unplanned_downtime + self.unmonitored
        return self.unplanned_downtime

    @property
    def denominator(self) -> timedelta:
        if self.policies.maintenance is MaintenancePolicy.EXCLUDE_FROM_WINDOW:
            return self.window - self.maintenance
        return self.window

    @property
    def availability(self) -> float:
        """``1 − penalised / denominator``; 1.0 while the window has not been open yet."""
        if self.denominator <= _ZERO:
            return 1.0
        return 1.0 - self.penalised / self.denominator

    @property
    def met(self) -> bool | None:
        """Whether the objective is reached (3.2.10). Without sufficient evidence only a
        verdict that no outcome of the unmeasured time could change is given, so a miss the
        measured downtime already proves stays a miss (and needs its 3.2.6 analysis);
        anything else is ``None``: 1.1 % coverage says nothing about the other 98.9 %."""
        reached = self.availability >= self.objective
        if self.evidence.sufficient or self._proven(reached=reached):
            return reached
        return None

    def _proven(self, *, reached: bool) -> bool:
        """With unmonitored time counted as available the ratio is an upper bound (a miss
        is proven); counted as unavailable it is a lower bound (a met is proven)."""
        if self.policies.unmonitored is UnmonitoredPolicy.COUNT_AS_AVAILABLE:
            return not reached
        return reached

    @property
    def evidence(self) -> EvidenceVerdict:
        """The coverage against the threshold, with a note when the measured part decides
        the verdict on its own."""
        note = None
        reached = self.availability >= self.objective
        if self._proven(reached=reached):
            note = (
                "even with the unmonitored time counted as down the objective is reached"
                if reached
                else "the measured downtime alone already misses the objective"
            )
        return EvidenceVerdict(self.coverage, self.min_coverage, note)

    @property
    def coverage(self) -> float:
        """Share of the window with evidence (a probe result or an imported outage)."""
        if self.window <= _ZERO:
            return 1.0
        return 1.0 - self.unmonitored / self.window

    @property
    def budget(self) -> ErrorBudget:
        """The whole month's budget against what the elapsed part has spent."""
        window = self.full_window
        if self.policies.maintenance is MaintenancePolicy.EXCLUDE_FROM_WINDOW:
            window -= self.full_maintenance
        return ErrorBudget(self.objective, window, self.penalised)

    def outcome(self, band: Band) -> BandOutcome | None:
        """The month's place in ``band`` (B3.7, 3.2.19), by the same evidence rule as
        :attr:`met`: a malus the measured downtime alone proves stays a malus."""
        bound = (
            Bound.UPPER
            if self.policies.unmonitored is UnmonitoredPolicy.COUNT_AS_AVAILABLE
            else Bound.LOWER
        )
        return judged_outcome(
            band, self.availability, sufficient=self.evidence.sufficient, bound=bound
        )


def compute_availability(
    *,
    period: Interval,
    window: IntervalSet,
    outages: Iterable[Outage],
    maintenance: IntervalSet,
    now: datetime,
    objective: float,
    monitored: IntervalSet | None = None,
    policies: AvailabilityPolicies = AvailabilityPolicies(),
    min_coverage: float = 0.0,
    forward: Sequence[ForwardMaintenance] = (),
) -> AvailabilityFigure:
    """The availability figure of one target, window and month (3.2.10).

    ``period`` is the month; ``window`` the open time of the SLA window (any superset of the
    month is fine, it is clipped); ``maintenance`` the agreed maintenance of this target;
    ``monitored`` the time covered by probing (``None``: fully covered, as for history that
    only consists of imported outages and for the contract's worked example). ``now`` ends
    the elapsed part of a running month and the open outages. ``min_coverage`` is the
    evidence threshold the figure is judged by (0: always judged). ``forward`` is registered
    maintenance that forgives only outages that began after it was registered: an outage
    already running keeps counting inside such a window.
    """
    check_bounds(objective, min_coverage)
    outage_list = tuple(outages)
    parts = availability_parts(
        period=period,
        within=period,
        window=window,
        outages=outage_list,
        maintenance=maintenance,
        now=now,
        monitored=monitored,
        forward=forward,
    )
    return availability_figure(
        period=period,
        outages=outage_list,
        parts=parts,
        now=now,
        objective=objective,
        policies=policies,
        min_coverage=min_coverage,
    )


def check_bounds(objective: float, min_coverage: float) -> None:
    if not 0.0 <= objective <= 1.0:
        raise ValueError(f"objective must be within 0..1, got {objective}")
    if not 0.0 <= min_coverage <= 1.0:
        raise ValueError(f"min_coverage must be within 0..1, got {min_coverage}")


@dataclass(frozen=True, slots=True)
class AvailabilityParts:
    """The lengths a figure is made of, over one part of its period.

    Every rule of :func:`compute_availability` decides instant by instant (is it in the
    window, in an outage, in maintenance, in a gap), so the lengths over ``[a, b)`` and over
    ``[b, c)`` add up exactly (integer microseconds) to those over ``[a, c)``. That lets the
    live figures keep the settled part of a month and measure only what came since.
    ``agreed`` is the agreed maintenance in the window, before the outage time that still
    counts inside forward-only windows is taken out (``full_maintenance`` is after).
    ``counted`` is each input outage's counted downtime, in the order of the input.
    """

    window: timedelta = _ZERO
    unplanned: timedelta = _ZERO
    maintenance: timedelta = _ZERO
    unmonitored: timedelta = _ZERO
    full_window: timedelta = _ZERO
    full_maintenance: timedelta = _ZERO
    agreed: timedelta = _ZERO
    counted: tuple[timedelta, ...] = ()

    def joined(
        self, outages: Sequence[Outage], until: datetime, earlier: AvailabilityParts
    ) -> AvailabilityParts:
        """These parts (over ``outages``) plus ``earlier``, the parts before ``until`` over
        the outages that started before it (the same outages in the same order)."""
        if len(earlier.counted) == len(self.counted):
            # Every outage began before ``until``: the usual case, added pairwise.
            counted = tuple(map(operator.add, self.counted, earlier.counted))
        else:
            before = iter(earlier.counted)
            counted = tuple(
                c + next(before) if as_utc(o.start) < until else c
                for o, c in zip(outages, self.counted, strict=True)
            )
        return AvailabilityParts(
            window=self.window + earlier.window,
            unplanned=self.unplanned + earlier.unplanned,
            maintenance=self.maintenance + earlier.maintenance,
            unmonitored=self.unmonitored + earlier.unmonitored,
            full_window=self.full_window + earlier.full_window,
            full_maintenance=self.full_maintenance + earlier.full_maintenance,
            agreed=self.agreed + earlier.agreed,
            counted=counted,
        )


def availability_parts(
    *,
    period: Interval,
    within: Interval,
    window: IntervalSet,
    outages: Sequence[Outage],
    maintenance: IntervalSet,
    now: datetime,
    monitored: IntervalSet | None = None,
    forward: Sequence[ForwardMaintenance] = (),
) -> AvailabilityParts:
    """The lengths of the figure of ``period`` that fall inside ``within`` (see
    :func:`compute_availability` for the inputs and the rules)."""
    now = as_utc(now)
    lo, hi = max(period.start, within.start), min(period.end, within.end)
    full_window = window.clip(lo, hi)
    elapsed = full_window.clip(lo, min(hi, now))
    # Only outages reaching into the hull of the elapsed window can count here; a
    # correction only shortens or voids, so the stored span decides.
    if elapsed:
        first, last = elapsed.intervals[0].start, elapsed.intervals[-1].end
        near = [
            (index, span)
            for index, outage in enumerate(outages)
            if as_utc(outage.start) < last and (outage.end is None or as_utc(outage.end) > first)
            if (span := outage.interval(now)) is not None
        ]
    else:
        near = []
    imported = IntervalSet(s for i, s in near if outages[i].source is OutageSource.IMPORT)

    gaps = elapsed - monitored if monitored is not None else IntervalSet()
    maint = maintenance & elapsed
    forward_all = IntervalSet().union(*(f.intervals for f in forward)) & elapsed

    counted = [_ZERO] * len(outages)
    parts: list[IntervalSet] = []
    for index, span in near:
        outage = outages[index]
        excused = maint
        if forward:
            excused = maint.union(*(f.intervals for f in forward if f.forgives(outage.start)))
        part = (IntervalSet((span,)) & elapsed) - excused
        if outage.source is OutageSource.PROBE:
            part -= gaps
        parts.append(part)
        counted[index] = part.total

    unplanned = IntervalSet().union(*parts)
    # Forward-only windows are maintenance except where an earlier outage still counts.
    maint_all = (maint | forward_all) - unplanned if forward else maint
    unmonitored = (gaps - imported) - maint_all
    full_forward = IntervalSet().union(*(f.intervals for f in forward)) & full_window
    agreed = (maintenance & full_window) | full_forward

    return AvailabilityParts(
        window=elapsed.total,
        unplanned=unplanned.total,
        maintenance=maint_all.total,
        unmonitored=unmonitored.total,
        full_window=full_window.total,
        full_maintenance=(agreed - unplanned).total,
        agreed=agreed.total,
        counted=tuple(counted),
    )


def availability_figure(
    *,
    period: Interval,
    outages: Sequence[Outage],
    parts: AvailabilityParts,
    now: datetime,
    objective: float,
    policies: AvailabilityPolicies = AvailabilityPolicies(),
    min_coverage: float = 0.0,
    listed: bool = True,
) -> AvailabilityFigure:
    """The figure made of ``parts`` over the whole period; ``parts.counted`` follows
    ``outages``. An outage is listed when it counts or touches the elapsed period, and a
    corrected one that counts nothing (voided, closed before it began) stays listed too.
    ``listed=False`` leaves the listing out and keeps every length: the live snapshot shows
    lengths only, and listing a month's outages at every rebuild would cost what the month
    holds, not what changed."""
    now = as_utc(now)
    end_of_elapsed = elapsed_end(period, now)
    listing = []
    pairs = zip(outages, parts.counted, strict=True) if listed else ()
    for outage, counted in pairs:
        span = outage.interval(now)
        if span is None:
            measured = outage.measured(now)
            if (
                outage.corrections
                and measured is not None
                and measured.start < end_of_elapsed
                and measured.end > period.start
            ):
                listing.append(CountedOutage(outage, _ZERO))
        elif counted or (span.start < end_of_elapsed and span.end > period.start):
            listing.append(CountedOutage(outage, counted))
    return AvailabilityFigure(
        objective=objective,
        policies=policies,
        window=parts.window,
        unplanned_downtime=parts.unplanned,
        maintenance=parts.maintenance,
        unmonitored=parts.unmonitored,
        full_window=parts.full_window,
        full_maintenance=parts.full_maintenance,
        outages=tuple(sorted(listing, key=lambda c: (as_utc(c.outage.start), c.outage.id))),
        min_coverage=min_coverage,
    )


def elapsed_end(period: Interval, now: datetime) -> datetime:
    """Where the elapsed part of ``period`` ends: its end, or now in a running month."""
    return min(period.end, as_utc(now))


def sla_window(period: Interval, calendar: BusinessCalendar | None) -> IntervalSet:
    """The open time of an SLA window inside ``period``: all of it for ``24x7``, otherwise the
    calendar's business intervals (3.2.10's "werkdagen tussen 8.00 en 18.00 uur")."""
    if calendar is None:
        return IntervalSet((period,))
    return calendar.business_intervals(period.start, period.end)
