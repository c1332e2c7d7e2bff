"""The seeded month (see ``seed.py``) in a real SQLite store, and its report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from monitor.config import Config
from monitor.report import Report, load_report
from monitor.sla.months import Month
from monitor.store import Store
from tests.report import seed

MAY = Month(2026, 5)


@dataclass(frozen=True)
class Seeded:
    store: Store
    config: Config
    url: str
    config_path: Path


@pytest.fixture
async def seeded(tmp_path: Path) -> AsyncIterator[Seeded]:
    """May 2026 as worked out in ``seed.py``, in a fresh SQLite store."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    cfg = seed.config(tmp_path)
    store = await Store.open(url)
    try:
        await seed.seed(store, cfg)
        yield Seeded(store, cfg, url, tmp_path / "sla-monitor.yaml")
    finally:
        await store.close()


@pytest.fixture
async def may_report(seeded: Seeded) -> Report:
    """The report of May 2026 as known on Monday 1 June 12:00 (not final yet)."""
    return await load_report(seeded.store, seeded.config, MAY, seed.NOT_FINAL_NOW)
