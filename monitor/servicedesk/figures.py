"""The service desk's live figures: per category, this month and last month, and what is
open or overdue now. Pure: the requests and "now" come in as arguments.

Requirement 3.2.9 (80 % of e-mail answered "binnen één werkdag"), 3.2.13 (escalations),
3.2.14 (complaints) and 3.2.39 (information requests "binnen twee dagen") are judged by the
pure core, :func:`monitor.sla.response.monthly_response`, with the configuration's calendar,
business-day mode and each category's days and objective, so the metrics, the status API
and the monthly report cannot disagree.

*Open* and *overdue* count unanswered requests received since the start of the previous
month: open while the deadline is ahead, overdue once it passed. Older unanswered requests
are part of their (final) month's figure but no longer of an operational gauge: one
forgotten message from last year must not keep an alert firing for ever.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.config import Config
from monitor.sla.intervals import as_utc
from monitor.sla.months import Month
from monitor.sla.response import (
    MonthlyResponse,
    Outcome,
    RequestTiming,
    judge_request,
    monthly_response,
    response_deadline,
)
from monitor.store.records import RequestRecord

__all__ = ["CategoryFigures", "DeskFigures", "desk_figures", "figures_since"]


@dataclass(frozen=True, slots=True)
class CategoryFigures:
    """One category's figures at ``now``."""

    category: str
    objective: float
    days: int
    current_month: MonthlyResponse
    previous_month: MonthlyResponse
    open: int
    """Unanswered, deadline still ahead."""
    overdue: int
    """Unanswered, deadline passed."""


@dataclass(frozen=True, slots=True)
class DeskFigures:
    """Every configured category's figures, in name order, at one instant."""

    now: datetime
    current_month: Month
    previous_month: Month
    categories: tuple[CategoryFigures, ...]
    uncategorised: int
    """Requests whose category is not configured (for instance after a rename): counted
    nowhere else, so a dashboard can show that they exist."""

    def category(self, name: str) -> CategoryFigures:
        for figures in self.categories:
            if figures.category == name:
                return figures
        raise KeyError(name)


def figures_since(config: Config, now: datetime) -> datetime:
    """The earliest receipt :func:`desk_figures` looks at: the previous month's start (UTC).

    Callers load ``store.requests(since=figures_since(config, now))``; passing more is
    harmless, passing less leaves requests out.
    """
    month = Month.containing(now, config.zone).previous()
    return month.interval(config.zone).start


def desk_figures(config: Config, requests: Sequence[RequestRecord], now: datetime) -> DeskFigures:
    """Month-to-date and previous-month figures per category, and open and overdue counts."""
    now = as_utc(now)
    current = Month.containing(now, config.zone)
    by_category: dict[str, list[RequestTiming]] = {
        name: [] for name in config.servicedesk.categories
    }
    uncategorised = 0
    for record in requests:
        timings = by_category.get(record.category)
        if timings is None:
            uncategorised += 1
            continue
        timings.append(
            RequestTiming(record.id, record.received_at, record.answered_at, record.category)
        )
    return DeskFigures(
        now=now,
        current_month=current,
        previous_month=current.previous(),
        categories=tuple(
            _category_figures(config, name, by_category[name], current, now)
            for name in sorted(by_category)
        ),
        uncategorised=uncategorised,
    )


def _category_figures(
    config: Config, name: str, timings: list[RequestTiming], current: Month, now: datetime
) -> CategoryFigures:
    desk = config.servicedesk
    norm = desk.categories[name]
    calendar = config.calendar(desk.calendar)

    def month_figure(month: Month) -> MonthlyResponse:
        return monthly_response(
            category=name,
            objective=norm.objective,
            days=norm.days,
            requests=timings,
            month=month.interval(config.zone),
            calendar=calendar,
            now=now,
            mode=desk.business_day,
        )

    since = current.previous().interval(config.zone).start
    open_, overdue = 0, 0
    for timing in timings:
        if not since <= timing.received_at <= now:
            continue
        deadline = response_deadline(calendar, timing.received_at, norm.days, desk.business_day)
        outcome = judge_request(timing, deadline, now).outcome
        answered = timing.answered_at is not None and timing.answered_at <= now
        if outcome is Outcome.PENDING:
            open_ += 1
        elif not answered:
            overdue += 1
    return CategoryFigures(
        category=name,
        objective=norm.objective,
        days=norm.days,
        current_month=month_figure(current),
        previous_month=month_figure(current.previous()),
        open=open_,
        overdue=overdue,
    )
