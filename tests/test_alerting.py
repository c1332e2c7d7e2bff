"""End to end on loopback: daemon -> Prometheus with the shipped rules -> Alertmanager with
the shipped example's routing -> a webhook receiver in the test.

Two targets probe one local HTTP server; the target ``maintained`` has an agreed maintenance
window around now (from the daemon's config), ``web`` has none. The test takes the server
down: SlaTargetDown for ``web`` must reach the ``page`` receiver, and nothing may fire for
``maintained``, although Prometheus sees it down too.

Timing: the shipped rules wait minutes (``for: 1m`` and more). The test loads a copy of the
rules in which only every ``for:`` is cut to ``FOR``; expressions, labels and annotations
are the shipped ones. Alertmanager gets the shipped example with the receivers' URLs pointed
at the test's webhook and its group waits cut to a second. Prometheus scrapes and evaluates
every second. The negative check waits the same time the positive one took, plus a margin
longer than ``for`` and the group wait, before it looks.
"""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import yaml
from aiohttp import web

from tests.servers.daemon import INTERVAL, TIMEOUT, Harness
from tests.servers.http import Mode, SwitchableHttpServer

pytestmark = pytest.mark.slow

REPOSITORY = Path(__file__).resolve().parents[1]
RULES = REPOSITORY / "config" / "prometheus" / "sla-monitor.rules.yml"
ALERTMANAGER_EXAMPLE = REPOSITORY / "config" / "alertmanager" / "alertmanager.example.yml"
FOR = "3s"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def daemon_config(url: str, now: datetime) -> str:
    probe = f'{{type: http, url: "{url}", timeout: {TIMEOUT.total_seconds()}s}}'
    return f"""timezone: Europe/Amsterdam
maintenance:
  - name: e2e-maintenance
    targets: [maintained]
    start: "{(now - timedelta(hours=1)).isoformat(timespec="seconds")}"
    end: "{(now + timedelta(hours=1)).isoformat(timespec="seconds")}"
targets:
  - name: web
    probe: {probe}
    interval: {INTERVAL.total_seconds()}s
    failures_before_down: 2
    slas: [{{window: 24x7, objective: 0.99}}]
  - name: maintained
    probe: {probe}
    interval: {INTERVAL.total_seconds()}s
    failures_before_down: 2
    slas: [{{window: 24x7, objective: 0.99}}]
"""


def fast_rules(path: Path) -> Path:
    """The shipped rules with every ``for:`` cut to ``FOR`` and nothing else changed."""
    document = yaml.safe_load(RULES.read_text(encoding="utf-8"))
    for group in document["groups"]:
        for rule in group["rules"]:
            if "for" in rule:
                rule["for"] = FOR
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


def fast_alertmanager_config(path: Path, webhook: str) -> Path:
    """The shipped example, receivers pointed at the webhook, group waits cut to 1 s."""
    document = yaml.safe_load(ALERTMANAGER_EXAMPLE.read_text(encoding="utf-8"))
    for receiver in document["receivers"]:
        for hook in receiver["webhook_configs"]:
            hook["url"] = f"{webhook}/{receiver['name']}"
    for route in [document["route"], *document["route"]["routes"]]:
        route["group_wait"] = "1s"
        route["group_interval"] = "1s"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    return path


@dataclass
class Webhook:
    """An aiohttp receiver that keeps every Alertmanager notification: (receiver, alert)."""

    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    url: str = ""

    async def handle(self, request: web.Request) -> web.Response:
        payload = await request.json()
        for alert in payload["alerts"]:
            self.received.append((request.match_info["receiver"], alert))
        return web.Response(text="ok")

    def alerts(self, *, target: str, status: str = "firing") -> list[tuple[str, str]]:
        return [
            (receiver, alert["labels"]["alertname"])
            for receiver, alert in self.received
            if alert["labels"].get("target") == target and alert["status"] == status
        ]


@pytest.fixture
async def webhook() -> AsyncIterator[Webhook]:
    hook = Webhook()
    app = web.Application()
    app.router.add_post("/{receiver}", hook.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    hook.url = f"http://127.0.0.1:{port}"
    try:
        yield hook
    finally:
        await runner.cleanup()


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Prometheus and Alertmanager started by the test; stopped (or killed) at the end."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        process.terminate()
    for process in started:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def start(
    command: list[str], log: Path, started: list[subprocess.Popen[bytes]]
) -> subprocess.Popen[bytes]:
    with log.open("wb") as stream:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stream)
    started.append(process)
    return process


def binary(name: str, package: str) -> str:
    path = shutil.which(name)
    assert path is not None, f"{name} is missing: install Debian package {package!r}"
    return path


