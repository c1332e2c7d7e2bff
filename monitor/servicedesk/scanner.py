"""Scanning one desk mailbox into requests: the mailbox source of 3.2.9, 3.2.13, 3.2.14 and
3.2.39.

A scan reads the inbox and the sent folder incrementally, by UIDVALIDITY and UID, turns
each new message's header into a :class:`~monitor.store.MailFact` (digests, instants and
classification: no address, subject or body) and stores the facts of each batch together
with the folder position after it, in one transaction. It then derives the mailbox's
requests from all its facts and writes the difference.

Why this is safe to repeat and to interrupt:

* A crash between batches leaves the position at the last committed batch; the next scan
  continues there. A fact stored twice replaces itself.
* A changed UIDVALIDITY means the server renumbered the folder: it is read again from the
  start. The old facts stay (mail deleted on the server is still evidence); copies of one
  message share a fingerprint, and threading counts them once.
* Requests are derived, not accumulated: recomputing from the same facts gives the same
  requests, so nothing is ever counted twice. Only the threads that new messages touch are
  recomputed, and only after every folder was read to its end, so a figure never rests on
  a half-read mailbox (an inbox read without its sent folder would show answered requests
  as unanswered). Facts stored but not yet threaded (a crash in between) are picked up by
  the next complete scan.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol, Self

import structlog
from structlog.typing import FilteringBoundLogger

from monitor.config import MailboxConfig, ServiceDeskConfig
from monitor.servicedesk.classify import DeskRules, FolderRole, classify
from monitor.servicedesk.headers import parse_headers
from monitor.servicedesk.imap import FetchedHeader, FolderStatus, ImapReader
from monitor.servicedesk.oauth import TokenSources
from monitor.servicedesk.privacy import digest, sender_hash
from monitor.servicedesk.threading import Message, find_requests
from monitor.store import (
    FolderState,
    MailboxRequest,
    MailFact,
    RequestRecord,
    RequestSync,
    Store,
)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "FolderScan",
    "ImapConnector",
    "MailboxReader",
    "MailboxScanner",
    "ScanSummary",
    "derive_requests",
    "desk_rules",
    "mail_fact",
    "request_id",
]

DEFAULT_BATCH_SIZE = 500
"""Messages per fetch and per transaction: about 1 MB of headers, a few ms of commit."""


class MailboxReader(Protocol):
    """The IMAP operations a scan needs (:class:`~monitor.servicedesk.imap.ImapReader`)."""

    async def __aenter__(self) -> Self: ...

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None: ...

    async def examine(self, folder: str) -> FolderStatus: ...

    async def uids_after(self, last_uid: int, uidnext: int | None) -> list[int]: ...

    async def fetch_headers(self, uids: Sequence[int]) -> list[FetchedHeader]: ...


Connect = Callable[[MailboxConfig], Awaitable[MailboxReader]]


class ImapConnector:
    """Opens a mailbox's :class:`ImapReader`; one kept across scans (the daemon's) reuses
    each OAuth2 mailbox's access token until it nears expiry."""

    def __init__(self, tokens: TokenSources | None = None) -> None:
        self._tokens = tokens if tokens is not None else TokenSources()

    async def __call__(self, mailbox: MailboxConfig) -> MailboxReader:
        return await ImapReader.open(mailbox, tokens=self._tokens.for_mailbox(mailbox))


@dataclass(frozen=True, slots=True)
class FolderScan:
    folder: str
    role: FolderRole
    uidvalidity: int
    new_messages: int
    renumbered: bool
    """The UIDVALIDITY differed from the stored one, so the folder was read from the start."""
    complete: bool
    """Read to its end; ``False`` when the batch limit stopped the scan."""


@dataclass(frozen=True, slots=True)
class ScanSummary:
    """One scan of one mailbox: what was read and what it changed."""

    mailbox: str
    folders: tuple[FolderScan, ...]
    requests: RequestSync | None
    """What changed in the requests; ``None`` when a partial scan left them as they were."""
    untimed: int
    seconds: float

    @property
    def new_messages(self) -> int:
        return sum(folder.new_messages for folder in self.folders)

    @property
    def complete(self) -> bool:
        return all(folder.complete for folder in self.folders)


