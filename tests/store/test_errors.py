"""The store's failures leave it as its own errors, each one line without SQL or password."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.exc import SQLAlchemyError

from monitor.errors import SlaMonitorError
from monitor.store import Store, StoreError, StoreUnavailable, map_store_errors
from tests.store.conftest import SwitchableDatabase


async def test_a_store_cut_off_after_opening_raises_store_unavailable(
    switchable_database: SwitchableDatabase,
) -> None:
    """A read on a database that went away is retryable, and not a SQLAlchemy error."""
    store = await Store.open(switchable_database.url)
    try:
        await switchable_database.cut(store)
        with pytest.raises(StoreUnavailable) as raised:
            await store.open_outages()
        assert isinstance(raised.value.__cause__, SQLAlchemyError | OSError)
        assert "SELECT" not in str(raised.value)
        assert "\n" not in str(raised.value)
        await switchable_database.restore()
        assert await store.open_outages() == {}
    finally:
        await store.close()


async def test_a_file_that_is_no_database_is_a_store_error_but_not_retryable(
    tmp_path: Path,
) -> None:
    """A damaged file will not heal by retrying: StoreError, not StoreUnavailable."""
    database = tmp_path / "sla.db"
    database.write_bytes(b"this is not a database, just text " * 200)
    with pytest.raises(StoreError) as raised:
        await Store.open(f"sqlite+aiosqlite:///{database}")
    assert not isinstance(raised.value, StoreUnavailable)
    assert str(raised.value).startswith(f"the SQLite file {database} is damaged")


async def test_an_unsupported_url_is_a_store_error_without_the_password() -> None:
    """A URL of another database is refused by the store, its secret not repeated."""
    with pytest.raises(StoreError) as raised:
        await Store.open("mysql+aiomysql://monitor:s3cret@127.0.0.1/sla")
    assert "s3cret" not in str(raised.value)
    assert "use sqlite+aiosqlite or postgresql+asyncpg" in str(raised.value)


def test_the_mapping_leaves_errors_that_are_not_the_databases_alone() -> None:
    """A caller's own ValueError inside the block passes through unchanged."""
    with pytest.raises(ValueError, match="a bad month"), map_store_errors("sqlite://"):
        raise ValueError("a bad month")


def test_a_library_error_inside_the_block_becomes_a_store_error_of_the_package(
    tmp_path: Path,
) -> None:
    """Any SQLAlchemy error is mapped, under the package's root, the original as its cause."""
    database = tmp_path / "sla.db"
    failure = SQLAlchemyError("SELECT secret FROM outages")
    with pytest.raises(StoreError) as raised, map_store_errors(f"sqlite+aiosqlite:///{database}"):
        raise failure
    assert isinstance(raised.value, SlaMonitorError)
    assert raised.value.__cause__ is failure
    assert str(raised.value).startswith(f"cannot use the SQLite file {database}")
