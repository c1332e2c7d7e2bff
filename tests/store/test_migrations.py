"""The shipped migrations build exactly the schema the code expects, on both engines."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from argparse import Namespace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection

import monitor
from monitor.store import Store, StoreError, create_engine, migrate, new_outage
from monitor.store.migrate import head_revision
from monitor.store.schema import metadata
from monitor.store.upgrade import alembic_config, current_revision, script_head

MIGRATIONS = Path(monitor.__file__).parent / "migrations"


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def _tables(connection: Connection) -> set[str]:
    return set(sa.inspect(connection).get_table_names())


async def test_migrating_an_empty_database_leaves_no_autogenerate_difference(
    database_url: str,
) -> None:
    """Upgrade to head on an empty database equals the metadata: nothing left to generate."""
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(_diff) == []
            assert await connection.run_sync(_tables) == {
                "alembic_version",
                "mail_links",
                "mail_messages",
                "mailbox_state",
                "maintenance_changes",
                "maintenance_windows",
                "miss_analyses",
                "monitoring_sessions",
                "outage_corrections",
                "outages",
                "probe_results",
                "report_deliveries",
                "request_resolutions",
                "requests",
                "store_meta",
            }
    finally:
        await engine.dispose()


async def test_opening_a_store_on_a_fresh_database_brings_it_to_head(database_url: str) -> None:
    """A fresh database is never an error: opening the store creates the schema."""
    async with await Store.open(database_url) as store:
        assert await current_revision(store.engine) == head_revision()


async def test_migrating_again_changes_nothing(database_url: str) -> None:
    """Every start migrates; at head that is a no-op that keeps the data."""
    async with await Store.open(database_url) as store:
        await store.open_outage(new_outage("a", datetime(2026, 1, 1, tzinfo=UTC), "x"))
        await migrate(store.engine)
        await migrate(store.engine)
        assert len(await store.outages()) == 1
        assert await current_revision(store.engine) == head_revision()


async def test_two_processes_starting_at_once_both_end_at_head(database_url: str) -> None:
    """The migration lock makes the second wait instead of failing on existing tables."""
    engines = [create_engine(database_url) for _ in range(3)]
    try:
        await asyncio.gather(*(migrate(engine) for engine in engines))
        for engine in engines:
            assert await current_revision(engine) == head_revision()
    finally:
        for engine in engines:
            await engine.dispose()


async def test_downgrading_to_base_removes_the_schema_and_upgrading_restores_it(
    database_url: str,
) -> None:
    """The migrations can be walked both ways, so a bad release can be rolled back."""

    def downgrade(connection: Connection) -> None:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.downgrade(config, "base")

    engine = create_engine(database_url)
    try:
        await migrate(engine)
        async with engine.begin() as connection:
            await connection.run_sync(downgrade)
        async with engine.connect() as connection:
            assert await connection.run_sync(_tables) <= {"alembic_version"}
        await migrate(engine)
        async with engine.connect() as connection:
            assert await connection.run_sync(_diff) == []
    finally:
        await engine.dispose()


async def test_the_alembic_cli_configuration_migrates_the_url_given_with_x(
    database_url: str,
) -> None:
    """Developers' ``alembic -c monitor/migrations/alembic.ini -x url=...`` reaches head."""
    config = Config(str(MIGRATIONS / "alembic.ini"))
    config.cmd_opts = Namespace(x=[f"url={database_url}"])

    # env.py runs its own event loop on the CLI path, as it would in the alembic command.
    await asyncio.to_thread(command.upgrade, config, "head")

    engine = create_engine(database_url)
    try:
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()


def test_the_migrations_ship_inside_the_package() -> None:
    """The installed package carries env.py and every revision, found by package name."""
    assert (MIGRATIONS / "env.py").is_file()
    assert (MIGRATIONS / "alembic.ini").is_file()
    assert alembic_config().get_main_option("script_location") == "monitor:migrations"
    assert head_revision() == "0007"


def test_the_head_read_from_the_scripts_is_the_head_alembic_finds() -> None:
    """The revision that lets a store open without Alembic is the one Alembic would reach."""
    assert head_revision() == script_head()


_OPEN_AND_LIST_ALEMBIC = """
import asyncio, sys
from monitor.store import Store

async def main() -> None:
    store = await Store.open(sys.argv[1])
    await store.close()

asyncio.run(main())
print(sorted(name for name in sys.modules if name.split(".")[0] in ("alembic", "mako")))
"""


def _modules_after_opening(database_url: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _OPEN_AND_LIST_ALEMBIC, database_url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.splitlines()[-1]  # after the log lines


async def test_a_store_at_the_newest_revision_opens_without_importing_alembic(
    database_url: str,
) -> None:
    """A restart on an up-to-date store keeps Alembic and Mako out of the process's memory."""
    store = await Store.open(database_url)  # migrates it to the newest revision
    await store.close()
    assert await asyncio.to_thread(_modules_after_opening, database_url) == "[]"


async def test_a_fresh_database_opened_in_a_new_process_is_migrated_by_alembic(
    database_url: str,
) -> None:
    """The quick check does not skip a store that needs its schema: Alembic still builds it."""
    assert await asyncio.to_thread(_modules_after_opening, database_url) != "[]"
    engine = create_engine(database_url)
    try:
        assert await current_revision(engine) == head_revision()
    finally:
        await engine.dispose()


async def test_a_store_stamped_with_a_revision_this_release_lacks_is_refused_in_one_line(
    database_url: str,
) -> None:
    """A store from a newer release is a StoreError naming the revision, not a traceback."""
    async with await Store.open(database_url) as store, store.engine.begin() as connection:
        await connection.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    with pytest.raises(StoreError, match="9999") as refused:
        await Store.open(database_url)
    assert "\n" not in str(refused.value)
