"""Engine construction: the same store on SQLite (embedded) and PostgreSQL (shared).

SQLite needs care to be a safe embedded store for a long-running daemon:

- WAL, so report and API reads never block the writer and the writer never blocks them;
  ``synchronous=NORMAL`` is durable across a crash of the process in WAL mode.
- ``foreign_keys=ON``, which SQLite leaves off per connection unless asked.
- A ``busy_timeout``, so a second process (``import``, ``report``) waits for the write
  lock instead of failing at once.
- We emit ``BEGIN`` ourselves instead of letting the ``sqlite3`` module do it: the module
  begins transactions lazily and never around DDL, which would make migrations
  non-transactional. Write transactions may ask for ``BEGIN IMMEDIATE`` (see
  :data:`WRITE`), which takes the write lock up front and so waits on ``busy_timeout``
  rather than failing when a read snapshot cannot be upgraded.

PostgreSQL connections are pinged before use, so after a server restart the pool replaces
dead connections instead of handing them to the writer.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any, Final

from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import ArgumentError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

__all__ = [
    "DEFAULT_DATABASE_URL",
    "SQLITE_BUSY_TIMEOUT_MS",
    "WRITE",
    "create_engine",
    "safe_url",
]

DEFAULT_DATABASE_URL: Final = "sqlite+aiosqlite:///./sla-monitor.db"
SQLITE_BUSY_TIMEOUT_MS: Final = 15_000
POSTGRES_CONNECT_TIMEOUT_S: Final = 10

_BEGIN_OPTION: Final = "sla_monitor_sqlite_begin"
WRITE: Final[dict[str, Any]] = {_BEGIN_OPTION: "BEGIN IMMEDIATE"}
"""Execution options for a connection that is about to write (no effect on PostgreSQL)."""


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine for ``url`` with the store's connection settings applied."""
    parsed = _parse(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        _refuse_missing_directory(parsed)
        engine = create_async_engine(parsed, **kwargs)
        _configure_sqlite(engine)
        return engine
    if backend == "postgresql":
        connect_args = {"timeout": POSTGRES_CONNECT_TIMEOUT_S, **kwargs.pop("connect_args", {})}
        kwargs.setdefault("pool_pre_ping", True)
        return create_async_engine(parsed, connect_args=connect_args, **kwargs)
    raise ValueError(
        f"unsupported database URL {safe_url(url)!r}: use sqlite+aiosqlite or postgresql+asyncpg"
    )


def _refuse_missing_directory(url: URL) -> None:
    """A SQLite file whose directory is missing or is a file cannot be opened: say so before a
    driver thread starts. aiosqlite's worker thread can otherwise outlive the failed connect
    and print a traceback after the command's event loop has closed."""
    if not url.database or url.database == ":memory:":
        return
    directory = Path(url.database).absolute().parent
    if not directory.is_dir():
        # Imported here: the diagnosis reads URLs with this module's helpers.
        from monitor.store.errors import StoreUnavailable
        from monitor.store.trouble import describe_store_failure

        cause = sqlite3.OperationalError("unable to open database file")
        raise StoreUnavailable(describe_store_failure(str(url), cause))


def safe_url(url: str | AsyncEngine) -> str:
    """The URL with its password masked, the only form that may reach a log or an error."""
    parsed = url.url if isinstance(url, AsyncEngine) else _parse(url)
    return parsed.render_as_string(hide_password=True)


def _parse(url: str) -> URL:
    try:
        return make_url(url)
    except ArgumentError:
        # SQLAlchemy's message repeats the whole string, password included.
        raise ValueError(
            "the database URL cannot be parsed (not shown: it may hold a secret)"
        ) from None


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
        # Autocommit at the driver level; transactions are begun in _on_begin below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        begin = connection.get_execution_options().get(_BEGIN_OPTION, "BEGIN")
        connection.exec_driver_sql(begin)
