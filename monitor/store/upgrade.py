"""Alembic, for the one moment a store is not at the newest revision.

Importing Alembic (and Mako with it) costs a process about 11 MB of resident memory for as
long as it runs, while a daemon restarted on a store that is already up to date never
needs it: :func:`monitor.store.migrate.migrate` reads the version row with SQLAlchemy and
imports this module only when there is something to upgrade.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from monitor.store.errors import StoreError
from monitor.store.trouble import describe_store_failure

__all__ = ["SCRIPT_LOCATION", "alembic_config", "current_revision", "script_head", "upgrade"]

SCRIPT_LOCATION = "monitor:migrations"


def alembic_config() -> Config:
    """The Alembic configuration for the migrations inside the installed package."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.set_main_option("path_separator", "os")
    return config


def script_head() -> str | None:
    """The newest revision as Alembic itself reads the migration scripts."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at as Alembic reads it, ``None`` if never migrated."""
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


def upgrade(connection: Connection, revision: str, url: str) -> tuple[str | None, str | None]:
    """Upgrade inside the caller's (locked) transaction; the revisions before and after.

    Alembic's own refusals (a database stamped with a revision this release does not ship,
    from a newer release or a rolled-back one) become a :class:`StoreError` naming the store.
    """
    try:
        before = _current(connection)
        config = alembic_config()
        # env.py picks this up and runs inside our (locked) transaction instead of connecting.
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        return before, _current(connection)
    except CommandError as error:
        raise StoreError(describe_store_failure(url, error)) from error


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()
