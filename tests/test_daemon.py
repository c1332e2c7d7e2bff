"""End to end: ``sla-monitor run`` as a real process probing a real server on loopback.

The daemon runs as a subprocess so that SIGTERM, SIGHUP and ``kill -9`` are the real thing;
the HTTP server it probes runs in the test's event loop and is switched down and up at known
instants. Afterwards the test opens the daemon's SQLite store and checks what it recorded.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from monitor.daemon import Daemon, DaemonOptions
from monitor.settings import Settings
from monitor.store import ProbeResultRow
from probes.base import ProbeContext
from tests.polling import eventually
from tests.report.pdf import hiding_weasyprint, unavailable_reason
from tests.servers.daemon import INTERVAL, DaemonProcess, Harness, config_text, get
from tests.servers.http import Mode, SwitchableHttpServer
from tests.servers.sqlite_faults import overwrite_table_root_page

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


async def metrics_with(daemon: DaemonProcess, *samples: str, within: float = 15.0) -> str:
    """The first ``/metrics`` page of ``daemon`` that holds every one of ``samples``."""

    async def page() -> str | None:
        status, text = await get(daemon.port, "/metrics")
        return text if status == 200 and all(s in text for s in samples) else None

    return await eventually(page, f"/metrics to show {', '.join(samples)}", within=within)


async def probe_count(daemon: DaemonProcess, result: str, at_least: int) -> None:
    """Wait until ``daemon`` has counted ``at_least`` probe results of ``web`` with ``result``."""

    async def counted() -> bool:
        _, text = await get(daemon.port, "/metrics")
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == "sla_probe_results_total" and sample.labels == {
                    "target": "web",
                    "result": result,
                }:
                    return sample.value >= at_least
        return False

    await eventually(counted, f"{at_least} probe results of web with result={result}")


async def stored_sessions(harness: Harness, count: int) -> None:
    """Wait until the store holds ``count`` monitoring sessions of ``web`` (written in batches)."""
    store = await harness.store()
    try:

        async def enough() -> bool:
            return len(await store.sessions(target="web")) >= count

        await eventually(enough, f"{count} stored session(s) of web")
    finally:
        await store.close()


async def test_a_known_down_stretch_is_stored_as_exactly_one_outage(harness: Harness) -> None:
    """Server down for 3 s: one outage whose bounds are within one interval of the truth."""
    daemon = await harness.start()
    await daemon.wait_for("probe_succeeded")
    down_at = now()
    await harness.server.set_mode(Mode.DOWN)
    await daemon.wait_for("outage_opened")
    await asyncio.sleep(2.0)  # a duration, not synchronisation: the outage lasts a while
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
    await first.wait_for("probe_succeeded")
    down_at = now()
    await harness.server.set_mode(Mode.DOWN)
    await first.wait_for("outage_opened")
    assert await first.stop() == 0

    second = await harness.start()
    started = await second.wait_for("daemon_started")
    assert started["continued_outages"] == ["web"]
    failed = await second.wait_for("probe_failed")  # the restarted daemon sees it down too
    assert failed["first"] is True
    await probe_count(second, "failure", 2)  # as many as open an outage: it is continued
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
    await stored_sessions(harness, 1)
    assert await first.stop(signal.SIGKILL) == -signal.SIGKILL
    killed_at = now()
    await asyncio.sleep(2.0)  # a duration, not synchronisation: the daemon stays away 2 s
    second = await harness.start()
    await stored_sessions(harness, 2)
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
    problems = failed["problems"]
    assert isinstance(problems, list)
    assert any("probe" in str(line) for line in problems)

    status, text = await get(daemon.port, "/metrics")
    assert status == 200
    assert "sla_monitor_config_last_reload_successful 0.0" in text
    harness.config.write_text(config_text(harness.server.url, extra_target=True), encoding="utf-8")
    daemon.process.send_signal(signal.SIGHUP)
    await daemon.wait_for("config_reloaded")
    text = await metrics_with(daemon, 'probe_success{target="web-two"} 1.0')
    assert "sla_monitor_config_last_reload_successful 1.0" in text
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
        # The change wakes the recompute job; the next snapshot has the window.
        await metrics_with(daemon, 'sla_in_maintenance{target="web"} 1.0')
        async with session.get(f"{base}/api/v1/status") as response:
            status = await response.json()
    assert [t["name"] for t in status["targets"]] == ["web"]
    assert await daemon.stop() == 0


async def test_the_daemon_catches_up_the_missed_monthly_export_at_start(
    harness: Harness, tmp_path: Path
) -> None:
    """With an export directory, last month's report is written once, in all three formats,
    with its manifest."""
    directory = tmp_path / "reports"
    daemon = await harness.start({"SLA_MONITOR_EXPORT_DIR": str(directory)})
    await eventually(lambda: daemon.count("report_exported") >= 4, "four report_exported")
    assert await daemon.stop() == 0
    written = sorted(p.name for p in directory.iterdir())
    assert len(written) == 4
    assert {p.split(".", 1)[1] for p in written} == {"json", "csv", "html", "manifest.json"}
    assert daemon.count("report_exported") == 4
    again = await harness.start({"SLA_MONITOR_EXPORT_DIR": str(directory)})
    # The catch-up is queued before the scheduler starts and finds nothing due without
    # waiting on anything, so it has run by the time the first probe result is logged.
    await again.wait_for("probe_succeeded")
    assert await again.stop() == 0
    assert again.count("report_exported") == 0  # once, never twice


# -- hostile input and faults ---------------------------------------------------------------

ALIAS_BOMB = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
    for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
)


async def test_sighup_with_an_alias_bomb_is_refused_while_the_daemon_keeps_serving(
    harness: Harness,
) -> None:
    """The reload fails with the bound named, probes and /metrics go on, SIGTERM still stops."""
    daemon = await harness.start()
    harness.config.write_text(ALIAS_BOMB, encoding="utf-8")
    daemon.process.send_signal(signal.SIGHUP)
    failed = await daemon.wait_for("config_reload_failed", within=30)
    assert "aliases expand to more than" in str(failed["problems"])
    assert await get(daemon.port, "/-/healthy") == (200, "OK\n")
    status, metrics = await get(daemon.port, "/metrics")
    assert status == 200
    assert "sla_monitor_config_last_reload_successful 0.0" in metrics
    assert await daemon.stop() == 0


async def test_sigterm_stops_the_daemon_while_a_reload_is_stuck_reading_the_file(
    harness: Harness,
) -> None:
    """A FIFO with no writer blocks the reading thread forever; the daemon keeps serving,
    refuses a second reload meanwhile, and exits 0 on SIGTERM (the stop has a timeout)."""
    daemon = await harness.start()
    harness.config.unlink()
    os.mkfifo(harness.config)
    daemon.process.send_signal(signal.SIGHUP)
    assert await get(daemon.port, "/-/healthy") == (200, "OK\n")
    daemon.process.send_signal(signal.SIGHUP)
    failed = await daemon.wait_for("config_reload_failed")
    assert "the previous reload is still reading the file" in str(failed["problems"])
    assert await get(daemon.port, "/-/healthy") == (200, "OK\n")
    assert await daemon.stop() == 0
    assert daemon.count("daemon_stopped") == 1


async def test_sighup_with_a_password_file_that_does_not_exist_is_a_failed_reload(
    harness: Harness, tmp_path: Path
) -> None:
    """Green means working: a mailbox whose secret cannot be read is not a successful reload."""
    daemon = await harness.start()
    secret = tmp_path / "imap-password"
    harness.config.write_text(
        config_text(harness.server.url)
        + "servicedesk:\n  mailboxes:\n    - name: desk\n      url: imap://127.0.0.1:1\n"
        f"      username: u\n      password_file: {secret}\n"
        "      desk_addresses: [desk@example.nl]\n",
        encoding="utf-8",
    )
    daemon.process.send_signal(signal.SIGHUP)
    failed = await daemon.wait_for("config_reload_failed")
    assert failed["problems"] == [
        f"{harness.config}: servicedesk.mailboxes[0].password_file: cannot read {secret}: "
        "No such file or directory"
    ]
    assert daemon.count("config_reloaded") == 0
    assert await daemon.stop() == 0


PDF_EXPORT = "report:\n  export_formats: [json, csv, html, pdf]\n"


async def test_a_daemon_without_weasyprint_refuses_to_start_with_pdf_exports(
    harness: Harness, tmp_path: Path
) -> None:
    """``pdf`` in ``report.export_formats`` where WeasyPrint cannot be imported: one line
    naming the field and exit 2, as for any bad configuration."""
    harness.config.write_text(config_text(harness.server.url) + PDF_EXPORT, encoding="utf-8")
    code, daemon = await harness.exit_code(hiding_weasyprint(tmp_path / "hidden", ImportError))
    assert code == 2
    [failed] = [e for e in daemon.events if e["level"] == "error"]
    assert failed["event"] == "config_invalid"
    assert failed["problems"] == [
        f"{harness.config}: report.export_formats: pdf needs WeasyPrint: "
        + unavailable_reason(ImportError)
    ]


async def test_sighup_adding_pdf_exports_without_weasyprint_keeps_the_last_good_config(
    harness: Harness, tmp_path: Path
) -> None:
    """Pango missing (the import raises OSError): the reload is refused with the field named,
    the reload metric says so, and the daemon goes on with the old file."""
    daemon = await harness.start(hiding_weasyprint(tmp_path / "hidden", OSError))
    harness.config.write_text(
        config_text(harness.server.url, extra_target=True) + PDF_EXPORT, encoding="utf-8"
    )
    daemon.process.send_signal(signal.SIGHUP)
    failed = await daemon.wait_for("config_reload_failed")
    assert failed["problems"] == [
        f"{harness.config}: report.export_formats: pdf needs WeasyPrint: "
        + unavailable_reason(OSError)
    ]
    text = await metrics_with(daemon, "sla_monitor_config_last_reload_successful 0.0")
    assert 'target="web-two"' not in text
    assert daemon.count("config_reloaded") == 0
    assert await daemon.stop() == 0


async def test_a_listen_address_in_use_is_one_line_and_exit_2(harness: Harness) -> None:
    """The address is named with what to do; no OSError traceback reaches the log."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, daemon = await harness.exit_code({"SLA_MONITOR_LISTEN": f"127.0.0.1:{port}"})
    assert code == 2
    [failed] = [e for e in daemon.events if e["level"] == "error"]
    assert failed["event"] == "listen_failed"
    assert failed["problem"] == (
        f"cannot listen on 127.0.0.1:{port}: Address already in use; stop the other process "
        "or set SLA_MONITOR_LISTEN to a free address"
    )
    assert all(line.startswith(b"{") for line in daemon.lines)


