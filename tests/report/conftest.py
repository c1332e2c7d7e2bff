"""The seeded month (see ``seed.py``) in a real SQLite store, and its report."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from monitor.config import Config, parse_config
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


DUTCH = """\
report:
  language: nl
  header:
    supplier: Dienstverlener B.V.
    client: Stichting Opdrachtgever
    contract_reference: OVK-2026-017
  export_formats: [json, csv, html, pdf]
"""
"""The seeded configuration with a Dutch report for the client, PDF exported too."""


@pytest.fixture
def dutch_config(seeded: Seeded) -> Config:
    """The seeded targets and categories, reported in Dutch with a header."""
    return parse_config(seed.CONFIG_TEXT + DUTCH, str(seeded.config_path))


@pytest.fixture
async def dutch_may_report(seeded: Seeded, dutch_config: Config) -> Report:
    """May 2026 in Dutch as known on Monday 1 June 12:00 (not final, three misses)."""
    return await load_report(seeded.store, dutch_config, MAY, seed.NOT_FINAL_NOW)
