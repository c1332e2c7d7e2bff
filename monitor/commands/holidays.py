"""``sla-monitor holidays``: the closed days of a year, as the figures use them.

Contracts differ on Good Friday and 5 May (docs/rules.md#business-calendar); printing the
resolved list lets the desk and the client check the reading before a month is reported, not after.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from monitor.commands._common import EXIT_OK, add_calendar_option, chosen_calendar

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "holidays",
        help="print the closed days of a year",
        description="Print the closed days of a year with their names, one per line.",
    )
    parser.add_argument(
        "--year", type=int, help="year (default: the current year in the calendar's zone)"
    )
    add_calendar_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    _, calendar = chosen_calendar(args, "holidays")
    # The shell may read the clock; the core never does.
    year = args.year if args.year is not None else datetime.now(calendar.zone).year
    for closed in calendar.closed_days(year):
        print(f"{closed.day.isoformat()}  {closed.name}")
    return EXIT_OK
