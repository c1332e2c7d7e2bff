"""The report as CSV: one row per figure, for spreadsheets (DESIGN §3, issue 6).

The first six columns are the ones the issue names: ``kind`` (``availability`` or
``response``), ``name`` (the target or the category), ``window`` (the SLA window; for a
response figure the business calendar its clock runs in), ``objective``, ``value`` and
``met``. The rest are the components each figure is made of, so a spreadsheet can recompute
it: ``1 − unplanned_downtime_seconds / window_seconds`` for availability (under the default
policies), ``requests_met / (requests_met + breached)`` for response. Columns that do not
apply to a row's kind are empty.

Values are exact (the core's floats, seconds to the microsecond); ``value`` and ``met`` are
empty while nothing is decided (a category without decided requests). RFC 4180: comma,
CRLF, quotes only where needed.
"""

from __future__ import annotations

import csv
import io

from monitor.report._text import seconds
from monitor.report.model import Report

__all__ = ["COLUMNS", "render_csv"]

COLUMNS = (
    "month",
    "final",
    "kind",
    "name",
    "window",
    "objective",
    "value",
    "met",
    "window_seconds",
    "unplanned_downtime_seconds",
    "maintenance_seconds",
    "unmonitored_seconds",
    "unavailable_seconds",
    "coverage",
    "days",
    "received",
    "requests_met",
    "breached",
    "pending",
    "analysis",
)


def _bool(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def _number(value: float | None) -> str:
    return "" if value is None else repr(value)


def _analysis(report: Report, kind: str, name: str, window: str | None) -> str:
    """The 3.2.6 analyses of the figure, one "cause — measures (author)" per line."""
    return "\n".join(
        f"{a.cause} — {a.measures} ({a.author})" for a in report.analyses_of(kind, name, window)
    )


def render_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, restval="", lineterminator="\r\n")
    writer.writeheader()
    common = {"month": str(report.month), "final": _bool(report.final)}
    for entry in report.availability:
        figure = entry.figure
        writer.writerow(
            {
                **common,
                "kind": "availability",
                "name": entry.target,
                "window": entry.window,
                "objective": _number(entry.objective),
                "value": _number(figure.availability),
                "met": _bool(figure.met),
                "window_seconds": _number(seconds(figure.window)),
                "unplanned_downtime_seconds": _number(seconds(figure.unplanned_downtime)),
                "maintenance_seconds": _number(seconds(figure.maintenance)),
                "unmonitored_seconds": _number(seconds(figure.unmonitored)),
                "unavailable_seconds": _number(seconds(figure.penalised)),
                "coverage": _number(figure.coverage),
                "analysis": _analysis(report, "availability", entry.target, entry.window),
            }
        )
    for response in report.response:
        result = response.result
        writer.writerow(
            {
                **common,
                "kind": "response",
                "name": result.category,
                "window": report.policies.servicedesk_calendar,
                "objective": _number(result.objective),
                "value": _number(result.ratio),
                "met": _bool(result.objective_met),
                "days": str(result.days),
                "received": str(result.received),
                "requests_met": str(result.met),
                "breached": str(result.breached),
                "pending": str(result.pending),
                "analysis": _analysis(report, "response", result.category, None),
            }
        )
    return buffer.getvalue()
