"""``sla-monitor mailbox scan [--name NAME]``: scan the desk mailboxes once and exit.

For a backfill, for cron, and for the operator who wants to see the mailbox source work
before starting the daemon (docs/interfaces.md). The same scanner as the daemon's, so scanning from
both changes nothing twice: a second scan reads nothing new unless mail arrived.

Exit codes: 0 every selected mailbox was scanned; 1 a mailbox could not be scanned
(unreachable, login refused, folder missing) or the store failed, each named on stderr, the
other mailboxes scanned all the same; 2 bad input (configuration, an unknown ``--name``).
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from monitor.commands._common import (
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    add_config_option,
    add_group,
    command_logger,
    config_path,
    database_url,
    on_store,
)
from monitor.config import Config, MailboxConfig, load_config

if TYPE_CHECKING:
    from monitor.servicedesk.scanner import ScanSummary
    from monitor.store import Store

__all__ = ["register", "run_scan"]


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    actions = add_group(
        subparsers,
        "mailbox",
        help="service-desk mailboxes",
        description="Work with the desk mailboxes of servicedesk.mailboxes.",
    )
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
    config = _config(args.config)
    mailboxes = _selected(config, args.name)
    url = database_url()

    async def scan(store: Store) -> bool:
        return await _scan(store, url, config, mailboxes, rescan=args.rescan)

    scanned = on_store(url, "mailbox scan", scan)
    return EXIT_OK if scanned else EXIT_FAILED


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


async def _scan(
    store: Store, url: str, config: Config, mailboxes: list[MailboxConfig], *, rescan: bool
) -> bool:
    """Scan each mailbox; one that fails is named on stderr and the others are scanned all
    the same. ``True`` when every one was scanned."""
    from monitor.servicedesk.imap import MailboxError
    from monitor.servicedesk.scanner import MailboxScanner
    from monitor.store import StoreError

    logger = command_logger()
    scanned = True
    for mailbox in mailboxes:
        scanner = MailboxScanner(mailbox, config.servicedesk, store, logger=logger)
        try:
            summary = await scanner.scan(rescan=rescan)
        except MailboxError as error:
            print(str(error), file=sys.stderr)
            scanned = False
            continue
        except StoreError as error:
            print(f"mailbox {mailbox.name}: {error}", file=sys.stderr)
            scanned = False
            continue
        print(_describe(summary))
    return scanned


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
