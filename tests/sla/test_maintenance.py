"""Agreed maintenance windows: parsing, DST-proof expansion and per-target schedules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.sla.intervals import Interval, IntervalSet
from monitor.sla.maintenance import (
    MaintenanceOccurrence,
    MaintenanceSchedule,
    MaintenanceWindow,
    OneOffWindow,
    RecurringWindow,
)

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")  # a 30-minute DST shift, at 02:00 local


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=AMSTERDAM)


def weekly(text: str) -> RecurringWindow:
    return RecurringWindow.parse(text, AMSTERDAM)


# -- parsing ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "weekdays", "opens", "closes", "canonical"),
    [
        ("sun 01:00-03:00", {6}, 60, 180, "sun 01:00-03:00"),
        ("mon,wed 22:00-23:30", {0, 2}, 1320, 1410, "mon,wed 22:00-23:30"),
        ("daily 02:00-03:00", set(range(7)), 120, 180, "daily 02:00-03:00"),
        ("mon-fri 22:00-06:00", {0, 1, 2, 3, 4}, 1320, 360, "mon-fri 22:00-06:00"),
        ("fri-mon 00:00-24:00", {4, 5, 6, 0}, 0, 1440, "mon,fri-sun 00:00-24:00"),
        ("Sunday 1:00 - 3:00", {6}, 60, 180, "sun 01:00-03:00"),
        ("mon, wed ,fri 05:00-05:30", {0, 2, 4}, 300, 330, "mon,wed,fri 05:00-05:30"),
        ("sat-sun 23:00-01:00", {5, 6}, 1380, 60, "sat,sun 23:00-01:00"),
    ],
)
def test_recurring_rules_are_read_in_every_documented_spelling(
    text: str, weekdays: set[int], opens: int, closes: int, canonical: str
) -> None:
    """Day names, ranges (also wrapping over the weekend), lists and daily all parse."""
    window = weekly(text)
    assert window.weekdays == frozenset(weekdays)
    assert (window.opens, window.closes) == (opens, closes)
    assert str(window) == canonical
    assert weekly(canonical) == window


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("sun", "is not a recurring window"),
        ("sun 1am-3am", "is not a recurring window"),
        ("zon 01:00-03:00", "unknown weekday 'zon'"),
        ("mon-xyz 01:00-03:00", "unknown weekday 'xyz'"),
        ("mon,,tue 01:00-03:00", "empty weekday"),
        ("sun 25:00-26:00", "is not a clock time"),
        ("sun 01:60-03:00", "is not a clock time"),
        ("sun 24:00-03:00", "cannot start at 24:00"),
        ("sun 03:00-03:00", "has no length"),
        ("", "is not a recurring window"),
    ],
)
def test_malformed_recurring_rules_are_refused_with_a_reason(text: str, problem: str) -> None:
    """A typo in ``every:`` must fail loudly: it decides which downtime is forgiven."""
    with pytest.raises(ValueError, match=problem):
        weekly(text)


def test_validity_bounds_must_be_in_order() -> None:
    """A window valid until before it becomes valid is a typo, not an empty schedule."""
    with pytest.raises(ValueError, match="lies before valid_from"):
        RecurringWindow.parse(
            "sun 01:00-03:00",
            AMSTERDAM,
            valid_from=date(2026, 6, 1),
            valid_until=date(2026, 5, 1),
        )


# -- DST: real 2026 dates in Europe/Amsterdam -------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "day", "start", "end"),
    [
        # An ordinary Sunday in winter (+01:00) and in summer (+02:00).
        ("sun 01:00-03:00", date(2026, 3, 22), utc(2026, 3, 22, 0), utc(2026, 3, 22, 2)),
        ("sun 01:00-03:00", date(2026, 4, 5), utc(2026, 4, 4, 23), utc(2026, 4, 5, 1)),
        # Clocks go forward at 02:00 CET: 01:00 CET to 03:00 CEST is one real hour.
        ("sun 01:00-03:00", date(2026, 3, 29), utc(2026, 3, 29, 0), utc(2026, 3, 29, 1)),
        # Clocks go back at 03:00 CEST: 01:00 CEST to 03:00 CET is three real hours.
        ("sun 01:00-03:00", date(2026, 10, 25), utc(2026, 10, 24, 23), utc(2026, 10, 25, 2)),
        # 02:30 does not exist on 29 March: it maps to the end of the gap, 03:00 CEST.
        ("sun 02:30-04:00", date(2026, 3, 29), utc(2026, 3, 29, 1), utc(2026, 3, 29, 2)),
        ("sun 01:00-02:30", date(2026, 3, 29), utc(2026, 3, 29, 0), utc(2026, 3, 29, 1)),
        # 02:30 exists twice on 25 October: the first one (CEST) is taken.
        ("sun 02:30-04:00", date(2026, 10, 25), utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 3)),
        ("sun 02:00-02:30", date(2026, 10, 25), utc(2026, 10, 25, 0), utc(2026, 10, 25, 0, 30)),
        # A window across midnight ends on the next local date, also on a switch night.
        ("sat 22:00-06:00", date(2026, 3, 28), utc(2026, 3, 28, 21), utc(2026, 3, 29, 4)),
        ("sat 22:00-06:00", date(2026, 10, 24), utc(2026, 10, 24, 20), utc(2026, 10, 25, 5)),
        # 24:00 is the next local midnight.
        ("sat 00:00-24:00", date(2026, 3, 28), utc(2026, 3, 27, 23), utc(2026, 3, 28, 23)),
        ("sun 00:00-24:00", date(2026, 3, 29), utc(2026, 3, 28, 23), utc(2026, 3, 29, 22)),
    ],
)
def test_recurring_windows_keep_their_wall_clock_times_across_dst(
    rule: str, day: date, start: datetime, end: datetime
) -> None:
    """Each occurrence is built from local wall-clock times of its own date."""
    assert weekly(rule).occurrence_on(day) == Interval(start, end)


@pytest.mark.parametrize(
    ("day", "hours"),
    [(date(2026, 4, 5), 2.5), (date(2026, 4, 12), 2.0), (date(2026, 10, 4), 1.5)],
)
def test_a_half_hour_dst_shift_changes_the_window_by_half_an_hour(day: date, hours: float) -> None:
    """Lord Howe Island moves its clocks by 30 minutes; the window follows the local clock."""
    window = RecurringWindow.parse("sun 01:00-03:00", LORD_HOWE)
    span = window.occurrence_on(day)
    assert span is not None
    assert span.duration == timedelta(hours=hours)


def test_a_window_inside_the_spring_forward_gap_has_no_occurrence_that_night() -> None:
    """02:00-02:30 on 29 March 2026 never showed on a clock in Amsterdam: nothing to forgive."""
    window = weekly("sun 02:00-02:30")
    assert window.occurrence_on(date(2026, 3, 29)) is None
    assert window.occurrences(local(2026, 3, 28), local(2026, 3, 30)) == IntervalSet()
    assert window.occurrence_on(date(2026, 4, 5)) == Interval(
        utc(2026, 4, 5, 0), utc(2026, 4, 5, 0, 30)
    )


def test_the_dst_weeks_of_2026_give_one_short_and_one_long_patching_night() -> None:
    """March 2026 has four 2 h Sundays and one 1 h Sunday; October four 2 h and one 3 h."""
    window = weekly("sun 01:00-03:00")
    march = window.occurrences(local(2026, 3, 1), local(2026, 4, 1))
    october = window.occurrences(local(2026, 10, 1), local(2026, 11, 1))
    assert [i.duration for i in march] == [timedelta(hours=h) for h in (2, 2, 2, 2, 1)]
    assert [i.duration for i in october] == [timedelta(hours=h) for h in (2, 2, 2, 3)]
    assert march.total == timedelta(hours=9)
    assert october.total == timedelta(hours=9)


def test_weekday_range_across_midnight_covers_the_working_nights() -> None:
    """mon-fri 22:00-06:00 starts five evenings a week; Friday's night ends on Saturday."""
    window = weekly("mon-fri 22:00-06:00")
    spans = window.spans(local(2026, 6, 8), local(2026, 6, 15))  # Mon 8 .. Mon 15 June
    starts = [s.start.astimezone(AMSTERDAM) for s in spans]
    # The Sunday-night occurrence of the previous week is not there: Sunday is not listed.
    assert [s.date() for s in starts] == [date(2026, 6, d) for d in (8, 9, 10, 11, 12)]
    assert spans[-1].end == local(2026, 6, 13, 6)
    assert all(s.duration == timedelta(hours=8) for s in spans)


