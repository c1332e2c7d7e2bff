"""The ``sla-monitor`` command line (docs/interfaces.md).

The parser is assembled from the modules in :mod:`monitor.commands`; each registers its own
subcommand, so adding one is a module there and a line in ``_COMMANDS``. ``main`` returns the
exit code instead of exiting, so tests call it directly.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from monitor import __version__
from monitor.commands import (
    analysis,
    check_config,
    deadline,
    holidays,
    import_,
    mailbox,
    outage,
    probe,
    report,
    request,
    run,
)
from monitor.commands._common import run_command

__all__ = ["build_parser", "main"]

_COMMANDS: tuple[Callable[[argparse._SubParsersAction[Any]], None], ...] = (
    analysis.register,
    check_config.register,
    deadline.register,
    holidays.register,
    import_.register,
    mailbox.register,
    outage.register,
    probe.register,
    report.register,
    request.register,
    run.register,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sla-monitor",
        description="Measures contractual service levels: availability, service-desk "
        "reachability and response times.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for register in _COMMANDS:
        register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    except SystemExit as exit_:
        # argparse exits on --help (0) and on usage errors (2); hand the code back instead.
        return exit_.code if isinstance(exit_.code, int) else 2
    return run_command(args.run, args)


if __name__ == "__main__":
    sys.exit(main())
