"""``sla-monitor outage annotate|dispute|close|void ID``: correct a stored outage.

The stored outage is never changed: the correction is appended with its reason and actor
(``cli:$USER`` unless ``--actor`` says otherwise), and the figures and the report read the
outage through it. ``close`` needs ``--at`` (after the outage's start).

Exit codes: 0 recorded; 2 bad input (unknown outage, a missing or bad ``--at``); 1 the
store could not be opened or written.
"""

from __future__ import annotations

import argparse
import getpass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from monitor.commands._common import (
    EXIT_OK,
    UsageError,
    database_url,
    offset_instant,
    on_store,
)
from monitor.sla.corrections import OutageCorrection

if TYPE_CHECKING:
    from monitor.store import Store

__all__ = ["default_actor", "register"]

KINDS = ("annotate", "dispute", "close", "void")


def default_actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli:unknown"


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
            type=offset_instant,
            required=kind == "close",
            help="the instant the outage ended (close only), ISO-8601 with offset",
        )
        sub.add_argument("--actor", default=None, help="who acts (default: cli:$USER)")
        sub.set_defaults(run=run, kind=kind)


def run(args: argparse.Namespace) -> int:
    from monitor.store import checked_correction

    command = f"outage {args.kind}"
    if args.at is not None and args.kind != "close":
        raise UsageError(f"{command}: --at belongs to close only")
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
        raise UsageError(f"{command}: {error}") from None

    async def correct(store: Store) -> None:
        problem = await _problem(store, args.outage_id, correction)
        if problem is not None:
            raise UsageError(f"{command}: {problem}")
        await store.add_outage_correction(args.outage_id, correction)

    on_store(database_url(), command, correct)
    print(f"outage {args.outage_id}: {args.kind} recorded by {correction.actor}")
    return EXIT_OK


async def _problem(store: Store, outage_id: str, correction: OutageCorrection) -> str | None:
    """Why the store refuses the correction: an unknown outage, or an end before its start."""
    outage = await store.outage(outage_id)
    if outage is None:
        return f"no outage with id {outage_id}"
    if correction.at is not None and correction.at <= outage.start:
        return f"--at must be after the outage's start ({outage.start.isoformat()})"
    return None
