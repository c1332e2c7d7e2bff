"""``sla-monitor report``: the monthly Service Level Report (requirements 3.2.5, 3.2.6, 3.2.15).

Three modes:

* ``report [--month YYYY-MM] [--format json|csv|html|pdf] [--output PATH]`` writes one
  report, by default the previous month's, as JSON, to stdout. ``--output`` writes a file instead,
  atomically. ``--as-of INSTANT`` computes the report as it was known at that instant, to
  reproduce an earlier export: everything recorded after it is invisible (requests received
  and answers given later, outages and monitoring that started later, maintenance
  registered later); an outage still open then counts up to it.
* ``report --year YYYY [--format json|csv|html|pdf] [--output PATH]`` writes the year view
  (3.2.4): every PI's twelve monthly figures against the norm in force in each month, the
  outcome per month and the misses with their analyses; months not yet begun are shown as
  not yet measured.
* ``report --export-dir DIR`` runs the export job (:mod:`monitor.report.export`): every due
  month not exported yet is written as ``sla-report-YYYY-MM.{json,csv,html}`` (the formats
  of ``report: {export_formats}``) with its manifest, one line per file on stdout. This is
  what the systemd timer runs; the daemon runs the same job.
* ``report verify DIR [--month YYYY-MM]`` checks an export directory against its manifests
  (3.2.5 evidence): one line per file, ``ok``, ``changed``, ``missing`` or ``unlisted``;
  exit 0 only when every file is ``ok``, 1 when one is not, 2 when there is no readable
  manifest to check against. It needs no store and no configuration.

The store is created or migrated first, so a fresh database gives an empty report, not an
error. Exit 0 on success, 2 on bad input (arguments, configuration, environment), 1 when the
store cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.commands._common import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    add_config_option,
    config_path,
    database_url,
    month,
    offset_instant,
    on_store,
    optional_config,
)
from monitor.config import Config, ConfigError
from monitor.report.export import export_format_problems, run_exports
from monitor.report.files import write_atomically
from monitor.report.formats import FILE_FORMATS, render_bytes
from monitor.report.load import load_report, load_year
from monitor.report.manifest import ManifestError, Status, verify_directory
from monitor.report.pdf_format import PdfUnavailableError
from monitor.report.year_format import YEAR_FILE_FORMATS, render_year_bytes
from monitor.sla.months import Month

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "report",
        help="write the monthly Service Level Report",
        description="Write the Service Level Report of a month from the store: every service "
        "level against its norm, the evidence behind each figure, the missed service levels, "
        "the 3.2.15 descriptions, the policies and the holiday list.",
    )
    parser.add_argument(
        "--month",
        type=month,
        metavar="YYYY-MM",
        help="the month (default: the previous month in the configured time zone)",
    )
    parser.add_argument(
        "--year",
        type=_year,
        metavar="YYYY",
        help="write the year view of this calendar year instead of a month (3.2.4)",
    )
    parser.add_argument(
        "--format",
        choices=list(FILE_FORMATS),
        default="json",
        help="output format (default: json); pdf is the HTML report printed on A4",
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="PATH",
        help="write to this file, atomically (default: standard output)",
    )
    parser.add_argument(
        "--as-of",
        type=offset_instant,
        metavar="INSTANT",
        help="compute the report as known at this ISO-8601 instant (default: now)",
    )
    parser.add_argument(
        "--export-dir",
        type=Path,
        metavar="DIR",
        help="run the export job instead: write sla-report-YYYY-MM.{json,csv,html} (the "
        "configured export formats) and a manifest into DIR for every month that is due and "
        "not exported yet, then exit",
    )
    add_config_option(parser)
    parser.set_defaults(run=run)
    actions = parser.add_subparsers(dest="action", required=False, metavar="{verify}")
    verify = actions.add_parser(
        "verify",
        help="check an export directory against its SHA-256 manifests",
        description="Check every file of an export directory against the manifests the "
        "export job wrote (sla-report-YYYY-MM.manifest.json): one line per file, ok, "
        "changed, missing or unlisted. Exit 0 only when every file is ok.",
    )
    verify.add_argument("directory", type=Path, metavar="DIR", help="the export directory")
    verify.add_argument(
        "--month", type=month, metavar="YYYY-MM", help="check only this month's files"
    )
    verify.set_defaults(run=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    """``report verify DIR``: every file against the manifests (requirement 3.2.5)."""
    directory: Path = args.directory
    if not directory.is_dir():
        raise UsageError(f"report verify: {directory} is not a directory")
    try:
        checks = verify_directory(directory, args.month)
    except ManifestError as error:
        raise UsageError(f"report verify: {error}") from error
    for check in checks:
        detail = f" ({check.detail})" if check.detail else ""
        print(f"{check.status.value:<9} {check.name}{detail}")
    bad = sum(1 for check in checks if check.status is not Status.OK)
    print(
        f"{len(checks)} files, {bad} not ok" if bad else f"{len(checks)} files, all ok",
        file=sys.stderr,
    )
    return EXIT_FAILED if bad else EXIT_OK


def _year(text: str) -> int:
    """An argparse type: ``YYYY``, a year a report can be about."""
    try:
        return Month.parse(f"{text.strip()}-01").year
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a year of the form YYYY") from None


def _emit(render: Callable[[], bytes], output: Path | None) -> int:
    """Write a rendering to ``output`` (atomically) or stdout; a PDF without its renderer
    installed is a usage error naming what to install."""
    try:
        data = render()
    except PdfUnavailableError as error:
        raise UsageError(f"report: {error}") from error
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        write_atomically(output, data)
    return EXIT_OK


def _year_view(args: argparse.Namespace, config: Config, url: str, now: datetime) -> int:
    if args.month is not None or args.export_dir is not None:
        raise UsageError("report: --year writes the year view; it takes no --month or --export-dir")
    if args.format not in YEAR_FILE_FORMATS:
        known = ", ".join(YEAR_FILE_FORMATS)
        raise UsageError(f"report: the year view is written as {known}, not {args.format}")
    year: int = args.year
    if Month(year, 1) > Month.containing(now, config.zone):
        raise UsageError(f"report: the year {year} has not started yet")
    view = on_store(url, "report", lambda store: load_year(store, config, year, now))
    return _emit(lambda: render_year_bytes(view, args.format), args.output)


def _wall_clock() -> datetime:
    """When the export's files are in place: the delivery (3.2.5) is a fact of this run, so
    it is the real time even with ``--as-of``, which only decides what the report knows."""
    return datetime.now(UTC)


def run(args: argparse.Namespace) -> int:
    if (
        args.year is None
        and args.export_dir is not None
        and (args.month is not None or args.output is not None or args.format != "json")
    ):
        raise UsageError(
            "report: --export-dir runs the export job for every due month in the configured "
            "formats; it takes no --month, --format or --output"
        )
    config = optional_config(args.config)
    url = database_url()
    now: datetime = (args.as_of if args.as_of is not None else datetime.now(UTC)).astimezone(UTC)
    if args.year is not None:
        return _year_view(args, config, url, now)
    if args.export_dir is not None:
        unwritable = export_format_problems(config)
        if unwritable:
            raise ConfigError(str(config_path(args.config)), unwritable)
        directory: Path = args.export_dir
        written = on_store(
            url,
            "report",
            lambda store: run_exports(store, config, directory, now, clock=_wall_clock),
        )
        for path in written:
            print(f"wrote {path}")
        return EXIT_OK
    chosen: Month = args.month or Month.containing(now, config.zone).previous()
    if chosen > Month.containing(now, config.zone):
        raise UsageError(f"report: the month {chosen} has not started yet")
    report = on_store(url, "report", lambda store: load_report(store, config, chosen, now))
    return _emit(lambda: render_bytes(report, args.format), args.output)
