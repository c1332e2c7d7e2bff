"""The three report formats by name: how to render each and how to serve it.

One table, used by the command line, the HTTP endpoint and the export job, so ``--format
csv``, ``?format=csv`` and ``sla-report-2026-05.csv`` always mean the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from monitor.report.csv_format import render_csv
from monitor.report.html_format import render_html
from monitor.report.json_format import render_json
from monitor.report.model import Report

__all__ = ["FORMATS", "ReportFormat", "render"]


@dataclass(frozen=True, slots=True)
class ReportFormat:
    name: str
    media_type: str
    render: Callable[[Report], str]

    @property
    def content_type(self) -> str:
        """The full ``Content-Type``: every format is UTF-8 text."""
        extra = "; header=present" if self.name == "csv" else ""
        return f"{self.media_type}; charset=utf-8{extra}"


FORMATS: dict[str, ReportFormat] = {
    "json": ReportFormat("json", "application/json", render_json),
    "csv": ReportFormat("csv", "text/csv", render_csv),
    "html": ReportFormat("html", "text/html", render_html),
}


def render(report: Report, name: str) -> str:
    """``report`` in the format ``name`` (``json``, ``csv`` or ``html``)."""
    try:
        chosen = FORMATS[name]
    except KeyError:
        raise ValueError(
            f"unknown report format {name!r}; use one of {', '.join(FORMATS)}"
        ) from None
    return chosen.render(report)
