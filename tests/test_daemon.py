"""End to end: ``sla-monitor run`` as a real process probing a real server on loopback.

The daemon runs as a subprocess so that SIGTERM, SIGHUP and ``kill -9`` are the real thing;
the HTTP server it probes runs in the test's event loop and is switched down and up at known
instants. Afterwards the test opens the daemon's SQLite store and checks what it recorded.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest

from tests.servers.daemon import INTERVAL, Harness, config_text
from tests.servers.http import Mode, SwitchableHttpServer

pytestmark = pytest.mark.slow


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    async with SwitchableHttpServer() as server:
        h = Harness(tmp_path, server)
        try:
            yield h
        finally:
            await h.close()


def now() -> datetime:
    return datetime.now(UTC)


# A bound is "within one interval of the truth"; allow for scheduling jitter on a busy CI box.
SLACK = INTERVAL + timedelta(milliseconds=300)


def assert_close(actual: datetime, truth: datetime, what: str) -> None:
    assert truth - timedelta(milliseconds=50) <= actual <= truth + SLACK, (
        f"{what}: {actual.isoformat()} is not within one interval of {truth.isoformat()}"
    )


async def test_a_known_down_stretch_is_stored_as_exactly_one_outage(harness: Harness) -> None:
    """Server down for 3 s: one outage whose bounds are within one interval of the truth."""
    daemon = await harness.start()
    await asyncio.sleep(1.5)
    down_at = now()
    await harness.server.set_mode(Mode.DOWN)
    await daemon.wait_for("outage_opened")
    await asyncio.sleep(2.0)
    up_at = now()
    await harness.server.set_mode(Mode.UP)
    await daemon.wait_for("outage_closed")
    assert await daemon.stop() == 0

    store = await harness.store()
    try:
        outages = await store.outages(target="web")
    finally:
        await store.close()
    assert len(outages) == 1
    (outage,) = outages
    assert outage.end is not None
    assert_close(outage.start, down_at, "outage start")
    assert_close(outage.end, up_at, "outage end")
    assert outage.cause.startswith("connection_refused")


async def test_sigterm_and_restart_in_the_middle_of_an_outage_leave_one_outage(
    harness: Harness,
) -> None:
    """The restarted daemon continues the open outage instead of opening a second one."""
    first = await harness.start()
    await asyncio.sleep(1.0)
    down_at = now()
    await harness.server.set_mode(Mode.DOWN)
    await first.wait_for("outage_opened")
    assert await first.stop() == 0

    second = await harness.start()
    started = await second.wait_for("daemon_started")
    assert started["continued_outages"] == ["web"]
    await asyncio.sleep(1.5)
    up_at = now()
    await harness.server.set_mode(Mode.UP)
    await second.wait_for("outage_closed")
    assert await second.stop() == 0
    assert second.count("outage_opened") == 0

    store = await harness.store()
    try:
        outages = await store.outages(target="web")
        sessions = await store.sessions(target="web")
    finally:
        await store.close()
    assert len(outages) == 1
    assert_close(outages[0].start, down_at, "outage start")
    assert outages[0].end is not None
    assert_close(outages[0].end, up_at, "outage end")
    assert len(sessions) == 2  # the restart is a gap, never covered time


async def test_kill_9_and_restart_leave_a_recorded_unmonitored_gap(harness: Harness) -> None:
    """After SIGKILL nothing is repaired by hand: the time away is the gap between sessions."""
    first = await harness.start()
    await asyncio.sleep(1.5)
    assert await first.stop(signal.SIGKILL) == -signal.SIGKILL
    killed_at = now()
    await asyncio.sleep(2.0)
    second = await harness.start()
    await asyncio.sleep(1.5)
    assert await second.stop() == 0

    store = await harness.store()
    try:
        sessions = sorted(await store.sessions(target="web"), key=lambda s: s.started_at)
        outages = await store.outages(target="web")
    finally:
        await store.close()
    assert len(sessions) == 2
    gap_start, gap_end = sessions[0].last_seen_at, sessions[1].started_at
    assert gap_start <= killed_at
    assert gap_end - gap_start >= timedelta(seconds=2)
    assert outages == []  # a restart never invents an outage


async def test_sighup_with_a_broken_config_keeps_the_last_good_one(harness: Harness) -> None:
    """A bad reload is logged and reported by a metric; probing goes on with the old config."""
    daemon = await harness.start()
    harness.config.write_text("targets:\n  - name: web\n    probe: {type: htp}\n", "utf-8")
    daemon.process.send_signal(signal.SIGHUP)
    failed = await daemon.wait_for("config_reload_failed")
    assert any("probe" in str(line) for line in failed["problems"])  # type: ignore[attr-defined]

    async with aiohttp.ClientSession() as session:
        metrics_url = f"http://127.0.0.1:{daemon.port}/metrics"
        async with session.get(metrics_url) as response:
            text = await response.text()
        assert "sla_monitor_config_last_reload_successful 0.0" in text
        harness.config.write_text(
            config_text(harness.server.url, extra_target=True), encoding="utf-8"
        )
        daemon.process.send_signal(signal.SIGHUP)
        await daemon.wait_for("config_reloaded")
        await asyncio.sleep(1.5)
        async with session.get(metrics_url) as response:
            text = await response.text()
    assert "sla_monitor_config_last_reload_successful 1.0" in text
    assert 'probe_success{target="web-two"} 1.0' in text
    assert await daemon.stop() == 0


async def test_a_window_registered_through_the_api_shows_in_status_and_metrics(
    harness: Harness, tmp_path: Path
) -> None:
    """With named write tokens, POST a maintenance window now in progress, approve it with the
    client's token, then read it back through /api/v1/status and sla_in_maintenance."""
    token, client_token = "test-write-token-0123456789", "client-write-token-0123456789"
    tokens = tmp_path / "write-tokens"
    tokens.write_text(f"ops:{token}\nclient:{client_token}\n", "utf-8")
    daemon = await harness.start({"SLA_MONITOR_WRITE_TOKENS_FILE": str(tokens)})
    base = f"http://127.0.0.1:{daemon.port}"
    start, end = now() - timedelta(minutes=5), now() + timedelta(hours=1)
    body = {
        "name": "emergency-patch",
        "targets": ["web"],
        "start": start.isoformat(),
        "end": end.isoformat(),
        "reason": "kernel patch",
        "requested_by": "ops on duty",
    }
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{base}/api/v1/maintenance", json=body) as response:
            assert response.status == 401  # no token, no write
        headers = {"Authorization": f"Bearer {token}"}
        async with session.post(
            f"{base}/api/v1/maintenance", json=body, headers=headers
        ) as response:
            assert response.status == 201, await response.text()
            window_id = (await response.json())["id"]
        async with session.post(
            f"{base}/api/v1/maintenance/{window_id}/approval",
            headers={"Authorization": f"Bearer {client_token}"},
        ) as response:
            assert response.status == 200, await response.text()
            assert (await response.json())["approved_by"] == "client"
        await asyncio.sleep(1.0)  # the change wakes the recompute job
        async with session.get(f"{base}/api/v1/status") as response:
            status = await response.json()
        async with session.get(f"{base}/metrics") as response:
            metrics = await response.text()
    assert [t["name"] for t in status["targets"]] == ["web"]
    assert 'sla_in_maintenance{target="web"} 1.0' in metrics
    assert await daemon.stop() == 0


async def test_the_daemon_catches_up_the_missed_monthly_export_at_start(
    harness: Harness, tmp_path: Path
) -> None:
    """With an export directory, last month's report is written once, in all three formats."""
    directory = tmp_path / "reports"
    daemon = await harness.start({"SLA_MONITOR_EXPORT_DIR": str(directory)})
    await daemon.wait_for("report_exported")
    await asyncio.sleep(0.5)
    assert await daemon.stop() == 0
    written = sorted(p.name for p in directory.iterdir())
    assert len(written) == 3
    assert {p.rsplit(".", 1)[1] for p in written} == {"json", "csv", "html"}
    assert daemon.count("report_exported") == 3
    again = await harness.start({"SLA_MONITOR_EXPORT_DIR": str(directory)})
    await asyncio.sleep(1.5)
    assert await again.stop() == 0
    assert again.count("report_exported") == 0  # once, never twice
