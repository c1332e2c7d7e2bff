"""Applying the Alembic migrations shipped inside the package, from code.

Every command that touches the store calls :func:`migrate` first, so a fresh database is
never an error and an upgraded daemon upgrades its schema on start. Two processes may
start at once (the daemon and a cron ``report``): on PostgreSQL a transaction-scoped
advisory lock, on SQLite ``BEGIN IMMEDIATE``, makes the second wait and then find nothing
left to do. DDL is transactional on both engines, so a failed migration leaves the schema
as it was.

A store already at the newest revision, the usual case of every start but the first, is
recognised by reading the version row with plain SQL against the revision named in the
migration scripts, so Alembic is imported (:mod:`monitor.store.upgrade`) only when there is
something to upgrade and stays out of a long-running daemon's memory.
"""

from __future__ import annotations

import ast
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from importlib import resources
from typing import Final

import sqlalchemy as sa
import structlog
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from structlog.typing import FilteringBoundLogger

from monitor.store.engine import WRITE, safe_url

__all__ = ["head_revision", "migrate", "migration_transaction", "stamped_revisions"]

VERSION_TABLE: Final = "alembic_version"

# pg_advisory_xact_lock takes a bigint; b"SLAMON" read as an integer keeps it recognisable
# in pg_locks and unlikely to collide with another application sharing the server.
_ADVISORY_LOCK_KEY: Final = int.from_bytes(b"SLAMON", "big")


def head_revision() -> str | None:
    """The newest revision this version of the code knows about.

    Read from the ``revision`` and ``down_revision`` assignments of the scripts in
    ``monitor/migrations/versions``, the same names Alembic reads, without importing Alembic
    or the scripts (which import it). ``None`` when the scripts have no single head; the
    migration then goes through Alembic, which says what is wrong.
    """
    versions = resources.files("monitor.migrations").joinpath("versions")
    scripts = (item.read_text("utf-8") for item in versions.iterdir() if item.name.endswith(".py"))
    revisions, parents = set[str](), set[str]()
    for source in scripts:
        names = dict(_assigned_strings(ast.parse(source).body))
        if "revision" in names:
            revisions.add(names["revision"])
            parents.update(names.get("down_revision", "").split())
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _assigned_strings(statements: Iterable[ast.stmt]) -> Iterable[tuple[str, str]]:
    """Module-level ``name = "text"`` and ``name: type = "text"`` assignments."""
    for statement in statements:
        target: ast.expr
        if isinstance(statement, ast.AnnAssign):
            target, value = statement.target, statement.value
        elif isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target, value = statement.targets[0], statement.value
        else:
            continue
        if (
            isinstance(target, ast.Name)
            and isinstance(value, ast.Constant)
            and isinstance(value.value, str)
        ):
            yield target.id, value.value


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
    if revision == "head":
        head = head_revision()
        if head is not None:
            async with engine.connect() as connection:
                if await connection.run_sync(stamped_revisions) == (head,):
                    return
    # Imported only now: Alembic is needed only when there is something to upgrade (see the
    # module's docstring).
    from monitor.store.upgrade import upgrade

    url = safe_url(engine)
    async with engine.connect() as connection, migration_transaction(connection):
        before, after = await connection.run_sync(upgrade, revision, url)
    if before != after:
        log: FilteringBoundLogger = logger if logger is not None else structlog.get_logger()
        log.info("store_migrated", url=url, from_revision=before, to_revision=after)


def stamped_revisions(connection: Connection) -> tuple[str, ...]:
    """The revisions in the database's version table, none for a database never migrated."""
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return ()
    rows = connection.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}"))  # noqa: S608 -- a constant
    return tuple(sorted(rows.scalars()))
