"""The year view (3.2.4) as JSON, CSV and HTML (docs/interfaces.md#the-year-view).

JSON: ``year``, ``timezone``, ``generated_at``, ``final``, ``months``, ``pis`` (each with
``kind``, ``name``, ``window``, counts and twelve ``months`` entries) and ``misses`` (each
month's misses as the monthly report lists them, with ``month``). CSV: one row per PI and
month. The figures are those of the twelve monthly reports, unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

from monitor.report.html_format import render_year_html
from monitor.report.json_format import miss_to_dict
from monitor.report.pdf_format import PDF, html_to_pdf
from monitor.report.year import YearCell, YearPi, YearReport
from monitor.sla.norms import BandOutcome

__all__ = ["YEAR_COLUMNS", "YEAR_FILE_FORMATS", "YEAR_FORMATS", "render_year", "render_year_bytes"]

YEAR_COLUMNS = (
    "year",
    "month",
    "kind",
    "name",
    "window",
    "state",
    "objective",
    "value",
    "met",
    "final",
    "band_outcome",
    "band_outcome_label",
)


def _cell(cell: YearCell) -> dict[str, Any]:
    return {
        "month": str(cell.month),
        "state": cell.state.value,
        "objective": cell.objective,
        "value": cell.value,
        "met": cell.met,
        "final": cell.final,
        "outcome": None if cell.outcome is None else cell.outcome.value,
        "outcome_label": cell.outcome_label,
        "reason": cell.reason,
    }


def _pi(pi: YearPi) -> dict[str, Any]:
    return {
        "kind": pi.kind,
        "name": pi.name,
        "window": pi.window,
        "judged": pi.judged,
        "met": pi.met,
        "missed": pi.missed,
        "outcomes": {o.value: pi.outcomes(o) for o in BandOutcome},
        "months": [_cell(c) for c in pi.cells],
    }


def render_year_json(year: YearReport) -> str:
    document = {
        "year": year.year,
        "timezone": str(year.zone),
        "generated_at": year.generated_at.astimezone(year.zone).isoformat(),
        "generated_by": f"sla-monitor {year.version}",
        "final": year.final,
        "months": [str(m) for m in year.months],
        "pis": [_pi(pi) for pi in year.pis],
        "misses": [{"month": str(m.month), **miss_to_dict(m.miss, year.zone)} for m in year.misses],
    }
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def _text(value: float | bool | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def render_year_csv(year: YearReport) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=YEAR_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for pi in year.pis:
        for cell in pi.cells:
            writer.writerow(
                {
                    "year": str(year.year),
                    "month": str(cell.month),
                    "kind": pi.kind,
                    "name": pi.name,
                    "window": pi.window or "",
                    "state": cell.state.value,
                    "objective": _text(cell.objective),
                    "value": _text(cell.value),
                    "met": _text(cell.met),
                    "final": _text(cell.final),
                    "band_outcome": "" if cell.outcome is None else cell.outcome.value,
                    "band_outcome_label": cell.outcome_label or "",
                }
            )
    return buffer.getvalue()


YEAR_FORMATS: dict[str, Callable[[YearReport], str]] = {
    "json": render_year_json,
    "csv": render_year_csv,
    "html": render_year_html,
}


def render_year(year: YearReport, name: str) -> str:
    """``year`` in the text format ``name`` (``json``, ``csv`` or ``html``)."""
    chosen = YEAR_FORMATS.get(name)
    if chosen is None:
        known = ", ".join(YEAR_FORMATS)
        raise ValueError(f"unknown year view format {name!r}; use one of {known}")
    return chosen(year)


YEAR_FILE_FORMATS: tuple[str, ...] = (*YEAR_FORMATS, PDF)
"""Every format a year view file can have: the text formats and the HTML printed as PDF."""


def render_year_bytes(year: YearReport, name: str) -> bytes:
    """``year`` in the format ``name`` as the exact bytes of its file (text as UTF-8)."""
    if name == PDF:
        return html_to_pdf(render_year_html(year))
    return render_year(year, name).encode("utf-8")
