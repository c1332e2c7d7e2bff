"""What the desk commands share: finding the config file and reporting its errors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import ValidationError

from monitor.config import Config, ConfigError, load_config, problems_from_validation_error
from monitor.settings import Settings
from monitor.sla.calendar import BusinessCalendar

__all__ = [
    "EXIT_OK",
    "EXIT_USAGE",
    "UsageError",
    "add_calendar_option",
    "add_config_option",
    "chosen_calendar",
    "config_path",
    "fail",
    "optional_config",
]

EXIT_OK = 0
EXIT_USAGE = 2
"""Bad input of any kind (arguments, configuration, environment), like argparse's own."""


class UsageError(Exception):
    """A problem the user can fix; its lines go to stderr and the command exits 2."""

    def __init__(self, *lines: str) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


def fail(error: UsageError | ConfigError) -> int:
    lines = error.lines() if isinstance(error, ConfigError) else error.lines
    for line in lines:
        print(line, file=sys.stderr)
    return EXIT_USAGE


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
    try:
        return Settings().config
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
