"""``sla-monitor check-config [PATH]``: validate a configuration file (docs/rules.md#bad-input).

Exit 0 with a one-line summary, or exit 2 with one ``file:line: field: problem`` line per
problem on stderr, so it works both in a terminal and as a CI or ``ExecStartPre=`` gate.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from monitor.commands._common import EXIT_OK, UsageError, config_path
from monitor.config import (
    Config,
    ConfigError,
    ConfigProblem,
    load_config,
    secret_file_problems,
)

__all__ = ["register", "run", "summary"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "check-config",
        help="validate a configuration file",
        description="Validate a configuration file. Without PATH, $SLA_MONITOR_CONFIG is "
        "checked; there is no implicit default file, so a typo in the variable is not "
        "hidden by checking some other file.",
    )
    parser.add_argument("path", nargs="?", type=Path, metavar="PATH")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    path = config_path(args.path)
    if path is None:
        raise UsageError(
            "check-config: no configuration file given; pass PATH or set SLA_MONITOR_CONFIG"
        )
    config = load_config(path)
    unusable = [*secret_file_problems(config), *export_problems(config)]
    if unusable:
        raise ConfigError(str(path), unusable)
    problems = host_problems(config)
    if problems:
        raise UsageError(*(f"{path}: {line}" for line in problems))
    print(f"{path}: ok: {summary(config)}")
    return EXIT_OK


def export_problems(config: Config) -> list[ConfigProblem]:
    """The export formats this host cannot write, as the daemon's start and reload see them."""
    if "pdf" not in config.report.export_formats:
        return []
    # Imported only then: the report package pulls in Jinja2 and SQLAlchemy, half a second
    # that a check of any other file does not need.
    from monitor.report.export import export_format_problems

    return export_format_problems(config)


def host_problems(config: Config) -> list[str]:
    """What this host cannot do that the file asks for: an ICMP probe that can never succeed
    would report an outage forever, so it is refused here, where an operator is looking."""
    # Imported here: probes pull in aiohttp and dnspython, which a plain check does not need.
    from probes.icmp import icmp_permission_problem

    problems = []
    for index, target in enumerate(config.targets):
        if target.probe.type == "icmp":
            problem = icmp_permission_problem(target.probe.privileged)
            if problem is not None:
                problems.append(f"targets[{index}].probe: {problem}")
    return problems


def summary(config: Config) -> str:
    """What the daemon will do with this file, in one line."""
    counts = (
        (len(config.targets), "target", "targets"),
        (sum(len(t.slas) for t in config.targets), "SLA", "SLAs"),
        (len(config.calendar_names), "calendar", "calendars"),
        (len(config.maintenance), "maintenance window", "maintenance windows"),
        (len(config.servicedesk.mailboxes), "mailbox", "mailboxes"),
        (len(config.servicedesk.categories), "request category", "request categories"),
    )
    parts = [f"{n} {one if n == 1 else many}" for n, one, many in counts]
    return ", ".join(parts) + f"; timezone {config.timezone}"
