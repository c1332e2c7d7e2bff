"""``sla-monitor mailbox scan [--name NAME]``: scan the desk mailboxes once and exit.

For a backfill, for cron, and for the operator who wants to see the mailbox source work
before starting the daemon (DESIGN §3). The same scanner as the daemon's, so scanning from
both changes nothing twice: a second scan reads nothing new unless mail arrived.

Exit codes: 0 every selected mailbox was scanned; 1 a mailbox could not be scanned
(unreachable, login refused, folder missing) or the store failed, each named on stderr, the
other mailboxes scanned all the same; 2 bad input (configuration, an unknown ``--name``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING, Any

from monitor.commands._common import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    add_config_option,
    command_logger,
    config_path,
    database_url,
    fail,
)
from monitor.config import Config, ConfigError, MailboxConfig, load_config

if TYPE_CHECKING:
    from monitor.servicedesk.scanner import ScanSummary

__all__ = ["register", "run_scan"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "mailbox",
        help="service-desk mailboxes",
        description="Work with the desk mailboxes of servicedesk.mailboxes.",
    )
    actions = parser.add_subparsers(dest="action", required=True)
    scan = actions.add_parser(
        "scan",
        help="scan the configured mailboxes once and exit",
        description="Read what is new in each mailbox's inbox and sent folder (headers only, "
        "read-only: no message is marked as read), store it and update the requests. "
        "Scanning again changes nothing unless new mail arrived.",
    )
    scan.add_argument(
        "--name",
        metavar="NAME",
        action="append",
        help="scan only this mailbox (may be repeated; default: all)",
    )
    scan.add_argument(
        "--rescan",
        action="store_true",
        help="read every message again, e.g. after changing desk_addresses or categories",
    )
    add_config_option(scan)
    scan.set_defaults(run=run_scan)


def run_scan(args: argparse.Namespace) -> int:
    try:
        config = _config(args.config)
        mailboxes = _selected(config, args.name)
        url = database_url()
    except (UsageError, ConfigError) as error:
        return fail(error)
    return asyncio.run(_scan(config, mailboxes, url, rescan=args.rescan))


def _config(explicit: Any) -> Config:
    path = config_path(explicit)
    if path is None:
        raise UsageError(
            "mailbox scan: no configuration file; give --config PATH or set SLA_MONITOR_CONFIG"
        )
    return load_config(path)


def _selected(config: Config, names: list[str] | None) -> list[MailboxConfig]:
    configured = config.servicedesk.mailboxes
    if not configured:
        raise UsageError("mailbox scan: no mailboxes are configured in servicedesk.mailboxes")
    if not names:
        return list(configured)
    known = {mailbox.name: mailbox for mailbox in configured}
    unknown = [name for name in names if name not in known]
    if unknown:
        raise UsageError(
            f"mailbox scan: unknown mailbox {', '.join(repr(n) for n in unknown)}; "
            f"configured: {', '.join(sorted(known))}"
        )
    return [known[name] for name in dict.fromkeys(names)]


async def _scan(config: Config, mailboxes: list[MailboxConfig], url: str, *, rescan: bool) -> int:
    from monitor.servicedesk.imap import MailboxError
    from monitor.servicedesk.scanner import MailboxScanner
    from monitor.store import Store, StoreError

    logger = command_logger()
    try:
        store = await Store.open(url, logger=logger)
    except StoreError as error:
        print(f"mailbox scan: {error}", file=sys.stderr)
        return EXIT_FAILED
    failed = False
    async with store:
        for mailbox in mailboxes:
            scanner = MailboxScanner(mailbox, config.servicedesk, store, logger=logger)
            try:
                summary = await scanner.scan(rescan=rescan)
            except MailboxError as error:
                print(str(error), file=sys.stderr)
                failed = True
                continue
            except StoreError as error:
                print(f"mailbox {mailbox.name}: {error}", file=sys.stderr)
                failed = True
                continue
            print(_describe(summary))
    return EXIT_FAILED if failed else EXIT_OK


def _describe(summary: ScanSummary) -> str:
    folders = ", ".join(f"{f.folder} {f.new_messages}" for f in summary.folders)
    text = f"{summary.mailbox}: {summary.new_messages} new messages ({folders})"
    renumbered = [f.folder for f in summary.folders if f.renumbered]
    if renumbered:
        text += f"; renumbered by the server, read again: {', '.join(renumbered)}"
    if summary.requests is None:
        text += "; requests not recomputed (scan incomplete)"
    elif summary.requests.changed == summary.requests.removed == 0:
        text += "; requests unchanged"
    else:
        text += (
            f"; requests: {summary.requests.changed} new or changed, "
            f"{summary.requests.removed} removed"
        )
    if summary.untimed:
        text += f"; {summary.untimed} messages without any date left out"
    return text
