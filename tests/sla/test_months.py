"""Calendar months in a zone have their real length."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from monitor.sla.months import Month, MonthOutOfRangeError

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.mark.parametrize(
    ("month", "hours"),
    [
        ("2026-03", 743),  # clocks go forward on 29 March
        ("2026-10", 745),  # clocks go back on 25 October
        ("2026-06", 720),
        ("2026-02", 672),
        ("2028-02", 696),  # leap year
        ("2026-12", 744),
    ],
)
def test_month_lasts_its_real_number_of_hours(month: str, hours: int) -> None:
    """Bounds are local midnights converted to UTC, so DST months are 743 h and 745 h."""
    assert Month.parse(month).interval(AMSTERDAM).duration == timedelta(hours=hours)


def test_month_starts_at_local_midnight() -> None:
    """1 July 00:00 in Amsterdam is 30 June 22:00 UTC."""
    start = Month(2026, 7).interval(AMSTERDAM).start
    assert start.isoformat() == "2026-06-30T22:00:00+00:00"


def test_previous_and_next_cross_year_boundaries() -> None:
    """January's previous month is last year's December and vice versa."""
    assert Month(2026, 1).previous() == Month(2025, 12)
    assert Month(2025, 12).next() == Month(2026, 1)
    assert str(Month(2026, 3).previous()) == "2026-02"


@pytest.mark.parametrize("text", ["2026-13", "2026-3", "26-03", "march"])
def test_a_malformed_month_is_refused(text: str) -> None:
    """Only YYYY-MM with a real month number is a month."""
    with pytest.raises(ValueError, match="month"):
        Month.parse(text)


@pytest.mark.parametrize("text", ["0001-01", "1969-12", "9999-01"])
def test_a_parsed_month_outside_the_reportable_years_is_refused(text: str) -> None:
    """Input such as 0001-01 fails here, not later with an OverflowError in a zone offset."""
    with pytest.raises(MonthOutOfRangeError, match="outside the years 1970 to 9998"):
        Month.parse(text)
