"""Locks that keep evidence sound when several processes share a store.

Two processes of one location on one database would both write that location's outages and
sessions, and a restart could continue the other's outage "up to now" for ever. A second
process on one SQLite file would compete for its write lock and double every outage. And
the work that must run once (report export, mailbox polling, pruning) needs one leader.

PostgreSQL gives all of it with session-level advisory locks, each held on a connection of
its own: the server releases such a lock the moment that connection ends, whether the
process stopped, was killed or lost the network (then after TCP keepalive gives up, which
we shorten on the lock's connection). SQLite has one process only: an exclusive ``flock``
on a file next to the database, released by the kernel when the process ends.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

__all__ = ["AdvisoryLock", "FileLock", "lock_key", "sqlite_lock_path"]


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for ``name`` (one namespace per product)."""
    digest = hashlib.sha256(f"sla-monitor {name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class AdvisoryLock:
    """A PostgreSQL session-level advisory lock on a connection used for nothing else.

    ``keepalive`` bounds how long the server keeps the lock of a holder it can no longer
    reach: idle time before the first TCP keepalive probe, then three probes that far apart.
    """

    def __init__(self, engine: AsyncEngine, name: str, keepalive: timedelta) -> None:
        self.name = name
        self._engine = engine
        self._key = lock_key(name)
        self._keepalive = max(1, int(keepalive.total_seconds()))
        self._connection: AsyncConnection | None = None

    @property
    def held(self) -> bool:
        return self._connection is not None

    async def try_acquire(self) -> bool:
        """Take the lock if nobody holds it; ``False`` if someone does or the store is away."""
        if self._connection is not None:
            return True
        try:
            connection = await self._engine.connect()
        except (SQLAlchemyError, OSError):
            return False
        try:
            for setting in ("tcp_keepalives_idle", "tcp_keepalives_interval"):
                await connection.execute(sa.text(f"SET {setting} = {self._keepalive}"))
            await connection.execute(sa.text("SET tcp_keepalives_count = 3"))
            got = await connection.scalar(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key}
            )
            await connection.commit()
        except (SQLAlchemyError, OSError):
            await _discard(connection)
            return False
        except asyncio.CancelledError:
            # A caller's timeout: the lock may be taken on this connection already, and a
            # connection nobody holds would keep it from every other location.
            await asyncio.shield(_discard(connection))
            raise
        if not got:
            await _discard(connection)
            return False
        self._connection = connection
        return True

    async def still_held(self) -> bool:
        """Ask the lock's connection whether it still lives; a lost one drops the lock."""
        connection = self._connection
        if connection is None:
            return False
        try:
            await connection.execute(sa.text("SELECT 1"))
            await connection.commit()
        except (SQLAlchemyError, OSError):
            self._connection = None
            await _discard(connection)
            return False
        return True

    async def abandon(self) -> None:
        """Drop the connection without a word to a store that stopped answering: the
        server frees the lock once it notices the connection is gone."""
        connection, self._connection = self._connection, None
        if connection is not None:
            await _discard(connection)

    async def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        with contextlib.suppress(SQLAlchemyError, OSError):
            await connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            await connection.commit()
        await _discard(connection)

    async def held_elsewhere(self, name: str) -> bool:
        """Whether another session holds the lock ``name`` (another location is running)."""
        async with self._engine.connect() as connection:
            got = await connection.scalar(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": lock_key(name)}
            )
            if got:
                await connection.execute(
                    sa.text("SELECT pg_advisory_unlock(:key)"), {"key": lock_key(name)}
                )
            await connection.commit()
        return not got


async def _discard(connection: AsyncConnection) -> None:
    """Close a connection for good: it must not go back to the pool still holding a lock."""
    with contextlib.suppress(SQLAlchemyError, DBAPIError, OSError):
        await connection.invalidate()
    with contextlib.suppress(SQLAlchemyError, DBAPIError, OSError):
        await connection.close()


def sqlite_lock_path(url: str) -> Path | None:
    """``<database>.run-lock`` next to a SQLite file; ``None`` for an in-memory database."""
    database = make_url(url).database
    if not database or database == ":memory:":
        return None
    return Path(database).absolute().with_name(Path(database).name + ".run-lock")


class FileLock:
    """An exclusive, non-blocking ``flock`` held for the life of the process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def try_acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
