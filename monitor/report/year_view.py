"""What the year page shows (3.2.4), computed once so the template only lays it out.

Per PI a row of twelve months (figure, norm in force, verdict, band outcome) and a small
trend chart: inline SVG drawn from :func:`trend_chart`, a pure function of the twelve cells,
so the page needs no script and no external asset and prints as it shows.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.report._text import duration_text, instant_text, objective_text, percent_text
from monitor.report.html_view import (
    AnalysisView,
    OutcomeView,
    Verdict,
    outcome_view,
)
from monitor.report.year import CellState, YearCell, YearMiss, YearPi, YearReport
from monitor.sla.norms import BandOutcome

__all__ = [
    "ChartPoint",
    "ChartView",
    "YearCellView",
    "YearMissView",
    "YearPiView",
    "YearView",
    "trend_chart",
    "year_view",
]

_MONTH_ABBREVIATIONS = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)

CHART_WIDTH = 360
CHART_HEIGHT = 120
_LEFT, _RIGHT, _TOP, _BOTTOM = 44, 8, 8, 18
_STEP = 0.005
"""The vertical scale snaps to half a percent, so 99 % and 99.5 % norms fall on grid lines."""


@dataclass(frozen=True, slots=True)
class ChartPoint:
    x: float
    y: float
    kind: str
    """``met``, ``missed`` or ``none`` (not judged)."""
    title: str


@dataclass(frozen=True, slots=True)
class ChartView:
    """A trend chart in SVG user units: the measured figures as points joined by a line, the
    norm in force as a step line (it may change during the year), grid lines labelled."""

    width: int
    height: int
    points: tuple[ChartPoint, ...]
    line: str
    """``points`` attribute of the polyline through consecutive measured months."""
    norm: str
    """``d`` attribute of the norm's step path."""
    grid: tuple[tuple[float, str], ...]
    months: tuple[tuple[float, str], ...]


@dataclass(frozen=True, slots=True)
class YearCellView:
    month: str
    state: str
    value: str
    norm: str
    verdict: Verdict | None
    outcome: OutcomeView | None
    key: str


@dataclass(frozen=True, slots=True)
class YearPiView:
    title: str
    key: str
    cells: tuple[YearCellView, ...]
    chart: ChartView
    summary: str


@dataclass(frozen=True, slots=True)
class YearMissView:
    title: str
    evidence: str
    analysis_key: str
    analyses: tuple[AnalysisView, ...]


@dataclass(frozen=True, slots=True)
class YearView:
    year: int
    final: bool
    generated_at: str
    timezone: str
    version: str
    months: tuple[str, ...]
    pis: tuple[YearPiView, ...]
    misses: tuple[YearMissView, ...]


def _x(index: int) -> float:
    slot = (CHART_WIDTH - _LEFT - _RIGHT) / 12
    return _LEFT + slot * (index + 0.5)


def _scale(cells: Sequence[YearCell]) -> tuple[float, float]:
    """From a half-percent step below the lowest figure or norm up to 100 %."""
    seen = [v for c in cells for v in (c.value, c.objective) if v is not None]
    low = min(seen, default=1.0 - _STEP)
    bottom = math.floor(round(low / _STEP, 6)) * _STEP
    if bottom >= 1.0:
        bottom = 1.0 - _STEP
    return max(0.0, bottom), 1.0


