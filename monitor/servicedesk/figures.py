"""The service desk's live figures: per category, this month and last month, and what is
open or overdue now. Pure: the requests and "now" come in as arguments.

Requirement 3.2.9 (80 % of e-mail answered "binnen één werkdag"), 3.2.13 (escalations),
3.2.14 (complaints) and 3.2.39 (information requests "binnen twee dagen") are judged by the
pure core, :func:`monitor.sla.response.monthly_response`, with the configuration's calendar,
business-day mode and each category's days and objective, so the metrics, the status API
and the monthly report cannot disagree.

A category with a resolution term (3.2.40) also gets the counts of its requests per
resolution outcome, by receipt month (:mod:`monitor.sla.resolution`).

*Open* and *overdue* count unanswered requests received since the start of the previous
month: open while the deadline is ahead, overdue once it passed. Older unanswered requests
are part of their (final) month's figure but no longer of an operational gauge: one
forgotten message from last year must not keep an alert firing for ever.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from monitor.config import Config
from monitor.sla.intervals import as_utc
from monitor.sla.months import Month
from monitor.sla.norms import Band, bands_in_force
from monitor.sla.resolution import MonthlyResolution, ResolvedRequest
from monitor.sla.response import MonthlyResponse, Outcome, RequestJudge
from monitor.store.records import RequestRecord

__all__ = [
    "CategoryFigures",
    "DeskFigures",
    "ResolutionCounts",
    "ResolutionFigures",
    "desk_figures",
    "figures_since",
    "resolution_figures",
]


@dataclass(frozen=True, slots=True)
class ResolutionCounts:
    """One month's requests per resolution outcome (3.2.40), every outcome present, and the
    pending ones per tier they already exceeded."""

    counts: Mapping[str, int]
    pending_at_least: Mapping[str, int]

    @classmethod
    def of(cls, month: MonthlyResolution) -> ResolutionCounts:
        return cls(month.counts(), month.pending_at_least())


@dataclass(frozen=True, slots=True)
class ResolutionFigures:
    """A category's resolution term and its counts this month and last (3.2.40)."""

    days: int
    unit: str
    overrun_tiers: tuple[float, ...]
    tier_names: tuple[str, ...]
    current_month: ResolutionCounts
    previous_month: ResolutionCounts


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
    bands: tuple[Band | None, Band | None] = (None, None)
    """The bonus/malus bands in force in the current and the previous month (B3.7)."""

    resolution: ResolutionFigures | None = None
    """Resolution counts (3.2.40); ``None`` for a category without a resolution term."""

    @property
    def outcome(self) -> str | None:
        """This month's place in its band so far (3.2.19), read by the status API's
        ``outcome``; ``None`` without a band or while nothing is decided."""
        band = self.bands[0]
        outcome = None if band is None else self.current_month.outcome(band)
        return None if outcome is None else outcome.value


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
    judge = config.request_judge()
    by_category: dict[str, list[RequestRecord]] = {
        name: [] for name in config.servicedesk.categories
    }
    uncategorised = 0
    for record in requests:
        records = by_category.get(record.category)
        if records is None:
            uncategorised += 1
            continue
        records.append(record)
    return DeskFigures(
        now=now,
        current_month=current,
        previous_month=current.previous(),
        categories=tuple(
            _category_figures(config, judge, name, by_category[name], current, now)
            for name in sorted(by_category)
        ),
        uncategorised=uncategorised,
    )


def _category_figures(
    config: Config,
    judge: RequestJudge,
    name: str,
    records: list[RequestRecord],
    current: Month,
    now: datetime,
) -> CategoryFigures:
    norm = config.servicedesk.categories[name]
    since = current.previous().interval(config.zone).start
    open_, overdue = 0, 0
    for record in records:
        if not since <= record.received_at <= now:
            continue
        verdict = judge.judge(record, now)
        if verdict is None:
            continue
        answered = record.answered_at is not None and record.answered_at <= now
        if verdict.outcome is Outcome.PENDING:
            open_ += 1
        elif not answered:
            overdue += 1
    return CategoryFigures(
        category=name,
        objective=norm.objective.in_force(current),
        days=norm.days,
        current_month=judge.month(name, records, current.interval(config.zone), now),
        previous_month=judge.month(name, records, current.previous().interval(config.zone), now),
        open=open_,
        overdue=overdue,
        bands=bands_in_force(norm.band, current),
        resolution=resolution_figures(config, name, records, current, now),
    )


def resolution_figures(
    config: Config, name: str, records: Sequence[RequestRecord], current: Month, now: datetime
) -> ResolutionFigures | None:
    """The resolution counts of ``name`` for ``current`` and the month before (3.2.40)."""
    section = config.servicedesk.categories[name].resolution
    if section is None:
        return None
    judge = config.resolution_judge()
    resolved = [ResolvedRequest(r.id, r.received_at, r.resolved_at) for r in records]
    months = (current, current.previous())
    counts = [
        ResolutionCounts.of(judge.month(name, resolved, m.interval(config.zone), now))
        for m in months
    ]
    norm = section.norm()
    return ResolutionFigures(
        days=norm.days,
        unit=norm.unit.value,
        overrun_tiers=norm.tiers,
        tier_names=norm.names,
        current_month=counts[0],
        previous_month=counts[1],
    )
