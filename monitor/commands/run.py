"""``sla-monitor run``: the daemon (probes, scheduler, store, HTTP server)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from pydantic import ValidationError

from monitor.commands._common import EXIT_USAGE, add_config_option, config_path
from monitor.settings import Settings

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run the daemon",
        description="Probe the configured targets, record outages and serve metrics until "
        "SIGTERM. SIGHUP reloads the configuration.",
    )
    add_config_option(parser)
    parser.add_argument(
        "--log-format",
        choices=("auto", "json", "console"),
        default="auto",
        help="log format (default: JSON unless stderr is a terminal)",
    )
    parser.add_argument("--log-level", default="info", help="log level (default: info)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Imported here: the daemon pulls in aiohttp, SQLAlchemy and every probe, which the
    # quick desk commands (deadline, holidays, check-config) should not pay for.
    from monitor.daemon import Daemon, DaemonOptions, settle_allocator
    from monitor.logging import configure_logging

    settle_allocator()  # before the configuration is read: see monitor/daemon/_heap.py

    json = {"auto": None, "json": True, "console": False}[args.log_format]
    configure_logging(level=args.log_level, json=json)
    try:
        settings = Settings()
    except ValidationError as error:
        for problem in error.errors(include_input=False):
            where = ".".join(str(p) for p in problem["loc"])
            print(f"environment: SLA_MONITOR_{where.upper()}: {problem['msg']}", file=sys.stderr)
        return EXIT_USAGE
    path = config_path(args.config)
    options = DaemonOptions(log_level=args.log_level, log_format=args.log_format, settle_heap=True)
    return asyncio.run(Daemon(settings, config_path=path, options=options).run())
