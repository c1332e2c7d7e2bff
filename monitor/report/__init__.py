"""The monthly Service Level Report (requirements 3.2.5, 3.2.6, 3.2.15) and its export.

:func:`build_report` turns configuration, evidence, requests and "now" into a frozen
:class:`Report` (pure); :func:`load_report` reads a month from the store and builds it;
``render(report, "json" | "csv" | "html")`` writes it; :func:`run_exports` is the monthly
export job. ``load_year`` and ``render_year`` give the year view (3.2.4) built from twelve
monthly reports. The HTTP handler of ``GET /api/v1/reports/{YYYY-MM}`` lives with the server.
"""

from monitor.report.export import (
    due_exports,
    export_deadline,
    export_format_problems,
    export_month,
    export_paths,
    last_exported,
    run_exports,
)
from monitor.report.formats import FORMATS, ReportFormat, render
from monitor.report.load import load_report, load_year
from monitor.report.model import (
    AvailabilityEntry,
    Miss,
    Report,
    RequestLike,
    ResponseEntry,
    TargetReport,
    build_report,
    month_is_final,
)
from monitor.report.outage_import import ImportSummary, OutageImportError, import_outages
from monitor.report.year import YearReport, build_year
from monitor.report.year_format import render_year

__all__ = [
    "FORMATS",
    "AvailabilityEntry",
    "ImportSummary",
    "Miss",
    "OutageImportError",
    "Report",
    "ReportFormat",
    "RequestLike",
    "ResponseEntry",
    "TargetReport",
    "YearReport",
    "build_report",
    "build_year",
    "due_exports",
    "export_deadline",
    "export_format_problems",
    "export_month",
    "export_paths",
    "import_outages",
    "last_exported",
    "load_report",
    "load_year",
    "month_is_final",
    "render",
    "render_year",
    "run_exports",
]