def test_an_occurrence_from_the_previous_evening_is_found_and_clipped() -> None:
    """A window that began before ``start`` still counts for its part inside the period."""
    window = weekly("sun 22:00-06:00")
    assert window.spans(local(2026, 6, 1), local(2026, 6, 2)) == (
        Interval(local(2026, 5, 31, 22), local(2026, 6, 1, 6)),
    )
    assert window.occurrences(local(2026, 6, 1), local(2026, 6, 2)) == IntervalSet.of(
        local(2026, 6, 1), local(2026, 6, 1, 6)
    )


def test_validity_bounds_limit_the_dates_on_which_a_window_starts() -> None:
    """A schedule agreed on 10 June does not reclassify the Sunday before it."""
    window = RecurringWindow.parse(
        "sun 01:00-03:00", AMSTERDAM, valid_from=date(2026, 6, 10), valid_until=date(2026, 6, 21)
    )
    spans = window.spans(local(2026, 6, 1), local(2026, 7, 1))
    assert [s.start.astimezone(AMSTERDAM).date() for s in spans] == [
        date(2026, 6, 14),
        date(2026, 6, 21),
    ]
    assert str(window) == "sun 01:00-03:00 from 2026-06-10 until 2026-06-21"


# -- one-off windows ------------------------------------------------------------------------


