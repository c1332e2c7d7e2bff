"""The report as a PDF for the client to file and sign: the HTML report, printed.

Rendered by WeasyPrint from the very HTML of :mod:`monitor.report.html_format`, so the PDF
and the HTML can never show different figures. The print rules of ``templates/report.css``
make it A4 with page numbers ("Page 3 of 9" / "Pagina 3 van 9", an ``@page`` margin box)
and, while the report is not final, stamp every page: the header box says NOT FINAL /
NIET DEFINITIEF on each page, and the large diagonal watermark is a ``position: fixed``
element, which a paged renderer repeats on every page.

WeasyPrint is imported when a PDF is asked for, not with the package: it loads the Pango
system libraries (Debian ``libpango-1.0-0``, ``libpangoft2-1.0-0``) as it starts, and a
daemon that never writes a PDF must not depend on them. A missing library is one clear
:class:`PdfUnavailableError` naming what to install; :func:`pdf_problem` asks the same
question up front, so a configuration that exports PDFs is refused where they cannot be made
instead of failing every export run.
"""

from __future__ import annotations

import importlib
import logging
from types import ModuleType

from monitor.errors import SlaMonitorError
from monitor.report.html_format import render_html
from monitor.report.model import Report

__all__ = ["PDF", "PdfUnavailableError", "html_to_pdf", "pdf_problem", "render_pdf"]

PDF = "pdf"
"""The format name of the printed report, beside the text formats json, csv and html."""


class PdfUnavailableError(SlaMonitorError, RuntimeError):
    """WeasyPrint or its system libraries are not installed; ``reason`` says which and what
    to install, in one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"a PDF report needs WeasyPrint: {reason}")
        self.reason = reason


def pdf_problem() -> str | None:
    """Why this host cannot render a PDF (one line: the import error and what to install), or
    ``None`` when it can. ``check-config``, the daemon's start and reload and ``report
    --export-dir`` refuse ``pdf`` in ``report.export_formats`` with it, where an operator is
    looking, rather than letting every monthly export fail later (3.2.5)."""
    try:
        _weasyprint()
    except PdfUnavailableError as error:
        return error.reason
    return None


def _weasyprint() -> ModuleType:
    """WeasyPrint, imported now: the import loads the Pango libraries, so it fails with an
    :class:`OSError` when they are missing, with an :class:`ImportError` when the package is."""
    try:
        return importlib.import_module("weasyprint")
    except (ImportError, OSError) as error:
        detail = " ".join(str(error).split())  # the loader's messages span lines
        raise PdfUnavailableError(
            f"{type(error).__name__}: {detail}; install WeasyPrint (pip install "
            "'weasyprint>=62,<71') and Pango (Debian: apt-get install libpango-1.0-0 "
            "libpangoft2-1.0-0)"
        ) from error


def render_pdf(report: Report) -> bytes:
    """The whole report as PDF bytes (A4, numbered pages, stamped while not final)."""
    return html_to_pdf(render_html(report))


def html_to_pdf(html: str) -> bytes:
    """A report page printed by its own print rules: the monthly report and the year view."""
    weasyprint = _weasyprint()
    # The stylesheet is written for browsers too: WeasyPrint warns once per property it
    # does not know (SVG fills by class, print-color-adjust), tens of lines per report that
    # say nothing about the PDF. Its errors still reach the log.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=html, base_url=None)
    pdf: bytes = document.write_pdf()
    return pdf