def desk_rules(mailbox: MailboxConfig, desk: ServiceDeskConfig) -> DeskRules:
    """The classification rules of a configured mailbox: its desk addresses, its default
    category and the default Dutch and English subject words, mapped onto the configured
    categories."""
    return DeskRules.build(
        desk_addresses=mailbox.desk_addresses,
        default_category=mailbox.category,
        categories=desk.categories.keys(),
    )


def request_id(mailbox: str, fingerprint: str) -> str:
    """Stable across scans, renumbering and restarts: the mailbox and the request's digest."""
    return f"{mailbox}:{fingerprint[:32]}"


def mail_fact(
    *,
    mailbox: str,
    folder: str,
    role: FolderRole,
    uidvalidity: int,
    fetched: FetchedHeader,
    rules: DeskRules,
    key: bytes,
) -> MailFact:
    """The stored facts of one fetched header: digests, instants and its classification."""
    headers = parse_headers(fetched.header, fetched.internaldate)
    found = classify(headers, rules, role)
    inbound = found.direction == "inbound"
    return MailFact(
        mailbox=mailbox,
        folder=folder,
        uidvalidity=uidvalidity,
        uid=fetched.uid,
        role=role,
        fingerprint=headers.fingerprint,
        message_key=digest(headers.message_id),
        synthetic_id=headers.synthetic_id,
        refs=tuple(digest(ref) for ref in headers.refs),
        direction=found.direction,
        automatic=found.automatic,
        internaldate=fetched.internaldate,
        date_header=headers.date,
        category=found.category,
        sender_hash=(
            sender_hash(key, headers.from_address)
            if inbound and headers.from_address is not None
            else None
        ),
        ticket_key=None if found.ticket is None else digest(found.ticket),
        aliases=tuple(digest(alias) for alias in headers.aliases),
    )


def derive_requests(
    mailbox: str, default_category: str, facts: Sequence[MailFact]
) -> tuple[list[MailboxRequest], int]:
    """The requests of a mailbox from all its facts, and the number of untimed messages."""
    threading = find_requests(
        Message(
            key=fact.fingerprint,
            message_id=fact.message_key,
            aliases=fact.aliases,
            refs=fact.refs,
            ticket=fact.ticket_key,
            direction=fact.direction,
            automatic=fact.automatic,
            internaldate=fact.internaldate,
            date_header=fact.date_header,
            role=fact.role,
            category=fact.category,
            sender_hash=fact.sender_hash,
        )
        for fact in facts
    )
    found = [
        MailboxRequest(
            RequestRecord(
                id=request_id(mailbox, request.key),
                category=request.category or default_category,
                received_at=request.received_at,
                answered_at=request.answered_at,
                source="mailbox",
                channel=mailbox,
                sender_hash=request.sender_hash,
            ),
            thread_key=request.thread_key,
            request_key=request.key,
            answer_key=request.answer_key,
        )
        for request in threading.requests
    ]
    return found, threading.untimed