async def test_a_page_corrupted_store_at_start_is_one_line_and_exit_1(
    harness: Harness, tmp_path: Path
) -> None:
    """The outages table is unreadable: the daemon says the file is damaged, without the SQL."""
    first = await harness.start()
    assert await first.stop() == 0
    database = tmp_path / "sla.db"
    overwrite_table_root_page(database, "outages")
    code, daemon = await harness.exit_code()
    assert code == 1
    [failed] = [e for e in daemon.events if e["level"] == "error"]
    assert failed["event"] == "store_unavailable"
    assert failed["problem"] == (
        f"the SQLite file {database} is damaged (database disk image is malformed); restore "
        "it from a backup, or move it away to start an empty store"
    )
    assert all(line.startswith(b"{") for line in daemon.lines)


async def test_protocol_errors_and_disconnects_leave_no_token_and_no_traceback_in_the_log(
    harness: Harness,
) -> None:
    """An over-long request line and header quoting the write token get the JSON error shape;
    the log has one masked event each, and a client gone mid-body adds nothing at info."""
    token = "hostile-write-token-0123456789abcdef"
    daemon = await harness.start({"SLA_MONITOR_WRITE_TOKEN": token})
    requests = [
        f"GET /api/v1/status?access_token={token}&pad={'x' * 9000} HTTP/1.1\r\nHost: a\r\n\r\n",
        f"GET /api/v1/status HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer {token}\r\n"
        f"X-Pad: {'y' * 9000}\r\n\r\n",
    ]
    for request in requests:
        reader, writer = await asyncio.open_connection("127.0.0.1", daemon.port)
        writer.write(request.encode("ascii"))
        async with asyncio.timeout(10):
            answer = await reader.read()
        writer.close()
        head, _, body = answer.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 400") or head.startswith(b"HTTP/1.0 400")
        assert b"Content-Type: application/json" in head
        assert json.loads(body)["error"] == "bad_request"
    for _ in range(3):
        reader, writer = await asyncio.open_connection("127.0.0.1", daemon.port)
        writer.write(
            b"POST /api/v1/maintenance HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n"
            + f"Authorization: Bearer {token}\r\nContent-Length: 5000\r\n\r\n".encode("ascii")
            + b'{"name": "half'
        )
        await writer.drain()
        writer.close()
    assert await get(daemon.port, "/-/healthy") == (200, "OK\n")
    assert await daemon.stop() == 0
    assert daemon.count("http_request_refused") == 2
    log = b"".join(daemon.lines)
    assert token.encode() not in log
    assert all(line.startswith(b"{") for line in daemon.lines)
    assert not any("exception" in event for event in daemon.events)  # no traceback inside


