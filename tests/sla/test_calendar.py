"""Business calendars: holidays, opening hours and business-time arithmetic."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.sla.calendar import BusinessCalendar, HolidayRules, OpeningHours

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NL = BusinessCalendar()


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=AMSTERDAM)


def test_dutch_public_holidays_of_2026_are_resolved_by_default() -> None:
    """The default calendar closes on the Dutch public holidays the holidays package knows."""
    closed = {d.day: d.name for d in NL.closed_days(2026)}
    assert closed[date(2026, 4, 27)] == "King's Day"
    assert closed[date(2026, 5, 14)] == "Ascension Day"
    assert closed[date(2026, 5, 25)] == "Pentecost Monday"
    assert closed[date(2026, 12, 25)] == "Christmas Day"
    assert closed[date(2026, 4, 3)] == "Good Friday"
    assert date(2026, 5, 5) not in closed  # Liberation Day is public only every fifth year


def test_liberation_day_can_be_included_every_year_by_name() -> None:
    """Contracts that give 5 May off every year say so by name, in Dutch or English."""
    for name in ("Liberation Day", "bevrijdingsdag"):
        calendar = BusinessCalendar(holidays=HolidayRules(include=(name,)))
        assert not calendar.is_business_day(date(2026, 5, 5))


def test_good_friday_can_be_excluded_by_name() -> None:
    """Contracts that work on Good Friday exclude it from the holiday list."""
    calendar = BusinessCalendar(holidays=HolidayRules(exclude=("Good Friday",)))
    assert calendar.is_business_day(date(2026, 4, 3))
    assert not NL.is_business_day(date(2026, 4, 3))


def test_dates_and_annual_dates_can_be_included_and_excluded() -> None:
    """A one-off date, an every-year MM-DD and a removed holiday date all apply."""
    calendar = BusinessCalendar(
        holidays=HolidayRules(include=("2026-12-24", "12-31"), exclude=("2026-04-27",))
    )
    assert not calendar.is_business_day(date(2026, 12, 24))
    assert not calendar.is_business_day(date(2027, 12, 31))
    assert calendar.is_business_day(date(2026, 4, 27))


def test_a_misspelt_holiday_name_is_reported() -> None:
    """A typo in a name would silently change the figures; the calendar names it."""
    calendar = BusinessCalendar(holidays=HolidayRules(include=("Liberaton Day",)))
    assert calendar.unknown_holiday_names(range(2025, 2028)) == ["liberaton day"]


def test_an_unknown_country_is_refused_when_the_calendar_is_built() -> None:
    """A wrong country code fails at configuration time, not at the first deadline."""
    with pytest.raises(NotImplementedError):
        BusinessCalendar(holidays=HolidayRules(country="XX"))


def test_business_intervals_of_a_week_are_five_ten_hour_days() -> None:
    """Mon 8 June to Mon 15 June 2026: five open days of 10 h."""
    spans = NL.business_intervals(local(2026, 6, 8), local(2026, 6, 15))
    assert len(spans) == 5
    assert spans.total == timedelta(hours=50)


def test_opening_hours_stay_at_local_wall_clock_time_across_dst() -> None:
    """08:00 local is 07:00 UTC in winter and 06:00 UTC in summer."""
    assert NL.opening(date(2026, 3, 27)) == datetime(2026, 3, 27, 7, tzinfo=UTC)
    assert NL.opening(date(2026, 3, 30)) == datetime(2026, 3, 30, 6, tzinfo=UTC)


def test_opening_hours_inside_the_hour_skipped_in_spring_have_no_open_time_that_day() -> None:
    """02:01-03:00 on 29 March 2026 in Amsterdam never shows on the clock (02:00 jumps to
    03:00): that day is open for nothing, and the days around it are open as usual."""
    calendar = BusinessCalendar(
        zone=AMSTERDAM,
        weekdays=frozenset(range(7)),
        hours=OpeningHours(2 * 60 + 1, 3 * 60),
        holidays=HolidayRules(country=None),
    )
    assert calendar.opening_interval(date(2026, 3, 29)) is None
    week = calendar.business_duration(
        datetime(2026, 3, 28, tzinfo=AMSTERDAM), datetime(2026, 3, 31, tzinfo=AMSTERDAM)
    )
    assert week == timedelta(minutes=59 * 2)


def test_business_duration_over_a_holiday_weekend() -> None:
    """Thu 24 Dec 15:00 to Mon 28 Dec 2026 15:00: 3 h + 7 h, Christmas and weekend closed."""
    assert NL.business_duration(local(2026, 12, 24, 15), local(2026, 12, 28, 15)) == timedelta(
        hours=10
    )


@pytest.mark.parametrize(
    ("instant", "expected"),
    [
        (local(2026, 6, 5, 17), local(2026, 6, 5, 17)),  # open: itself
        (local(2026, 6, 5, 18), local(2026, 6, 8, 8)),  # closing time is closed
        (local(2026, 6, 6, 12), local(2026, 6, 8, 8)),  # Saturday
        (local(2026, 6, 10, 7, 30), local(2026, 6, 10, 8)),  # before opening
        (local(2026, 5, 13, 20), local(2026, 5, 15, 8)),  # evening before Ascension Day
    ],
)
def test_next_business_instant(instant: datetime, expected: datetime) -> None:
    """The response clock starts at the first open instant at or after receipt."""
    assert NL.next_business_instant(instant) == expected


def test_a_round_the_clock_calendar_accepts_24_00_as_closing() -> None:
    """00:00-24:00 every day is a whole-day calendar, DST days included (23 h and 25 h)."""
    always = BusinessCalendar(
        weekdays=frozenset(range(7)),
        hours=OpeningHours.parse("00:00-24:00"),
        holidays=HolidayRules(country=None),
    )
    assert always.business_duration(local(2026, 3, 29), local(2026, 3, 30)) == timedelta(hours=23)
    assert always.business_duration(local(2026, 10, 25), local(2026, 10, 26)) == timedelta(hours=25)


@pytest.mark.parametrize("text", ["18:00-08:00", "8-18", "08:00-25:00", "08:60-18:00"])
def test_impossible_opening_hours_are_refused(text: str) -> None:
    """Reversed or malformed hours are configuration errors."""
    with pytest.raises(ValueError, match="opening hours"):
        OpeningHours.parse(text)


# -- properties --------------------------------------------------------------------------

ZONES = ["Europe/Amsterdam", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "UTC"]

calendars = st.builds(
    lambda zone, days, opens, length, include: BusinessCalendar(
        zone=ZoneInfo(zone),
        weekdays=frozenset(days),
        hours=OpeningHours(opens, min(opens + length, 1440)),
        holidays=HolidayRules(country="NL", include=tuple(include)),
    ),
    st.sampled_from(ZONES),
    st.sets(st.integers(0, 6), min_size=1),
    st.integers(0, 23 * 60),
    st.integers(1, 24 * 60),
    st.lists(st.sampled_from(["12-24", "12-31", "Liberation Day", "2026-03-30"]), max_size=2),
)

instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31), timezones=st.just(UTC)
)
amounts = st.integers(0, 60 * 60 * 24 * 6).map(lambda s: timedelta(seconds=s))


@settings(max_examples=150, deadline=None)
@given(calendars, instants, instants, instants)
def test_business_duration_is_additive_over_a_split_point(
    calendar: BusinessCalendar, a: datetime, b: datetime, c: datetime
) -> None:
    """duration(a, c) == duration(a, b) + duration(b, c) for a <= b <= c."""
    a, b, c = sorted((a, b, c))
    assert calendar.business_duration(a, c) == (
        calendar.business_duration(a, b) + calendar.business_duration(b, c)
    )


@settings(max_examples=150, deadline=None)
@given(calendars, instants, amounts)
def test_adding_business_time_inverts_business_duration(
    calendar: BusinessCalendar, start: datetime, amount: timedelta
) -> None:
    """The instant reached by adding business time is exactly that much business time away."""
    end = calendar.add_business_time(start, amount)
    assert end >= start
    assert calendar.business_duration(start, end) == amount


@settings(max_examples=150, deadline=None)
@given(calendars, instants, amounts)
def test_added_business_time_ends_at_the_earliest_such_instant(
    calendar: BusinessCalendar, start: datetime, amount: timedelta
) -> None:
    """A positive amount never ends in closed time: it ends inside or at the end of a span."""
    end = calendar.add_business_time(start, amount)
    if amount > timedelta(0):
        assert calendar.is_open(end - timedelta(microseconds=1))


@settings(max_examples=100, deadline=None)
@given(calendars, instants)
def test_next_business_instant_is_open_and_nothing_before_it_is(
    calendar: BusinessCalendar, instant: datetime
) -> None:
    """The clock start is open, and no open time lies between receipt and it."""
    start = calendar.next_business_instant(instant)
    assert calendar.is_open(start)
    assert calendar.business_duration(instant, start) == timedelta(0)
