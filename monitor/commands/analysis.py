"""``sla-monitor analysis add|list``: the 3.2.6 analysis of a missed service level.

``add --month YYYY-MM (--target T --window W | --category C) --cause TEXT --measures TEXT``
appends an analysis (author ``cli:$USER`` unless ``--author`` says otherwise); the report
prints it under the figure it names. The figure is checked against the configuration by
:func:`monitor.report.analyses.analysis_subject`, the same check the API makes. Analyses are never
edited: a revised one is a later record, and both stay. ``list [--month YYYY-MM]`` prints
the recorded analyses, of one month or of all, oldest first.

Exit codes: 0 done; 2 bad input (arguments, a figure the configuration does not have, a
blank text); 1 the store could not be opened or written.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import UTC, datetime
from typing import Any

from monitor.commands._common import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    add_config_option,
    command_logger,
    database_url,
    fail,
    optional_config,
)
from monitor.commands.outage import default_actor
from monitor.config import ConfigError
from monitor.report.analyses import SubjectError, analysis_subject, new_analysis
from monitor.sla.months import Month
from monitor.store import MissAnalysisRecord, Store, StoreError

__all__ = ["register"]


def _month(text: str) -> str:
    try:
        return str(Month.parse(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "analysis",
        help="record or list the 3.2.6 analysis of a missed service level",
        description="Record the analysis of a missed service level (cause and measures); the "
        "report prints it under the figure. Analyses are appended, never edited.",
    )
    actions = parser.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="append an analysis of one figure of one month")
    add.add_argument("--month", type=_month, required=True, help="the month, YYYY-MM")
    add.add_argument("--target", help="the target of an availability figure (with --window)")
    add.add_argument("--window", help="the SLA window of that target, e.g. 24x7")
    add.add_argument("--category", help="the request category of a response figure")
    add.add_argument("--cause", required=True, help="why the service level was missed")
    add.add_argument("--measures", required=True, help="what is done so it does not recur")
    add.add_argument("--author", default=None, help="who analysed (default: cli:$USER)")
    add_config_option(add)
    add.set_defaults(run=_add)
    listing = actions.add_parser("list", help="print the recorded analyses")
    listing.add_argument("--month", type=_month, default=None, help="only this month, YYYY-MM")
    listing.set_defaults(run=_list)


def _add(args: argparse.Namespace) -> int:
    try:
        config = optional_config(args.config)
        url = database_url()
        subject = analysis_subject(
            config, target=args.target, window=args.window, category=args.category
        )
        record = new_analysis(
            subject,
            month=args.month,
            cause=args.cause,
            measures=args.measures,
            author=args.author or default_actor(),
            recorded_at=datetime.now(UTC),
        )
    except (UsageError, ConfigError) as error:
        return fail(error)
    except SubjectError as error:
        return fail(UsageError(f"analysis add: --{error.field}: {error.message}"))
    except ValueError as error:  # a blank cause or measures, refused by the record itself
        return fail(UsageError(f"analysis add: {error}"))
    try:
        stored = asyncio.run(_store(url, record))
    except StoreError as error:
        print(f"analysis add: {error}", file=sys.stderr)
        return EXIT_FAILED
    figure = stored.name if stored.window is None else f"{stored.name} {stored.window}"
    print(f"analysis {stored.id} of {stored.kind} {figure} in {stored.month} by {stored.author}")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    try:
        url = database_url()
    except UsageError as error:
        return fail(error)
    try:
        analyses = asyncio.run(_read(url, args.month))
    except StoreError as error:
        print(f"analysis list: {error}", file=sys.stderr)
        return EXIT_FAILED
    for a in analyses:
        figure = a.name if a.window is None else f"{a.name} {a.window}"
        print(f"{a.month}  {a.kind} {figure}  {a.recorded_at.isoformat()}  {a.author}")
        print(f"  cause: {_indented(a.cause)}")
        print(f"  measures: {_indented(a.measures)}")
    return EXIT_OK


def _indented(text: str) -> str:
    """A paragraph's later lines indented, so each analysis stays one block."""
    return text.replace("\n", "\n    ")


async def _store(url: str, record: MissAnalysisRecord) -> MissAnalysisRecord:
    async with await Store.open(url, logger=command_logger()) as store:
        return await store.add_miss_analysis(record)


async def _read(url: str, month: str | None) -> list[MissAnalysisRecord]:
    async with await Store.open(url, logger=command_logger()) as store:
        return await store.miss_analyses(month)
