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

import asyncio
import hashlib
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, Final, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from monitor.store.records import (
    Direction,
    FolderRole,
    FolderState,
    MailboxRequest,
    MailFact,
    MailLocator,
    RequestLocator,
    RequestRecord,
    RequestSync,
    ResolutionRecord,
    ResolutionSource,
    utc,
)
from monitor.store.schema import (
    from_row,
    mail_links,
    mail_messages,
    mailbox_state,
    request_resolutions,
    requests,
    store_meta,
)

__all__ = [
    "CLOSURE_LIMIT",
    "FULL_RECOMPUTE_SHARE",
    "SENDER_HASH_KEY",
    "append_resolutions",
    "delete_requests",
    "folder_states",
    "latest_resolutions",
    "link_keys",
    "lock_mailbox",
    "mail_facts",
    "mailbox_requests",
    "recompute_requests",
    "record_mail_batch",
    "request_locators",
    "select_request",
    "select_requests",
    "sender_hash_key",
    "upsert_requests",
]

SENDER_HASH_KEY: Final = "sender_hash_key"
"""``store_meta`` row holding the per-installation HMAC key of sender addresses (hex)."""

_CHUNK: Final = 500
"""Ids per ``IN (...)`` list: far below SQLite's and asyncpg's parameter limits."""

Insert = Callable[[sa.Table], postgresql.Insert | sqlite.Insert]

_RESOLUTION_SOURCES: Final[dict[str, ResolutionSource]] = {"import": "import", "webhook": "webhook"}
"""Request sources that can bring a resolution; mail cannot say when a request was resolved."""


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
                resolved_at=record.resolved_at,
            )
        if known is not None and record.resolved_at is None and known.resolved_at is not None:
            record = replace(record, resolved_at=known.resolved_at)
        latest[record.id] = record
    return latest