def trend_chart(cells: Sequence[YearCell]) -> ChartView:
    """The chart of one PI's twelve months (pure: the same cells give the same drawing)."""
    bottom, top = _scale(cells)
    inner = CHART_HEIGHT - _TOP - _BOTTOM

    def y(value: float) -> float:
        return round(_TOP + inner * (top - value) / (top - bottom), 2)

    points = tuple(
        ChartPoint(
            round(_x(i), 2),
            y(c.value),
            "none" if c.met is None else ("met" if c.met else "missed"),
            f"{_MONTH_ABBREVIATIONS[i]}: {percent_text(c.value)}",
        )
        for i, c in enumerate(cells)
        if c.value is not None
    )
    segments: list[str] = []
    half = (CHART_WIDTH - _LEFT - _RIGHT) / 24
    for i, c in enumerate(cells):
        if c.objective is None:
            continue
        start, end = _x(i) - half, _x(i) + half
        move = "M" if not segments or cells[i - 1].objective is None else "L"
        segments.append(f"{move}{start:.2f},{y(c.objective)} L{end:.2f},{y(c.objective)}")
    steps = max(1, round((top - bottom) / _STEP))
    every = max(1, math.ceil(steps / 4))
    grid = tuple(
        (y(bottom + k * _STEP), objective_text(round(bottom + k * _STEP, 6)))
        for k in range(0, steps + 1, every)
    )
    return ChartView(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        points=points,
        line=" ".join(f"{p.x},{p.y}" for p in points),
        norm=" ".join(segments),
        grid=grid,
        months=tuple((round(_x(i), 2), name[0]) for i, name in enumerate(_MONTH_ABBREVIATIONS)),
    )


def _title(pi: YearPi) -> str:
    if pi.kind == "availability":
        return f"Availability {pi.name} · {pi.window}"
    return f"Response {pi.name}"


def _cell(pi: YearPi, index: int, cell: YearCell) -> YearCellView:
    key = ":".join((pi.kind[0], pi.name, *((pi.window,) if pi.window else ()), str(cell.month)))
    month = _MONTH_ABBREVIATIONS[index]
    if cell.state is not CellState.MEASURED:
        text = "not yet measured" if cell.state is CellState.NOT_YET_MEASURED else "not agreed"
        return YearCellView(month, cell.state.value, text, "", None, None, key)
    return YearCellView(
        month=month,
        state=cell.state.value,
        value="—" if cell.value is None else percent_text(cell.value, places=2),
        norm="" if cell.objective is None else objective_text(cell.objective),
        verdict=Verdict(cell.met, cell.reason),
        outcome=outcome_view(cell.band, cell.outcome),
        key=key,
    )


def _summary(pi: YearPi) -> str:
    text = f"{pi.met} of {pi.judged} judged months met the norm"
    if pi.missed:
        text += f", {pi.missed} missed"
    bands = [f"{pi.outcomes(o)} {o.value}" for o in BandOutcome if pi.outcomes(o)]
    if bands:
        text += f"; band: {', '.join(bands)}"
    return text + "."


def _miss(missed: YearMiss, year: YearReport) -> YearMissView:
    miss = missed.miss
    value = "—" if miss.value is None else percent_text(miss.value)
    where = f" · {miss.window}" if miss.window else ""
    if miss.kind == "availability":
        counted = sum((c.counted for c in miss.outages), start=miss.unmonitored)
        evidence = f"{len(miss.outages)} outage(s) counted, {duration_text(counted)} unavailable"
    else:
        evidence = f"{len(miss.requests)} request(s) answered late or not at all"
    key = ":".join(
        (miss.kind, miss.name, *((miss.window,) if miss.window else ()), str(missed.month))
    )
    return YearMissView(
        title=(
            f"{missed.month} · {miss.kind} {miss.name}{where}: {value} against a norm of "
            f"{objective_text(miss.objective)}"
        ),
        evidence=evidence + f" (see the report of {missed.month}).",
        analysis_key=key,
        analyses=tuple(
            AnalysisView(a.cause, a.measures, a.author, instant_text(a.recorded_at, year.zone))
            for a in miss.analyses
        ),
    )


def year_view(year: YearReport) -> YearView:
    """The view of the year page (pure)."""
    return YearView(
        year=year.year,
        final=year.final,
        generated_at=instant_text(year.generated_at, year.zone),
        timezone=str(year.zone),
        version=year.version,
        months=_MONTH_ABBREVIATIONS,
        pis=tuple(
            YearPiView(
                title=_title(pi),
                key=":".join((pi.kind, pi.name, *((pi.window,) if pi.window else ()))),
                cells=tuple(_cell(pi, i, c) for i, c in enumerate(pi.cells)),
                chart=trend_chart(pi.cells),
                summary=_summary(pi),
            )
            for pi in year.pis
        ),
        misses=tuple(_miss(m, year) for m in year.misses),
    )
