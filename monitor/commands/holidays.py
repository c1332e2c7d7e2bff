"""``sla-monitor holidays``: the closed days of a year, as the figures use them.

Contracts differ on Good Friday and 5 May (DESIGN §2 b); printing the resolved list lets the
desk and the client check the reading before a month is reported, not after.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from monitor.commands._common import EXIT_OK, UsageError, add_config_option, fail, optional_config
from monitor.config import ConfigError

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
    parser.add_argument(
        "--calendar",
        metavar="NAME",
        help="business calendar (default: the service desk's, business-hours)",
    )
    add_config_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        config = optional_config(args.config)
        name = args.calendar or config.servicedesk.calendar
        try:
            calendar = config.calendar(name)
        except ValueError as error:
            raise UsageError(f"holidays: {error}") from None
    except (UsageError, ConfigError) as error:
        return fail(error)
    # The shell may read the clock; the core never does.
    year = args.year if args.year is not None else datetime.now(calendar.zone).year
    for closed in calendar.closed_days(year):
        print(f"{closed.day.isoformat()}  {closed.name}")
    return EXIT_OK
