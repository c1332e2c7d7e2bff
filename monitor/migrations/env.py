"""Alembic environment for the store, on an async engine.

Two ways in. From code (:func:`monitor.store.migrate`), the caller has already opened a
connection and a locked transaction and hands the connection over in
``config.attributes["connection"]``; we run inside it. From the Alembic CLI, we build the
engine ourselves from ``-x url=...``, ``SLA_MONITOR_DATABASE_URL`` or the default URL, and
take the same lock.
"""

from __future__ import annotations

import asyncio
import os
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from monitor.store.engine import DEFAULT_DATABASE_URL, create_engine
from monitor.store.migrate import migration_transaction
from monitor.store.schema import metadata

config = context.config


def _url() -> str:
    return (
        context.get_x_argument(as_dictionary=True).get("url")
        or os.environ.get("SLA_MONITOR_DATABASE_URL")
        or DEFAULT_DATABASE_URL
    )


def do_run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_from_cli() -> None:
    engine = create_engine(_url(), poolclass=NullPool)
    try:
        async with engine.connect() as connection, migration_transaction(connection):
            await connection.run_sync(do_run_migrations)
    finally:
        await engine.dispose()


def _run_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


_shared_connection = config.attributes.get("connection")
if _shared_connection is not None:
    do_run_migrations(_shared_connection)
else:
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    if context.is_offline_mode():
        _run_offline()
    else:
        asyncio.run(_run_from_cli())
