"""What the commands share: settings, the config file, the store's URL, and their errors."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

import structlog
from pydantic import ValidationError
from structlog.typing import FilteringBoundLogger

from monitor.config import Config, ConfigError, load_config, problems_from_validation_error
from monitor.errors import SlaMonitorError
from monitor.settings import Settings
from monitor.sla.calendar import BusinessCalendar

__all__ = [
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_USAGE",
    "UsageError",
    "add_calendar_option",
    "add_config_option",
    "chosen_calendar",
    "command_logger",
    "config_path",
    "database_url",
    "fail",
    "optional_config",
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