def test_one_off_windows_are_stored_in_utc_and_clipped_to_the_period() -> None:
    """The example release window, 02:00-06:00 +02:00, is 00:00-04:00 UTC."""
    window = OneOffWindow(local(2026, 6, 14, 2), local(2026, 6, 14, 6))
    assert (window.start, window.end) == (utc(2026, 6, 14, 0), utc(2026, 6, 14, 4))
    assert window.occurrences(local(2026, 6, 14, 3), local(2026, 6, 15)) == IntervalSet.of(
        local(2026, 6, 14, 3), local(2026, 6, 14, 6)
    )
    assert window.spans(local(2026, 6, 14, 3), local(2026, 6, 15)) == (window.interval,)
    assert window.spans(local(2026, 6, 14, 6), local(2026, 6, 15)) == ()


@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [
        (local(2026, 6, 14, 6), local(2026, 6, 14, 2), "ends .* before it starts"),
        (local(2026, 6, 14, 2), local(2026, 6, 14, 2), "is empty"),
        (datetime(2026, 6, 14, 2), local(2026, 6, 14, 6), "naive datetime"),
    ],
)
def test_reversed_empty_and_naive_one_off_windows_are_refused(
    start: datetime, end: datetime, problem: str
) -> None:
    """Only a real span between two aware instants is an agreed window."""
    with pytest.raises(ValueError, match=problem):
        OneOffWindow(start, end)


# -- schedules ------------------------------------------------------------------------------

RELEASE = MaintenanceWindow(
    "release-2026-06",
    frozenset({"it-system"}),
    OneOffWindow(local(2026, 6, 14, 2), local(2026, 6, 14, 6)),
    reason="release 4.2",
)
PATCHING = MaintenanceWindow(
    "weekly-patching", frozenset({"it-system", "portal"}), weekly("sun 01:00-03:00")
)
SCHEDULE = MaintenanceSchedule((RELEASE, PATCHING))


def test_overlapping_windows_of_a_target_count_once() -> None:
    """14 June: patching 01:00-03:00 and the release 02:00-06:00 give 5 h, not 6 h."""
    maintenance = SCHEDULE.for_target("it-system", local(2026, 6, 14), local(2026, 6, 15))
    assert maintenance == IntervalSet.of(local(2026, 6, 14, 1), local(2026, 6, 14, 6))
    assert maintenance.total == timedelta(hours=5)


def test_a_target_gets_only_the_windows_that_name_it() -> None:
    """The portal shares the patching night but not the release."""
    maintenance = SCHEDULE.for_target("portal", local(2026, 6, 14), local(2026, 6, 15))
    assert maintenance.total == timedelta(hours=2)
    assert SCHEDULE.for_target("mail", local(2026, 6, 1), local(2026, 7, 1)) == IntervalSet()
    assert SCHEDULE.targets == frozenset({"it-system", "portal"})


