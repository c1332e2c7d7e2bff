"""Calendar months in the configured zone, with their real length.

Requirement 3.2.10 measures availability "per kalendermaand" and 3.2.5 reports per month. A
month is a local notion: March 2026 in Europe/Amsterdam starts at 00:00 CET and ends at
00:00 CEST on 1 April, so it lasts 743 hours, not 744. We build the bounds from local dates
and convert to UTC before subtracting; the length then comes out right by itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from monitor.sla.intervals import Interval, as_utc

__all__ = ["Month", "MonthOutOfRangeError"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")

_PARSED_YEARS = range(1970, 9999)
"""Years a month given by a user may lie in. Nothing was measured before 1970, and a report
of 0001-01 would need instants before the first one a ``datetime`` can hold (its previous
month, a zone's offset), so such input is refused as a bad month instead of failing later."""


class MonthOutOfRangeError(ValueError):
    """A well-formed month in a year no report can be about."""


@dataclass(frozen=True, slots=True, order=True)
class Month:
    """A calendar month ``YYYY-MM``; zone-free until :meth:`interval` places it in a zone."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, got {self.month}")
        if not 1 <= self.year <= 9998:
            raise ValueError(f"year out of range: {self.year}")

    @classmethod
    def parse(cls, text: str) -> Month:
        match = _MONTH.match(text.strip())
        if match is None:
            raise ValueError(f"{text!r} is not a month of the form YYYY-MM")
        year = int(match.group(1))
        if year not in _PARSED_YEARS:
            raise MonthOutOfRangeError(
                f"the month {text.strip()} lies outside the years "
                f"{_PARSED_YEARS.start} to {_PARSED_YEARS.stop - 1}"
            )
        return cls(year, int(match.group(2)))

    @classmethod
    def containing(cls, instant: datetime, zone: ZoneInfo) -> Month:
        local = as_utc(instant).astimezone(zone)
        return cls(local.year, local.month)

    @property
    def first_day(self) -> date:
        return date(self.year, self.month, 1)

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def interval(self, zone: ZoneInfo) -> Interval:
        """``[first local midnight, next month's first local midnight)`` as UTC instants."""
        start = datetime.combine(self.first_day, time(0), tzinfo=zone)
        end = datetime.combine(self.next().first_day, time(0), tzinfo=zone)
        return Interval(start, end)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
