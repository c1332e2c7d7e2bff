"""``sla-monitor probe TARGET``: probe one configured target once and print what it saw.

For an operator asking "is it down, or is it us?": the probe runs through
:func:`monitor.probing.runner.probe_once`, the call the daemon's runners make (same dispatch table,
same timeout from the configuration, a crash turned into the same classified failure, the
same HTTP session settings), so what it prints is what the next scheduled probe records.
It does not touch the store: a one-off look is not evidence and opens no outage.

Exit 0 when the probe succeeded, 1 when it failed, 2 for an unknown target or a bad
configuration.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from datetime import UTC, datetime
from typing import Any

from monitor.commands._common import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    add_config_option,
    command_logger,
    optional_config,
)
from monitor.config import TargetConfig
from monitor.probing.runner import probe_once, probe_session
from probes import LeanHttp, run_probe
from probes.base import ProbeContext, ProbeResult

__all__ = ["register", "result_lines", "result_to_dict", "run"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "probe",
        help="probe one configured target once and print the outcome",
        description="Run one probe of TARGET exactly as the daemon does (its timeout, its "
        "classification of failures) and print outcome, duration, cause and the probe's "
        "details. Nothing is stored. Exit 0 on success, 1 on failure, 2 for an unknown "
        "target or a bad configuration.",
    )
    parser.add_argument("target", metavar="TARGET", help="a target name from the configuration")
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object instead of readable lines"
    )
    add_config_option(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = optional_config(args.config)
    names = [target.name for target in config.targets]
    if args.target not in names:
        known = ", ".join(names) if names else "none (the configuration has no targets)"
        raise UsageError(f"probe: unknown target {args.target!r}; configured targets: {known}")
    result = asyncio.run(_probe(config.target(args.target)))
    if args.json:
        print(json.dumps(result_to_dict(args.target, result), sort_keys=True))
    else:
        sys.stdout.write("".join(f"{line}\n" for line in result_lines(args.target, result)))
    return EXIT_OK if result.ok else EXIT_FAILED


async def _probe(target: TargetConfig) -> ProbeResult:
    def clock() -> datetime:
        return datetime.now(UTC)

    async with probe_session() as http:
        context = ProbeContext(
            http=http, clock=clock, monotonic=time.monotonic, lean_http=LeanHttp()
        )
        log = command_logger().bind(target=target.name)
        return await probe_once(run_probe, target.probe, context, clock(), log)


def result_lines(target: str, result: ProbeResult) -> list[str]:
    """A few aligned lines for people: outcome first, then cause, certificate and details."""
    fields: list[tuple[str, object]] = [
        ("target", target),
        ("outcome", "success" if result.ok else "failure"),
        ("duration", f"{result.duration.total_seconds():.3f}s"),
    ]
    if result.cause is not None:
        fields.append(("cause", result.cause))
    if result.cert_expiry is not None:
        fields.append(("cert expiry", result.cert_expiry.astimezone(UTC).isoformat()))
    fields += sorted(result.details.items())
    width = max(len(name) for name, _ in fields) + 1
    return [f"{name + ':':<{width}} {value}" for name, value in fields]


def result_to_dict(target: str, result: ProbeResult) -> dict[str, Any]:
    """The same as one JSON object, for scripts."""
    expiry = result.cert_expiry
    return {
        "target": target,
        "ok": result.ok,
        "started_at": result.started_at.astimezone(UTC).isoformat(),
        "duration_seconds": result.duration.total_seconds(),
        "error_class": result.error_class,
        "error_message": result.error_message,
        "cert_expiry": None if expiry is None else expiry.astimezone(UTC).isoformat(),
        "details": dict(result.details),
    }
