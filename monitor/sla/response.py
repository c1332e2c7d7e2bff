"""Response deadlines and outcomes for service-desk requests.

Requirement 3.2.9: 80 % of non-phone requests answered "binnen één werkdag"; 3.2.13
(escalations) and 3.2.14 (complaints): a reaction within one working day; 3.2.39: information
requests within two days. docs/rules.md#response-times fixes how "one working day" is read:

* The clock starts at the first business instant at or after receipt, so a mail that arrives
  on Saturday or at 07:30 is treated as arriving at the next opening.
* ``business_hours`` (default): one working day is the calendar's daily opening length
  (10 h for 08:00-18:00). Friday 17:00 + 10 business hours = Monday 17:00: the same clock
  time on the next working day. Mail received outside opening hours gets until closing time
  of the next working day (it starts at opening and runs a whole day).
* ``end_of_next_business_day``: the deadline is the closing time of the N-th working day after
  the local date of receipt, whatever the hour of receipt. Received Monday 10:00 or Monday
  07:30 -> Tuesday 18:00; received Saturday -> Monday 18:00.

An answer exactly at the deadline is in time (the deadline is the last instant that still
meets it). Answers later than "now" are not known yet and are ignored, so a report computed
for a past "now" is reproducible.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Protocol

from monitor.sla.calendar import BusinessCalendar
from monitor.sla.intervals import Interval, as_utc
from monitor.sla.months import Month
from monitor.sla.norms import Band, BandOutcome, Bound, NormSchedule, judged_outcome

__all__ = [
    "BusinessDayMode",
    "DayUnit",
    "MonthlyResponse",
    "Outcome",
    "ReceivedRequest",
    "RequestJudge",
    "RequestTiming",
    "ResponseNorm",
    "ResponseVerdict",
    "calendar_deadline",
    "judge_request",
    "monthly_response",
    "response_deadline",
]

_TICK = timedelta(microseconds=1)


class BusinessDayMode(StrEnum):
    BUSINESS_HOURS = "business_hours"
    END_OF_NEXT_BUSINESS_DAY = "end_of_next_business_day"


class DayUnit(StrEnum):
    """What a category's "days" count (docs/rules.md#working-or-calendar-days).

    3.2.39 and 3.2.41 say "binnen twee dagen" without saying which days; whether they are
    working or calendar days is a matter of agreement, so each category says it.
    """

    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"


class Outcome(StrEnum):
    MET = "met"
    BREACHED = "breached"
    PENDING = "pending"


def response_deadline(
    calendar: BusinessCalendar,
    received: datetime,
    days: int = 1,
    mode: BusinessDayMode = BusinessDayMode.BUSINESS_HOURS,
    unit: DayUnit = DayUnit.WORKING_DAYS,
) -> datetime:
    """The last instant at which an answer still meets the norm (3.2.9, 3.2.13, 3.2.14, 3.2.39,
    3.2.41).

    Returns an aware UTC datetime. ``days`` is the norm in working days (1 for e-mail,
    complaints and escalations; 2 for information requests), or in calendar days with
    ``unit`` ``calendar_days`` (:func:`calendar_deadline`).
    """
    if days < 1:
        raise ValueError("a response norm is at least one day")
    received = as_utc(received)
    if unit is DayUnit.CALENDAR_DAYS:
        return calendar_deadline(calendar, received, days, mode)
    if mode is BusinessDayMode.END_OF_NEXT_BUSINESS_DAY:
        day = calendar.nth_business_day_after(calendar.local_date(received), days)
        return calendar.closing(day)
    start = calendar.next_business_instant(received)
    return calendar.add_business_time(start, calendar.hours.nominal_length * days)


def calendar_deadline(
    calendar: BusinessCalendar,
    received: datetime,
    days: int,
    mode: BusinessDayMode = BusinessDayMode.BUSINESS_HOURS,
) -> datetime:
    """``days`` calendar days after receipt (docs/rules.md#working-or-calendar-days).

    Every instant counts, so the clock starts at receipt itself, and a day is a local
    calendar day: the same wall-clock time ``days`` local dates later (23 or 25 hours across
    a clock change). Friday 10:00 + two days = Sunday 10:00. With
    ``end_of_next_business_day`` the reading of that mode carries over: the end (24:00) of
    the ``days``-th date after the date of receipt, whatever the hour of receipt.
    """
    local = as_utc(received).astimezone(calendar.zone)
    if mode is BusinessDayMode.END_OF_NEXT_BUSINESS_DAY:
        end = datetime.combine(local.date() + timedelta(days=days + 1), time(0), calendar.zone)
        return as_utc(end)
    naive = local.replace(tzinfo=None) + timedelta(days=days)
    return as_utc(naive.replace(tzinfo=calendar.zone, fold=local.fold))


class ReceivedRequest(Protocol):
    """What judging needs of a request, whatever holds it (a stored record, an API body)."""

    @property
    def id(self) -> str: ...

    @property
    def category(self) -> str: ...

    @property
    def received_at(self) -> datetime: ...

    @property
    def answered_at(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class RequestTiming:
    """One request as the core sees it: when it came in and when the desk answered, if ever."""

    id: str
    received_at: datetime
    answered_at: datetime | None = None
    category: str = "email"

    @classmethod
    def of(cls, request: ReceivedRequest) -> RequestTiming:
        """The timing of any request-like value, so a verdict never holds a caller's record."""
        if isinstance(request, RequestTiming):
            return request
        return cls(request.id, request.received_at, request.answered_at, request.category)


@dataclass(frozen=True, slots=True)
class ResponseVerdict:
    """A request with its deadline and outcome: one line of the report's request list."""

    request: RequestTiming
    deadline: datetime
    outcome: Outcome


def judge_request(
    request: RequestTiming,
    deadline: datetime,
    now: datetime,
) -> ResponseVerdict:
    """Met when answered at or before the deadline; breached when answered late or when the
    deadline passed unanswered; pending otherwise."""
    now = as_utc(now)
    answered = request.answered_at
    if answered is not None and as_utc(answered) > now:
        answered = None  # not known yet at "now"
    if answered is not None:
        outcome = Outcome.MET if as_utc(answered) <= deadline else Outcome.BREACHED
    else:
        outcome = Outcome.BREACHED if now > deadline else Outcome.PENDING
    return ResponseVerdict(request, deadline, outcome)


@dataclass(frozen=True, slots=True)
class MonthlyResponse:
    """The monthly figure of one category: ratio = met / (met + breached).

    ``ratio`` is ``None`` while nothing is decided: an empty month is neither a success nor a
    failure. ``final`` says whether any outcome can still change.
    """

    category: str
    objective: float
    days: int
    verdicts: tuple[ResponseVerdict, ...]
    final: bool

    @property
    def received(self) -> int:
        return len(self.verdicts)

    def _count(self, outcome: Outcome) -> int:
        return sum(1 for v in self.verdicts if v.outcome is outcome)

    @property
    def met(self) -> int:
        return self._count(Outcome.MET)

    @property
    def breached(self) -> int:
        return self._count(Outcome.BREACHED)

    @property
    def pending(self) -> int:
        return self._count(Outcome.PENDING)

    @property
    def ratio(self) -> float | None:
        decided = self.met + self.breached
        return None if decided == 0 else self.met / decided

    @property
    def objective_met(self) -> bool | None:
        """``None`` when no request is decided yet; otherwise whether the ratio reaches it."""
        ratio = self.ratio
        return None if ratio is None else ratio >= self.objective

    def outcome(self, band: Band) -> BandOutcome | None:
        """The month's place in ``band`` (B3.7, 3.2.19); ``None`` while nothing is decided,
        the same rule as :attr:`objective_met`."""
        return judged_outcome(band, self.ratio, sufficient=True, bound=Bound.UPPER)


def monthly_response(
    *,
    category: str,
    objective: float,
    days: int,
    requests: Iterable[RequestTiming],
    month: Interval,
    calendar: BusinessCalendar,
    now: datetime,
    mode: BusinessDayMode = BusinessDayMode.BUSINESS_HOURS,
    unit: DayUnit = DayUnit.WORKING_DAYS,
) -> MonthlyResponse:
    """Judge the requests *received* in ``month`` (3.2.9: "in 80 % van de gevallen").

    The month is final once the deadline of a request received at its very last instant has
    passed: deadlines never go down when receipt moves later, so then no outcome can change.
    """
    now = as_utc(now)
    verdicts = tuple(
        judge_request(r, response_deadline(calendar, r.received_at, days, mode, unit), now)
        for r in sorted(requests, key=lambda r: (as_utc(r.received_at), r.id))
        if month.contains(as_utc(r.received_at))
    )
    last_deadline = response_deadline(calendar, month.end - _TICK, days, mode, unit)
    final = now >= month.end and now > last_deadline
    return MonthlyResponse(category, objective, days, verdicts, final)


class ResponseNorm(Protocol):
    """A category's norm: answered within ``days`` working days in ``objective`` of cases;
    the objective may change from month to month (3.2.15, 3.2.17)."""

    @property
    def days(self) -> int: ...

    @property
    def objective(self) -> NormSchedule[float]: ...


@dataclass(frozen=True, slots=True)
class RequestJudge:
    """The desk's one rule for every request: its deadline and its outcome as of "now".

    Built once from the desk's settings (calendar, norms per category, reading of "one
    working day"), and asked by everything that shows a request's outcome, so the live
    figures, the report, the API and the commands can never judge one request two ways
    (3.2.9, 3.2.13, 3.2.14, 3.2.39, 3.2.41). A category without a norm is not judged; one
    without a unit in ``units`` counts working days.
    """

    calendar: BusinessCalendar
    norms: Mapping[str, ResponseNorm]
    mode: BusinessDayMode = BusinessDayMode.BUSINESS_HOURS
    units: Mapping[str, DayUnit] = field(default_factory=dict)

    def judges(self, category: str) -> bool:
        return category in self.norms

    def unit(self, category: str) -> DayUnit:
        return self.units.get(category, DayUnit.WORKING_DAYS)

    def deadline(self, category: str, received: datetime) -> datetime:
        """The deadline of a request of ``category`` received at ``received``."""
        days = self.norms[category].days
        return response_deadline(self.calendar, received, days, self.mode, self.unit(category))

    def judge(self, request: ReceivedRequest, now: datetime) -> ResponseVerdict | None:
        """The request's deadline and outcome at ``now``; ``None`` for a category without a
        norm."""
        if request.category not in self.norms:
            return None
        deadline = self.deadline(request.category, request.received_at)
        return judge_request(RequestTiming.of(request), deadline, now)

    def month(
        self, category: str, requests: Iterable[ReceivedRequest], month: Interval, now: datetime
    ) -> MonthlyResponse:
        """The monthly figure of ``category`` over the requests received in ``month``, judged
        by the objective in force in that month (docs/rules.md#norms-over-time). The month is
        the one ``month`` lies in, found at its middle: its bounds are local midnights of the
        report's zone, which the desk calendar's own zone may place in the month before."""
        norm = self.norms[category]
        middle = month.start + (month.end - month.start) / 2
        return monthly_response(
            category=category,
            objective=norm.objective.in_force(Month.containing(middle, self.calendar.zone)),
            days=norm.days,
            requests=(RequestTiming.of(r) for r in requests),
            month=month,
            calendar=self.calendar,
            now=now,
            mode=self.mode,
            unit=self.unit(category),
        )
