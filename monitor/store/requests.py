"""Service-desk requests (3.2.9, 3.2.13, 3.2.14, 3.2.39) and the mailbox state behind them;
the SQL lives in :mod:`monitor.store.desk`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from monitor.store import desk
from monitor.store.records import (
    FolderState,
    MailboxRequest,
    MailFact,
    RequestLocator,
    RequestRecord,
    RequestSync,
    ResolutionRecord,
)
from monitor.store.repository import Repository

__all__ = ["Requests"]


class Requests(Repository):
    """Requests by id, imported, received through the API or derived from mailboxes."""

    async def upsert_requests(self, records: Sequence[RequestRecord]) -> int:
        """Store requests by id, in one transaction; returns the rows inserted or changed.

        Idempotent: the same records again change nothing and return 0. An ``answered_at``
        already stored is never replaced by ``None`` (a webhook may send the answer in a
        later call than the request, and an import without answers must not erase them).
        """
        async with self._write() as connection:
            return await desk.upsert_requests(connection, self._insert, records, now=self._clock())

    async def upsert_request_chunks(self, chunks: Iterable[Sequence[RequestRecord]]) -> int:
        """:meth:`upsert_requests` for a stream of chunks, all in one transaction.

        For an import of any size: the chunks are consumed as they are written, so the file
        is never whole in memory, and an exception from the stream rolls everything back.
        No id may appear in two chunks (the importer refuses ids that occur twice).
        """
        async with self._write() as connection, self._bulk(connection):
            touched = 0
            for chunk in chunks:
                touched += await desk.upsert_requests(
                    connection,
                    self._raw_insert,
                    chunk,
                    now=self._clock(),
                    instant=self._raw_instant,
                )
            return touched

    async def requests(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        category: str | None = None,
    ) -> list[RequestRecord]:
        """Requests received in ``[since, until)``, ordered by ``received_at`` and id."""
        async with self._read() as connection:
            return await desk.select_requests(connection, since, until, category)

    async def request(self, request_id: str) -> RequestRecord | None:
        """The stored request with this id, if any."""
        async with self._read() as connection:
            return await desk.select_request(connection, request_id)

    async def record_resolution(self, resolution: ResolutionRecord) -> bool:
        """Append a resolution of a stored request (3.2.40); ``False`` when it repeats the
        request's last recorded one, which appends nothing."""
        async with self._write() as connection:
            return bool(await desk.append_resolutions(connection, [resolution]))

    async def request_locators(self, ids: Sequence[str]) -> dict[str, RequestLocator]:
        """Where the mail of each request lies on the IMAP server, by request id."""
        async with self._read() as connection:
            return await desk.request_locators(connection, ids)

    async def sender_hash_key(self) -> bytes:
        """This installation's key for hashing sender addresses (made on first use).

        The key lives in the database, next to the hashes it protects: a hash alone (in an
        export, a log, a copied table) cannot be matched against a list of addresses, and
        two installations give one address different hashes. Whoever holds the whole
        database can still test a guessed address; that is the limit of pseudonymisation.
        """
        async with self._write() as connection:
            return await desk.sender_hash_key(connection, self._insert, now=self._clock())

    async def mailbox_state(self, mailbox: str) -> dict[str, FolderState]:
        """How far each folder of ``mailbox`` has been read, by folder name."""
        async with self._read() as connection:
            return await desk.folder_states(connection, mailbox)

    async def record_mail_batch(
        self, mailbox: str, state: FolderState, facts: Sequence[MailFact]
    ) -> None:
        """Store one batch of message facts and the folder position after it, atomically.

        A crash between batches loses nothing and repeats nothing: the next scan starts
        after the last committed batch, and storing a fact twice is harmless.
        """
        async with self._write() as connection:
            await desk.record_mail_batch(
                connection, self._insert, mailbox, state, facts, now=self._clock()
            )

    async def mail_facts(self, mailbox: str) -> list[MailFact]:
        async with self._read() as connection:
            return await desk.mail_facts(connection, mailbox)

    async def recompute_mailbox_requests(
        self,
        mailbox: str,
        derive: Callable[[list[MailFact]], Sequence[MailboxRequest]],
        *,
        full: bool = False,
    ) -> RequestSync:
        """Bring the requests of ``mailbox`` in line with its facts, atomically.

        Threads change as mail arrives (a message found later can turn an earlier
        "request" into a follow-up), so requests are derived, never accumulated:
        ``derive`` gets the facts of whole threads and returns their requests, and the
        difference with what is stored is written (new and changed rows upserted, vanished
        ones deleted). Only the threads of messages stored since the last recomputation are
        redone (``full`` redoes all). Reading and writing happen in one transaction,
        serialised per mailbox, so two scanners cannot undo each other's work; ``derive``
        is pure and runs in a worker thread, keeping the event loop free.
        """
        async with self._write() as connection:
            return await desk.recompute_requests(
                connection, self._insert, mailbox, derive, now=self._clock(), full=full
            )
