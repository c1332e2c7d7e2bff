"""The store: every read and write of probe results, outages, sessions, maintenance and
service-desk requests.

All writes are idempotent, because the writer replays a batch whose commit it could not
confirm: probe results are keyed by ``(target, started_at)``, outages, sessions and
maintenance windows by ids the caller made, closing an outage only touches an open one, and
a session's ``last_seen_at`` only moves forward. The upserts use ``INSERT … ON CONFLICT``,
which SQLite (3.24+) and PostgreSQL spell the same way.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Final, Self

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from structlog.typing import FilteringBoundLogger

from monitor.sla.availability import Outage
from monitor.sla.corrections import OutageCorrection
from monitor.sla.outages import OutageOpened
from monitor.store import desk
from monitor.store.engine import WRITE, create_engine, safe_url
from monitor.store.errors import StoreUrlError, map_store_errors
from monitor.store.migrate import migrate
from monitor.store.records import (
    OUTAGE_SOURCES,
    FolderState,
    ImportedOutageRow,
    MailboxRequest,
    MailFact,
    MaintenanceAction,
    MaintenanceChange,
    MaintenanceWindowRecord,
    MissAnalysisRecord,
    MonitoringSession,
    OutageImportConflict,
    OutageImportOutcome,
    OutageSource,
    ProbeResultRow,
    RequestLocator,
    RequestRecord,
    RequestSync,
    StoredOutage,
    WriteBatch,
    check_id,
    checked_closed,
    checked_correction,
    checked_opened,
    utc,
)
from monitor.store.schema import (
    UTCDateTime,
    from_row,
    maintenance_changes,
    maintenance_windows,
    miss_analyses,
    monitoring_sessions,
    outage_corrections,
    outages,
    probe_results,
)

__all__ = ["DEFAULT_PROBE_RETENTION", "PRUNE_CHUNK", "Store"]

DEFAULT_PROBE_RETENTION: Final = timedelta(days=90)
"""How long raw probe results are kept; outages, sessions and maintenance stay for good."""

PRUNE_CHUNK: Final = 10_000
"""Rows deleted per transaction when pruning, so the writer is never locked out for long."""

BULK_CACHE_KIB: Final = 96 * 1024
"""SQLite page cache of a bulk import's transaction; it counts towards the process's memory."""

_Insert = postgresql.Insert | sqlite.Insert


_STAMPED: Final[Mapping[MaintenanceAction, str]] = {
    "delete": "deleted_at",
    "approve": "approved_at",
}
"""The column whose instant the audit trail records for a change of a window."""


class _RollBackError(Exception):
    """Raised inside a write transaction to undo it; caught by the method that raised it."""


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Store:
    """Async access to the store on one engine; values in and out are frozen records."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        clock: Callable[[], datetime] = _utc_now,
        logger: FilteringBoundLogger | None = None,
    ) -> None:
        dialect = engine.dialect.name
        if dialect not in ("sqlite", "postgresql"):
            raise ValueError(f"unsupported database {dialect!r}: use sqlite or postgresql")
        self._engine = engine
        self._masked_url = safe_url(engine)
        self._dialect = dialect
        self._clock = clock
        self._log: FilteringBoundLogger = logger if logger is not None else structlog.get_logger()

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        clock: Callable[[], datetime] = _utc_now,
        logger: FilteringBoundLogger | None = None,
        **engine_options: Any,
    ) -> Self:
        """Connect to ``url``, create or migrate the schema, and return the ready store."""
        try:
            engine = create_engine(url, **engine_options)
        except ValueError as error:  # the message names the URL only with its password masked
            raise StoreUrlError(str(error)) from None
        log: FilteringBoundLogger = logger if logger is not None else structlog.get_logger()
        try:
            with map_store_errors(safe_url(engine)):
                await migrate(engine, logger=log)
        except BaseException:
            await engine.dispose()
            raise
        log.info("store_opened", url=safe_url(engine), dialect=engine.dialect.name)
        return cls(engine, clock=clock, logger=log)

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    @property
    def url(self) -> str:
        """The database URL with its password masked."""
        return safe_url(self._engine)

    async def close(self) -> None:
        with map_store_errors(self._masked_url):
            await self._engine.dispose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    # -- transactions ---------------------------------------------------------------------

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[AsyncConnection]:
        """A connection whose failures, inside the block too, leave as :class:`StoreError` s."""
        with map_store_errors(self._masked_url):
            async with self._engine.connect() as connection:
                yield connection

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncConnection]:
        """:meth:`_read` in a write transaction: all of the block's writes or none."""
        async with self._read() as connection:
            await connection.execution_options(**WRITE)
            async with connection.begin():
                yield connection

    @asynccontextmanager
    async def _bulk(self, connection: AsyncConnection) -> AsyncIterator[None]:
        """A larger SQLite page cache for one transaction that writes a whole file.

        A transaction bigger than the cache (2 MiB by default) spills its pages to the WAL
        and writes them again and again as random index keys land all over the indexes:
        a million imported outages took minutes instead of seconds. The cache is set back
        afterwards, since the connection returns to the pool.
        """
        if self._dialect != "sqlite":
            yield
            return
        before = await connection.scalar(sa.text("PRAGMA cache_size"))
        await connection.execute(sa.text(f"PRAGMA cache_size=-{BULK_CACHE_KIB}"))
        try:
            yield
        finally:
            await connection.execute(sa.text(f"PRAGMA cache_size={int(before or -2000)}"))

    def _raw_instant(self, instant: datetime) -> object:
        """An instant as the engine's driver takes it, without per-value type processing.

        For bulk inserts only: SQLAlchemy's bind processing of four instants a row was a
        quarter of a large import's time. SQLite gets the naive UTC text that
        :class:`~monitor.store.schema.UTCDateTime` would have written (same format, so range
        queries compare alike); PostgreSQL gets the aware instant.
        """
        if self._dialect != "sqlite":
            return instant
        if instant.tzinfo is not UTC:
            instant = utc(instant, "instant")
        return instant.isoformat(" ", "microseconds")[:-6]  # without its "+00:00"

    async def _insert_many(
        self, connection: AsyncConnection, statement: _Insert, rows: list[dict[str, object]]
    ) -> None:
        """``statement`` for every row of ``rows``; on SQLite straight to the driver.

        SQLAlchemy builds a parameter set per row even when no value needs processing, a
        sixth of a large import's time; the driver's ``executemany`` takes tuples as they are.
        """
        if self._dialect != "sqlite":
            await connection.execute(statement, rows)
            return
        compiled = statement.compile(dialect=connection.dialect, column_keys=list(rows[0]))
        order = compiled.positiontup or []
        await connection.exec_driver_sql(
            compiled.string, [tuple(row[key] for key in order) for row in rows]
        )

    def _raw_insert(self, table: sa.Table) -> _Insert:
        """:meth:`_insert` whose instants are given as :meth:`_raw_instant` makes them."""
        insert = self._insert(table)
        if self._dialect != "sqlite":
            return insert
        return insert.values(
            {
                column.name: sa.bindparam(column.name, type_=sa.Text())
                for column in table.columns
                if isinstance(column.type, UTCDateTime)
            }
        )

    def _insert(self, table: sa.Table) -> _Insert:
        if self._dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    # -- the writer's path ----------------------------------------------------------------

    async def write_batch(self, batch: WriteBatch) -> None:
        """Write everything in ``batch`` in one transaction: all of it or none of it."""
        async with self._write() as connection:
            for event in batch.outage_events:
                if isinstance(event, OutageOpened):
                    await self._open_outage(connection, checked_opened(event))
                else:
                    closed = checked_closed(event)
                    await self._close_outage(connection, closed.outage_id, closed.end)
            await self._upsert_sessions(connection, batch.sessions)
            await self._insert_results(connection, batch.results)

    async def _insert_results(
        self, connection: AsyncConnection, rows: Sequence[ProbeResultRow]
    ) -> None:
        if not rows:
            return
        statement = self._insert(probe_results).on_conflict_do_nothing(
            index_elements=[probe_results.c.target, probe_results.c.started_at]
        )
        await connection.execute(
            statement,
            [
                {
                    "target": row.target,
                    "started_at": row.started_at,
                    "duration_seconds": row.duration_seconds,
                    "ok": row.ok,
                    "error_class": row.error_class,
                    "error_message": row.error_message,
                }
                for row in rows
            ],
        )

    async def _open_outage(self, connection: AsyncConnection, outage: OutageOpened) -> bool:
        now = self._clock()
        # No conflict target: a replay may collide on the id or on the import key.
        statement = self._insert(outages).on_conflict_do_nothing()
        result = await connection.execute(
            statement,
            {
                "id": outage.id,
                "target": outage.target,
                "start": outage.start,
                "end": None,
                "cause": outage.cause,
                "source": outage.source,
                "import_key": outage.import_key,
                "opened_at": now,
                "updated_at": now,
            },
        )
        return result.rowcount == 1

    async def _close_outage(
        self, connection: AsyncConnection, outage_id: str, end: datetime
    ) -> bool:
        result = await connection.execute(
            sa.update(outages)
            .where(outages.c.id == outage_id, outages.c.end.is_(None))
            .values(end=end, updated_at=self._clock())
        )
        if result.rowcount == 0:
            already = await connection.scalar(
                sa.select(sa.func.count()).select_from(outages).where(outages.c.id == outage_id)
            )
            if not already:
                self._log.warning("store_close_unknown_outage", outage_id=outage_id)
        return result.rowcount == 1

    async def _upsert_sessions(
        self, connection: AsyncConnection, sessions: Sequence[MonitoringSession]
    ) -> None:
        if not sessions:
            return
        # PostgreSQL refuses to upsert one row twice in a statement: keep the latest per id.
        latest: dict[str, MonitoringSession] = {}
        for session in sessions:
            known = latest.get(session.id)
            if known is None or known.last_seen_at < session.last_seen_at:
                latest[session.id] = session
        insert = self._insert(monitoring_sessions)
        statement = insert.on_conflict_do_update(
            index_elements=[monitoring_sessions.c.id],
            set_={"last_seen_at": insert.excluded.last_seen_at},
            # Only ever forward: a replayed, older extension must not shorten a session.
            where=monitoring_sessions.c.last_seen_at < insert.excluded.last_seen_at,
        )
        await connection.execute(
            statement,
            [
                {
                    "id": s.id,
                    "target": s.target,
                    "started_at": s.started_at,
                    "last_seen_at": s.last_seen_at,
                }
                for s in latest.values()
            ],
        )

    # -- probe results --------------------------------------------------------------------

    async def record_probe_results(self, rows: Iterable[ProbeResultRow]) -> None:
        """Store results; one already stored (same target and start) is left as it is."""
        async with self._write() as connection:
            await self._insert_results(connection, list(rows))

    async def last_probe_result(self, target: str) -> ProbeResultRow | None:
        """The newest stored result of ``target``, e.g. for its last-probe metric at start."""
        async with self._read() as connection:
            row = (
                await connection.execute(
                    sa.select(probe_results)
                    .where(probe_results.c.target == target)
                    .order_by(probe_results.c.started_at.desc())
                    .limit(1)
                )
            ).first()
        return None if row is None else from_row(ProbeResultRow, row._mapping)

    async def probe_results(
        self, target: str, since: datetime, until: datetime
    ) -> list[ProbeResultRow]:
        """Results of ``target`` that started in ``[since, until)``, oldest first."""
        async with self._read() as connection:
            rows = await connection.execute(
                sa.select(probe_results)
                .where(
                    probe_results.c.target == target,
                    probe_results.c.started_at >= utc(since, "since"),
                    probe_results.c.started_at < utc(until, "until"),
                )
                .order_by(probe_results.c.started_at)
            )
            return [from_row(ProbeResultRow, row._mapping) for row in rows]

    async def prune_probe_results(self, before: datetime, *, chunk: int = PRUNE_CHUNK) -> int:
        """Delete raw results that started before ``before``; returns how many went.

        Deletes in chunks, one transaction each, so a first prune of a large table does not
        hold SQLite's write lock for minutes while the writer waits.
        """
        cutoff = utc(before, "before")
        doomed = (
            sa.select(probe_results.c.id).where(probe_results.c.started_at < cutoff).limit(chunk)
        )
        total = 0
        while True:
            async with self._write() as connection:
                result = await connection.execute(
                    sa.delete(probe_results).where(probe_results.c.id.in_(doomed))
                )
            total += result.rowcount
            if result.rowcount < chunk:
                return total

    # -- outages --------------------------------------------------------------------------

    async def open_outage(self, outage: OutageOpened) -> bool:
        """Store a new open outage; ``False`` when its id (or import key) is already stored."""
        outage = checked_opened(outage)
        async with self._write() as connection:
            return await self._open_outage(connection, outage)

    async def close_outage(self, outage_id: str, end: datetime) -> bool:
        """End an open outage; ``False`` when it is unknown or already closed."""
        check_id(outage_id, "outage id")
        end = utc(end, "outage end")
        async with self._write() as connection:
            return await self._close_outage(connection, outage_id, end)

    async def outage(self, outage_id: str) -> StoredOutage | None:
        async with self._read() as connection:
            row = (
                await connection.execute(sa.select(outages).where(outages.c.id == outage_id))
            ).first()
        return None if row is None else _outage(row._mapping)

    async def open_outages(self) -> dict[str, StoredOutage]:
        """The open outage found by probing, per target, so a restart can continue it.

        Imported outages are left out: the daemon did not open them and must not close
        them. Should a target have several open ones (which the daemon never does), the
        latest wins and the others are logged.
        """
        async with self._read() as connection:
            rows = await connection.execute(
                sa.select(outages)
                .where(outages.c.end.is_(None), outages.c.source == OutageSource.PROBE.value)
                .order_by(outages.c.start, outages.c.id)
            )
            found: dict[str, StoredOutage] = {}
            for row in rows:
                outage = _outage(row._mapping)
                if outage.target in found:
                    self._log.warning(
                        "store_several_open_outages",
                        target=outage.target,
                        ignored=found[outage.target].id,
                        kept=outage.id,
                    )
                found[outage.target] = outage
        return found

    async def outages(
        self,
        target: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[StoredOutage]:
        """Outages that overlap ``[since, until)`` (open ones reach into the future)."""
        conditions = _of_target_before(outages.c.target, target, outages.c.start, until)
        if since is not None:
            since = utc(since, "since")
            # An outage of zero length at ``since`` still belongs to the range.
            conditions.append(
                sa.or_(outages.c.end.is_(None), outages.c.end > since, outages.c.start >= since)
            )
        async with self._read() as connection:
            rows = await connection.execute(
                sa.select(outages).where(*conditions).order_by(outages.c.start, outages.c.id)
            )
            return [_outage(row._mapping) for row in rows]

    async def import_outages(
        self, chunks: Iterable[Sequence[ImportedOutageRow]]
    ) -> OutageImportOutcome:
        """Store imported outages chunk by chunk, in one transaction: all of them or none.

        Per chunk, one query finds the rows whose import key is stored; the others are
        inserted with one multi-row statement, and stored open outages that a row gives an
        end are closed with one more. A row that would change a stored end (or reopen a
        closed outage) is a conflict: the import goes on to find them all, then the whole
        transaction is rolled back and the conflicts are returned. Chunks are consumed
        lazily, so a caller can stream a file of any size through here.
        """
        totals = [0, 0, 0]
        conflicts: list[OutageImportConflict] = []
        try:
            async with self._write() as connection, self._bulk(connection):
                for chunk in chunks:
                    counts = await self._import_outage_chunk(connection, chunk, conflicts)
                    totals = [a + b for a, b in zip(totals, counts, strict=True)]
                if conflicts:
                    raise _RollBackError
        except _RollBackError:
            return OutageImportOutcome(0, 0, 0, tuple(conflicts))
        new, closed, unchanged = totals
        return OutageImportOutcome(new, closed, unchanged)

    async def _import_outage_chunk(
        self,
        connection: AsyncConnection,
        chunk: Sequence[ImportedOutageRow],
        conflicts: list[OutageImportConflict],
    ) -> tuple[int, int, int]:
        if not chunk:
            return 0, 0, 0
        keys = [row.import_key for row in chunk]
        stored = {
            key: (outage_id, end)
            for key, outage_id, end in await connection.execute(
                sa.select(outages.c.import_key, outages.c.id, outages.c.end).where(
                    outages.c.import_key.in_(keys)
                )
            )
        }
        now = self._clock()
        instant = self._raw_instant
        stamp = instant(now)
        fresh: list[dict[str, object]] = []
        closing: list[dict[str, object]] = []
        unchanged = 0
        for row in chunk:
            known = stored.get(row.import_key)
            if known is None:
                fresh.append(
                    {
                        "id": row.id,
                        "target": row.target,
                        "start": instant(row.start),
                        "end": None if row.end is None else instant(row.end),
                        "cause": row.cause,
                        "source": OutageSource.IMPORT.value,
                        "import_key": row.import_key,
                        "opened_at": stamp,
                        "updated_at": stamp,
                    }
                )
                continue
            stored_id, stored_end = known
            if stored_end == row.end:
                unchanged += 1
            elif stored_end is None and row.end is not None:
                closing.append({"outage_id": stored_id, "new_end": row.end, "now": now})
            else:
                conflicts.append(OutageImportConflict(row, stored_end))
        if conflicts:
            return 0, 0, 0  # rolled back at the end; checking goes on to report them all
        if fresh:
            await self._insert_many(
                connection, self._raw_insert(outages).on_conflict_do_nothing(), fresh
            )
        if closing:
            await connection.execute(
                sa.update(outages)
                .where(outages.c.id == sa.bindparam("outage_id"), outages.c.end.is_(None))
                .values(end=sa.bindparam("new_end"), updated_at=sa.bindparam("now")),
                closing,
            )
        return len(fresh), len(closing), unchanged

    # -- monitoring sessions --------------------------------------------------------------

    async def start_session(self, session: MonitoringSession) -> None:
        """Store a session; storing it again only moves ``last_seen_at`` forward."""
        async with self._write() as connection:
            await self._upsert_sessions(connection, [session])

    async def extend_session(self, session_id: str, last_seen_at: datetime) -> bool:
        """Move the session's ``last_seen_at`` forward; ``False`` if nothing changed."""
        async with self._write() as connection:
            result = await connection.execute(
                sa.update(monitoring_sessions)
                .where(
                    monitoring_sessions.c.id == session_id,
                    monitoring_sessions.c.last_seen_at < utc(last_seen_at, "last_seen_at"),
                )
                .values(last_seen_at=last_seen_at)
            )
        return result.rowcount == 1

    async def sessions(
        self,
        target: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[MonitoringSession]:
        """Sessions that overlap ``[since, until)``, oldest first."""
        conditions = _of_target_before(
            monitoring_sessions.c.target, target, monitoring_sessions.c.started_at, until
        )
        if since is not None:
            conditions.append(monitoring_sessions.c.last_seen_at >= utc(since, "since"))
        async with self._read() as connection:
            rows = await connection.execute(
                sa.select(monitoring_sessions)
                .where(*conditions)
                .order_by(monitoring_sessions.c.started_at, monitoring_sessions.c.id)
            )
            return [from_row(MonitoringSession, row._mapping) for row in rows]

    # -- maintenance windows --------------------------------------------------------------

    async def add_maintenance_window(self, window: MaintenanceWindowRecord) -> bool:
        """Register a window and audit it; ``False`` when its id was registered already."""
        if window.deleted_at is not None:
            raise ValueError("a maintenance window is registered undeleted")
        async with self._write() as connection:
            return await self._add_window(connection, window)

    async def add_maintenance_window_once(
        self, window: MaintenanceWindowRecord
    ) -> MaintenanceWindowRecord | None:
        """Register ``window`` unless a window in force repeats it; the window in force.

        A repeat has the same name, targets, start and end: then nothing is written and the
        stored window is returned, so a retried registration cannot store a window twice.
        Otherwise ``window`` is stored (as :meth:`add_maintenance_window`) and returned;
        ``None`` when its id was registered already. The lookup (an equality on the indexed
        start, so the same work however many windows are stored) and the insert share one
        write transaction: two identical requests at once still store one window.
        """
        if window.deleted_at is not None:
            raise ValueError("a maintenance window is registered undeleted")
        async with self._write() as connection:
            rows = await connection.execute(
                sa.select(maintenance_windows)
                .where(
                    maintenance_windows.c.start == window.start,
                    maintenance_windows.c.end == window.end,
                    maintenance_windows.c.name == window.name,
                    maintenance_windows.c.deleted_at.is_(None),
                )
                .order_by(maintenance_windows.c.registered_at, maintenance_windows.c.id)
            )
            for row in rows:
                stored = _window(row._mapping)
                if set(stored.targets) == set(window.targets):
                    return stored
            if not await self._add_window(connection, window):
                return None
        return window

    async def _add_window(
        self, connection: AsyncConnection, window: MaintenanceWindowRecord
    ) -> bool:
        result = await connection.execute(
            self._insert(maintenance_windows).on_conflict_do_nothing(),
            {
                "id": window.id,
                "name": window.name,
                "targets": list(window.targets),
                "start": window.start,
                "end": window.end,
                "registered_at": window.registered_at,
                "registered_by": window.registered_by,
                "approved_by": window.approved_by,
                "reason": window.reason,
                "deleted_at": None,
                "deleted_by": None,
                "requested_by": window.requested_by,
                "approved_at": window.approved_at,
            },
        )
        if result.rowcount != 1:
            return False
        await self._audit(
            connection,
            window.id,
            "create",
            window.registered_at,
            window.registered_by,
            _window_payload(window),
        )
        return True

    async def delete_maintenance_window(self, window_id: str, *, at: datetime, who: str) -> bool:
        """Soft-delete a window (it stays for the audit); ``False`` if not there or gone."""
        at = utc(at, "at")
        return await self._change_window(
            window_id, "delete", at, who, (), {"deleted_at": at, "deleted_by": who}
        )

    async def approve_maintenance_window(self, window_id: str, *, at: datetime, who: str) -> bool:
        """Record that token ``who`` approved a window; ``False`` if gone or approved already.

        Approval is set once: a second approval would overwrite who accepted the
        reclassification, which the audit must keep.
        """
        at = utc(at, "at")
        return await self._change_window(
            window_id,
            "approve",
            at,
            who,
            (maintenance_windows.c.approved_by.is_(None),),
            {"approved_by": who, "approved_at": at},
        )

    async def _change_window(
        self,
        window_id: str,
        action: MaintenanceAction,
        at: datetime,
        who: str,
        conditions: Sequence[sa.ColumnElement[bool]],
        values: Mapping[str, object],
    ) -> bool:
        """Set ``values`` on the window if it is not deleted and ``conditions`` hold, and
        audit the change with its instant, in one transaction."""
        async with self._write() as connection:
            result = await connection.execute(
                sa.update(maintenance_windows)
                .where(
                    maintenance_windows.c.id == window_id,
                    maintenance_windows.c.deleted_at.is_(None),
                    *conditions,
                )
                .values(**values)
            )
            if result.rowcount != 1:
                return False
            await self._audit(
                connection, window_id, action, at, who, {_STAMPED[action]: at.isoformat()}
            )
        return True

    async def maintenance_window(self, window_id: str) -> MaintenanceWindowRecord | None:
        async with self._read() as connection:
            row = (
                await connection.execute(
                    sa.select(maintenance_windows).where(maintenance_windows.c.id == window_id)
                )
            ).first()
        return None if row is None else _window(row._mapping)

    async def maintenance_windows(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        target: str | None = None,
        include_deleted: bool = False,
    ) -> list[MaintenanceWindowRecord]:
        """Windows overlapping ``[since, until)``, oldest first; deleted ones on request."""
        conditions: list[sa.ColumnElement[bool]] = []
        if not include_deleted:
            conditions.append(maintenance_windows.c.deleted_at.is_(None))
        if until is not None:
            conditions.append(maintenance_windows.c.start < utc(until, "until"))
        if since is not None:
            conditions.append(maintenance_windows.c.end > utc(since, "since"))
        async with self._read() as connection:
            rows = await connection.execute(
                sa.select(maintenance_windows)
                .where(*conditions)
                .order_by(maintenance_windows.c.start, maintenance_windows.c.id)
            )
            windows = [_window(row._mapping) for row in rows]
        # The target list is JSON; a few windows a month are cheaper to filter here than to
        # query portably with two engines' JSON operators.
        if target is not None:
            windows = [w for w in windows if w.applies_to(target)]
        return windows

    async def maintenance_changes(self, window_id: str | None = None) -> list[MaintenanceChange]:
        """The audit trail, oldest first, of one window or of all."""
        statement = sa.select(maintenance_changes).order_by(maintenance_changes.c.id)
        if window_id is not None:
            statement = statement.where(maintenance_changes.c.window_id == window_id)
        async with self._read() as connection:
            rows = await connection.execute(statement)
            return [from_row(MaintenanceChange, row._mapping) for row in rows]

    async def _audit(
        self,
        connection: AsyncConnection,
        window_id: str,
        action: MaintenanceAction,
        at: datetime,
        who: str,
        payload: Mapping[str, object],
    ) -> None:
        await connection.execute(
            sa.insert(maintenance_changes).values(
                window_id=window_id, action=action, at=at, who=who, payload=dict(payload)
            )
        )

    # -- corrections and analyses (3.2.5, 3.2.6) ---------------------------------------------

    async def add_outage_correction(
        self, outage_id: str, correction: OutageCorrection
    ) -> OutageCorrection | None:
        """Append a correction of ``outage_id`` and return it as stored (with its id);
        ``None`` when the outage is unknown. The outage row stays as measured."""
        correction = checked_correction(correction)
        async with self._write() as connection:
            known = (
                await connection.execute(sa.select(outages.c.id).where(outages.c.id == outage_id))
            ).first()
            if known is None:
                return None
            result = await connection.execute(
                sa.insert(outage_corrections)
                .values(
                    outage_id=outage_id,
                    kind=correction.kind,
                    at=correction.at,
                    reason=correction.reason,
                    actor=correction.actor,
                    recorded_at=correction.recorded_at,
                )
                .returning(outage_corrections.c.id)
            )
            new_id = result.scalar_one()
        return replace(correction, id=new_id)

    async def outage_corrections(
        self, outage_ids: Iterable[str] | None = None
    ) -> dict[str, list[OutageCorrection]]:
        """Corrections by outage id, each list oldest first (of the given outages, or all)."""
        statement = sa.select(outage_corrections).order_by(outage_corrections.c.id)
        found: dict[str, list[OutageCorrection]] = {}
        async with self._read() as connection:
            if outage_ids is None:
                chunks: list[list[str] | None] = [None]
            else:
                wanted = sorted(set(outage_ids))
                chunks = [wanted[i : i + 500] for i in range(0, len(wanted), 500)]
            for chunk in chunks:
                query = statement
                if chunk is not None:
                    query = query.where(outage_corrections.c.outage_id.in_(chunk))
                for row in await connection.execute(query):
                    found.setdefault(row.outage_id, []).append(
                        from_row(OutageCorrection, row._mapping)
                    )
        for records in found.values():
            records.sort(key=lambda r: r.id)
        return found

    async def add_miss_analysis(self, analysis: MissAnalysisRecord) -> MissAnalysisRecord:
        """Append a 3.2.6 analysis; an earlier one of the same miss stays in the record."""
        async with self._write() as connection:
            result = await connection.execute(
                sa.insert(miss_analyses)
                .values(
                    month=analysis.month,
                    kind=analysis.kind,
                    name=analysis.name,
                    window=analysis.window,
                    cause=analysis.cause,
                    measures=analysis.measures,
                    author=analysis.author,
                    recorded_at=analysis.recorded_at,
                )
                .returning(miss_analyses.c.id)
            )
            new_id = result.scalar_one()
        return replace(analysis, id=new_id)

    async def miss_analyses(self, month: str | None = None) -> list[MissAnalysisRecord]:
        """The analyses recorded for ``month`` (``YYYY-MM``), oldest first; or of every
        month, by month and then oldest first."""
        statement = sa.select(miss_analyses)
        if month is None:
            statement = statement.order_by(miss_analyses.c.month, miss_analyses.c.id)
        else:
            statement = statement.where(miss_analyses.c.month == month).order_by(miss_analyses.c.id)
        async with self._read() as connection:
            rows = await connection.execute(statement)
            return [from_row(MissAnalysisRecord, row._mapping) for row in rows]

    # -- service-desk requests (3.2.9, 3.2.13, 3.2.14, 3.2.39) ------------------------------

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


def _of_target_before(
    target_column: sa.Column[str],
    target: str | None,
    start_column: sa.Column[datetime],
    until: datetime | None,
) -> list[sa.ColumnElement[bool]]:
    """The conditions of a range query shared by outages and sessions: of ``target`` (any
    when ``None``), starting before ``until`` (any when ``None``)."""
    conditions: list[sa.ColumnElement[bool]] = []
    if target is not None:
        conditions.append(target_column == target)
    if until is not None:
        conditions.append(start_column < utc(until, "until"))
    return conditions


def _window(row: sa.RowMapping) -> MaintenanceWindowRecord:
    return from_row(MaintenanceWindowRecord, row, targets=tuple(row["targets"]))


def _outage(row: sa.RowMapping) -> StoredOutage:
    outage = from_row(Outage, row, source=OUTAGE_SOURCES[row["source"]])
    return from_row(StoredOutage, row, outage=outage)


def _window_payload(window: MaintenanceWindowRecord) -> dict[str, object]:
    return {
        "name": window.name,
        "targets": list(window.targets),
        "start": window.start.isoformat(),
        "end": window.end.isoformat(),
        "registered_at": window.registered_at.isoformat(),
        "registered_by": window.registered_by,
        "requested_by": window.requested_by,
        "approved_by": window.approved_by,
        "reason": window.reason,
    }
