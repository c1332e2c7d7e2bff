"""Resolution time with overrun tiers (3.2.40) and calendar-day terms (3.2.39, 3.2.41)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.sla.calendar import BusinessCalendar
from monitor.sla.months import Month
from monitor.sla.resolution import (
    ResolutionNorm,
    ResolvedRequest,
    judge_resolution,
    monthly_resolution,
)
from monitor.sla.response import BusinessDayMode, DayUnit, response_deadline

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NL = BusinessCalendar()
WORKING = DayUnit.WORKING_DAYS
CALENDAR = DayUnit.CALENDAR_DAYS


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


# Monday 1 June 2026 08:00, one working day = ten business hours: the term ends Monday 18:00.
RECEIVED = local(2026, 6, 1, 8)
ONE_DAY = ResolutionNorm(days=1)


@pytest.mark.parametrize(
    ("resolved", "outcome", "percent"),
    [
        (local(2026, 6, 2, 9, 54), "in_time", 119),  # 11.9 business hours
        (local(2026, 6, 2, 10, 0), "in_time", 120),  # exactly at the threshold: not over it
        (local(2026, 6, 2, 10, 6), "over_20", 121),  # 12.1 business hours
        (local(2026, 6, 2, 13, 6), "over_50", 151),  # 15.1 business hours
    ],
)
def test_complaints_resolved_at_119_121_and_151_percent_land_in_their_tiers(
    resolved: datetime, outcome: str, percent: int
) -> None:
    """119 % and 120 % of the term are in time, 121 % is over 20 %, 151 % is over 50 %."""
    request = ResolvedRequest("c-1", RECEIVED, resolved)
    verdict = judge_resolution(ONE_DAY, request, NL, now=local(2026, 7, 1))
    assert verdict.due == local(2026, 6, 1, 18)
    assert verdict.outcome == outcome
    assert verdict.ratio == pytest.approx(percent / 100)


def test_tier_thresholds_are_measured_in_business_time_for_working_days() -> None:
    """120 % and 150 % of a ten-hour term end at Tuesday 10:00 and 13:00."""
    verdict = judge_resolution(ONE_DAY, ResolvedRequest("c", RECEIVED, None), NL, local(2026, 6, 1))
    assert verdict.thresholds == (local(2026, 6, 2, 10), local(2026, 6, 2, 13))


def test_calendar_day_terms_measure_elapsed_time() -> None:
    """A two-calendar-day term from Friday 10:00 ends Sunday 10:00; 121 % is Sunday 20:05."""
    norm = ResolutionNorm(days=2, unit=CALENDAR)
    received = local(2026, 6, 5, 10)
    resolved = received + timedelta(hours=48 * 1.21)
    verdict = judge_resolution(
        norm, ResolvedRequest("w", received, resolved), NL, local(2026, 7, 1)
    )
    assert verdict.due == local(2026, 6, 7, 10)
    assert verdict.outcome == "over_20"


def test_unresolved_request_past_the_first_tier_is_pending_and_already_over_it() -> None:
    """Unresolved at 130 % of the term: pending, at least over 20 %."""
    verdict = judge_resolution(
        ONE_DAY, ResolvedRequest("c", RECEIVED, None), NL, now=local(2026, 6, 2, 11)
    )
    assert (verdict.outcome, verdict.at_least) == ("pending", "over_20")


def test_unresolved_request_past_the_last_tier_is_decided_in_it() -> None:
    """Past 150 % nothing can change any more: the outcome is over 50 %."""
    verdict = judge_resolution(
        ONE_DAY, ResolvedRequest("c", RECEIVED, None), NL, now=local(2026, 6, 2, 14)
    )
    assert (verdict.outcome, verdict.at_least) == ("over_50", "over_50")


def test_resolution_later_than_now_is_not_known_yet() -> None:
    """A report as of an earlier instant ignores a resolution recorded for a later one."""
    request = ResolvedRequest("c", RECEIVED, local(2026, 6, 1, 12))
    verdict = judge_resolution(ONE_DAY, request, NL, now=local(2026, 6, 1, 11))
    assert (verdict.outcome, verdict.ratio) == ("pending", None)


def test_tier_names_come_from_the_norm() -> None:
    """Configured tier names replace the default over_20 and over_50."""
    norm = ResolutionNorm(days=1, tiers=(0.2, 0.5), names=("malus_1", "malus_2"))
    request = ResolvedRequest("c", RECEIVED, local(2026, 6, 2, 13, 6))
    assert judge_resolution(norm, request, NL, local(2026, 7, 1)).outcome == "malus_2"
    assert norm.outcomes == ("in_time", "malus_1", "malus_2", "pending")


def test_norm_refuses_tiers_that_do_not_ascend_or_names_that_do_not_match() -> None:
    """Descending tiers and a missing name are configuration errors."""
    with pytest.raises(ValueError, match="ascending"):
        ResolutionNorm(days=1, tiers=(0.5, 0.2))
    with pytest.raises(ValueError, match="one tier name"):
        ResolutionNorm(days=1, names=("only_one",))


def test_monthly_counts_cover_every_outcome_of_requests_received_in_the_month() -> None:
    """Counts per tier over June's requests; a May request and a pending one are counted apart."""
    requests = [
        ResolvedRequest("a", RECEIVED, local(2026, 6, 1, 17)),
        ResolvedRequest("b", RECEIVED, local(2026, 6, 2, 10, 6)),
        ResolvedRequest("c", local(2026, 6, 30, 8), None),
        ResolvedRequest("old", local(2026, 5, 29, 8), local(2026, 6, 1, 9)),
    ]
    figure = monthly_resolution(
        category="complaint",
        norm=ONE_DAY,
        requests=requests,
        month=Month(2026, 6).interval(AMSTERDAM),
        calendar=NL,
        now=local(2026, 6, 30, 19),
    )
    assert figure.counts() == {"in_time": 1, "over_20": 1, "over_50": 0, "pending": 1}
    assert figure.pending_at_least() == {"over_20": 0, "over_50": 0}


