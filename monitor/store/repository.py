"""The store's common ground: one engine, its transactions and its insert statements."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, Final, TypeVar

import sqlalchemy as sa
import structlog
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from structlog.typing import FilteringBoundLogger

from monitor.store.engine import WRITE, safe_url
from monitor.store.errors import map_store_errors
from monitor.store.records import utc
from monitor.store.schema import DEFAULT_LOCATION, UTCDateTime

__all__ = [
    "BULK_CACHE_KIB",
    "Repository",
    "RollBack",
    "changed_at_or_after",
    "of_target_before",
    "utc_now",
]

BULK_CACHE_KIB: Final = 96 * 1024
"""SQLite page cache of a bulk import's transaction; it counts towards the process's memory."""

_Insert = postgresql.Insert | sqlite.Insert
_Appended = TypeVar("_Appended", bound=Any)


class RollBack(Exception):  # noqa: N818 -- a signal, not an error
    """Raised inside a write transaction to undo it; caught by the method that raised it."""


def utc_now() -> datetime:
    return datetime.now(UTC)


class Repository:
    """What every repository of the store shares: the engine, the clock, the log, and
    connections whose failures leave as :class:`~monitor.store.errors.StoreError` s.

    Each kind of record has its repository (:class:`~monitor.store.outages.Outages`,
    :class:`~monitor.store.sessions.Sessions`, ...), constructed with the engine;
    :class:`~monitor.store.store.Store` is all of them on one engine.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        clock: Callable[[], datetime] = utc_now,
        logger: FilteringBoundLogger | None = None,
        location: str = DEFAULT_LOCATION,
    ) -> None:
        dialect = engine.dialect.name
        if dialect not in ("sqlite", "postgresql"):
            raise ValueError(f"unsupported database {dialect!r}: use sqlite or postgresql")
        self._engine = engine
        self._masked_url = safe_url(engine)
        self._dialect = dialect
        self._clock = clock
        # Probe evidence written through this store is the process's own location's.
        self._location = location
        self._log: FilteringBoundLogger = logger if logger is not None else structlog.get_logger()

    @property
    def _located(self) -> dict[str, str]:
        """The location column of a new evidence row. The default location is left to the
        column's default, so a lone process writes the same rows as before locations."""
        return {} if self._location == DEFAULT_LOCATION else {"location": self._location}

    async def _append(
        self, connection: AsyncConnection, table: sa.Table, value: _Appended, **columns: object
    ) -> _Appended:
        """Insert ``value`` (its fields but its ``id``, and ``columns``) as a new row of
        ``table``; ``value`` with the id the database gave it, for append-only records."""
        row = {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if f.name != "id"}
        result = await connection.execute(
            sa.insert(table).values(**row, **columns).returning(table.c.id)
        )
        return dataclasses.replace(value, id=result.scalar_one())

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


def of_target_before(
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


def changed_at_or_after(
    stamp_column: sa.Column[datetime], changed_since: datetime | None
) -> list[sa.ColumnElement[bool]]:
    """The condition of reading only rows stamped at or after ``changed_since`` (none when
    ``None``), shared by outages and sessions for the live figures' incremental reads."""
    if changed_since is None:
        return []
    return [stamp_column >= utc(changed_since, "changed_since")]
