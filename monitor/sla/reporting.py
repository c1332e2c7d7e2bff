"""Deadlines of the reporting itself (docs/rules.md#reporting-deadlines).

3.2.5: the Service Level Report of a month is shared "uiterlijk vijf werkdagen na afloop van
de voorgaande maand"; 3.2.6: the analysis of every missed PI "uiterlijk tien werkdagen na
afloop"; 3.2.38: "ten minste 90% van de ... rapportages tijdig". "Uiterlijk N werkdagen na
afloop" is read as the closing time of the N-th working day after the month, in the service
desk's calendar: the same reading as ``end_of_next_business_day`` for requests, since a
deliverable is due by the close of business. June 2026 ends on a Tuesday: the report is due
Tuesday 7 July 2026 18:00, the analyses Tuesday 14 July 2026 18:00.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from monitor.sla.calendar import BusinessCalendar
from monitor.sla.intervals import as_utc
from monitor.sla.months import Month

__all__ = [
    "ANALYSIS_DAYS",
    "ON_TIME_OBJECTIVE",
    "REPORT_DAYS",
    "MonthDelivery",
    "OnTimeShare",
    "analysis_due",
    "on_time_share",
    "report_due",
    "working_days_after",
]

REPORT_DAYS: Final = 5
"""3.2.5: the report within five working days after the month."""
ANALYSIS_DAYS: Final = 10
"""3.2.6: the analysis of each missed PI within ten working days after the month."""
ON_TIME_OBJECTIVE: Final = 0.9
"""3.2.38: at least 90 % of the reports on time."""


def working_days_after(calendar: BusinessCalendar, month: Month, days: int) -> datetime:
    """Closing time (UTC) of the ``days``-th working day after ``month``."""
    last_day = month.next().first_day - timedelta(days=1)
    return calendar.closing(calendar.nth_business_day_after(last_day, days))


def report_due(calendar: BusinessCalendar, month: Month) -> datetime:
    """When the report of ``month`` is due (3.2.5)."""
    return working_days_after(calendar, month, REPORT_DAYS)


def analysis_due(calendar: BusinessCalendar, month: Month) -> datetime:
    """When the analyses of the misses of ``month`` are due (3.2.6)."""
    return working_days_after(calendar, month, ANALYSIS_DAYS)


@dataclass(frozen=True, slots=True)
class MonthDelivery:
    """A month's report against its deadlines: when it is due (3.2.5), when the analyses of
    its misses are (3.2.6), and when it was delivered (first exported) and whether final, if
    it was. The report's "previous month" and the live reporting status share it."""

    month: Month
    due: datetime
    analyses_due: datetime
    delivered_at: datetime | None
    final: bool | None

    @classmethod
    def of(
        cls,
        calendar: BusinessCalendar,
        month: Month,
        delivered_at: datetime | None = None,
        final: bool | None = None,
    ) -> MonthDelivery:
        """``month``'s report with the due instants of ``calendar``."""
        due = report_due(calendar, month)
        return cls(month, due, analysis_due(calendar, month), delivered_at, final)

    @property
    def on_time(self) -> bool | None:
        """Whether the delivery came by the due instant (3.2.38); ``None`` while undelivered
        (an undelivered month past its due instant is late in the on-time share and pages
        through ``SlaReportOverdue``)."""
        if self.delivered_at is None:
            return None
        return as_utc(self.delivered_at) <= self.due


@dataclass(frozen=True, slots=True)
class OnTimeShare:
    """Reports of a year delivered on time, of the reports due so far (3.2.38).

    ``ratio`` is ``None`` while no report of the year is due: an empty year is neither.
    """

    year: int
    due: int
    on_time: int

    @property
    def ratio(self) -> float | None:
        return None if self.due == 0 else self.on_time / self.due


def on_time_share(
    calendar: BusinessCalendar,
    year: int,
    delivered: Mapping[Month, datetime],
    now: datetime,
    first: Month | None = None,
) -> OnTimeShare:
    """The share of ``year``'s monthly reports delivered by their due instant (3.2.38).

    A month counts once it was delivered or its due instant has passed (undelivered then:
    late). ``first`` is the first month the installation is answerable for (its first
    delivery); earlier months are not counted, as no report of them was ever expected of it.
    """
    now = as_utc(now)
    due = on_time = 0
    for month in _months(year):
        if first is not None and month < first:
            continue
        deadline = report_due(calendar, month)
        at = delivered.get(month)
        if at is None and now <= deadline:
            continue
        due += 1
        if at is not None and as_utc(at) <= deadline:
            on_time += 1
    return OnTimeShare(year, due, on_time)


def _months(year: int) -> Iterable[Month]:
    return (Month(year, number) for number in range(1, 13))
