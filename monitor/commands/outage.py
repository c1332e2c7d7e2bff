"""``sla-monitor outage annotate|dispute|close|void ID``: correct a stored outage.

The stored outage is never changed: the correction is appended with its reason and actor
(``cli:$USER`` unless ``--actor`` says otherwise), and the figures and the report read the
outage through it. ``close`` needs ``--at`` (after the outage's start).

Exit codes: 0 recorded; 2 bad input (unknown outage, a missing or bad ``--at``); 1 the
store could not be opened or written.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import sys
from datetime import UTC, datetime
from typing import Any

from monitor.commands._common import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    command_logger,
    database_url,
    fail,
)
from monitor.sla.corrections import OutageCorrection

__all__ = ["default_actor", "register"]

KINDS = ("annotate", "dispute", "close", "void")


def default_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


def _instant(text: str) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO-8601 instant") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} has no offset; write e.g. +02:00 or Z")
    return value


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "outage",
        help="annotate, dispute, close or void a stored outage",
        description="Append a correction to a stored outage; the outage itself is never "
        "changed, and the report shows every correction next to the figure it changed.",
    )
    kinds = parser.add_subparsers(dest="correction", required=True)
    for kind in KINDS:
        sub = kinds.add_parser(kind, help=f"{kind} an outage")
        sub.add_argument("outage_id", metavar="ID", help="the outage's id (GET /api/v1/outages)")
        sub.add_argument("--reason", required=True, help="why (kept in the audit trail)")
        sub.add_argument(
            "--at",
            type=_instant,
            required=kind == "close",
            help="the instant the outage ended (close only), ISO-8601 with offset",
        )
        sub.add_argument("--actor", default=None, help="who acts (default: cli:$USER)")
        sub.set_defaults(run=run, kind=kind)


def run(args: argparse.Namespace) -> int:
    from monitor.store import StoreError, checked_correction

    if args.at is not None and args.kind != "close":
        return fail(UsageError(f"outage {args.kind}: --at belongs to close only"))
    try:
        correction = checked_correction(
            OutageCorrection(
                kind=args.kind,
                reason=args.reason,
                actor=args.actor or default_actor(),
                recorded_at=datetime.now(UTC),
                at=args.at,
            )
        )
    except ValueError as error:
        return fail(UsageError(f"outage {args.kind}: {error}"))
    url = database_url()
    try:
        problem = asyncio.run(_store(url, args.outage_id, correction))
    except StoreError as error:
        print(f"outage {args.kind}: {error}", file=sys.stderr)
        return EXIT_FAILED
    if problem is not None:
        return fail(UsageError(f"outage {args.kind}: {problem}"))
    print(f"outage {args.outage_id}: {args.kind} recorded by {correction.actor}")
    return EXIT_OK


async def _store(url: str, outage_id: str, correction: OutageCorrection) -> str | None:
    from monitor.store import Store

    async with await Store.open(url, logger=command_logger()) as store:
        outage = await store.outage(outage_id)
        if outage is None:
            return f"no outage with id {outage_id}"
        if correction.at is not None and correction.at <= outage.start:
            return f"--at must be after the outage's start ({outage.start.isoformat()})"
        await store.add_outage_correction(outage_id, correction)
    return None
