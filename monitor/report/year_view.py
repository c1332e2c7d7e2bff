"""What the year page shows (3.2.4), computed once so the template only lays it out.

Per PI a row of twelve months (figure, norm in force, verdict, band outcome) and a small
trend chart: inline SVG drawn from :func:`trend_chart`, a pure function of the twelve cells,
so the page needs no script and no external asset and prints as it shows. Every word and
figure is written in the language of the latest month's report (``report: {language}``),
from the same message catalogue as the monthly report: a Dutch year reads ``99,5 %``,
``nog niet gemeten`` and ``neutraal``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from monitor.report.catalogue import Words, words_for
from monitor.report.html_view import (
    AnalysisView,
    OutcomeView,
    Verdict,
    evidence_reason,
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
    """Everything ``year.html.j2`` prints; ``language`` is the page's ``lang`` and picks the
    words of the catalogue the template asks for."""

    year: int
    language: str
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


def _months(words: Words) -> tuple[str, ...]:
    return tuple(words.month_abbreviation(m) for m in range(1, 13))


def trend_chart(cells: Sequence[YearCell], words: Words | None = None) -> ChartView:
    """The chart of one PI's twelve months (pure: the same cells give the same drawing),
    labelled in ``words`` (English unless given)."""
    words = words or words_for("en")
    months = _months(words)
    bottom, top = _scale(cells)
    inner = CHART_HEIGHT - _TOP - _BOTTOM

    def y(value: float) -> float:
        return round(_TOP + inner * (top - value) / (top - bottom), 2)

    points = tuple(
        ChartPoint(
            round(_x(i), 2),
            y(c.value),
            "none" if c.met is None else ("met" if c.met else "missed"),
            f"{months[i]}: {words.percent(c.value)}",
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
        (y(bottom + k * _STEP), words.objective(round(bottom + k * _STEP, 6)))
        for k in range(0, steps + 1, every)
    )
    return ChartView(
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        points=points,
        line=" ".join(f"{p.x},{p.y}" for p in points),
        norm=" ".join(segments),
        grid=grid,
        months=tuple((round(_x(i), 2), name[0].upper()) for i, name in enumerate(months)),
    )


def _title(pi: YearPi, words: Words) -> str:
    if pi.kind == "availability":
        return words.text("year.availability", name=pi.name, window=pi.window)
    return words.text("year.response", name=pi.name)


def _verdict(cell: YearCell, words: Words) -> Verdict:
    """Met or missed; an unjudged availability month says why in the report's words."""
    if cell.met is None and cell.evidence is not None:
        return Verdict(None, evidence_reason(cell.evidence, None, words))
    return Verdict(cell.met, cell.reason)


def _cell(pi: YearPi, index: int, cell: YearCell, words: Words) -> YearCellView:
    key = ":".join((pi.kind[0], pi.name, *((pi.window,) if pi.window else ()), str(cell.month)))
    month = words.month_abbreviation(index + 1)
    if cell.state is not CellState.MEASURED:
        text = words.text(
            "year.not_yet_measured"
            if cell.state is CellState.NOT_YET_MEASURED
            else "year.not_configured"
        )
        return YearCellView(month, cell.state.value, text, "", None, None, key)
    return YearCellView(
        month=month,
        state=cell.state.value,
        value="—" if cell.value is None else words.percent(cell.value, places=2),
        norm="" if cell.objective is None else words.objective(cell.objective),
        verdict=_verdict(cell, words),
        outcome=outcome_view(cell.band, cell.outcome, words),
        key=key,
    )


def _summary(pi: YearPi, words: Words) -> str:
    text = words.text("year.summary", met=words.integer(pi.met), judged=words.integer(pi.judged))
    if pi.missed:
        text += words.text("year.summary_missed", missed=words.integer(pi.missed))
    bands = [
        f"{words.integer(pi.outcomes(o))} {words.text(f'band_outcome.{o.value}')}"
        for o in BandOutcome
        if pi.outcomes(o)
    ]
    if bands:
        text += words.text("year.summary_band", listed=", ".join(bands))
    return text + words.text("year.summary_end")


def _month_name(missed: YearMiss, words: Words) -> str:
    """``2026-02`` in English, as the month's reports are named; ``februari 2026`` in Dutch."""
    month = missed.month
    return str(month) if words.english else words.month_title(month.year, month.month)


def _miss(missed: YearMiss, year: YearReport, words: Words) -> YearMissView:
    miss = missed.miss
    value = "—" if miss.value is None else words.percent(miss.value)
    where = f" · {miss.window}" if miss.window else ""
    if miss.kind == "availability":
        counted = sum((c.counted for c in miss.outages), start=miss.unmonitored)
        evidence = words.text(
            "year.miss_outages",
            count=words.integer(len(miss.outages)),
            duration=words.duration(counted),
        )
    else:
        evidence = words.text("year.miss_requests", count=words.integer(len(miss.requests)))
    key = ":".join(
        (miss.kind, miss.name, *((miss.window,) if miss.window else ()), str(missed.month))
    )
    month = _month_name(missed, words)
    return YearMissView(
        title=words.text(
            "year.miss",
            month=month,
            kind=words.text(f"year.kind.{miss.kind}"),
            name=miss.name,
            where=where,
            value=value,
            norm=words.objective(miss.objective),
        ),
        evidence=evidence + words.text("year.miss_see", month=month),
        analysis_key=key,
        analyses=tuple(
            AnalysisView(a.cause, a.measures, a.author, words.instant(a.recorded_at, year.zone))
            for a in miss.analyses
        ),
    )


def year_view(year: YearReport) -> YearView:
    """The view of the year page (pure), in the language of ``year``."""
    words = words_for(year.language)
    return YearView(
        year=year.year,
        language=year.language,
        final=year.final,
        generated_at=words.instant(year.generated_at, year.zone),
        timezone=str(year.zone),
        version=year.version,
        months=_months(words),
        pis=tuple(
            YearPiView(
                title=_title(pi, words),
                key=":".join((pi.kind, pi.name, *((pi.window,) if pi.window else ()))),
                cells=tuple(_cell(pi, i, c, words) for i, c in enumerate(pi.cells)),
                chart=trend_chart(pi.cells, words),
                summary=_summary(pi, words),
            )
            for pi in year.pis
        ),
        misses=tuple(_miss(m, year, words) for m in year.misses),
    )