async def upsert_requests(
    connection: AsyncConnection,
    insert: Insert,
    records: Iterable[RequestRecord],
    *,
    now: datetime,
    thread_keys: Mapping[str, str] | None = None,
    message_keys: Mapping[str, tuple[str | None, str | None]] | None = None,
    instant: Callable[[datetime], object] | None = None,
) -> int:
    """Insert or update requests by id; returns how many rows were inserted or changed.

    ``instant``, with an ``insert`` that takes instants that way, converts instants for the
    driver up front (a bulk import's way around per-value type processing).

    ``None`` never erases a stored value: a webhook call that only brings the answer, or a
    re-import of a file without answers, keeps what is known (the contract asks that an
    ``answered_at`` already stored is never replaced by ``None``; the same reading is applied
    to channel, sender hash and thread key). A row whose values would not change is not
    touched, so its ``updated_at`` keeps saying when it last really changed. A
    ``resolved_at`` is appended as a resolution (:func:`append_resolutions`) when it differs
    from the request's last recorded one, and counts as a change of the request.
    """
    latest = _merge_duplicates(records)
    if not latest:
        return 0
    keys = thread_keys or {}
    located = message_keys or {}
    statement = insert(requests)
    new = statement.excluded
    kept: dict[str, sa.ColumnElement[object]] = {
        name: sa.func.coalesce(new[name], requests.c[name])
        for name in (
            "answered_at",
            "channel",
            "sender_hash",
            "thread_key",
            "request_key",
            "answer_key",
        )
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
    touched: set[str] = set()
    rows = list(latest.values())
    convert: Callable[[datetime], object] = instant or (lambda value: value)
    stamp = convert(now)
    for start in range(0, len(rows), _CHUNK):
        result = await connection.execute(
            upsert,
            [
                {
                    "id": r.id,
                    "category": r.category,
                    "received_at": convert(r.received_at),
                    "answered_at": None if r.answered_at is None else convert(r.answered_at),
                    "source": r.source,
                    "channel": r.channel,
                    "sender_hash": r.sender_hash,
                    "thread_key": keys.get(r.id),
                    "request_key": located.get(r.id, (None, None))[0],
                    "answer_key": located.get(r.id, (None, None))[1],
                    "created_at": stamp,
                    "updated_at": stamp,
                }
                for r in rows[start : start + _CHUNK]
            ],
        )
        touched.update(row[0] for row in result.all())
    resolved = [
        ResolutionRecord(r.id, r.resolved_at, _RESOLUTION_SOURCES[r.source], now)
        for r in rows
        if r.resolved_at is not None and r.source in _RESOLUTION_SOURCES
    ]
    return len(touched | await append_resolutions(connection, resolved))


async def append_resolutions(
    connection: AsyncConnection, records: Sequence[ResolutionRecord]
) -> set[str]:
    """Append the resolutions that differ from each request's last recorded one (3.2.40).

    Returns the ids whose resolution changed. Append-only: an earlier statement stays, and
    the same resolution again (a re-import, a repeated webhook call) appends nothing.
    """
    if not records:
        return set()
    latest = await latest_resolutions(connection, [r.request_id for r in records])
    rows: list[dict[str, object]] = []
    for record in records:
        if latest.get(record.request_id) == record.resolved_at:
            continue
        latest[record.request_id] = record.resolved_at
        rows.append(
            {
                "request_id": record.request_id,
                "resolved_at": record.resolved_at,
                "source": record.source,
                "actor": record.actor,
                "recorded_at": record.recorded_at,
            }
        )
    if rows:
        await connection.execute(sa.insert(request_resolutions), rows)
    return {str(row["request_id"]) for row in rows}


async def latest_resolutions(
    connection: AsyncConnection, ids: Sequence[str]
) -> dict[str, datetime]:
    """The last recorded resolution of each of ``ids`` that has one."""
    found: dict[str, datetime] = {}
    for chunk in _chunks(list(dict.fromkeys(ids))):
        last = _last_ids().where(request_resolutions.c.request_id.in_(chunk))
        rows = await connection.execute(
            sa.select(request_resolutions.c.request_id, request_resolutions.c.resolved_at).where(
                request_resolutions.c.id.in_(last)
            )
        )
        found.update({row.request_id: row.resolved_at for row in rows})
    return found


def _last_ids() -> sa.Select[tuple[int]]:
    return sa.select(sa.func.max(request_resolutions.c.id)).group_by(
        request_resolutions.c.request_id
    )


def _resolved_at() -> sa.ScalarSelect[datetime]:
    """The last recorded resolution of the request row in the enclosing query."""
    return (
        sa.select(request_resolutions.c.resolved_at)
        .where(request_resolutions.c.request_id == requests.c.id)
        .order_by(request_resolutions.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def _request(row: sa.RowMapping) -> RequestRecord:
    return from_row(RequestRecord, row)


def _request_columns() -> sa.Select[Any]:
    return sa.select(requests, _resolved_at().label("resolved_at"))


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
        _request_columns().where(*conditions).order_by(requests.c.received_at, requests.c.id)
    )
    return [_request(row._mapping) for row in rows]


async def select_request(connection: AsyncConnection, request_id: str) -> RequestRecord | None:
    statement = _request_columns().where(requests.c.id == request_id)
    row = (await connection.execute(statement)).first()
    return None if row is None else _request(row._mapping)


async def delete_requests(connection: AsyncConnection, ids: Sequence[str]) -> int:
    removed = 0
    for chunk in _chunks(ids):
        result = await connection.execute(sa.delete(requests).where(requests.c.id.in_(chunk)))
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
    """Serialise the writes of one mailbox (batches and recomputations) across processes.

    On SQLite the write transaction (``BEGIN IMMEDIATE``) already does; on PostgreSQL a
    transaction-scoped advisory lock keyed by the mailbox name does, so a cron
    ``mailbox scan`` and the daemon cannot interleave their diffs, and a recomputation sees
    a fixed set of messages from its first read to its last write.
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
            folder=row.folder, uidvalidity=row.uidvalidity, last_uid=row.last_uid
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
    """Store the facts of one batch, their thread links and the folder position that covers
    them, together.

    A fact stored again replaces the old one and is marked for threading again (a rescan
    after a configuration change reclassifies); the position moves forward only, unless the
    UIDVALIDITY changed, in which case the server renumbered the folder and the new
    numbering starts over.
    """
    for fact in facts:
        if fact.mailbox != mailbox or fact.folder != state.folder:
            raise ValueError("a batch holds facts of one mailbox folder only")
        if fact.uidvalidity != state.uidvalidity:
            raise ValueError("a batch holds facts of the folder's current UIDVALIDITY only")
    await lock_mailbox(connection, mailbox)  # no batch lands in the middle of a recomputation
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
        links = {(key, fact.fingerprint) for fact in facts for key in link_keys(fact)}
        await connection.execute(
            insert(mail_links).on_conflict_do_nothing(),
            [
                {"mailbox": mailbox, "key": key, "fingerprint": fingerprint}
                for key, fingerprint in sorted(links)
            ],
        )
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
                "updated_at": new.updated_at,
            },
        ),
        {
            "mailbox": mailbox,
            "folder": state.folder,
            "uidvalidity": state.uidvalidity,
            "last_uid": state.last_uid,
            "updated_at": now,
        },
    )


def link_keys(fact: MailFact) -> set[str]:
    """The keys that may tie ``fact`` to other messages: ids it has or refers to, its ticket.

    One namespace for ids whether claimed or referred to, because a reference to an id and
    the message with that id must meet under the same key.
    """
    keys = {f"m:{key}" for key in (fact.message_key, *fact.aliases, *fact.refs)}
    if fact.ticket_key is not None:
        keys.add(f"t:{fact.ticket_key}")
    return keys


# -- recomputing a mailbox's requests -----------------------------------------------------------

FULL_RECOMPUTE_SHARE: Final = 0.2
"""Above this share of unthreaded messages, recompute the whole mailbox: following links
from nearly every message costs more than reading all of them once."""

CLOSURE_LIMIT: Final = 20_000
"""Messages reached by following links at most before giving up and recomputing it all."""


async def recompute_requests(
    connection: AsyncConnection,
    insert: Insert,
    mailbox: str,
    derive: Callable[[list[MailFact]], Sequence[MailboxRequest]],
    *,
    now: datetime,
    full: bool = False,
) -> RequestSync:
    """Recompute the requests of the threads that messages not yet threaded belong to.

    The threads come from the links: starting at the unthreaded messages, every message
    that shares a key with one already reached is reached too, until nothing new is found.
    That set is a union of whole threads (a superset of what threading joins, closed under
    its joins), so deriving requests from it alone gives exactly the requests of those
    threads, and every request stored for them has its ``thread_key`` (the thread's earliest
    message) inside it. Other threads cannot have changed and are left alone. ``full``, a
    large backlog or a very large thread recompute the whole mailbox the same way.
    """
    await lock_mailbox(connection, mailbox)
    pending = await _unthreaded(connection, mailbox)
    if not pending and not full:
        return RequestSync(changed=0, removed=0)
    reached: set[str] | None = None
    if not full:
        total = await connection.scalar(
            sa.select(sa.func.count())
            .select_from(mail_messages)
            .where(mail_messages.c.mailbox == mailbox)
        )
        if len(pending) <= FULL_RECOMPUTE_SHARE * int(total or 0):
            reached = await _closure(connection, mailbox, pending)
    facts = await mail_facts(connection, mailbox, reached)
    wanted = await asyncio.to_thread(derive, facts)
    for item in wanted:
        if item.record.channel != mailbox:
            raise ValueError(f"request {item.record.id} is not from mailbox {mailbox}")
    existing = await mailbox_requests(connection, mailbox, reached)
    fresh = [
        item
        for item in wanted
        if existing.get(item.record.id)
        != (item.record, item.thread_key, item.request_key, item.answer_key)
    ]
    changed = await upsert_requests(
        connection,
        insert,
        [item.record for item in fresh],
        now=now,
        thread_keys={item.record.id: item.thread_key for item in fresh},
        message_keys={item.record.id: (item.request_key, item.answer_key) for item in fresh},
    )
    removed = await delete_requests(
        connection, sorted(existing.keys() - {item.record.id for item in wanted})
    )
    await _mark_threaded(connection, mailbox)
    return RequestSync(changed=changed, removed=removed)


async def _unthreaded(connection: AsyncConnection, mailbox: str) -> set[str]:
    rows = await connection.execute(
        sa.select(mail_messages.c.fingerprint)
        .where(mail_messages.c.mailbox == mailbox, sa.not_(mail_messages.c.threaded))
        .distinct()
    )
    return set(rows.scalars())


async def _links(
    connection: AsyncConnection,
    mailbox: str,
    given: sa.Column[str],
    values: set[str],
) -> set[str]:
    """The other side of the mailbox's links whose ``given`` side is one of ``values``:
    the keys of fingerprints, or the fingerprints of keys."""
    other = mail_links.c.key if given is mail_links.c.fingerprint else mail_links.c.fingerprint
    found: set[str] = set()
    for chunk in _chunks(sorted(values)):
        rows = await connection.execute(
            sa.select(other).where(mail_links.c.mailbox == mailbox, given.in_(chunk))
        )
        found.update(rows.scalars())
    return found


async def _closure(connection: AsyncConnection, mailbox: str, start: set[str]) -> set[str] | None:
    """Every message linked to ``start``, directly or not; ``None`` past the limit."""
    reached = set(start)
    frontier = set(start)
    keys_seen: set[str] = set()
    while frontier:
        keys = await _links(connection, mailbox, mail_links.c.fingerprint, frontier) - keys_seen
        keys_seen |= keys
        found = await _links(connection, mailbox, mail_links.c.key, keys)
        frontier = found - reached
        reached |= frontier
        if len(reached) > CLOSURE_LIMIT:
            return None
    return reached


async def _mark_threaded(connection: AsyncConnection, mailbox: str) -> None:
    """All of the mailbox's messages are threaded now. Safe as one statement because
    storing a batch takes the same per-mailbox lock, so no message was stored meanwhile."""
    await connection.execute(
        sa.update(mail_messages)
        .where(mail_messages.c.mailbox == mailbox, sa.not_(mail_messages.c.threaded))
        .values(threaded=True)
    )


async def mailbox_requests(
    connection: AsyncConnection, mailbox: str, thread_keys: set[str] | None = None
) -> dict[str, tuple[RequestRecord, str | None, str | None, str | None]]:
    """The requests a mailbox produced, with their thread keys, by id; only those of the
    given threads when ``thread_keys`` is given."""
    condition = sa.and_(requests.c.source == "mailbox", requests.c.channel == mailbox)
    if thread_keys is None:
        rows = list(await connection.execute(sa.select(requests).where(condition)))
    else:
        rows = []
        for chunk in _chunks(sorted(thread_keys)):
            found = await connection.execute(
                sa.select(requests).where(condition, requests.c.thread_key.in_(chunk))
            )
            rows.extend(found)
    return {
        row.id: (_request(row._mapping), row.thread_key, row.request_key, row.answer_key)
        for row in rows
    }


async def request_locators(
    connection: AsyncConnection, ids: Sequence[str]
) -> dict[str, RequestLocator]:
    """Where the mail behind each request lies; requests without one (imported, webhook,
    or stored before their mailbox was scanned again) are absent.

    Of several copies of a message (a folder renumbered, a message delivered twice) the one
    in its own folder (inbox for a request, sent for an answer) under the newest
    UIDVALIDITY is named: that is the copy the server can still hand out by UID.
    """
    found: dict[str, RequestLocator] = {}
    for chunk in _chunks(sorted(set(ids))):
        rows = list(
            await connection.execute(
                sa.select(
                    requests.c.id, requests.c.channel, requests.c.request_key, requests.c.answer_key
                ).where(
                    requests.c.id.in_(chunk),
                    requests.c.source == "mailbox",
                    requests.c.request_key.is_not(None),
                )
            )
        )
        wanted: dict[str, set[str]] = {}
        for row in rows:
            keys = wanted.setdefault(row.channel, set())
            keys.add(row.request_key)
            if row.answer_key is not None:
                keys.add(row.answer_key)
        copies: dict[tuple[str, str], list[sa.Row[Any]]] = {}
        for mailbox, keys in wanted.items():
            for keys_chunk in _chunks(sorted(keys)):
                result = await connection.execute(
                    sa.select(
                        mail_messages.c.mailbox,
                        mail_messages.c.folder,
                        mail_messages.c.uidvalidity,
                        mail_messages.c.uid,
                        mail_messages.c.role,
                        mail_messages.c.fingerprint,
                        mail_messages.c.internaldate,
                    ).where(
                        mail_messages.c.mailbox == mailbox,
                        mail_messages.c.fingerprint.in_(keys_chunk),
                    )
                )
                for copy in result:
                    copies.setdefault((mailbox, copy.fingerprint), []).append(copy)
        for row in rows:
            request = _best_copy(copies.get((row.channel, row.request_key), []), "inbox")
            if request is None:
                continue
            answer = (
                None
                if row.answer_key is None
                else _best_copy(copies.get((row.channel, row.answer_key), []), "sent")
            )
            found[row.id] = RequestLocator(request, answer)
    return found


def _best_copy(copies: Sequence[sa.Row[Any]], role: str) -> MailLocator | None:
    if not copies:
        return None
    best = min(copies, key=lambda c: (c.role != role, -c.uidvalidity, c.uid, c.folder))
    internaldate = best.internaldate
    if isinstance(internaldate, str):  # SQLite through a raw select
        internaldate = datetime.fromisoformat(internaldate)
    return MailLocator(
        mailbox=best.mailbox,
        folder=best.folder,
        uidvalidity=int(best.uidvalidity),
        uid=int(best.uid),
        internaldate=None if internaldate is None else internaldate.astimezone(UTC),
    )


def _chunks(items: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


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
        "aliases": " ".join(fact.aliases),
        "refs": " ".join(fact.refs),
        "ticket_key": fact.ticket_key,
        "direction": fact.direction,
        "automatic": fact.automatic,
        "internaldate": fact.internaldate,
        "date_header": fact.date_header,
        "category": fact.category,
        "sender_hash": fact.sender_hash,
        "threaded": False,
        "scanned_at": now,
    }


async def mail_facts(
    connection: AsyncConnection, mailbox: str, fingerprints: set[str] | None = None
) -> list[MailFact]:
    """The facts of ``mailbox`` (only those of ``fingerprints`` if given), in server order.

    Read for a recomputation, so tens of thousands at a time: the rows are fetched in
    partitions (the event loop gets a turn between them), instants on SQLite are parsed
    with ``fromisoformat`` instead of SQLAlchemy's regular expression, and the records are
    rebuilt without validation, which they passed on their way in.
    """
    sqlite_text = connection.dialect.name == "sqlite"
    columns = [
        sa.type_coerce(column, sa.String()) if sqlite_text and column.name in _INSTANTS else column
        for column in mail_messages.columns
        if column.name not in ("scanned_at", "threaded")
    ]
    order = (mail_messages.c.folder, mail_messages.c.uidvalidity, mail_messages.c.uid)
    facts: list[MailFact] = []
    if fingerprints is None:
        result = await connection.stream(
            sa.select(*columns).where(mail_messages.c.mailbox == mailbox).order_by(*order)
        )
        async for partition in result.partitions(_PARTITION):
            facts.extend(_trusted_fact(row, sqlite_text) for row in partition)
            await asyncio.sleep(0)
        return facts
    for chunk in _chunks(sorted(fingerprints)):
        rows = await connection.execute(
            sa.select(*columns).where(
                mail_messages.c.mailbox == mailbox, mail_messages.c.fingerprint.in_(chunk)
            )
        )
        facts.extend(_trusted_fact(row, sqlite_text) for row in rows)
    facts.sort(key=lambda f: (f.folder, f.uidvalidity, f.uid))
    return facts


_INSTANTS: Final = frozenset(("internaldate", "date_header"))
_PARTITION: Final = 5_000


def _instant(value: object, from_text: bool) -> datetime | None:
    if value is None:
        return None
    if from_text:
        return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)
    if not isinstance(value, datetime):
        raise TypeError(f"expected a datetime from the database, got {type(value).__name__}")
    return value.astimezone(UTC)


def _trusted_fact(row: sa.Row[Any], from_text: bool) -> MailFact:
    values = row._mapping
    return MailFact.trusted(
        mailbox=values["mailbox"],
        folder=values["folder"],
        uidvalidity=values["uidvalidity"],
        uid=values["uid"],
        role=cast(FolderRole, values["role"]),
        fingerprint=values["fingerprint"],
        message_key=values["message_key"],
        synthetic_id=bool(values["synthetic_id"]),
        refs=tuple(values["refs"].split()),
        direction=cast(Direction, values["direction"]),
        automatic=values["automatic"],
        internaldate=_instant(values["internaldate"], from_text),
        date_header=_instant(values["date_header"], from_text),
        category=values["category"],
        sender_hash=values["sender_hash"],
        ticket_key=values["ticket_key"],
        aliases=tuple(values["aliases"].split()),
    )
