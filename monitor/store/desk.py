"""SQL for the service-desk tables, used by :class:`monitor.store.Store`.

Kept apart from ``store.py`` so that the probe path's store stays readable; every function
here runs inside a transaction the :class:`Store` opened, so a caller composes them into
one atomic unit (a batch of messages with the folder position that covers it; a
recomputation of a mailbox's requests with the read of its facts).

Idempotence is the rule, as for the rest of the store: requests are keyed by their id,
messages by their place on the IMAP server, the folder position only moves forward within
one UIDVALIDITY, and an upsert reports (and touches) only rows whose values really change.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Final, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from monitor.store.records import (
    Direction,
    FolderRole,
    FolderState,
    MailFact,
    RequestRecord,
    RequestSource,
    utc,
)
from monitor.store.schema import mail_messages, mailbox_state, requests, store_meta

__all__ = [
    "SENDER_HASH_KEY",
    "delete_requests",
    "folder_states",
    "lock_mailbox",
    "mail_facts",
    "mailbox_requests",
    "mark_mailbox_clean",
    "record_mail_batch",
    "select_requests",
    "sender_hash_key",
    "upsert_requests",
]

SENDER_HASH_KEY: Final = "sender_hash_key"
"""``store_meta`` row holding the per-installation HMAC key of sender addresses (hex)."""

_CHUNK: Final = 500
"""Ids per ``IN (...)`` list: far below SQLite's and asyncpg's parameter limits."""

Insert = Callable[[sa.Table], postgresql.Insert | sqlite.Insert]


# -- requests ---------------------------------------------------------------------------------


def _merge_duplicates(records: Iterable[RequestRecord]) -> dict[str, RequestRecord]:
    """The last record per id, keeping an answer an earlier one had.

    PostgreSQL refuses to upsert one row twice in a statement, and within one call the
    same rule applies as across calls: a known answer is never forgotten.
    """
    latest: dict[str, RequestRecord] = {}
    for record in records:
        known = latest.get(record.id)
        if known is not None and record.answered_at is None and known.answered_at is not None:
            record = RequestRecord(
                id=record.id,
                category=record.category,
                received_at=record.received_at,
                answered_at=known.answered_at,
                source=record.source,
                channel=record.channel,
                sender_hash=record.sender_hash,
            )
        latest[record.id] = record
    return latest


async def upsert_requests(
    connection: AsyncConnection,
    insert: Insert,
    records: Iterable[RequestRecord],
    *,
    now: datetime,
    thread_keys: Mapping[str, str] | None = None,
) -> int:
    """Insert or update requests by id; returns how many rows were inserted or changed.

    ``None`` never erases a stored value: a webhook call that only brings the answer, or a
    re-import of a file without answers, keeps what is known (the contract asks that an
    ``answered_at`` already stored is never replaced by ``None``; the same reading is applied
    to channel, sender hash and thread key). A row whose values would not change is not
    touched, so its ``updated_at`` keeps saying when it last really changed.
    """
    latest = _merge_duplicates(records)
    if not latest:
        return 0
    keys = thread_keys or {}
    statement = insert(requests)
    new = statement.excluded
    kept: dict[str, sa.ColumnElement[object]] = {
        name: sa.func.coalesce(new[name], requests.c[name])
        for name in ("answered_at", "channel", "sender_hash", "thread_key")
    }
    replaced = {name: new[name] for name in ("category", "received_at", "source")}
    differs = sa.or_(
        *(requests.c[name].is_distinct_from(value) for name, value in {**replaced, **kept}.items())
    )
    upsert = statement.on_conflict_do_update(
        index_elements=[requests.c.id],
        set_={**replaced, **kept, "updated_at": new.updated_at},
        where=differs,
    ).returning(requests.c.id)
    touched = 0
    rows = list(latest.values())
    for start in range(0, len(rows), _CHUNK):
        result = await connection.execute(
            upsert,
            [
                {
                    "id": r.id,
                    "category": r.category,
                    "received_at": r.received_at,
                    "answered_at": r.answered_at,
                    "source": r.source,
                    "channel": r.channel,
                    "sender_hash": r.sender_hash,
                    "thread_key": keys.get(r.id),
                    "created_at": now,
                    "updated_at": now,
                }
                for r in rows[start : start + _CHUNK]
            ],
        )
        touched += len(result.all())
    return touched


def _request(row: sa.RowMapping) -> RequestRecord:
    return RequestRecord(
        id=row["id"],
        category=row["category"],
        received_at=row["received_at"],
        answered_at=row["answered_at"],
        source=cast(RequestSource, row["source"]),
        channel=row["channel"],
        sender_hash=row["sender_hash"],
    )


async def select_requests(
    connection: AsyncConnection,
    since: datetime | None,
    until: datetime | None,
    category: str | None,
) -> list[RequestRecord]:
    conditions: list[sa.ColumnElement[bool]] = []
    if since is not None:
        conditions.append(requests.c.received_at >= utc(since, "since"))
    if until is not None:
        conditions.append(requests.c.received_at < utc(until, "until"))
    if category is not None:
        conditions.append(requests.c.category == category)
    rows = await connection.execute(
        sa.select(requests).where(*conditions).order_by(requests.c.received_at, requests.c.id)
    )
    return [_request(row._mapping) for row in rows]


async def mailbox_requests(
    connection: AsyncConnection, mailbox: str
) -> dict[str, tuple[RequestRecord, str | None]]:
    """The requests a mailbox produced so far, with their thread keys, by id."""
    rows = await connection.execute(
        sa.select(requests).where(requests.c.source == "mailbox", requests.c.channel == mailbox)
    )
    return {row.id: (_request(row._mapping), row.thread_key) for row in rows}


async def delete_requests(connection: AsyncConnection, ids: Sequence[str]) -> int:
    removed = 0
    for start in range(0, len(ids), _CHUNK):
        result = await connection.execute(
            sa.delete(requests).where(requests.c.id.in_(ids[start : start + _CHUNK]))
        )
        removed += result.rowcount
    return removed


# -- per-installation secrets -------------------------------------------------------------------


async def sender_hash_key(connection: AsyncConnection, insert: Insert, *, now: datetime) -> bytes:
    """The HMAC key for sender addresses, made on first use and then kept for good.

    ``INSERT … ON CONFLICT DO NOTHING`` and a read in the same transaction: two processes
    that start at once agree on one key, whichever wrote it.
    """
    await connection.execute(
        insert(store_meta).on_conflict_do_nothing(),
        {"name": SENDER_HASH_KEY, "value": secrets.token_hex(32), "created_at": now},
    )
    value = await connection.scalar(
        sa.select(store_meta.c.value).where(store_meta.c.name == SENDER_HASH_KEY)
    )
    return bytes.fromhex(str(value))


# -- mailbox scanning ---------------------------------------------------------------------------


async def lock_mailbox(connection: AsyncConnection, mailbox: str) -> None:
    """Serialise recomputations of one mailbox's requests across processes.

    On SQLite the write transaction (``BEGIN IMMEDIATE``) already does; on PostgreSQL a
    transaction-scoped advisory lock keyed by the mailbox name does, so a cron
    ``mailbox scan`` and the daemon cannot interleave their diffs.
    """
    if connection.dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"sla-monitor mailbox {mailbox}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    await connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


async def folder_states(connection: AsyncConnection, mailbox: str) -> dict[str, FolderState]:
    rows = await connection.execute(
        sa.select(mailbox_state).where(mailbox_state.c.mailbox == mailbox)
    )
    return {
        row.folder: FolderState(
            folder=row.folder,
            uidvalidity=row.uidvalidity,
            last_uid=row.last_uid,
            dirty=row.dirty,
        )
        for row in rows
    }


async def record_mail_batch(
    connection: AsyncConnection,
    insert: Insert,
    mailbox: str,
    state: FolderState,
    facts: Sequence[MailFact],
    *,
    now: datetime,
) -> None:
    """Store the facts of one batch and the folder position that covers them, together.

    A fact stored again replaces the old one (a rescan after a configuration change
    reclassifies); the position moves forward only, unless the UIDVALIDITY changed, in
    which case the server renumbered the folder and the new numbering starts over.
    """
    for fact in facts:
        if fact.mailbox != mailbox or fact.folder != state.folder:
            raise ValueError("a batch holds facts of one mailbox folder only")
        if fact.uidvalidity != state.uidvalidity:
            raise ValueError("a batch holds facts of the folder's current UIDVALIDITY only")
    if facts:
        statement = insert(mail_messages)
        key_columns = {"mailbox", "folder", "uidvalidity", "uid"}
        statement = statement.on_conflict_do_update(
            index_elements=[mail_messages.c[name] for name in sorted(key_columns)],
            set_={
                column.name: statement.excluded[column.name]
                for column in mail_messages.columns
                if column.name not in key_columns
            },
        )
        await connection.execute(statement, [_fact_row(fact, now) for fact in facts])
    statement = insert(mailbox_state)
    new = statement.excluded
    same_numbering = mailbox_state.c.uidvalidity == new.uidvalidity
    await connection.execute(
        statement.on_conflict_do_update(
            index_elements=[mailbox_state.c.mailbox, mailbox_state.c.folder],
            set_={
                "uidvalidity": new.uidvalidity,
                "last_uid": sa.case(
                    (
                        sa.and_(same_numbering, mailbox_state.c.last_uid > new.last_uid),
                        mailbox_state.c.last_uid,
                    ),
                    else_=new.last_uid,
                ),
                "dirty": sa.or_(mailbox_state.c.dirty, new.dirty),
                "updated_at": new.updated_at,
            },
        ),
        {
            "mailbox": mailbox,
            "folder": state.folder,
            "uidvalidity": state.uidvalidity,
            "last_uid": state.last_uid,
            "dirty": state.dirty or bool(facts),
            "updated_at": now,
        },
    )


async def mark_mailbox_clean(connection: AsyncConnection, mailbox: str, now: datetime) -> None:
    await connection.execute(
        sa.update(mailbox_state)
        .where(mailbox_state.c.mailbox == mailbox, mailbox_state.c.dirty)
        .values(dirty=False, updated_at=now)
    )


def _fact_row(fact: MailFact, now: datetime) -> dict[str, object]:
    return {
        "mailbox": fact.mailbox,
        "folder": fact.folder,
        "uidvalidity": fact.uidvalidity,
        "uid": fact.uid,
        "role": fact.role,
        "fingerprint": fact.fingerprint,
        "message_key": fact.message_key,
        "synthetic_id": fact.synthetic_id,
        "aliases": list(fact.aliases),
        "refs": list(fact.refs),
        "ticket_key": fact.ticket_key,
        "direction": fact.direction,
        "automatic": fact.automatic,
        "internaldate": fact.internaldate,
        "date_header": fact.date_header,
        "category": fact.category,
        "sender_hash": fact.sender_hash,
        "scanned_at": now,
    }


async def mail_facts(connection: AsyncConnection, mailbox: str) -> list[MailFact]:
    """Every fact of ``mailbox``, in server order (folder, numbering, UID)."""
    rows = await connection.execute(
        sa.select(mail_messages)
        .where(mail_messages.c.mailbox == mailbox)
        .order_by(mail_messages.c.folder, mail_messages.c.uidvalidity, mail_messages.c.uid)
    )
    return [
        MailFact(
            mailbox=row.mailbox,
            folder=row.folder,
            uidvalidity=row.uidvalidity,
            uid=row.uid,
            role=cast(FolderRole, row.role),
            fingerprint=row.fingerprint,
            message_key=row.message_key,
            synthetic_id=row.synthetic_id,
            refs=tuple(row.refs),
            direction=cast(Direction, row.direction),
            automatic=row.automatic,
            internaldate=row.internaldate,
            date_header=row.date_header,
            category=row.category,
            sender_hash=row.sender_hash,
            ticket_key=row.ticket_key,
            aliases=tuple(row.aliases),
        )
        for row in rows
    ]
