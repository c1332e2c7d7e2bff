"""The seeded month (see ``seed.py``) in a real SQLite store, and its report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from monitor.report import Report, load_report
from monitor.sla.months import Month
from tests.report import seed
from tests.report.seed import Seeded

MAY = Month(2026, 5)


@pytest.fixture
async def seeded(tmp_path: Path) -> AsyncIterator[Seeded]:
    """May 2026 as worked out in ``seed.py``, in a fresh SQLite store."""
    async with seed.seeded_store(tmp_path) as seeded:
        yield seeded


@pytest.fixture
async def may_report(seeded: Seeded) -> Report:
    """The report of May 2026 as known on Monday 1 June 12:00 (not final yet)."""
    return await load_report(seeded.store, seeded.config, MAY, seed.NOT_FINAL_NOW)