def test_named_occurrences_list_each_window_as_agreed_in_start_order() -> None:
    """The report lists every occurrence with its name, schedule and reason."""
    listed = SCHEDULE.occurrences(local(2026, 6, 14), local(2026, 6, 15), target="it-system")
    assert listed == (
        MaintenanceOccurrence(
            start=utc(2026, 6, 13, 23),
            end=utc(2026, 6, 14, 1),
            name="weekly-patching",
            targets=("it-system", "portal"),
            schedule="sun 01:00-03:00",
        ),
        MaintenanceOccurrence(
            start=utc(2026, 6, 14, 0),
            end=utc(2026, 6, 14, 4),
            name="release-2026-06",
            targets=("it-system",),
            schedule="one-off",
            reason="release 4.2",
        ),
    )


def test_occurrences_are_listed_unclipped_across_a_month_boundary() -> None:
    """A Saturday-night window from 31 January into 1 February reads the same in February."""
    schedule = MaintenanceSchedule(
        (MaintenanceWindow("night", frozenset({"x"}), weekly("sat 22:00-06:00")),)
    )
    february = schedule.occurrences(local(2026, 2, 1), local(2026, 3, 1))
    assert february[0].interval == Interval(local(2026, 1, 31, 22), local(2026, 2, 1, 6))
    clipped = schedule.for_target("x", local(2026, 2, 1), local(2026, 3, 1))
    assert clipped.intervals[0] == Interval(local(2026, 2, 1), local(2026, 2, 1, 6))


def test_active_maintenance_is_answered_for_a_given_instant() -> None:
    """The ``sla_in_maintenance`` gauge asks with "now" passed in; the end is outside."""
    inside = SCHEDULE.active("it-system", local(2026, 6, 14, 5, 59))
    assert [o.name for o in inside] == ["release-2026-06"]
    assert SCHEDULE.active("it-system", local(2026, 6, 14, 6)) == ()
    assert [o.name for o in SCHEDULE.active("portal", local(2026, 6, 21, 1))] == ["weekly-patching"]


def test_schedules_refuse_two_windows_with_one_name() -> None:
    """A report line names its window, so a name must point at one window."""
    with pytest.raises(ValueError, match="used twice"):
        MaintenanceSchedule((RELEASE, RELEASE))


@pytest.mark.parametrize(
    ("name", "targets", "problem"),
    [("x", frozenset(), "covers no target"), (" ", frozenset({"x"}), "needs a name")],
)
def test_windows_need_a_name_and_a_target(name: str, targets: frozenset[str], problem: str) -> None:
    """A window without targets forgives nothing and one without a name cannot be listed."""
    with pytest.raises(ValueError, match=problem):
        MaintenanceWindow(name, targets, weekly("sun 01:00-02:00"))


# -- properties -----------------------------------------------------------------------------

# Bound minutes strictly inside 01:00-03:00 are where the DST rule (not the plain wall clock)
# decides, in Amsterdam (02:00-03:00), New York (01:00-02:00) and Lord Howe (01:30-02:30);
# the oracle leaves them out.
_PLAIN_MINUTES = [m for m in range(0, 24 * 60 + 1, 15) if not 60 < m < 180]
_ZONES = st.sampled_from([AMSTERDAM, NEW_YORK, LORD_HOWE])
_DAYS = st.frozensets(st.integers(0, 6), min_size=1)


@st.composite
def recurring_windows(draw: st.DrawFn, zone: ZoneInfo) -> RecurringWindow:
    opens = draw(st.sampled_from([m for m in _PLAIN_MINUTES if m < 24 * 60]))
    closes = draw(st.sampled_from([m for m in _PLAIN_MINUTES if m != opens]))
    return RecurringWindow(draw(_DAYS), opens, closes, zone)


# Around both 2026 switch nights in both zones, and ordinary weeks in between.
_PERIOD_START = st.datetimes(
    min_value=datetime(2026, 3, 1), max_value=datetime(2026, 11, 30), timezones=st.just(UTC)
)


