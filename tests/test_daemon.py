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

from monitor.store import ProbeResultRow
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
    harness: Harness,
) -> None:
    """With a write token set, POST a maintenance window now in progress (approved), then read
    it back through /api/v1/maintenance, /api/v1/status and sla_in_maintenance."""
    token = "test-write-token-0123456789"
    daemon = await harness.start({"SLA_MONITOR_WRITE_TOKEN": token})
    base = f"http://127.0.0.1:{daemon.port}"
    start, end = now() - timedelta(minutes=5), now() + timedelta(hours=1)
    body = {
        "name": "emergency-patch",
        "targets": ["web"],
        "start": start.isoformat(),
        "end": end.isoformat(),
        "reason": "kernel patch",
        "requested_by": "ops on duty",
        "approved_by": "client: J. Jansen",
    }
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{base}/api/v1/maintenance", json=body) as response:
            assert response.status == 401  # no token, no write
        headers = {"Authorization": f"Bearer {token}"}
        async with session.post(
            f"{base}/api/v1/maintenance", json=body, headers=headers
        ) as response:
            assert response.status == 201, await response.text()
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


async def test_a_target_outside_its_schedule_keeps_its_last_outcome_and_says_it_is_not_probed(
    harness: Harness,
) -> None:
    """Started on a closed day: probe_success is the stored last outcome, not 0, and
    sla_target_probing tells the dashboard the target is not being probed."""
    today = now().date()
    closed = ", ".join(str(today + timedelta(days=d)) for d in (-1, 0, 1))
    harness.config.write_text(
        config_text(harness.server.url, extra_target=True)
        .replace(
            "timezone: Europe/Amsterdam\n",
            "timezone: Europe/Amsterdam\ncalendars:\n  closed-now:\n"
            f"    holidays: {{country: null, include: [{closed}]}}\n",
        )
        .replace(
            "    failures_before_down: 2\n",
            "    failures_before_down: 2\n    schedule: closed-now\n",
        ),
        encoding="utf-8",
    )
    store = await harness.store()
    try:
        await store.record_probe_results(
            [ProbeResultRow("web", now() - timedelta(days=2), 0.25, ok=True)]
        )
    finally:
        await store.close()

    daemon = await harness.start()
    async with aiohttp.ClientSession() as session:
        url = f"http://127.0.0.1:{daemon.port}/metrics"
        async with asyncio.timeout(15):
            while True:  # web-two is probed at once; web never, while its calendar is closed
                async with session.get(url) as response:
                    text = await response.text()
                if 'probe_success{target="web-two"} 1.0' in text:
                    break
                await asyncio.sleep(0.1)
    assert await daemon.stop() == 0
    assert 'probe_success{target="web"} 1.0' in text
    assert 'sla_target_probing{target="web"} 0.0' in text
    assert 'sla_target_probing{target="web-two"} 1.0' in text
    assert daemon.count("probe_succeeded") == 1  # web-two only


EXAMPLE = Path(__file__).resolve().parents[1] / "config" / "sla-monitor.example.yaml"


async def test_the_shipped_example_starts_a_daemon_that_logs_no_warning(harness: Harness) -> None:
    """The README's first command on a fresh machine: it starts, computes its figures,
    serves them and stops cleanly without a single line at level warning or above."""
    harness.config.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    daemon = await harness.start()
    async with aiohttp.ClientSession() as session:
        url = f"http://127.0.0.1:{daemon.port}/metrics"
        async with asyncio.timeout(15):
            while True:  # the snapshot's series appear once a recompute has run
                async with session.get(url) as response:
                    text = await response.text()
                if 'servicedesk_response_objective_ratio{category="email"} 0.8' in text:
                    break
                await asyncio.sleep(0.1)
        async with session.get(f"http://127.0.0.1:{daemon.port}/-/ready") as response:
            assert response.status == 200
    assert await daemon.stop() == 0
    assert "sla_monitor_build_info{" in text
    assert daemon.count("no_targets_configured") == 1
    loud = [e for e in daemon.events if e.get("level") in {"warning", "error", "critical"}]
    assert loud == []
    assert daemon.count("daemon_stopped") == 1
