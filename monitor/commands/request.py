"""``sla-monitor request show ID``: one request, and where the desk finds its mail.

For the 3.2.6 analysis of a late request: the report names requests by id only (the store
keeps no subject, body or address), so this prints the request's deadline and outcome under
the configured norm and, for mail, the locator of the request and of its answer: mailbox,
folder, UIDVALIDITY/UID and INTERNALDATE, enough to open the message on the IMAP server.

Exit 0 when found; 2 for an unknown id or bad input; 1 when the store cannot be read.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from monitor.commands._common import (
    EXIT_OK,
    UsageError,
    add_config_option,
    add_group,
    database_url,
    on_store,
    optional_config,
)
from monitor.config import Config
from monitor.sla.resolution import ResolvedRequest
from monitor.store import MailLocator, RequestLocator, RequestRecord, Store

__all__ = ["register", "run_show"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    actions = add_group(
        subparsers,
        "request",
        help="service-desk requests",
        description="Look up stored service-desk requests.",
    )
    show = actions.add_parser(
        "show",
        help="print one request, its outcome and where its mail lies",
        description="Print a request's category, receipt, deadline, answer and outcome, and "
        "for mail the mailbox, folder, UIDVALIDITY/UID and INTERNALDATE of the request and "
        "of its answer. Never a subject, body or address: the store has none.",
    )
    show.add_argument("id", metavar="ID", help="the request id as the report prints it")
    add_config_option(show)
    show.set_defaults(run=run_show)


def run_show(args: argparse.Namespace) -> int:
    config = optional_config(args.config)
    request_id: str = args.id

    async def find(store: Store) -> tuple[RequestRecord, dict[str, RequestLocator]]:
        request = await store.request(request_id)
        if request is None:
            raise UsageError(f"request: no request with id {request_id!r} in the store")
        return request, await store.request_locators([request_id])

    request, locators = on_store(database_url(), "request", find)
    zone = config.zone
    lines = [*_request_lines(config, request, datetime.now(UTC))]
    locator = locators.get(request_id)
    if locator is not None:
        lines += _mail_lines("request mail", locator.request, zone)
        if locator.answer is not None:
            lines += _mail_lines("answer mail", locator.answer, zone)
    elif request.source == "mailbox":
        lines.append("request mail: not located yet (the next mailbox scan records it)")
    sys.stdout.write("".join(f"{line}\n" for line in lines))
    return EXIT_OK


def _request_lines(config: Config, request: RequestRecord, now: datetime) -> list[str]:
    zone = config.zone
    lines = [
        f"id:           {request.id}",
        f"category:     {request.category}",
        f"source:       {request.source}" + (f" ({request.channel})" if request.channel else ""),
        f"received:     {_iso(request.received_at, zone)}",
    ]
    verdict = config.request_judge().judge(request, now)
    if verdict is None:
        lines += [
            "deadline:     none (the category is not configured)",
            f"answered:     {_iso(request.answered_at, zone)}",
            "outcome:      not judged",
        ]
        return lines
    lines += [
        f"deadline:     {_iso(verdict.deadline, zone)}",
        f"answered:     {_iso(request.answered_at, zone)}",
        f"outcome:      {verdict.outcome.value}",
    ]
    return lines + _resolution_lines(config, request, now)


def _resolution_lines(config: Config, request: RequestRecord, now: datetime) -> list[str]:
    """The resolution term and outcome (3.2.40) of a category that has one."""
    judge = config.resolution_judge()
    if request.category not in judge.norms:
        return []
    resolved = ResolvedRequest(request.id, request.received_at, request.resolved_at)
    verdict = judge.judge(request.category, resolved, now)
    outcome = verdict.outcome
    if verdict.ratio is not None:
        outcome += f" ({verdict.ratio:.0%} of the term)"
    elif verdict.at_least is not None and outcome != verdict.at_least:
        outcome += f" (already {verdict.at_least})"
    return [
        f"resolve by:   {_iso(verdict.due, config.zone)}",
        f"resolved:     {_iso(request.resolved_at, config.zone)}",
        f"resolution:   {outcome}",
    ]


def _mail_lines(what: str, mail: MailLocator, zone: ZoneInfo) -> list[str]:
    return [
        f"{what}: mailbox {mail.mailbox}, folder {mail.folder}, "
        f"UIDVALIDITY {mail.uidvalidity}, UID {mail.uid}, "
        f"INTERNALDATE {_iso(mail.internaldate, zone)}",
    ]


def _iso(instant: datetime | None, zone: ZoneInfo) -> str:
    return "-" if instant is None else instant.astimezone(zone).isoformat()
