"""End to end: ``SLA_MONITOR_WORKERS=2``, the targets probed by two worker processes.

The daemon and its workers are real processes probing a real server on loopback; the test
kills a worker with SIGKILL and stops the daemon with SIGTERM, then reads what the store holds.
With ``config_text(extra_target=True)`` the stable assignment puts ``web`` on worker 1 and
``web-two`` on worker 0, so both workers have a target.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import signal
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.probing.ipc import owner
from tests.polling import eventually
from tests.servers.daemon import INTERVAL, DaemonProcess, Harness, config_text, get
from tests.servers.http import Mode, SwitchableHttpServer

pytestmark = pytest.mark.slow

WORKERS = {"SLA_MONITOR_WORKERS": "2"}
SLACK = INTERVAL + timedelta(milliseconds=300)
FAR_PAST = datetime(2000, 1, 1, tzinfo=UTC)
FAR_FUTURE = datetime(2100, 1, 1, tzinfo=UTC)


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    async with SwitchableHttpServer() as server:
        h = Harness(tmp_path, server)
        h.config.write_text(config_text(server.url, extra_target=True), encoding="utf-8")
        try:
            yield h
        finally:
            await h.close()


def assert_close(actual: datetime, truth: datetime, what: str) -> None:
    assert truth - timedelta(milliseconds=50) <= actual <= truth + SLACK, (
        f"{what}: {actual.isoformat()} is not within one interval of {truth.isoformat()}"
    )


async def workers(daemon: DaemonProcess) -> list[dict[str, object]]:
    """The ``workers`` of ``/api/v1/status``."""
    status, text = await get(daemon.port, "/api/v1/status")
    assert status == 200, text
    answer = json.loads(text)
    assert isinstance(answer, dict)
    listed = answer["workers"]
    assert isinstance(listed, list)
    return listed


async def stored_results(harness: Harness, target: str) -> int:
    store = await harness.store()
    try:
        return len(await store.probe_results(target, FAR_PAST, FAR_FUTURE))
    finally:
        await store.close()


async def stored_sessions(harness: Harness, target: str, count: int) -> None:
    """Wait until the store holds ``count`` monitoring sessions of ``target``."""

    async def enough() -> bool:
        store = await harness.store()
        try:
            return len(await store.sessions(target=target)) >= count
        finally:
            await store.close()

    await eventually(enough, f"{count} stored session(s) of {target}", within=20, every=0.2)


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_two_targets_belong_to_different_workers() -> None:
    """The premise of the tests below: ``web`` and ``web-two`` are on different workers."""
    assert {owner("web", 2), owner("web-two", 2)} == {0, 1}


async def test_targets_split_across_two_workers_are_all_probed_and_stored(
    harness: Harness,
) -> None:
    """Each worker probes its own target, and the daemon stores the results of both."""
    daemon = await harness.start(WORKERS)
    listed = await workers(daemon)
    assert [w["targets"] for w in listed] == [1, 1]
    pids = {w["pid"] for w in listed}
    assert len(pids) == 2
    assert daemon.process.pid not in pids

    async def both_stored() -> bool:
        return all([await stored_results(harness, name) >= 2 for name in ("web", "web-two")])

    await eventually(both_stored, "results of both targets in the store", within=20, every=0.2)
    assert await daemon.stop() == 0


async def test_an_outage_probed_by_a_worker_has_the_single_process_bounds(
    harness: Harness,
) -> None:
    """Server down for 2 s: one outage per target, bounds within one interval of the truth."""
    daemon = await harness.start(WORKERS)
    await daemon.wait_for("probe_succeeded")
    down_at = datetime.now(UTC)
    await harness.server.set_mode(Mode.DOWN)
    await eventually(lambda: daemon.count("outage_opened") >= 2, "both outages to open")
    await asyncio.sleep(2.0)  # a duration, not synchronisation: the outage lasts a while
    up_at = datetime.now(UTC)
    await harness.server.set_mode(Mode.UP)
    await eventually(lambda: daemon.count("outage_closed") >= 2, "both outages to close")
    assert await daemon.stop() == 0

    store = await harness.store()
    try:
        for name in ("web", "web-two"):
            outages = await store.outages(target=name)
            assert len(outages) == 1, name
            (outage,) = outages
            assert outage.end is not None
            # web-two takes one failure to go down, web two: both open at their first failure.
            assert_close(outage.start, down_at, f"{name} outage start")
            assert_close(outage.end, up_at, f"{name} outage end")
            assert outage.cause.startswith("connection_refused")
    finally:
        await store.close()


async def test_a_killed_worker_is_an_unmonitored_gap_not_downtime_and_comes_back(
    harness: Harness,
) -> None:
    """SIGKILL of the worker of ``web``: its session ends, no outage, a new worker takes over."""
    daemon = await harness.start(WORKERS)
    await stored_sessions(harness, "web", 1)
    index = owner("web", 2)
    victim = (await workers(daemon))[index]["pid"]
    assert isinstance(victim, int)
    os.kill(victim, signal.SIGKILL)
    died = await daemon.wait_for("probe_worker_died")
    assert (died["worker"], died["pid"], died["exit"]) == (index, victim, "SIGKILL")
    restarted = await daemon.wait_for("probe_worker_restarted", within=20)
    assert restarted["worker"] == index
    assert restarted["pid"] != victim
    listed = await workers(daemon)
    assert (listed[index]["pid"], listed[index]["restarts"]) == (restarted["pid"], 1)
    await stored_sessions(harness, "web", 2)
    assert await daemon.stop() == 0

    store = await harness.store()
    try:
        sessions = sorted(await store.sessions(target="web"), key=lambda s: s.started_at)
        others = await store.sessions(target="web-two")
        outages = await store.outages(target="web")
    finally:
        await store.close()
    assert len(sessions) == 2
    assert sessions[0].last_seen_at < sessions[1].started_at  # the gap is not covered
    assert len(others) == 1  # the other worker's target kept its session
    assert outages == []
    assert daemon.count("probe_worker_died") == 1


async def test_sigterm_stops_the_workers_and_stores_every_result_they_probed(
    harness: Harness,
) -> None:
    """Every result a worker says it probed reaches the store, and no worker outlives it."""
    daemon = await harness.start(WORKERS)
    pids = [w["pid"] for w in await workers(daemon)]
    await eventually(
        lambda: daemon.count("probe_succeeded") >= 2, "both targets to be probed", within=20
    )
    assert await daemon.stop() == 0

    stopped = [e for e in daemon.events if e.get("event") == "probe_worker_stopped"]
    assert len(stopped) == 2
    for line in stopped:
        assert line["probed"] == line["delivered"], line
    probed = [line["probed"] for line in stopped]
    assert all(isinstance(n, int) and n > 0 for n in probed)
    stored = await stored_results(harness, "web") + await stored_results(harness, "web-two")
    assert stored == sum(n for n in probed if isinstance(n, int))
    for pid in pids:
        assert isinstance(pid, int)
        await eventually(functools.partial(gone, pid), f"worker {pid} to exit")


async def test_a_target_added_by_sighup_is_probed_by_its_worker(harness: Harness) -> None:
    """A reload sends the new target set to the workers; the added target gets results."""
    daemon = await harness.start(WORKERS)
    one = config_text(harness.server.url).split("targets:", 1)[1]
    text = harness.config.read_text(encoding="utf-8")
    harness.config.write_text(text + one.replace("name: web", "name: web-three"))
    daemon.process.send_signal(signal.SIGHUP)
    await daemon.wait_for("config_reloaded")

    async def stored() -> bool:
        return await stored_results(harness, "web-three") >= 2

    await eventually(stored, "results of the added target", within=20, every=0.2)
    expected = [1, 1]
    expected[owner("web-three", 2)] += 1
    assert [w["targets"] for w in await workers(daemon)] == expected
    assert await daemon.stop() == 0


async def test_the_environment_overrides_the_configured_worker_count(harness: Harness) -> None:
    """``probing.workers: 2`` in the file and ``SLA_MONITOR_WORKERS=0``: one process probes."""
    text = harness.config.read_text(encoding="utf-8")
    harness.config.write_text(text + "probing:\n  workers: 2\n", encoding="utf-8")
    configured = await harness.start()
    assert len(await workers(configured)) == 2
    assert await configured.stop() == 0
    overridden = await harness.start({"SLA_MONITOR_WORKERS": "0"})
    assert await workers(overridden) == []
    await overridden.wait_for("probe_succeeded")
    assert await overridden.stop() == 0


async def test_a_reload_that_changes_the_worker_count_says_it_needs_a_restart(
    harness: Harness,
) -> None:
    """The worker count is read at start: a reload keeps the running workers and says so."""
    text = harness.config.read_text(encoding="utf-8")
    harness.config.write_text(text + "probing:\n  workers: 2\n", encoding="utf-8")
    daemon = await harness.start()
    harness.config.write_text(text + "probing:\n  workers: 1\n", encoding="utf-8")
    daemon.process.send_signal(signal.SIGHUP)
    warning = await daemon.wait_for("workers_change_needs_restart")
    assert "probing.workers is now 1" in str(warning["problem"])
    await daemon.wait_for("config_reloaded")
    assert len(await workers(daemon)) == 2
    assert await daemon.stop() == 0
