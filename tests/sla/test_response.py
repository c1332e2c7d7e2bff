"""Response deadlines and monthly response figures (3.2.9, 3.2.13, 3.2.14, 3.2.39)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.sla.calendar import BusinessCalendar, HolidayRules
from monitor.sla.months import Month
from monitor.sla.norms import NormSchedule
from monitor.sla.response import (
    BusinessDayMode,
    Outcome,
    RequestJudge,
    RequestTiming,
    judge_request,
    monthly_response,
    response_deadline,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NL = BusinessCalendar()
HOURS = BusinessDayMode.BUSINESS_HOURS
NEXT_DAY = BusinessDayMode.END_OF_NEXT_BUSINESS_DAY


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=AMSTERDAM)


@pytest.mark.parametrize(
    ("case", "calendar", "received", "days", "mode", "deadline"),
    [
        (
            "Friday 17:00 -> Monday 17:00",
            NL,
            local(2026, 6, 5, 17),
            1,
            HOURS,
            local(2026, 6, 8, 17),
        ),
        ("Saturday -> Monday 18:00", NL, local(2026, 6, 6, 11), 1, HOURS, local(2026, 6, 8, 18)),
        (
            "07:30 -> same day 18:00",
            NL,
            local(2026, 6, 10, 7, 30),
            1,
            HOURS,
            local(2026, 6, 10, 18),
        ),
        (
            "at closing -> next day 18:00",
            NL,
            local(2026, 6, 10, 18),
            1,
            HOURS,
            local(2026, 6, 11, 18),
        ),
        ("over Ascension Day", NL, local(2026, 5, 13, 12), 1, HOURS, local(2026, 5, 15, 12)),
        ("over King's Day", NL, local(2026, 4, 24, 9), 1, HOURS, local(2026, 4, 28, 9)),
        ("over Whit Monday", NL, local(2026, 5, 22, 16), 1, HOURS, local(2026, 5, 26, 16)),
        ("over Christmas", NL, local(2026, 12, 24, 15), 1, HOURS, local(2026, 12, 28, 15)),
        (
            "over the spring DST switch",
            NL,
            local(2026, 3, 27, 17),
            1,
            HOURS,
            local(2026, 3, 30, 17),
        ),
        (
            "over the autumn DST switch",
            NL,
            local(2026, 10, 23, 9),
            1,
            HOURS,
            local(2026, 10, 26, 9),
        ),
        ("two days for information", NL, local(2026, 6, 8, 10), 2, HOURS, local(2026, 6, 10, 10)),
        (
            "included Christmas Eve is closed",
            BusinessCalendar(holidays=HolidayRules(include=("2026-12-24",))),
            local(2026, 12, 23, 11),
            1,
            HOURS,
            local(2026, 12, 28, 11),
        ),
        (
            "excluded King's Day is a working day",
            BusinessCalendar(holidays=HolidayRules(exclude=("King's Day",))),
            local(2026, 4, 24, 9),
            1,
            HOURS,
            local(2026, 4, 27, 9),
        ),
        (
            "next-day mode, Monday 10:00",
            NL,
            local(2026, 6, 8, 10),
            1,
            NEXT_DAY,
            local(2026, 6, 9, 18),
        ),
        ("next-day mode, 07:30", NL, local(2026, 6, 8, 7, 30), 1, NEXT_DAY, local(2026, 6, 9, 18)),
        ("next-day mode, Saturday", NL, local(2026, 6, 6, 11), 1, NEXT_DAY, local(2026, 6, 8, 18)),
        (
            "next-day mode, Ascension",
            NL,
            local(2026, 5, 13, 12),
            1,
            NEXT_DAY,
            local(2026, 5, 15, 18),
        ),
        ("next-day mode, two days", NL, local(2026, 6, 8, 10), 2, NEXT_DAY, local(2026, 6, 10, 18)),
    ],
)
def test_response_deadline(
    case: str,
    calendar: BusinessCalendar,
    received: datetime,
    days: int,
    mode: BusinessDayMode,
    deadline: datetime,
) -> None:
    """Each row is a deadline a person at the desk would give the same request."""
    assert response_deadline(calendar, received, days, mode) == deadline, case


def test_an_answer_exactly_at_the_deadline_is_in_time() -> None:
    """The deadline is the last instant that still meets the norm."""
    deadline = local(2026, 6, 8, 17)
    request = RequestTiming("r1", local(2026, 6, 5, 17), answered_at=deadline)
    assert judge_request(request, deadline, now=local(2026, 7, 1)).outcome is Outcome.MET


@pytest.mark.parametrize(
    ("answered", "now", "outcome"),
    [
        (local(2026, 6, 8, 9), local(2026, 7, 1), Outcome.MET),
        (local(2026, 6, 8, 17, 1), local(2026, 7, 1), Outcome.BREACHED),
        (None, local(2026, 6, 8, 17), Outcome.PENDING),
        (None, local(2026, 6, 8, 17, 0, 1), Outcome.BREACHED),
        (local(2026, 6, 8, 9), local(2026, 6, 8, 8), Outcome.PENDING),  # answer not known yet
    ],
)
def test_outcome_of_a_request(answered: datetime | None, now: datetime, outcome: Outcome) -> None:
    """Met, breached (late or overdue) or pending, judged as of now."""
    request = RequestTiming("r1", local(2026, 6, 5, 17), answered_at=answered)
    deadline = response_deadline(NL, request.received_at)
    assert judge_request(request, deadline, now).outcome is outcome


def test_monthly_ratio_counts_requests_received_in_the_month_only() -> None:
    """4 met and 1 breached in June is 80 %; a May request answered in June is not June's."""
    june = Month(2026, 6).interval(AMSTERDAM)
    requests = [
        RequestTiming(f"m{i}", local(2026, 6, 8 + i, 9), local(2026, 6, 8 + i, 10))
        for i in range(4)
    ]
    requests.append(RequestTiming("late", local(2026, 6, 15, 9), local(2026, 6, 17, 9)))
    requests.append(RequestTiming("may", local(2026, 5, 29, 9), local(2026, 6, 1, 9)))
    figure = monthly_response(
        category="email",
        objective=0.8,
        days=1,
        requests=requests,
        month=june,
        calendar=NL,
        now=local(2026, 7, 10),
    )
    assert (figure.received, figure.met, figure.breached, figure.pending) == (5, 4, 1, 0)
    assert figure.ratio == pytest.approx(0.8)
    assert figure.objective_met is True
    assert figure.final is True


