"""``maintenance: {notice: 48h, windows: [...]}`` read from a config file, through the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.config import Config, load_config
from monitor.server.api import ApiTokens
from monitor.sla.availability import OutageSource
from monitor.store import new_outage
from tests.server.api.conftest import WRITE_TOKEN, Harness, MakeHarness, bearer

CLIENT_TOKEN = "client-token-0123456789abcdef"

CONFIG_FILE = """\
timezone: Europe/Amsterdam
maintenance:
  notice: 48h
  windows:
    - name: weekly-patching
      targets: [web]
      every: "sun 01:00-03:00"
targets:
  - name: web
    probe: {type: http, url: "http://127.0.0.1:9/health"}
    slas:
      - {window: 24x7, objective: 0.99}
"""


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """The API's configuration, read from a file as the daemon reads it."""
    path = tmp_path / "sla-monitor.yaml"
    path.write_text(CONFIG_FILE, encoding="utf-8")
    return load_config(path)


async def _june(h: Harness) -> dict[str, Any]:
    response = await h.client.get("/api/v1/reports/2026-06?format=json")
    assert response.status == 200, await response.text()
    report: dict[str, Any] = await response.json()
    return report


def _downtime(report: dict[str, Any]) -> int:
    [entry] = report["availability"]
    seconds: int = entry["unplanned_downtime_seconds"]
    return seconds


def _line(report: dict[str, Any], name: str) -> dict[str, Any]:
    lines: list[dict[str, Any]] = [m for m in report["maintenance"] if m["name"] == name]
    [line] = lines
    return line


def test_the_notice_is_read_from_the_maintenance_section(config: Config) -> None:
    """The mapping form gives the notice and keeps the configured windows."""
    assert config.maintenance_notice == timedelta(hours=48)
    assert [w.name for w in config.maintenance] == ["weekly-patching"]


async def test_a_window_registered_at_short_notice_forgives_nothing_until_approved(
    make_harness: MakeHarness,
) -> None:
    """12 h of notice against 48 h: the outage inside counts until another token approves."""
    tokens = ApiTokens.of(write=[("ops", WRITE_TOKEN), ("client-jansen", CLIENT_TOKEN)])
    async with make_harness(tokens=tokens) as h:
        # The clock reads Wednesday 10 June 14:00 local; the window starts 12 h later.
        short = await h.register(
            name="hotfix", start="2026-06-11T02:00:00+02:00", end="2026-06-11T04:00:00+02:00"
        )
        assert short.status == 201, await short.text()
        created = await short.json()
        assert (created["standing"], created["agreed"]) == ("short_notice", False)
        ahead = await h.register(
            name="release", start="2026-06-13T02:00:00+02:00", end="2026-06-13T04:00:00+02:00"
        )
        assert (await ahead.json())["standing"] == "agreed"

        # An outage that began after the registration, inside the short-notice window.
        outage = new_outage(
            "web", datetime(2026, 6, 11, 0, 30, tzinfo=UTC), "503", OutageSource.IMPORT
        )
        await h.store.open_outage(outage)
        await h.store.close_outage(outage.id, datetime(2026, 6, 11, 1, 30, tzinfo=UTC))
        h.clock.advance(timedelta(days=2))

        before = await _june(h)
        assert _downtime(before) == 3600
        line = _line(before, "hotfix")
        assert (line["standing"], line["counted"], line["approved_by"]) == (
            "short_notice",
            False,
            None,
        )
        assert line["registered_by"] == "ops"

        approval = await h.client.post(
            f"/api/v1/maintenance/{created['id']}/approval", headers=bearer(CLIENT_TOKEN)
        )
        assert approval.status == 200, await approval.text()
        assert (await approval.json())["standing"] == "approved"

        after = await _june(h)
        assert _downtime(after) == 0
        line = _line(after, "hotfix")
        assert (line["standing"], line["counted"], line["approved_by"]) == (
            "approved",
            True,
            "client-jansen",
        )