@pytest.mark.parametrize(
    ("unit", "deadline"),
    [
        (CALENDAR, local(2026, 6, 7, 10)),  # Sunday 10:00
        (WORKING, local(2026, 6, 9, 10)),  # Tuesday 10:00
    ],
)
def test_two_days_from_friday_ten_in_both_units(unit: DayUnit, deadline: datetime) -> None:
    """ "Binnen twee dagen" from Friday 5 June 2026 10:00: Sunday or Tuesday 10:00."""
    assert response_deadline(NL, local(2026, 6, 5, 10), 2, unit=unit) == deadline


def test_calendar_days_end_of_day_reading_ends_at_midnight() -> None:
    """With end_of_next_business_day, two calendar days from Friday end at Sunday 24:00."""
    deadline = response_deadline(
        NL, local(2026, 6, 5, 10), 2, BusinessDayMode.END_OF_NEXT_BUSINESS_DAY, CALENDAR
    )
    assert deadline == local(2026, 6, 8)


def test_calendar_days_keep_the_wall_clock_time_across_a_clock_change() -> None:
    """Friday 27 March 2026 10:00 + two days = Sunday 29 March 10:00 CEST, 47 hours later."""
    received = local(2026, 3, 27, 10)
    deadline = response_deadline(NL, received, 2, unit=CALENDAR)
    assert deadline == local(2026, 3, 29, 10)
    assert deadline - received == timedelta(hours=47)


@settings(max_examples=200, deadline=None)
@given(
    received=st.integers(min_value=0, max_value=60 * 24 * 30),
    first=st.integers(min_value=0, max_value=60 * 24 * 10),
    later=st.integers(min_value=0, max_value=60 * 24 * 10),
    unit=st.sampled_from(list(DayUnit)),
)
def test_a_later_resolution_never_lands_in_a_milder_tier(
    received: int, first: int, later: int, unit: DayUnit
) -> None:
    """Outcomes are ordered by severity, and resolving later can only keep or raise it."""
    norm = ResolutionNorm(days=2, unit=unit)
    start = local(2026, 3, 1) + timedelta(minutes=received)
    early, late = sorted((first, later))
    severity = {name: index for index, name in enumerate(norm.outcomes)}

    def outcome(minutes: int) -> int:
        request = ResolvedRequest("r", start, start + timedelta(minutes=minutes))
        return severity[judge_resolution(norm, request, NL, local(2027, 1, 1)).outcome]

    assert outcome(early) <= outcome(late)