def test_a_month_is_final_only_after_its_last_possible_deadline() -> None:
    """Mail received on 30 June 23:59 (Tuesday) may be answered until 1 July 18:00."""
    june = Month(2026, 6).interval(AMSTERDAM)

    def final_at(now: datetime) -> bool:
        return monthly_response(
            category="email",
            objective=0.8,
            days=1,
            requests=[],
            month=june,
            calendar=NL,
            now=now,
        ).final

    assert not final_at(local(2026, 7, 1, 18))
    assert final_at(local(2026, 7, 1, 18, 0, 1))


def test_an_empty_month_has_no_ratio() -> None:
    """Nothing decided is neither a success nor a failure: the ratio is None."""
    figure = monthly_response(
        category="complaint",
        objective=1.0,
        days=1,
        requests=[],
        month=Month(2026, 6).interval(AMSTERDAM),
        calendar=NL,
        now=local(2026, 8, 1),
    )
    assert figure.ratio is None
    assert figure.objective_met is None


instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)


@settings(max_examples=200, deadline=None)
@given(instants, st.integers(1, 3), st.sampled_from(list(BusinessDayMode)))
def test_no_deadline_ends_on_a_closed_day(
    received: datetime, days: int, mode: BusinessDayMode
) -> None:
    """Every deadline falls inside or at the end of the opening hours of a working day."""
    deadline = response_deadline(NL, received, days, mode)
    assert deadline > received
    assert NL.is_open(deadline - timedelta(microseconds=1))
    assert NL.is_business_day(NL.local_date(deadline - timedelta(microseconds=1)))


