"""Where the reporting itself stands: the report deadlines of 3.2.5, the analyses of 3.2.6 and
the on-time share of 3.2.38 (docs/rules.md#reporting-deadlines).

Built by the recompute job from the snapshot's previous-month figures (which service levels
were missed), the recorded report deliveries and the recorded analyses; read by ``/metrics``
and ``GET /api/v1/reports/deliveries``. Pure: everything comes in as arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from monitor.config import Config
from monitor.sla.months import Month
from monitor.sla.reporting import (
    ON_TIME_OBJECTIVE,
    MonthDelivery,
    OnTimeShare,
    analysis_due,
    on_time_share,
    report_due,
)
from monitor.store.records import MissAnalysisRecord, MissKind, ReportDelivery

if TYPE_CHECKING:  # the snapshot carries a ReportingStatus: imported for types only
    from monitor.live.snapshot import SlaSnapshot

__all__ = ["MissStatus", "MonthDelivery", "ReportingStatus", "reporting_status"]


@dataclass(frozen=True, slots=True)
class MissStatus:
    """A service level missed in the previous month and whether its analysis was recorded."""

    kind: MissKind
    name: str
    window: str | None
    analysed_at: datetime | None


@dataclass(frozen=True, slots=True)
class ReportingStatus:
    """The previous and running month's reports, the previous month's misses and the
    on-time share of this year and the last (3.2.5, 3.2.6, 3.2.38)."""

    previous_month: MonthDelivery
    current_month: MonthDelivery
    misses: tuple[MissStatus, ...]
    current_year: OnTimeShare
    previous_year: OnTimeShare
    objective: float = ON_TIME_OBJECTIVE

    @property
    def unanalysed(self) -> int:
        return sum(1 for miss in self.misses if miss.analysed_at is None)


def reporting_status(
    config: Config,
    snapshot: SlaSnapshot,
    deliveries: Sequence[ReportDelivery],
    analyses: Sequence[MissAnalysisRecord],
    now: datetime,
) -> ReportingStatus:
    """The reporting status at ``now``; ``analyses`` are those of the previous month."""
    calendar = config.calendar(config.servicedesk.calendar)
    current = Month.containing(now, config.zone)
    previous = current.previous()
    by_month = {Month.parse(d.month): d for d in deliveries}
    # Answerable from the first month it delivered; before any delivery, for nothing yet (a
    # new installation, or one that never exported: SlaReportOverdue says so meanwhile).
    first = min(by_month, default=current.next())

    def delivery(month: Month) -> MonthDelivery:
        found = by_month.get(month)
        return MonthDelivery(
            month=month,
            due=report_due(calendar, month),
            analyses_due=analysis_due(calendar, month),
            delivered_at=None if found is None else found.exported_at,
            final=None if found is None else found.final,
        )

    delivered = {month: d.exported_at for month, d in by_month.items()}
    return ReportingStatus(
        previous_month=delivery(previous),
        current_month=delivery(current),
        misses=_misses(snapshot, previous, analyses),
        current_year=on_time_share(calendar, current.year, delivered, now, first),
        previous_year=on_time_share(calendar, current.year - 1, delivered, now, first),
    )


def _misses(
    snapshot: SlaSnapshot, month: Month, analyses: Sequence[MissAnalysisRecord]
) -> tuple[MissStatus, ...]:
    """Every service level of ``month`` judged missed, with its first analysis if any."""
    first: dict[tuple[str, str, str | None], datetime] = {}
    for analysis in analyses:
        if analysis.month == str(month):
            key = (analysis.kind, analysis.name, analysis.window)
            first.setdefault(key, analysis.recorded_at)
    missed: list[tuple[MissKind, str, str | None]] = [
        ("availability", w.target, w.window)
        for t in snapshot.targets
        for w in t.windows
        if w.previous.met is False
    ]
    if snapshot.desk is not None:
        missed += [
            ("response", c.category, None)
            for c in snapshot.desk.categories
            if c.previous_month.objective_met is False
        ]
    return tuple(
        MissStatus(kind, name, window, first.get((kind, name, window)))
        for kind, name, window in missed
    )
