"""``sla-monitor outage ...``: corrections of stored outages from the command line."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.sla.corrections import OutageCorrection
from monitor.store import Store, new_outage

START = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("SLA_MONITOR_DATABASE_URL", url)
    monkeypatch.delenv("SLA_MONITOR_CONFIG", raising=False)
    monkeypatch.setenv("USER", "jdevries")
    monkeypatch.setenv("LOGNAME", "jdevries")
    return url


async def _open_ghost(url: str) -> str:
    async with await Store.open(url) as store:
        ghost = new_outage("web", START, "left open by a second process")
        await store.open_outage(ghost)
        return ghost.id


async def _corrections(url: str) -> dict[str, list[OutageCorrection]]:
    async with await Store.open(url) as store:
        return await store.outage_corrections()


def test_closing_a_ghost_outage_records_the_instant_reason_and_cli_user(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """close --at stores an append-only correction whose actor is cli:$USER."""
    ghost = asyncio.run(_open_ghost(database))
    code = main(
        ["outage", "close", ghost, "--reason", "ghost", "--at", "2026-06-10T10:30:00+02:00"]
    )
    assert code == 0, capsys.readouterr().err
    stored = asyncio.run(_corrections(database))[ghost]
    assert [(c.kind, c.at, c.actor, c.reason) for c in stored] == [
        ("close", datetime(2026, 6, 10, 8, 30, tzinfo=UTC), "cli:jdevries", "ghost")
    ]


def test_a_close_without_at_or_of_an_unknown_outage_is_refused_with_exit_two(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad input exits 2 with one clear line; nothing is written."""
    ghost = asyncio.run(_open_ghost(database))
    assert main(["outage", "close", ghost, "--reason", "ghost"]) == 2
    assert main(["outage", "void", "no-such-id", "--reason", "x", "--actor", "ops"]) == 2
    assert "no outage with id no-such-id" in capsys.readouterr().err
    assert asyncio.run(_corrections(database)) == {}