@settings(max_examples=200, deadline=None)
@given(instants, instants, st.sampled_from(list(BusinessDayMode)))
def test_later_receipt_never_gets_an_earlier_deadline(
    a: datetime, b: datetime, mode: BusinessDayMode
) -> None:
    """Deadlines are monotonic in receipt; the 'month is final' rule depends on it."""
    a, b = sorted((a, b))
    assert response_deadline(NL, a, 1, mode) <= response_deadline(NL, b, 1, mode)


@dataclass(frozen=True)
class _Norm:
    days: int
    value: float

    @property
    def objective(self) -> NormSchedule[float]:
        return NormSchedule.always(self.value)


@dataclass(frozen=True)
class _StoredRequest:
    """A request as a store or an API body holds it, with fields the judge does not read."""

    id: str
    category: str
    received_at: datetime
    answered_at: datetime | None
    source: str = "webhook"


JUDGE = RequestJudge(NL, {"email": _Norm(1, 0.8), "information": _Norm(2, 0.9)}, NEXT_DAY)


def test_the_judge_gives_a_request_its_categorys_deadline_and_outcome() -> None:
    """An information request gets two working days; its verdict holds its timing only."""
    request = _StoredRequest(
        "r1", "information", local(2026, 6, 8, 10), answered_at=local(2026, 6, 10, 17)
    )
    verdict = JUDGE.judge(request, local(2026, 6, 20))
    assert verdict is not None
    assert verdict.deadline == local(2026, 6, 10, 18)
    assert verdict.outcome is Outcome.MET
    assert verdict.request == RequestTiming(
        "r1", local(2026, 6, 8, 10), local(2026, 6, 10, 17), "information"
    )


def test_the_judge_does_not_judge_a_category_without_a_norm() -> None:
    """A phone request (no configured norm) has no deadline and no outcome."""
    request = _StoredRequest("r2", "phone", local(2026, 6, 8, 10), answered_at=None)
    assert not JUDGE.judges("phone")
    assert JUDGE.judge(request, local(2026, 6, 20)) is None


def test_the_judges_monthly_figure_is_the_norms_monthly_response() -> None:
    """judge.month applies the category's days, objective and reading of a working day."""
    month = Month(2026, 6).interval(AMSTERDAM)
    requests = [
        _StoredRequest("a", "email", local(2026, 6, 5, 17), answered_at=local(2026, 6, 8, 17)),
        _StoredRequest("b", "email", local(2026, 6, 5, 17), answered_at=local(2026, 6, 8, 19)),
        _StoredRequest("c", "email", local(2026, 5, 29, 9), answered_at=None),
    ]
    now = local(2026, 7, 15)
    figure = JUDGE.month("email", requests, month, now)
    expected = monthly_response(
        category="email",
        objective=0.8,
        days=1,
        requests=[RequestTiming.of(r) for r in requests],
        month=month,
        calendar=NL,
        now=now,
        mode=NEXT_DAY,
    )
    assert figure == expected
    assert (figure.met, figure.breached, figure.objective) == (1, 1, 0.8)


@dataclass(frozen=True)
class _GrowingNorm:
    """Answered within one day; 80 % until June 2026, 90 % from July 2026."""

    days: int = 1

    @property
    def objective(self) -> NormSchedule[float]:
        return NormSchedule.of([(Month(2026, 1), 0.8), (Month(2026, 7), 0.9)])


def test_a_month_is_judged_by_its_own_norm_when_the_desk_calendar_keeps_another_zone() -> None:
    """July in Amsterdam begins on 30 June 22:00 UTC; a desk calendar kept in UTC still
    judges it by July's norm, not June's (3.2.15, 3.2.17)."""
    in_utc = BusinessCalendar(zone=ZoneInfo("UTC"), holidays=HolidayRules(country=None))
    judge = RequestJudge(in_utc, {"email": _GrowingNorm()}, NEXT_DAY)
    july = Month(2026, 7).interval(AMSTERDAM)
    assert july.start == datetime(2026, 6, 30, 22, tzinfo=UTC)
    assert judge.month("email", (), july, local(2026, 8, 15)).objective == 0.9
    june = Month(2026, 6).interval(AMSTERDAM)
    assert judge.month("email", (), june, local(2026, 8, 15)).objective == 0.8