def _in_window_by_wall_clock(window: RecurringWindow, instant: datetime) -> bool:
    """Oracle: read the instant's local clock and compare with the agreed times directly."""
    wall = instant.astimezone(window.zone)
    minute = wall.hour * 60 + wall.minute + wall.second / 60
    today = wall.weekday() in window.weekdays
    yesterday = (wall.weekday() - 1) % 7 in window.weekdays
    if window.crosses_midnight:
        return (today and minute >= window.opens) or (yesterday and minute < window.closes)
    return today and window.opens <= minute < window.closes


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    zone=_ZONES,
    start=_PERIOD_START,
    hours=st.integers(1, 24 * 9),
)
def test_occurrences_agree_with_reading_the_local_clock_at_any_instant(
    data: st.DataObject, zone: ZoneInfo, start: datetime, hours: int
) -> None:
    """An instant is in maintenance exactly when its local clock lies inside the window."""
    window = data.draw(recurring_windows(zone))
    end = start + timedelta(hours=hours)
    occurrences = window.occurrences(start, end)
    instants = data.draw(
        st.lists(
            st.datetimes(
                min_value=start.replace(tzinfo=None),
                max_value=end.replace(tzinfo=None),
                timezones=st.just(UTC),
            ),
            min_size=1,
            max_size=20,
        )
    )
    for instant in instants:
        if instant < end:
            assert occurrences.contains(instant) == _in_window_by_wall_clock(window, instant)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), zone=_ZONES, start=_PERIOD_START, hours=st.integers(0, 24 * 40))
def test_every_clipped_occurrence_lies_inside_the_period(
    data: st.DataObject, zone: ZoneInfo, start: datetime, hours: int
) -> None:
    """Clipping never lets maintenance leak outside the month it is counted in."""
    window = data.draw(recurring_windows(zone))
    end = start + timedelta(hours=hours)
    for interval in window.occurrences(start, end):
        assert start <= interval.start < interval.end <= end
    for span in window.spans(start, end):
        assert span.start < end
        assert span.end > start


@settings(max_examples=100, deadline=None)
@given(data=st.data(), zone=_ZONES, start=_PERIOD_START, first=st.integers(0, 24 * 20))
def test_occurrences_are_additive_over_a_split_point(
    data: st.DataObject, zone: ZoneInfo, start: datetime, first: int
) -> None:
    """Two adjacent months' maintenance is the maintenance of both together."""
    window = data.draw(recurring_windows(zone))
    middle = start + timedelta(hours=first)
    end = middle + timedelta(hours=data.draw(st.integers(0, 24 * 20)))
    together = window.occurrences(start, end)
    assert together == window.occurrences(start, middle) | window.occurrences(middle, end)
    assert together.total == (
        window.occurrences(start, middle).total + window.occurrences(middle, end).total
    )


@settings(max_examples=60, deadline=None)
@given(zone=_ZONES, days=_DAYS, opens=st.sampled_from([0, 30, 45, 180, 600, 1260, 1425]))
def test_every_occurrence_of_2026_starts_and_ends_at_the_agreed_local_time(
    zone: ZoneInfo, days: frozenset[int], opens: int
) -> None:
    """Across both DST switches, the local clock reads the agreed times at both ends."""
    closes = (opens + 240) % (24 * 60)
    window = RecurringWindow(days, opens, closes, zone)
    year = window.spans(datetime(2026, 1, 1, tzinfo=zone), datetime(2027, 1, 1, tzinfo=zone))
    assert len(year) >= 52 * len(days) - 1
    for span in year:
        assert span.start.astimezone(zone).time() == time(opens // 60, opens % 60)
        assert span.end.astimezone(zone).time() == time(closes // 60, closes % 60)


@settings(max_examples=100, deadline=None)
@given(zone=_ZONES, days=_DAYS, opens=st.integers(0, 1439), length=st.integers(1, 1439))
def test_recurring_windows_survive_a_round_trip_through_their_text(
    zone: ZoneInfo, days: frozenset[int], opens: int, length: int
) -> None:
    """What the report prints can be pasted back into the configuration."""
    window = RecurringWindow(days, opens, (opens + length) % 1440 or 1440, zone)
    assert RecurringWindow.parse(str(window), zone) == window
