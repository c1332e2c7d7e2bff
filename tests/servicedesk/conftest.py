"""Fixtures for the service-desk tests: a desk mailbox of the test's own, and a store.

The PostgreSQL fixtures of ``tests/store`` are imported so the mailbox scanner, whose
recomputation takes a PostgreSQL advisory lock, runs on both engines like the store does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from monitor.store import Store
from tests.servers.dovecot import DovecotServer
from tests.servicedesk.mail import Mailroom
from tests.store.conftest import postgres_database_url, postgres_url

__all__ = [
    "any_database_url",
    "any_store",
    "mailroom",
    "postgres_database_url",
    "postgres_url",
    "store",
]

ENGINES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture
def mailroom(dovecot: DovecotServer) -> Iterator[Mailroom]:
    """An empty inbox and sent folder in the session's dovecot, for this test only."""
    room = Mailroom(dovecot)
    room.create()
    yield room
    room.close()


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated SQLite store in a fresh file."""
    async with await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'store.db'}") as opened:
        yield opened


@pytest.fixture(params=ENGINES)
def any_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """URL of a fresh database of each engine."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    url: str = request.getfixturevalue("postgres_database_url")
    return url


@pytest.fixture
async def any_store(any_database_url: str) -> AsyncIterator[Store]:
    """A migrated store on a fresh database of each engine."""
    async with await Store.open(any_database_url) as opened:
        yield opened
