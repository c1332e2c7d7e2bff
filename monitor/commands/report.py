"""``sla-monitor report``: the monthly Service Level Report (requirements 3.2.5, 3.2.6, 3.2.15).

Two modes:

* ``report [--month YYYY-MM] [--format json|csv|html] [--output PATH]`` writes one report,
  by default the previous month's, as JSON, to stdout. ``--output`` writes a file instead,
  atomically. ``--as-of INSTANT`` computes the report as it was known at that instant, to
  reproduce an earlier export: everything recorded after it is invisible (requests received
  and answers given later, outages and monitoring that started later, maintenance
  registered later); an outage still open then counts up to it.
* ``report --export-dir DIR`` runs the export job (:mod:`monitor.report.export`): every due
  month not exported yet is written as ``sla-report-YYYY-MM.{json,csv,html}``, one line per
  file on stdout. This is what the systemd timer runs; the daemon runs the same job.

The store is created or migrated first, so a fresh database gives an empty report, not an
error. Exit 0 on success, 2 on bad input (arguments, configuration, environment), 1 when the
store cannot be read.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.commands._common import (
    EXIT_OK,
    UsageError,
    add_config_option,
    command_logger,
    database_url,
    fail,
    optional_config,
)
from monitor.config import Config, ConfigError
from monitor.report.export import create_temporary, run_exports
from monitor.report.formats import FORMATS, render
from monitor.report.load import load_report
from monitor.sla.months import Month
from monitor.store import Store, StoreError

__all__ = ["register", "run"]

EXIT_STORE = 1


def _month(text: str) -> Month:
    try:
        return Month.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO-8601 instant, e.g. 2026-06-03T09:00:00+02:00"
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs a UTC offset, e.g. {text}+02:00")
    return value.astimezone(UTC)


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
        type=_month,
        metavar="YYYY-MM",
        help="the month (default: the previous month in the configured time zone)",
    )
    parser.add_argument(
        "--format", choices=list(FORMATS), default="json", help="output format (default: json)"
    )
    parser.add_argument(
        "--output",
        type=Path,
        metavar="PATH",
        help="write to this file, atomically (default: standard output)",
    )
    parser.add_argument(
        "--as-of",
        type=_instant,
        metavar="INSTANT",
        help="compute the report as known at this ISO-8601 instant (default: now)",
    )
    parser.add_argument(
        "--export-dir",
        type=Path,
        metavar="DIR",
        help="run the export job instead: write sla-report-YYYY-MM.{json,csv,html} into DIR "
        "for every month that is due and not exported yet, then exit",
    )
    add_config_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        if args.export_dir is not None and (
            args.month is not None or args.output is not None or args.format != "json"
        ):
            raise UsageError(
                "report: --export-dir runs the export job for every due month in all three "
                "formats; it takes no --month, --format or --output"
            )
        config = optional_config(args.config)
        url = database_url()
    except (UsageError, ConfigError) as error:
        return fail(error)
    now: datetime = args.as_of if args.as_of is not None else datetime.now(UTC)
    if args.export_dir is not None:
        return asyncio.run(_export(url, config, args.export_dir, now))
    month: Month = args.month or Month.containing(now, config.zone).previous()
    if month > Month.containing(now, config.zone):
        return fail(UsageError(f"report: the month {month} has not started yet"))
    return asyncio.run(_report(url, config, month, args.format, args.output, now))


async def _open(url: str) -> Store | None:
    # Warnings only, and on stderr: stdout may be the report itself.
    try:
        return await Store.open(url, logger=command_logger())
    except StoreError as error:
        print(f"report: {error}", file=sys.stderr)
        return None


async def _report(
    url: str, config: Config, month: Month, name: str, output: Path | None, now: datetime
) -> int:
    store = await _open(url)
    if store is None:
        return EXIT_STORE
    async with store:
        try:
            report = await load_report(store, config, month, now)
        except StoreError as error:  # opened, then failed reading a page
            print(f"report: {error}", file=sys.stderr)
            return EXIT_STORE
    text = render(report, name)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        _write_atomically(output, text)
    return EXIT_OK


async def _export(url: str, config: Config, directory: Path, now: datetime) -> int:
    store = await _open(url)
    if store is None:
        return EXIT_STORE
    async with store:
        try:
            written = await run_exports(store, config, directory, now)
        except StoreError as error:
            print(f"report: {error}", file=sys.stderr)
            return EXIT_STORE
    for path in written:
        print(f"wrote {path}")
    return EXIT_OK


def _write_atomically(path: Path, text: str) -> None:
    """Temporary file next to ``path``, then rename: a reader never sees half a report."""
    fd, temporary = create_temporary(path)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
