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
from datetime import UTC, datetime
from typing import Any

from monitor.commands._common import (
    EXIT_OK,
    UsageError,
    add_config_option,
    add_group,
    database_url,
    month,
    on_store,
    optional_config,
)
from monitor.commands.outage import default_actor
from monitor.report.analyses import SubjectError, analysis_subject, new_analysis

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    actions = add_group(
        subparsers,
        "analysis",
        help="record or list the 3.2.6 analysis of a missed service level",
        description="Record the analysis of a missed service level (cause and measures); the "
        "report prints it under the figure. Analyses are appended, never edited.",
    )
    add = actions.add_parser("add", help="append an analysis of one figure of one month")
    add.add_argument("--month", type=month, required=True, help="the month, YYYY-MM")
    add.add_argument("--target", help="the target of an availability figure (with --window)")
    add.add_argument("--window", help="the SLA window of that target, e.g. 24x7")
    add.add_argument("--category", help="the request category of a response figure")
    add.add_argument("--cause", required=True, help="why the service level was missed")
    add.add_argument("--measures", required=True, help="what is done so it does not recur")
    add.add_argument("--author", default=None, help="who analysed (default: cli:$USER)")
    add_config_option(add)
    add.set_defaults(run=_add)
    listing = actions.add_parser("list", help="print the recorded analyses")
    listing.add_argument("--month", type=month, default=None, help="only this month, YYYY-MM")
    listing.set_defaults(run=_list)


def _add(args: argparse.Namespace) -> int:
    config = optional_config(args.config)
    url = database_url()
    try:
        subject = analysis_subject(
            config, target=args.target, window=args.window, category=args.category
        )
        record = new_analysis(
            subject,
            month=str(args.month),
            cause=args.cause,
            measures=args.measures,
            author=args.author or default_actor(),
            recorded_at=datetime.now(UTC),
        )
    except SubjectError as error:
        raise UsageError(f"analysis add: --{error.field}: {error.message}") from None
    except ValueError as error:  # a blank cause or measures, refused by the record itself
        raise UsageError(f"analysis add: {error}") from None
    stored = on_store(url, "analysis add", lambda store: store.add_miss_analysis(record))
    figure = stored.name if stored.window is None else f"{stored.name} {stored.window}"
    print(f"analysis {stored.id} of {stored.kind} {figure} in {stored.month} by {stored.author}")
    return EXIT_OK


def _list(args: argparse.Namespace) -> int:
    chosen = None if args.month is None else str(args.month)
    analyses = on_store(database_url(), "analysis list", lambda store: store.miss_analyses(chosen))
    for a in analyses:
        figure = a.name if a.window is None else f"{a.name} {a.window}"
        print(f"{a.month}  {a.kind} {figure}  {a.recorded_at.isoformat()}  {a.author}")
        print(f"  cause: {_indented(a.cause)}")
        print(f"  measures: {_indented(a.measures)}")
    return EXIT_OK


def _indented(text: str) -> str:
    """A paragraph's later lines indented, so each analysis stays one block."""
    return text.replace("\n", "\n    ")
