"""Deadlines of the reporting itself (3.2.5, 3.2.6) and the on-time share (3.2.38)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from monitor.sla.calendar import BusinessCalendar
from monitor.sla.months import Month
from monitor.sla.reporting import MonthDelivery, analysis_due, on_time_share, report_due

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
NL = BusinessCalendar()


def local(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=AMSTERDAM)


def test_june_report_is_due_at_closing_time_of_the_fifth_working_day_of_july() -> None:
    """June 2026 ends on a Tuesday: Wed 1, Thu 2, Fri 3, Mon 6, Tue 7 July 18:00."""
    assert report_due(NL, Month(2026, 6)) == local(2026, 7, 7, 18)


def test_june_analyses_are_due_at_closing_time_of_the_tenth_working_day_of_july() -> None:
    """Five working days on from the report: Tuesday 14 July 2026 18:00."""
    assert analysis_due(NL, Month(2026, 6)) == local(2026, 7, 14, 18)


def test_holidays_push_the_report_deadline_back() -> None:
    """April 2026: King's Day (27 April) is in April, Liberation Day 2026 is not closed by
    default, Ascension Day (14 May) lies after: 1, 4, 5, 6, 7 May -> Thursday 7 May 18:00."""
    assert report_due(NL, Month(2026, 4)) == local(2026, 5, 7, 18)


def test_on_time_share_counts_late_and_missing_reports_once_due() -> None:
    """January on time, February late, March never delivered, April not due yet: 1 of 3."""
    delivered = {
        Month(2026, 1): local(2026, 2, 3, 9),
        Month(2026, 2): local(2026, 3, 20, 9),
    }
    share = on_time_share(NL, 2026, delivered, now=local(2026, 4, 20), first=Month(2026, 1))
    assert (share.due, share.on_time) == (3, 1)
    assert share.ratio == 1 / 3


def test_months_before_the_first_delivery_are_not_counted() -> None:
    """An installation that started in March is answerable from March only."""
    delivered = {Month(2026, 3): local(2026, 4, 2, 9)}
    share = on_time_share(NL, 2026, delivered, now=local(2026, 4, 20), first=Month(2026, 3))
    assert (share.due, share.on_time, share.ratio) == (1, 1, 1.0)


def test_a_year_without_a_report_due_has_no_ratio() -> None:
    """Before the first report of a year is due, the share is neither good nor bad."""
    assert on_time_share(NL, 2026, {}, now=local(2026, 1, 15)).ratio is None


def test_a_month_delivery_is_on_time_up_to_its_due_instant_and_late_after_it() -> None:
    """June 2026, due Tuesday 7 July 18:00 (analyses 14 July): delivered at 18:00 is on time,
    a second later is late, and undelivered is neither until it is delivered."""
    due = local(2026, 7, 7, 18)
    undelivered = MonthDelivery.of(NL, Month(2026, 6))
    assert (undelivered.due, undelivered.analyses_due) == (due, local(2026, 7, 14, 18))
    assert undelivered.on_time is None
    assert MonthDelivery.of(NL, Month(2026, 6), due, final=True).on_time is True
    late = MonthDelivery.of(NL, Month(2026, 6), due + timedelta(seconds=1), final=True)
    assert late.on_time is False