async def get_json(session: aiohttp.ClientSession, url: str, **params: str) -> Any:
    async with session.get(url, params=params) as response:
        return await response.json()


async def until(check: Callable[[], Awaitable[Any]], within: float, what: str) -> Any:
    """Poll ``await check()`` every 0.25 s until it returns something truthy."""
    try:
        async with asyncio.timeout(within):
            while True:
                try:
                    result = await check()
                except (aiohttp.ClientError, json.JSONDecodeError):
                    result = None
                if result:
                    return result
                await asyncio.sleep(0.25)
    except TimeoutError:
        raise AssertionError(f"timed out after {within} s waiting for {what}") from None


async def test_a_target_down_pages_through_alertmanager_and_maintenance_stays_quiet(
    tmp_path: Path, webhook: Webhook, processes: list[subprocess.Popen[bytes]]
) -> None:
    """SlaTargetDown for ``web`` reaches the page receiver; ``maintained`` raises nothing."""
    async with SwitchableHttpServer() as server:
        harness = Harness(tmp_path, server)
        harness.config.write_text(daemon_config(server.url, datetime.now(UTC)), encoding="utf-8")
        try:
            daemon = await harness.start()
            alertmanager_port = free_port()
            start(
                [
                    binary("prometheus-alertmanager", "prometheus-alertmanager"),
                    f"--config.file={fast_alertmanager_config(tmp_path / 'am.yml', webhook.url)}",
                    f"--storage.path={tmp_path / 'am-data'}",
                    f"--web.listen-address=127.0.0.1:{alertmanager_port}",
                    "--cluster.listen-address=",
                ],
                tmp_path / "alertmanager.log",
                processes,
            )
            prometheus_port = free_port()
            config = tmp_path / "prometheus.yml"
            config.write_text(
                yaml.safe_dump(
                    {
                        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                        "rule_files": [str(fast_rules(tmp_path / "rules.yml"))],
                        "alerting": {
                            "alertmanagers": [
                                {
                                    "static_configs": [
                                        {"targets": [f"127.0.0.1:{alertmanager_port}"]}
                                    ]
                                }
                            ]
                        },
                        "scrape_configs": [
                            {
                                "job_name": "sla-monitor",
                                "static_configs": [{"targets": [f"127.0.0.1:{daemon.port}"]}],
                            }
                        ],
                    }
                ),
                encoding="utf-8",
            )
            start(
                [
                    binary("prometheus", "prometheus"),
                    f"--config.file={config}",
                    f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                    f"--web.listen-address=127.0.0.1:{prometheus_port}",
                ],
                tmp_path / "prometheus.log",
                processes,
            )
            prometheus = f"http://127.0.0.1:{prometheus_port}/api/v1"
            async with aiohttp.ClientSession() as session:

                async def query(expr: str) -> list[dict[str, Any]]:
                    body = await get_json(session, f"{prometheus}/query", query=expr)
                    result: list[dict[str, Any]] = body["data"]["result"]
                    return result

                async def ready() -> bool:
                    async with session.get(f"http://127.0.0.1:{alertmanager_port}/-/ready") as r:
                        return r.status == 200

                await until(ready, 20, "Alertmanager to be ready")
                await until(
                    lambda: query('sla_in_maintenance{target="maintained"} == 1'),
                    30,
                    "Prometheus to scrape the daemon with maintained in maintenance",
                )

                async def both_up() -> bool:
                    return len(await query("sla_target_up == 1")) == 2

                await until(both_up, 10, "both targets up")

                went_down = asyncio.get_running_loop().time()
                await server.set_mode(Mode.DOWN)
                await until(
                    lambda: query('sla_target_up{target="maintained"} == 0'),
                    15,
                    "Prometheus to see the maintained target down too",
                )

                async def paged() -> bool:
                    return ("page", "SlaTargetDown") in webhook.alerts(target="web")

                await until(paged, 45, "SlaTargetDown for web at the page receiver")
                took = asyncio.get_running_loop().time() - went_down

                # As long again as web needed, plus more than `for` and the group wait.
                await asyncio.sleep(took + 5)
                assert (await query('sla_target_up{target="maintained"} == 0')) != []
                assert webhook.alerts(target="maintained") == []
                body = await get_json(session, f"{prometheus}/alerts")
                raised = {
                    (alert["labels"].get("target"), alert["labels"]["alertname"])
                    for alert in body["data"]["alerts"]
                }
                assert ("web", "SlaTargetDown") in raised
                assert not {name for target, name in raised if target == "maintained"}
            assert await daemon.stop() == 0
        finally:
            await harness.close()
