"""``sla-monitor deadline RECEIVED``: the deadline of a request (docs/rules.md#response-times)

For the people at the desk: the same rule the report applies (3.2.9, 3.2.13, 3.2.14, 3.2.39),
so "did we make it?" has one answer. Works without a configuration file (Dutch defaults).
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from monitor.commands._common import EXIT_OK, UsageError, add_calendar_option, chosen_calendar
from monitor.sla.response import BusinessDayMode, response_deadline

__all__ = ["register", "run"]


def _days(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of days") from None
    if value < 1:
        raise argparse.ArgumentTypeError("a response norm is at least one working day")
    return value


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "deadline",
        help="print the response deadline of a request",
        description="Print the response deadline of a request received at RECEIVED, as "
        "ISO-8601 with the offset of the calendar's zone.",
    )
    parser.add_argument(
        "received",
        metavar="RECEIVED",
        help="ISO-8601 instant, e.g. 2026-06-05T17:00:00+02:00; without an offset it is read "
        "in the calendar's zone",
    )
    parser.add_argument("--days", type=_days, default=1, help="working days (default: 1)")
    parser.add_argument(
        "--mode",
        choices=[mode.value for mode in BusinessDayMode],
        help="what one working day means (default: the config's servicedesk.business_day, "
        "business_hours)",
    )
    add_calendar_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config, calendar = chosen_calendar(args, "deadline")
    received = _parse_instant(args.received)
    if received.tzinfo is None:
        # fold=0: a repeated local time is its first occurrence; a skipped one is read with
        # the offset from before the jump. Both lie at night, outside any opening hours.
        received = received.replace(tzinfo=calendar.zone)
    mode = BusinessDayMode(args.mode) if args.mode else config.servicedesk.business_day
    deadline = response_deadline(calendar, received, args.days, mode)
    print(deadline.astimezone(calendar.zone).isoformat())
    return EXIT_OK


def _parse_instant(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"deadline: {text!r} is not an ISO-8601 instant, e.g. 2026-06-05T17:00:00+02:00"
        ) from None
