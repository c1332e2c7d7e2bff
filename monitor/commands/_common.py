"""What the commands share: settings, the config file, the store, and how they fail.

A command raises :class:`UsageError` (or lets a :class:`ConfigError` through) for bad input
and :class:`CommandError` when the work could not be done; :func:`run_command` turns both
into lines on stderr and the exit code, so a command's own code is only its work.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import structlog
from pydantic import ValidationError
from structlog.typing import FilteringBoundLogger

from monitor.config import Config, ConfigError, load_config, problems_from_validation_error
from monitor.errors import SlaMonitorError
from monitor.settings import Settings
from monitor.sla.calendar import BusinessCalendar
from monitor.sla.months import Month

if TYPE_CHECKING:
    from monitor.store import Store

T = TypeVar("T")

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "CommandError",
    "UsageError",
    "add_calendar_option",
    "add_config_option",
    "add_group",
    "chosen_calendar",
    "command_logger",
    "config_path",
    "database_url",
    "fail",
    "month",
    "offset_instant",
    "on_store",
    "optional_config",
    "run_command",
    "settings",
]

EXIT_OK = 0
EXIT_USAGE = 2
"""Bad input of any kind (arguments, configuration, environment), like argparse's own."""


class UsageError(SlaMonitorError):
    """A problem the user can fix; its lines go to stderr and the command exits 2."""

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


class CommandError(Exception):
    """The work could not be done (store or mailbox unreachable); input was fine. Its
    message is one line for stderr, starting with the command; the command exits 1."""


def run_command(run: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    """Run a command; its errors become their lines on stderr and the exit code."""
    try:
        return run(args)
    except (UsageError, ConfigError) as error:
        return fail(error)
    except CommandError as error:
        print(str(error), file=sys.stderr)
        return EXIT_FAILED


def fail(error: UsageError | ConfigError) -> int:
    lines = error.lines() if isinstance(error, ConfigError) else error.lines
    for line in lines:
        print(line, file=sys.stderr)
    return EXIT_USAGE


def add_group(
    subparsers: argparse._SubParsersAction[Any], name: str, *, help: str, description: str
) -> argparse._SubParsersAction[Any]:
    """A command made of actions (``request show``, ``analysis add``): the action is required."""
    parser = subparsers.add_parser(name, help=help, description=description)
    actions: argparse._SubParsersAction[Any] = parser.add_subparsers(dest="action", required=True)
    return actions


def month(text: str) -> Month:
    """An argparse type: ``YYYY-MM``."""
    try:
        return Month.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def offset_instant(text: str) -> datetime:
    """An argparse type: an ISO-8601 instant with its UTC offset (a local time is ambiguous)."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO-8601 instant, e.g. 2026-06-03T09:00:00+02:00"
        ) from None
    if value.tzinfo is None or value.utcoffset() is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs a UTC offset, e.g. {text}+02:00")
    return value


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="PATH",
        type=Path,
        help="configuration file (default: $SLA_MONITOR_CONFIG; without either, the built-in "
        "defaults: Europe/Amsterdam, Mon-Fri 08:00-18:00, Dutch holidays)",
    )


def config_path(explicit: Path | None) -> Path | None:
    """The file to read: the argument, else ``SLA_MONITOR_CONFIG``, else none.

    The environment is read through :class:`Settings`, so the commands and the daemon agree
    on which file is "the" configuration.
    """
    if explicit is not None:
        return explicit
    return settings().config


def settings() -> Settings:
    """The ``SLA_MONITOR_*`` settings, or a :class:`UsageError` naming each bad variable."""
    try:
        return Settings()
    except ValidationError as error:
        problems = problems_from_validation_error(error, None)
        raise UsageError(
            *(f"environment: SLA_MONITOR_{p.path.upper()}: {p.message}" for p in problems)
        ) from None


def add_calendar_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--calendar",
        metavar="NAME",
        help="business calendar (default: the service desk's, business-hours)",
    )
    add_config_option(parser)


def chosen_calendar(args: argparse.Namespace, command: str) -> tuple[Config, BusinessCalendar]:
    """The configuration and the calendar named by ``--calendar`` (or the desk's)."""
    config = optional_config(args.config)
    name = args.calendar or config.servicedesk.calendar
    try:
        return config, config.calendar(name)
    except ValueError as error:
        raise UsageError(f"{command}: {error}") from None


def optional_config(explicit: Path | None) -> Config:
    """The configuration if one is given, otherwise the built-in defaults."""
    path = config_path(explicit)
    return Config() if path is None else load_config(path)


EXIT_FAILED = 1
"""The work could not be done (store or mailbox unreachable); input was fine."""


def database_url() -> str:
    """``SLA_MONITOR_DATABASE_URL`` (or the default): the same store the daemon uses."""
    return settings().database_url.get_secret_value()


def command_logger(level: int = logging.WARNING) -> FilteringBoundLogger:
    """Warnings and errors to stderr, readable: stdout is the command's own output."""
    logger: FilteringBoundLogger = structlog.wrap_logger(
        structlog.PrintLogger(sys.stderr),
        processors=[
            structlog.processors.add_log_level,
            structlog.dev.ConsoleRenderer(colors=False),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
    )
    return logger


def on_store(url: str, command: str, work: Callable[[Store], Awaitable[T]]) -> T:
    """Open the store at ``url`` (the daemon's, migrated first), run ``work`` on it, close it.

    Any failure of the store, opening, reading or writing, is a :class:`CommandError`
    naming ``command`` and saying why without the password or any SQL. ``work`` turns its
    own input problems into a :class:`UsageError`, which passes through.
    """
    from monitor.store import Store, StoreError

    async def opened() -> T:
        async with await Store.open(url, logger=command_logger()) as store:
            return await work(store)

    try:
        return asyncio.run(opened())
    except StoreError as error:  # its message is the one line: what is wrong, what to do
        raise CommandError(f"{command}: {error}") from None
