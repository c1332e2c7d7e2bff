"""``sla-monitor deadline RECEIVED``: the deadline of a request (docs/rules.md#response-times)

For the people at the desk: the same rule the report applies (3.2.9, 3.2.13, 3.2.14, 3.2.39,
3.2.41), so "did we make it?" has one answer. Works without a configuration file (Dutch
defaults). ``--category`` takes the days and their unit (working or calendar days) from the
configured category; ``--days`` and ``--unit`` override them. ``--resolution`` prints the
category's resolution term (3.2.40) instead: its end and each overrun tier's threshold, one
``NAME INSTANT`` line each.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from monitor.commands._common import EXIT_OK, UsageError, add_calendar_option, chosen_calendar
from monitor.config import Config
from monitor.sla.resolution import ResolvedRequest, judge_resolution
from monitor.sla.response import BusinessDayMode, DayUnit, response_deadline

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
    parser.add_argument(
        "--days", type=_days, help="days (default: the category's, or 1 without --category)"
    )
    parser.add_argument(
        "--unit",
        choices=[unit.value for unit in DayUnit],
        help="what the days count (default: the category's, or working_days)",
    )
    parser.add_argument(
        "--category",
        metavar="NAME",
        help="take days and unit from this configured request category",
    )
    parser.add_argument(
        "--resolution",
        action="store_true",
        help="print the category's resolution term and overrun thresholds (needs --category)",
    )
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
    days, unit = _norm(config, args)
    if args.resolution:
        norm = config.servicedesk.categories[args.category].resolution
        if norm is None:
            raise UsageError(f"deadline: the category {args.category!r} has no resolution term")
        verdict = judge_resolution(
            norm.norm(), ResolvedRequest("", received, None), calendar, received, mode
        )
        print(f"due {verdict.due.astimezone(calendar.zone).isoformat()}")
        for name, instant in zip(norm.norm().names, verdict.thresholds, strict=True):
            print(f"{name} {instant.astimezone(calendar.zone).isoformat()}")
        return EXIT_OK
    deadline = response_deadline(calendar, received, days, mode, unit)
    print(deadline.astimezone(calendar.zone).isoformat())
    return EXIT_OK


def _norm(config: Config, args: argparse.Namespace) -> tuple[int, DayUnit]:
    """Days and unit: explicit options first, then the category's, then one working day."""
    days, unit = 1, DayUnit.WORKING_DAYS
    if args.category is not None:
        categories = config.servicedesk.categories
        if args.category not in categories:
            known = ", ".join(sorted(categories))
            raise UsageError(f"deadline: unknown category {args.category!r}; known: {known}")
        days, unit = categories[args.category].days, categories[args.category].unit
    elif args.resolution:
        raise UsageError("deadline: --resolution needs --category")
    if args.days is not None:
        days = args.days
    if args.unit is not None:
        unit = DayUnit(args.unit)
    return days, unit


def _parse_instant(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise UsageError(
            f"deadline: {text!r} is not an ISO-8601 instant, e.g. 2026-06-05T17:00:00+02:00"
        ) from None
