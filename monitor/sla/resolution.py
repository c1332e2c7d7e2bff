"""Resolution time of complaints with overrun tiers (3.2.40, docs/rules.md#resolution-time).

3.2.40 "klachten afhandeltijd": complaints are resolved within the agreed term, and a malus
applies "bij overschrijding van 20% of 50% van de termijn". The rule read here:

* The term is ``days`` working or calendar days from receipt, ending where a response
  deadline of that many days would end (:func:`~monitor.sla.response.response_deadline`), so
  the two norms of a category can never read "a day" differently.
* Time is measured on the term's own clock: business time for working days (the calendar's
  opening hours), elapsed time for calendar days. ``ratio`` = time to resolution / term.
* A tier ``t`` is *exceeded* when the resolution comes later than ``(1 + t) × term``; the
  outcome is the name of the highest exceeded tier, or ``in_time`` when none is. Exactly at a
  threshold is not over it, as an answer exactly at its deadline is in time: with tiers
  ``[0.2, 0.5]``, 119 % and 120 % are ``in_time``, 121 % is ``over_20``, 151 % ``over_50``.
* An unresolved request is ``pending``, with the highest tier whose threshold already passed
  as ``at_least`` ("pending, already over 20 %"); once the highest tier's threshold has
  passed nothing can change any more, and the outcome is that tier.
* A resolution later than "now" is not known yet and is ignored, so a report for a past
  instant is reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.sla.calendar import BusinessCalendar
from monitor.sla.intervals import Interval, as_utc
from monitor.sla.response import BusinessDayMode, DayUnit, response_deadline

__all__ = [
    "IN_TIME",
    "PENDING",
    "MonthlyResolution",
    "ResolutionJudge",
    "ResolutionNorm",
    "ResolutionVerdict",
    "ResolvedRequest",
    "judge_resolution",
    "monthly_resolution",
]

IN_TIME = "in_time"
PENDING = "pending"


@dataclass(frozen=True, slots=True)
class ResolutionNorm:
    """A category's resolution term and its overrun tiers (3.2.40).

    ``tiers`` are fractions of the term, ascending (``0.2`` = 20 % over the term); ``names``
    name them, by default ``over_20``, ``over_50``.
    """

    days: int
    unit: DayUnit = DayUnit.WORKING_DAYS
    tiers: tuple[float, ...] = (0.2, 0.5)
    names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError("a resolution term is at least one day")
        if any(t <= 0 for t in self.tiers) or list(self.tiers) != sorted(set(self.tiers)):
            raise ValueError("overrun tiers must be positive and strictly ascending")
        if not self.names:
            names = tuple(f"over_{round(t * 100)}" for t in self.tiers)
            object.__setattr__(self, "names", names)
        if len(self.names) != len(self.tiers):
            raise ValueError("give one tier name per overrun tier")
        if len(set(self.names)) != len(self.names) or {IN_TIME, PENDING} & set(self.names):
            raise ValueError(f"tier names must be distinct and not {IN_TIME} or {PENDING}")

    @property
    def outcomes(self) -> tuple[str, ...]:
        """Every outcome a request can have, in order of severity, pending last."""
        return (IN_TIME, *self.names, PENDING)


@dataclass(frozen=True, slots=True)
class ResolvedRequest:
    """What the rule needs of a request: its id, receipt and resolution, if any."""

    id: str
    received_at: datetime
    resolved_at: datetime | None


@dataclass(frozen=True, slots=True)
class ResolutionVerdict:
    """One request judged: its term's end, each tier's threshold instant and the outcome.

    ``ratio`` is time to resolution / term (``None`` while unresolved); ``at_least`` the
    highest tier already exceeded by an unresolved request (``None`` when none is).
    """

    request: ResolvedRequest
    due: datetime
    thresholds: tuple[datetime, ...]
    outcome: str
    ratio: float | None
    at_least: str | None


class _TermClock:
    """Measures time on the term's clock: business time for working days, real time else."""

    def __init__(self, calendar: BusinessCalendar, unit: DayUnit, start: datetime) -> None:
        self._calendar = calendar
        self._working = unit is DayUnit.WORKING_DAYS
        self._start = as_utc(start)

    def elapsed(self, instant: datetime) -> timedelta:
        if self._working:
            return self._calendar.business_duration(self._start, instant)
        return max(as_utc(instant) - self._start, timedelta(0))

    def after(self, amount: timedelta) -> datetime:
        if self._working:
            begin = self._calendar.next_business_instant(self._start)
            return self._calendar.add_business_time(begin, amount)
        return self._start + amount


