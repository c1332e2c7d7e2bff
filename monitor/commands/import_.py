"""``sla-monitor import KIND FILE``: history from elsewhere (DESIGN §3).

One ``import`` command with a sub-command per kind of history. Adding a kind is a
``register_<kind>(kinds)`` function here and its name in :data:`KINDS`; the helpers below
(settings, store, a quiet logger) are shared with the other commands that use the store.

Exit codes: 0 imported; 2 bad input (a bad row, an unreadable file, a bad configuration),
with every problem on stderr; 1 the store could not be opened or written.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from monitor.commands._common import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    add_config_option,
    command_logger,
    database_url,
    fail,
    optional_config,
)
from monitor.config import ConfigError

if TYPE_CHECKING:
    from monitor.report.outage_import import CheckedFile, ImportSummary, Lines
    from monitor.servicedesk.importer import RawLines

__all__ = [
    "KINDS",
    "register",
    "register_outages",
    "register_requests",
    "run_outages",
    "run_requests",
]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import history from CSV files",
        description="Import history from another tool. Each kind reads a UTF-8 CSV file with a "
        "header row; a bad row is reported with its line number, and nothing is imported "
        "unless every row is good. Importing the same file again changes nothing.",
    )
    kinds = parser.add_subparsers(dest="kind", required=True)
    for register_kind in KINDS:
        register_kind(kinds)


# -- import requests ----------------------------------------------------------------------------


def register_requests(kinds: argparse._SubParsersAction[Any]) -> None:
    parser = kinds.add_parser(
        "requests",
        help="service-desk requests: id,category,received_at,answered_at",
        description="Import service-desk requests (3.2.9, 3.2.13, 3.2.14, 3.2.39) from a CSV "
        "file with the columns id,category,received_at,answered_at: ISO-8601 instants with an "
        "offset, an empty answered_at for an unanswered request, categories from the "
        "configuration's servicedesk.categories. A request already stored under the same id "
        "is updated; a stored answer is never erased by an empty one.",
    )
    parser.add_argument("file", metavar="FILE", type=Path, help="the CSV file")
    parser.add_argument(
        "--channel",
        metavar="NAME",
        help="where the requests come from, e.g. the ticket system's name (kept per request)",
    )
    add_config_option(parser)
    parser.set_defaults(run=run_requests)


def run_requests(args: argparse.Namespace) -> int:
    from monitor.servicedesk.importer import RequestImportError, check_requests
    from monitor.store import StoreError

    path: Path = args.file

    def lines() -> Iterator[bytes]:
        with path.open("rb") as file:
            yield from file

    try:
        config = optional_config(args.config)
        url = database_url()
        categories = tuple(config.servicedesk.categories)
        try:
            rows = check_requests(lines, categories=categories, channel=args.channel)
        except OSError as error:
            raise UsageError(f"{path}: cannot read: {error.strerror or error}") from None
        except RequestImportError as error:
            raise UsageError(
                *(f"{path}:{p.line}: {p.message}" for p in error.problems),
                *(
                    [f"{path}: {error.count - len(error.problems)} more problem(s) not shown"]
                    if error.count > len(error.problems)
                    else []
                ),
                f"{path}: nothing imported ({error.count} problem(s))",
            ) from None
    except (UsageError, ConfigError) as error:
        return fail(error)
    try:
        changed = asyncio.run(_upsert_requests(url, lines, categories, args.channel))
    except RequestImportError as error:
        return fail(
            UsageError(
                *(f"{path}:{p.line}: {p.message}" for p in error.problems),
                f"{path}: nothing imported (the file changed while it was imported)",
            )
        )
    except StoreError as error:
        print(f"import requests: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"{path}: {rows} requests read, {changed} new or changed")
    return EXIT_OK


async def _upsert_requests(
    url: str, lines: RawLines, categories: tuple[str, ...], channel: str | None
) -> int:
    from monitor.servicedesk.importer import read_requests
    from monitor.store import Store

    async with await Store.open(url, logger=command_logger()) as store:
        return await store.upsert_request_chunks(read_requests(lines, categories, channel))


# -- import outages -----------------------------------------------------------------------------


def register_outages(kinds: argparse._SubParsersAction[Any]) -> None:
    parser = kinds.add_parser(
        "outages",
        help="outage history: target,start,end,reason",
        description="Import outages another tool recorded (DESIGN §2: an imported outage is "
        "evidence in itself and counts as monitored downtime) from a CSV file with the columns "
        "target,start,end,reason: configured target names, ISO-8601 instants with an offset, "
        "an empty end for an outage still going on. An outage is identified by its target and "
        "start: importing it again changes nothing, except that an end given for a stored "
        "open outage closes it; a different end for a closed one is refused.",
    )
    parser.add_argument("file", metavar="FILE", type=Path, help="the CSV file")
    add_config_option(parser)
    parser.set_defaults(run=run_outages)


def run_outages(args: argparse.Namespace) -> int:
    from monitor.report.outage_import import OutageImportError, check_outages, file_lines
    from monitor.store import StoreError

    path: Path = args.file
    now = datetime.now(UTC)
    lines = file_lines(path)
    try:
        config = optional_config(args.config)
        url = database_url()
        targets = [target.name for target in config.targets]
        try:
            checked = check_outages(lines, targets, now, str(path))
        except OSError as error:
            raise UsageError(f"{path}: cannot read: {error.strerror or error}") from None
        except OutageImportError as error:
            raise UsageError(
                *error.lines, f"{path}: nothing imported ({error.count} problem(s))"
            ) from None
    except (UsageError, ConfigError) as error:
        return fail(error)
    for warning in checked.warnings:
        print(warning, file=sys.stderr)
    try:
        summary = asyncio.run(_store_outages(url, lines, targets, now, str(path), checked))
    except OutageImportError as error:
        return fail(
            UsageError(*error.lines, f"{path}: nothing imported ({error.count} conflict(s))")
        )
    except StoreError as error:
        print(f"import outages: {error}", file=sys.stderr)
        return EXIT_FAILED
    print(
        f"{path}: {summary.rows} outages read: {summary.new} new, {summary.closed} closed, "
        f"{summary.unchanged} unchanged"
    )
    return EXIT_OK


async def _store_outages(
    url: str,
    lines: Lines,
    targets: list[str],
    now: datetime,
    name: str,
    checked: CheckedFile,
) -> ImportSummary:
    from monitor.report.outage_import import store_outages
    from monitor.store import Store

    async with await Store.open(url, logger=command_logger()) as store:
        return await store_outages(store, lines, targets, now, name, checked)


KINDS: tuple[Callable[[argparse._SubParsersAction[Any]], None], ...] = (
    register_requests,
    register_outages,
)
