"""A real Prometheus (Debian ``prometheus``) scrapes a real daemon on loopback.

The test takes the probed server down, and then asks Prometheus' HTTP API — not the daemon —
for ``sla_availability_ratio``: the figure must have dropped below 1 for exactly that target,
and the burn-rate counters must be usable by ``rate()``.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from tests.polling import eventually
from tests.servers.daemon import Harness
from tests.servers.http import Mode, SwitchableHttpServer

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    async with SwitchableHttpServer() as server:
        h = Harness(tmp_path, server)
        try:
            yield h
        finally:
            await h.close()


class Prometheus:
    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process = process
        self.url = f"http://127.0.0.1:{port}"

    async def query(self, session: aiohttp.ClientSession, expr: str) -> list[dict[str, object]]:
        async with session.get(f"{self.url}/api/v1/query", params={"query": expr}) as response:
            body = await response.json()
        assert body["status"] == "success", body
        result: list[dict[str, object]] = body["data"]["result"]
        return result


@pytest.fixture
def prometheus_factory(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start_prometheus(
    tmp_path: Path, daemon_port: int, started: list[subprocess.Popen[bytes]]
) -> Prometheus:
    binary = shutil.which("prometheus")
    assert binary is not None, "Debian package 'prometheus' is missing (scripts/test installs it)"
    config = tmp_path / "prometheus.yml"
    config.write_text(
        f"""
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: sla-monitor
    static_configs:
      - targets: ["127.0.0.1:{daemon_port}"]
""",
        encoding="utf-8",
    )
    port = free_port()
    with (tmp_path / "prometheus.log").open("wb") as log:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    started.append(process)
    return Prometheus(process, port)


async def wait_for(
    session: aiohttp.ClientSession, prometheus: Prometheus, expr: str, within: float = 30
) -> list[dict[str, object]]:

    async def answered() -> list[dict[str, object]] | None:
        try:
            return await prometheus.query(session, expr) or None
        except aiohttp.ClientError:
            return None  # Prometheus is still starting

    return await eventually(answered, f"Prometheus to answer {expr}", within=within, every=0.5)


async def test_prometheus_sees_the_availability_drop_of_a_target_the_test_took_down(
    harness: Harness, tmp_path: Path, prometheus_factory: list[subprocess.Popen[bytes]]
) -> None:
    """Down for a few seconds: Prometheus reports the ratio below 1 and the counters rate."""
    daemon = await harness.start()
    assert daemon.port is not None
    prometheus = start_prometheus(tmp_path, daemon.port, prometheus_factory)
    async with aiohttp.ClientSession() as session:
        await wait_for(session, prometheus, 'up{job="sla-monitor"} == 1')
        await wait_for(session, prometheus, 'probe_success{target="web"} == 1')
        await harness.server.set_mode(Mode.DOWN)
        await daemon.wait_for("outage_opened")
        await wait_for(session, prometheus, 'sla_target_up{target="web"} == 0')
        await harness.server.set_mode(Mode.UP)
        await daemon.wait_for("outage_closed")
        dropped = await wait_for(
            session,
            prometheus,
            'sla_availability_ratio{target="web",window="24x7",period="current_month"} < 1',
        )
        assert len(dropped) == 1
        value = dropped[0]["value"]
        assert isinstance(value, list)
        assert 0.0 < float(value[1]) < 1.0
        downtime = await wait_for(
            session,
            prometheus,
            'sla_unplanned_downtime_seconds{target="web",window="24x7",period="current_month"} > 0',
        )
        assert downtime
        burn = await wait_for(
            session,
            prometheus,
            'rate(sla_window_seconds_total{target="web",window="24x7"}[10s]) > 0',
        )
        assert burn
    assert await daemon.stop() == 0