async def test_a_reload_that_outlasts_its_time_limit_keeps_the_last_good_config(
    tmp_path: Path, probe_context: ProbeContext
) -> None:
    """Reading a FIFO nobody writes never returns: after reload_timeout the reload fails, the
    metric says so, and the daemon stops normally while the reading thread is still stuck."""
    config = tmp_path / "sla-monitor.yaml"
    config.write_text("timezone: Europe/Amsterdam\n", encoding="utf-8")
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'sla.db'}", listen="127.0.0.1:0"
    )
    options = DaemonOptions(
        reload_timeout=timedelta(milliseconds=300), install_signal_handlers=False
    )
    daemon = Daemon(settings, config_path=config, options=options)
    running = asyncio.create_task(daemon.run())
    try:
        await eventually(daemon.snapshot, "the first SLA snapshot", within=20)
        config.unlink()
        os.mkfifo(config)
        assert await asyncio.wait_for(daemon.reload(probe_context), timeout=20) is False
        ok = daemon.registry.get_sample_value("sla_monitor_config_last_reload_successful")
        assert ok == 0.0
        daemon.request_stop()
        assert await asyncio.wait_for(running, timeout=30) == 0
    finally:
        daemon.request_stop()
        # Let the stuck thread finish: a writer that opens and closes gives it end-of-file.
        with contextlib.suppress(OSError):
            os.close(os.open(config, os.O_WRONLY | os.O_NONBLOCK))
        with contextlib.suppress(Exception):
            await asyncio.wait_for(running, timeout=30)


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
    # web-two is probed at once; web never, while its calendar is closed.
    text = await metrics_with(daemon, 'probe_success{target="web-two"} 1.0')
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
    # The snapshot's series appear once a recompute has run.
    text = await metrics_with(daemon, 'servicedesk_response_objective_ratio{category="email"} 0.8')
    status, _ = await get(daemon.port, "/-/ready")
    assert status == 200
    assert await daemon.stop() == 0
    assert "sla_monitor_build_info{" in text
    assert daemon.count("no_targets_configured") == 1
    loud = [e for e in daemon.events if e.get("level") in {"warning", "error", "critical"}]
    assert loud == []
    assert daemon.count("daemon_stopped") == 1