class MailboxScanner:
    """Scans one configured mailbox into the store; :meth:`scan` is safe to repeat."""

    def __init__(
        self,
        mailbox: MailboxConfig,
        desk: ServiceDeskConfig,
        store: Store,
        *,
        rules: DeskRules | None = None,
        connect: Connect | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        batch_limit: int | None = None,
        logger: FilteringBoundLogger | None = None,
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if batch_limit is not None and batch_limit < 1:
            raise ValueError("batch_limit must be at least 1 (or None for no limit)")
        self.mailbox = mailbox
        self._rules = rules if rules is not None else desk_rules(mailbox, desk)
        self._store = store
        self._connect = connect if connect is not None else ImapConnector()
        self._batch_size = batch_size
        self._batch_limit = batch_limit
        self._log: FilteringBoundLogger = (
            logger if logger is not None else structlog.get_logger()
        ).bind(mailbox=mailbox.name)

    async def scan(self, *, rescan: bool = False) -> ScanSummary:
        """Read what is new in the inbox and the sent folder; recompute the requests if
        anything changed. ``rescan`` reads every message again, so a changed rule (desk
        addresses, categories) applies to old mail too.

        ``batch_limit`` (per folder) bounds one scan's work: the daemon can catch up with a
        big mailbox over several polls instead of one long one.
        """
        started = time.monotonic()
        key = await self._store.sender_hash_key()
        states = await self._store.mailbox_state(self.mailbox.name)
        folders: list[FolderScan] = []
        async with await self._connect(self.mailbox) as reader:
            roles: tuple[tuple[FolderRole, str], ...] = (
                ("inbox", self.mailbox.inbox),
                ("sent", self.mailbox.sent),
            )
            for role, folder in roles:
                folders.append(
                    await self._scan_folder(reader, folder, role, states.get(folder), key, rescan)
                )
        sync: RequestSync | None = None
        untimed = 0
        if all(f.complete for f in folders):
            sync, untimed = await self._recompute(full=rescan)
        summary = ScanSummary(
            mailbox=self.mailbox.name,
            folders=tuple(folders),
            requests=sync,
            untimed=untimed,
            seconds=time.monotonic() - started,
        )
        self._log.info(
            "mailbox_scanned",
            new_messages={f.folder: f.new_messages for f in folders},
            renumbered=[f.folder for f in folders if f.renumbered],
            complete=summary.complete,
            requests_changed=None if sync is None else sync.changed,
            requests_removed=None if sync is None else sync.removed,
            untimed=untimed,
            seconds=round(summary.seconds, 3),
        )
        return summary

    async def _scan_folder(
        self,
        reader: MailboxReader,
        folder: str,
        role: FolderRole,
        state: FolderState | None,
        key: bytes,
        rescan: bool,
    ) -> FolderScan:
        status = await reader.examine(folder)
        renumbered = state is not None and state.uidvalidity != status.uidvalidity
        if renumbered:
            self._log.warning(
                "mailbox_folder_renumbered",
                folder=folder,
                old_uidvalidity=state.uidvalidity if state else None,
                uidvalidity=status.uidvalidity,
            )
        start = 0 if rescan or state is None or renumbered else state.last_uid
        uids = await reader.uids_after(start, status.uidnext)
        if state is None or renumbered:
            # Record the numbering now: an empty folder is then known, and a renumbering
            # is detected once, even if the scan stops before the first batch.
            await self._store.record_mail_batch(
                self.mailbox.name, FolderState(folder, status.uidvalidity, 0), []
            )
        batches = [uids[i : i + self._batch_size] for i in range(0, len(uids), self._batch_size)]
        complete = self._batch_limit is None or len(batches) <= self._batch_limit
        batches = batches[: self._batch_limit]
        new = 0
        # The next batch is fetched while this one is parsed and stored: the server's work
        # (reading message files) and ours overlap instead of taking turns.
        fetching = asyncio.create_task(reader.fetch_headers(batches[0])) if batches else None
        try:
            for index, batch in enumerate(batches):
                if fetching is None:  # every batch has its fetch started; never taken
                    break
                fetched = await fetching
                fetching = None
                if index + 1 < len(batches):
                    fetching = asyncio.create_task(reader.fetch_headers(batches[index + 1]))
                facts = await asyncio.to_thread(
                    self._facts, folder, role, status.uidvalidity, fetched, key
                )
                await self._store.record_mail_batch(
                    self.mailbox.name, FolderState(folder, status.uidvalidity, batch[-1]), facts
                )
                new += len(facts)
        finally:
            if fetching is not None:
                # Let a fetch in flight finish (or fail) rather than cancel it: its worker
                # thread would go on using the connection that is about to be closed.
                await asyncio.gather(fetching, return_exceptions=True)
        return FolderScan(folder, role, status.uidvalidity, new, renumbered, complete)

    def _facts(
        self,
        folder: str,
        role: FolderRole,
        uidvalidity: int,
        fetched: Sequence[FetchedHeader],
        key: bytes,
    ) -> list[MailFact]:
        return [
            mail_fact(
                mailbox=self.mailbox.name,
                folder=folder,
                role=role,
                uidvalidity=uidvalidity,
                fetched=item,
                rules=self._rules,
                key=key,
            )
            for item in fetched
        ]

    async def _recompute(self, *, full: bool) -> tuple[RequestSync, int]:
        untimed: list[int] = []

        def derive(facts: list[MailFact]) -> list[MailboxRequest]:
            found, missing = derive_requests(self.mailbox.name, self.mailbox.category, facts)
            untimed.append(missing)
            return found

        sync = await self._store.recompute_mailbox_requests(self.mailbox.name, derive, full=full)
        return sync, sum(untimed)
