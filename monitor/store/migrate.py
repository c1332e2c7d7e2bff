"""Applying the Alembic migrations shipped inside the package, from code.

Every command that touches the store calls :func:`migrate` first, so a fresh database is
never an error and an upgraded daemon upgrades its schema on start. Two processes may
start at once (the daemon and a cron ``report``): on PostgreSQL a transaction-scoped
advisory lock, on SQLite ``BEGIN IMMEDIATE``, makes the second wait and then find nothing
left to do. DDL is transactional on both engines, so a failed migration leaves the schema
as it was.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Final

import sqlalchemy as sa
import structlog
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from structlog.typing import FilteringBoundLogger

from monitor.store.engine import WRITE, safe_url

__all__ = [
    "SCRIPT_LOCATION",
    "alembic_config",
    "current_revision",
    "head_revision",
    "migrate",
    "migration_transaction",
]

SCRIPT_LOCATION: Final = "monitor:migrations"

# pg_advisory_xact_lock takes a bigint; b"SLAMON" read as an integer keeps it recognisable
# in pg_locks and unlikely to collide with another application sharing the server.
_ADVISORY_LOCK_KEY: Final = int.from_bytes(b"SLAMON", "big")


def alembic_config() -> Config:
    """The Alembic configuration for the migrations inside the installed package."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("path_separator", "os")
    return config


def head_revision() -> str | None:
    """The newest revision this version of the code knows about."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


@asynccontextmanager
async def migration_transaction(connection: AsyncConnection) -> AsyncIterator[None]:
    """A transaction that only one process at a time may use to migrate the store."""
    await connection.execution_options(**WRITE)
    async with connection.begin():
        if connection.dialect.name == "postgresql":
            await connection.execute(
                sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK_KEY}
            )
        yield


async def migrate(
    engine: AsyncEngine, revision: str = "head", *, logger: FilteringBoundLogger | None = None
) -> None:
    """Create the store or bring it up to ``revision``; a no-op when it is there already."""
    async with engine.connect() as connection, migration_transaction(connection):
        before, after = await connection.run_sync(_upgrade, revision)
    if before != after:
        log: FilteringBoundLogger = logger if logger is not None else structlog.get_logger()
        log.info("store_migrated", url=safe_url(engine), from_revision=before, to_revision=after)


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, ``None`` for a database never migrated."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection, revision: str) -> tuple[str | None, str | None]:
    before = _current(connection)
    config = alembic_config()
    # env.py picks this up and runs inside our (locked) transaction instead of connecting.
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
    return before, _current(connection)