def judge_resolution(
    norm: ResolutionNorm,
    request: ResolvedRequest,
    calendar: BusinessCalendar,
    now: datetime,
    mode: BusinessDayMode = BusinessDayMode.BUSINESS_HOURS,
) -> ResolutionVerdict:
    """The request's resolution outcome at ``now`` (3.2.40)."""
    now = as_utc(now)
    received = as_utc(request.received_at)
    due = response_deadline(calendar, received, norm.days, mode, norm.unit)
    clock = _TermClock(calendar, norm.unit, received)
    term = clock.elapsed(due)
    thresholds = tuple(clock.after(term * (1 + tier)) for tier in norm.tiers)
    resolved = request.resolved_at
    if resolved is not None and as_utc(resolved) > now:
        resolved = None  # not known yet at "now"
    if resolved is not None:
        passed = _passed(thresholds, as_utc(resolved))
        outcome = IN_TIME if passed == 0 else norm.names[passed - 1]
        ratio = clock.elapsed(as_utc(resolved)) / term if term else 0.0
        return ResolutionVerdict(request, due, thresholds, outcome, ratio, None)
    passed = _passed(thresholds, now)
    at_least = None if passed == 0 else norm.names[passed - 1]
    outcome = norm.names[-1] if passed == len(thresholds) and thresholds else PENDING
    return ResolutionVerdict(request, due, thresholds, outcome, None, at_least)


def _passed(thresholds: Sequence[datetime], instant: datetime) -> int:
    """How many thresholds lie strictly before ``instant``."""
    return sum(1 for threshold in thresholds if instant > threshold)


@dataclass(frozen=True, slots=True)
class MonthlyResolution:
    """The resolution figures of one category over the requests received in a month."""

    category: str
    norm: ResolutionNorm
    verdicts: tuple[ResolutionVerdict, ...]

    def counts(self) -> dict[str, int]:
        """Requests per outcome, every outcome present (zero when none)."""
        counts = dict.fromkeys(self.norm.outcomes, 0)
        for verdict in self.verdicts:
            counts[verdict.outcome] += 1
        return counts

    def pending_at_least(self) -> dict[str, int]:
        """Pending requests per tier they already exceeded, every tier present."""
        counts = dict.fromkeys(self.norm.names, 0)
        for verdict in self.verdicts:
            if verdict.outcome == PENDING and verdict.at_least is not None:
                counts[verdict.at_least] += 1
        return counts


def monthly_resolution(
    *,
    category: str,
    norm: ResolutionNorm,
    requests: Iterable[ResolvedRequest],
    month: Interval,
    calendar: BusinessCalendar,
    now: datetime,
    mode: BusinessDayMode = BusinessDayMode.BUSINESS_HOURS,
) -> MonthlyResolution:
    """Judge the requests *received* in ``month``, as the response figure does."""
    verdicts = tuple(
        judge_resolution(norm, r, calendar, now, mode)
        for r in sorted(requests, key=lambda r: (as_utc(r.received_at), r.id))
        if month.contains(as_utc(r.received_at))
    )
    return MonthlyResolution(category, norm, verdicts)


@dataclass(frozen=True, slots=True)
class ResolutionJudge:
    """The desk's one resolution rule (3.2.40): built once from the configuration and asked
    by the live figures, the report and the API alike. A category without a resolution
    norm is not judged."""

    calendar: BusinessCalendar
    norms: Mapping[str, ResolutionNorm]
    mode: BusinessDayMode = BusinessDayMode.BUSINESS_HOURS

    def judge(self, category: str, request: ResolvedRequest, now: datetime) -> ResolutionVerdict:
        return judge_resolution(self.norms[category], request, self.calendar, now, self.mode)

    def month(
        self, category: str, requests: Iterable[ResolvedRequest], month: Interval, now: datetime
    ) -> MonthlyResolution:
        return monthly_resolution(
            category=category,
            norm=self.norms[category],
            requests=requests,
            month=month,
            calendar=self.calendar,
            now=now,
            mode=self.mode,
        )
