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
from monitor.sla.availability import EvidenceVerdict
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
    evidence: EvidenceVerdict | None = None
    """An availability figure's coverage against its minimum, to say ``reason`` again in
    the report's language."""

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
    pis: tuple[YearPi, ...] = ()
    """Every PI that any month reports, in the order the months first list them."""

    @property
    def months(self) -> tuple[Month, ...]:
        return months_of(self.year)

    @property
    def language(self) -> str:
        """The report language of the latest month reported (``report: {language}``)."""
        reported = [r for r in self.reports if r is not None]
        return reported[-1].language if reported else "en"

    @property
    def final(self) -> bool:
        """Every month of the year reported and final."""
        return all(r is not None and r.final for r in self.reports)

    @property
    def misses(self) -> tuple[YearMiss, ...]:
        """Every month's misses with their analyses, month by month."""
        return tuple(
            YearMiss(report.month, miss)
            for report in self.reports
            if report is not None
            for miss in report.misses
        )


_Key = tuple[str, str, str | None]


def _cells(month: Month, report: Report | None) -> dict[_Key, YearCell]:
    """Every PI of one monthly report as a cell, by PI."""
    if report is None:
        return {}
    cells: dict[_Key, YearCell] = {}
    for entry in report.availability:
        evidence = entry.figure.evidence
        reason = evidence.reason if entry.met is None else None
        cells[("availability", entry.target, entry.window)] = YearCell(
            month, CellState.MEASURED, entry.objective, entry.availability, entry.met,
            entry.outcome, entry.band, report.final, reason, evidence,
        )  # fmt: skip
    for response in report.response:
        result = response.result
        cells[("response", response.category, None)] = YearCell(
            month, CellState.MEASURED, result.objective, result.ratio, result.objective_met,
            response.outcome, response.band, report.final,
        )  # fmt: skip
    return cells


def _pis(months: Sequence[Month], reports: Sequence[Report | None]) -> tuple[YearPi, ...]:
    """Every PI any month reports, in the order the months first list them; a month that
    has not begun is not yet measured, a month without the PI had it not configured."""
    by_month = [_cells(month, report) for month, report in zip(months, reports, strict=True)]
    keys = dict.fromkeys(key for cells in by_month for key in cells)
    return tuple(
        YearPi(
            kind,
            name,
            window,
            tuple(
                cells.get(
                    (kind, name, window),
                    YearCell(
                        month,
                        CellState.NOT_YET_MEASURED if report is None else CellState.NOT_CONFIGURED,
                    ),
                )
                for month, report, cells in zip(months, reports, by_month, strict=True)
            ),
        )
        for kind, name, window in keys
    )


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
    months = months_of(year)
    return YearReport(year, zone, now, tuple(reports), version, _pis(months, reports))
