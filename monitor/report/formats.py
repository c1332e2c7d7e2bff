"""The report formats by name: how to render each and how to serve it.

One table, used by the command line, the HTTP endpoint and the export job, so ``--format
csv``, ``?format=csv`` and ``sla-report-2026-05.csv`` always mean the same bytes. The three
text formats are :data:`FORMATS`; the PDF (:mod:`.pdf_format`, the HTML printed) is a file
format of the command line and the export job only: :data:`FILE_FORMATS`, rendered to bytes
by :func:`render_bytes`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from monitor.report.csv_format import render_csv
from monitor.report.html_format import render_html
from monitor.report.json_format import render_json
from monitor.report.model import Report
from monitor.report.pdf_format import PDF, render_pdf

__all__ = ["FILE_FORMATS", "FORMATS", "PDF", "ReportFormat", "render", "render_bytes"]


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


FILE_FORMATS: tuple[str, ...] = (*FORMATS, PDF)
"""Every format a report file can have: the text formats and the PDF."""


def render_bytes(report: Report, name: str) -> bytes:
    """``report`` in the format ``name`` as the exact bytes of its file (text as UTF-8)."""
    if name == PDF:
        return render_pdf(report)
    if name not in FORMATS:
        raise ValueError(f"unknown report format {name!r}; use one of {', '.join(FILE_FORMATS)}")
    return render(report, name).encode("utf-8")
