"""The year view (3.2.4): every PI's twelve monthly figures against the norm in force.

Requirement 3.2.4: "De PI's worden tenminste jaarlijks geëvalueerd." The year is built from
the twelve monthly reports (:class:`monitor.report.model.Report`), never by a rule of its
own: a month's figure, norm, verdict, band outcome, misses and 3.2.6 analyses in the year
are exactly those of its monthly report, each month judged by the norm in force in it
(docs/rules.md#norms-over-time). A month that has not started at "now" has no report and is
shown as not yet measured, never as a miss.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from monitor.report.model import Miss, Report
from monitor.sla.months import Month
from monitor.sla.norms import Band, BandOutcome

__all__ = ["CellState", "YearCell", "YearMiss", "YearPi", "YearReport", "build_year", "months_of"]


class CellState(StrEnum):
    MEASURED = "measured"
    NOT_YET_MEASURED = "not_yet_measured"
    """The month had not started at the time the year view was made."""
    NOT_CONFIGURED = "not_configured"
    """The PI was not configured when the month was reported (added or removed mid-year)."""


@dataclass(frozen=True, slots=True)
class YearCell:
    """One PI in one month, as its monthly report has it."""

    month: Month
    state: CellState
    objective: float | None = None
    value: float | None = None
    met: bool | None = None
    outcome: BandOutcome | None = None
    band: Band | None = None
    final: bool = False
    reason: str | None = None
    """Why ``met`` is null for a measured month (insufficient evidence), if it is."""

    @property
    def outcome_label(self) -> str | None:
        return None if self.band is None else self.band.label(self.outcome)


@dataclass(frozen=True, slots=True)
class YearPi:
    """A performance indicator over the year: availability of a target's SLA window, or a
    request category's response (3.2.9-3.2.14, 3.2.39)."""

    kind: str  # "availability" | "response"
    name: str
    window: str | None
    cells: tuple[YearCell, ...]

    @property
    def key(self) -> tuple[str, str, str | None]:
        return (self.kind, self.name, self.window)

    @property
    def judged(self) -> int:
        return sum(1 for c in self.cells if c.met is not None)

    @property
    def met(self) -> int:
        return sum(1 for c in self.cells if c.met is True)

    @property
    def missed(self) -> int:
        return sum(1 for c in self.cells if c.met is False)

    def outcomes(self, outcome: BandOutcome) -> int:
        return sum(1 for c in self.cells if c.outcome is outcome)


@dataclass(frozen=True, slots=True)
class YearMiss:
    """A missed PI of one month, with its evidence and 3.2.6 analyses as the month has them."""

    month: Month
    miss: Miss


@dataclass(frozen=True, slots=True)
class YearReport:
    """The year ``year`` as of ``generated_at``: twelve monthly reports, ``None`` for the
    months that had not started."""

    year: int
    zone: ZoneInfo
    generated_at: datetime
    reports: tuple[Report | None, ...]
    version: str

    @property
    def months(self) -> tuple[Month, ...]:
        return months_of(self.year)

    @property
    def final(self) -> bool:
        """Every month of the year reported and final."""
        return all(r is not None and r.final for r in self.reports)

    @property
    def pis(self) -> tuple[YearPi, ...]:
        """Every PI that any month reports, in the order the months first list them."""
        keys: dict[tuple[str, str, str | None], None] = {}
        for report in self.reports:
            if report is None:
                continue
            for entry in report.availability:
                keys[("availability", entry.target, entry.window)] = None
            for response in report.response:
                keys[("response", response.category, None)] = None
        return tuple(
            YearPi(
                kind,
                name,
                window,
                tuple(
                    self._cell(m, r, (kind, name, window))
                    for m, r in zip(self.months, self.reports, strict=True)
                ),
            )
            for kind, name, window in keys
        )

    @staticmethod
    def _cell(month: Month, report: Report | None, key: tuple[str, str, str | None]) -> YearCell:
        if report is None:
            return YearCell(month, CellState.NOT_YET_MEASURED)
        found = _figure(report, key)
        if found is None:
            return YearCell(month, CellState.NOT_CONFIGURED)
        objective, value, met, outcome, band, reason = found
        return YearCell(
            month, CellState.MEASURED, objective, value, met, outcome, band, report.final, reason
        )

    @property
    def misses(self) -> tuple[YearMiss, ...]:
        """Every month's misses with their analyses, month by month."""
        return tuple(
            YearMiss(report.month, miss)
            for report in self.reports
            if report is not None
            for miss in report.misses
        )


_Figure = tuple[float, float | None, bool | None, BandOutcome | None, Band | None, str | None]


def _figure(report: Report, key: tuple[str, str, str | None]) -> _Figure | None:
    """Objective, value, verdict, band outcome, band and evidence reason of one PI in the
    monthly report; ``None`` when the month does not report that PI."""
    kind, name, window = key
    for entry in report.availability if kind == "availability" else ():
        if (entry.target, entry.window) == (name, window):
            reason = entry.figure.evidence.reason if entry.met is None else None
            return (
                entry.objective,
                entry.availability,
                entry.met,
                entry.outcome,
                entry.band,
                reason,
            )
    for response in report.response if kind == "response" else ():
        if response.category == name:
            result = response.result
            return (
                result.objective,
                result.ratio,
                result.objective_met,
                response.outcome,
                response.band,
                None,
            )
    return None


def months_of(year: int) -> tuple[Month, ...]:
    return tuple(Month(year, m) for m in range(1, 13))


def build_year(
    year: int, zone: ZoneInfo, reports: Sequence[Report | None], now: datetime, version: str
) -> YearReport:
    """The year from its twelve monthly reports (``None`` where the month has not started)."""
    if len(reports) != 12:
        raise ValueError(f"a year has twelve monthly reports, got {len(reports)}")
    for month, report in zip(months_of(year), reports, strict=True):
        if report is not None and report.month != month:
            raise ValueError(f"the report of {report.month} stands in the place of {month}")
    return YearReport(year, zone, now, tuple(reports), version)
