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
import itertools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

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
    # Threshold 0: the daemon started minutes ago, so this month's coverage is tiny and
    # SlaEvidenceInsufficient would rightly open a ticket; this test is about maintenance.
    return f"""timezone: Europe/Amsterdam
evidence: {{min_coverage: 0}}
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
            assert daemon.port is not None
            prometheus, alertmanager_port = await start_stack(
                tmp_path, webhook, processes, daemon.port
            )
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

                # A duration, not synchronisation: as long again as web needed, plus more
                # than `for` and the group wait, in which a wrong page would arrive.
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


# -- burn-rate counters and history -------------------------------------------------------

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TOKEN = "e2e-write-token-0123456789"
CLIENT_TOKEN = "e2e-client-token-0123456789"


def history_config(web: str, steady: str, past_maintenance: str = "") -> str:
    """``web`` and ``steady`` on two servers; ``past_maintenance`` adds history by reload."""
    targets = "".join(
        f"""
  - name: {name}
    probe: {{type: http, url: "{url}", timeout: {TIMEOUT.total_seconds()}s}}
    interval: {INTERVAL.total_seconds()}s
    failures_before_down: 2
    slas: [{{window: 24x7, objective: 0.99}}]
"""
        for name, url in (("web", web), ("steady", steady))
    )
    # Threshold 0: this month's coverage of a daemon started minutes ago is tiny, and the
    # evidence ticket it deserves is not what this test is about.
    evidence = "evidence: {min_coverage: 0}\n"
    return f"timezone: Europe/Amsterdam\n{evidence}{past_maintenance}targets:{targets}"


def period_of(instant: datetime, now: datetime) -> str:
    """The ``period`` label of the month ``instant`` falls in, seen from ``now``."""
    this_month = now.astimezone(AMSTERDAM).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return "current_month" if instant >= this_month else "previous_month"


async def start_stack(
    tmp_path: Path, webhook: Webhook, processes: list[subprocess.Popen[bytes]], daemon_port: int
) -> tuple[str, int]:
    """Alertmanager and Prometheus (fast rules, 1 s scrapes) on loopback: (API URL, AM port)."""
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
    alerting = {
        "alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{alertmanager_port}"]}]}]
    }
    scrape = {
        "job_name": "sla-monitor",
        "static_configs": [{"targets": [f"127.0.0.1:{daemon_port}"]}],
    }
    config.write_text(
        yaml.safe_dump(
            {
                "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                "rule_files": [str(fast_rules(tmp_path / "rules.yml"))],
                "alerting": alerting,
                "scrape_configs": [scrape],
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
    return f"http://127.0.0.1:{prometheus_port}/api/v1", alertmanager_port


async def test_a_live_outage_pages_with_its_burn_rate_and_history_pages_nobody(
    tmp_path: Path, webhook: Webhook, processes: list[subprocess.Popen[bytes]]
) -> None:
    """Outage of web: a page at burn rate 100. Then a retroactive window, an imported old
    outage and a reload with past maintenance: gauges move, counters never jump, no page."""
    async with SwitchableHttpServer() as web_server, SwitchableHttpServer() as steady_server:
        harness = Harness(tmp_path, web_server)
        harness.config.write_text(
            history_config(web_server.url, steady_server.url), encoding="utf-8"
        )
        try:
            tokens = tmp_path / "write-tokens"
            tokens.write_text(f"ops:{TOKEN}\nclient:{CLIENT_TOKEN}\n", encoding="utf-8")
            daemon = await harness.start({"SLA_MONITOR_WRITE_TOKENS_FILE": str(tokens)})
            assert daemon.port is not None
            prometheus, alertmanager_port = await start_stack(
                tmp_path, webhook, processes, daemon.port
            )
            async with aiohttp.ClientSession() as session:

                async def query(expr: str) -> list[dict[str, Any]]:
                    body = await get_json(session, f"{prometheus}/query", query=expr)
                    result: list[dict[str, Any]] = body["data"]["result"]
                    return result

                async def value(expr: str) -> float | None:
                    result = await query(expr)
                    return float(result[0]["value"][1]) if result else None

                async def ready() -> bool:
                    async with session.get(f"http://127.0.0.1:{alertmanager_port}/-/ready") as r:
                        return r.status == 200

                await until(ready, 20, "Alertmanager to be ready")
                await until(
                    lambda: query('sla_window_seconds_total{target="web"} > 0'),
                    40,
                    "the window counter of web to grow",
                )

                # 1. A live outage pages, with the burn rate of a total outage.
                await web_server.set_mode(Mode.DOWN)

                async def paged() -> list[dict[str, Any]]:
                    return [
                        alert
                        for receiver, alert in webhook.received
                        if receiver == "page"
                        and alert["labels"]["alertname"] == "SlaErrorBudgetBurnFast"
                        and alert["labels"]["target"] == "web"
                    ]

                page = (await until(paged, 60, "SlaErrorBudgetBurnFast for web"))[0]
                shown = float(page["annotations"]["description"].split("x", 1)[0].split()[-1])
                assert 14.4 < shown <= 100.0
                # Over 20 s inside the outage every counted second was unavailable: burn 100.
                recent = (
                    'increase(sla_unavailable_seconds_total{target="web"}[20s])'
                    ' / increase(sla_window_seconds_total{target="web"}[20s])'
                    ' / (1 - sla_objective_ratio{target="web"})'
                )

                async def burning_at_100() -> bool:
                    burn = await value(recent)
                    return burn is not None and abs(burn - 100.0) < 1e-6

                await until(burning_at_100, 40, "a 20 s burn rate of exactly 100 for web")

                # 2. A retroactive, approved maintenance window before the daemon started.
                now = datetime.now(UTC)
                window_start, window_end = now - timedelta(hours=3), now - timedelta(hours=2)
                unmonitored = 'sla_unmonitored_seconds{{target="{}",period="{}"}}'
                web_gap = unmonitored.format("web", period_of(window_start, now))
                gap_before = await value(web_gap)
                assert gap_before is not None
                body = {
                    "name": "reclassified-after-the-fact",
                    "targets": ["web", "steady"],
                    "start": window_start.isoformat(),
                    "end": window_end.isoformat(),
                    "reason": "e2e",
                    "requested_by": "ops",
                }
                async with session.post(
                    f"http://127.0.0.1:{daemon.port}/api/v1/maintenance",
                    json=body,
                    headers={"Authorization": f"Bearer {TOKEN}"},
                ) as response:
                    assert response.status == 201, await response.text()
                    window_id = (await response.json())["id"]
                async with session.post(
                    f"http://127.0.0.1:{daemon.port}/api/v1/maintenance/{window_id}/approval",
                    headers={"Authorization": f"Bearer {CLIENT_TOKEN}"},
                ) as response:
                    assert response.status == 200, await response.text()

                async def gap_shrunk() -> bool:
                    gap = await value(web_gap)
                    return gap is not None and gap <= gap_before - 3599

                await until(gap_shrunk, 30, "the retroactive window to reach web's gauges")
                await until(burning_at_100, 40, "web's burn rate still 100 after the window")

                # 3. An import of an old outage of steady (45 min, 2,700 s).
                old_start = now - timedelta(hours=4)
                csv_file = tmp_path / "old-outages.csv"
                csv_file.write_text(
                    "target,start,end,reason\n"
                    f"steady,{old_start.isoformat()},"
                    f"{(old_start + timedelta(minutes=45)).isoformat()},from the old tool\n",
                    encoding="utf-8",
                )
                env = {
                    **os.environ,
                    "SLA_MONITOR_DATABASE_URL": harness.database,
                    "SLA_MONITOR_CONFIG": str(harness.config),
                }
                importer = await asyncio.create_subprocess_exec(
                    sys.executable, "-m", "monitor.cli", "import", "outages", str(csv_file),
                    env=env,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=asyncio.subprocess.PIPE,
                )  # fmt: skip
                _, errors = await asyncio.wait_for(importer.communicate(), timeout=60)
                assert importer.returncode == 0, errors
                steady_downtime = 'sla_unplanned_downtime_seconds{{target="steady",period="{}"}}'
                downtime = steady_downtime.format(period_of(old_start, now))
                await until(
                    lambda: query(f"{downtime} == 2700"), 40, "the import in steady's gauge"
                )

                # 4. A reload that adds a past maintenance window of steady.
                past_start, past_end = now - timedelta(hours=6), now - timedelta(hours=5)
                steady_gap = unmonitored.format("steady", period_of(past_start, now))
                steady_gap_before = await value(steady_gap)
                assert steady_gap_before is not None
                past = (
                    "maintenance:\n  - name: agreed-earlier\n    targets: [steady]\n"
                    f'    start: "{past_start.isoformat()}"\n    end: "{past_end.isoformat()}"\n'
                )
                harness.config.write_text(
                    history_config(web_server.url, steady_server.url, past), encoding="utf-8"
                )
                daemon.process.send_signal(signal.SIGHUP)
                await daemon.wait_for("config_reloaded")

                async def steady_gap_shrunk() -> bool:
                    gap = await value(steady_gap)
                    return gap is not None and gap <= steady_gap_before - 3599

                await until(steady_gap_shrunk, 30, "the reload's maintenance in the gauges")
                # A duration, not synchronisation: long enough for any burn alert of steady
                # to pass `for` and the group wait.
                await asyncio.sleep(8)

                assert webhook.alerts(target="steady") == []
                body = await get_json(session, f"{prometheus}/alerts")
                raised = {
                    (alert["labels"].get("target"), alert["labels"]["alertname"])
                    for alert in body["data"]["alerts"]
                }
                assert ("web", "SlaErrorBudgetBurnFast") in raised
                assert not {name for target, name in raised if target == "steady"}
                await check_counter_samples(query)
            assert await daemon.stop() == 0
        finally:
            await harness.close()


async def check_counter_samples(query: Callable[[str], Awaitable[list[dict[str, Any]]]]) -> None:
    """Every scrape of both targets: the counters never fell, grew between two scrapes by at
    most the time between the snapshots they read, and unavailable by at most window."""
    stamps = {
        float(t): float(v)
        for t, v in (await query("sla_monitor_snapshot_timestamp_seconds[10m]"))[0]["values"]
    }
    series: dict[tuple[str, str], dict[float, float]] = {}
    for name in ("window", "unavailable"):
        for result in await query(f"sla_{name}_seconds_total[10m]"):
            samples = {float(t): float(v) for t, v in result["values"]}
            series[(name, result["metric"]["target"])] = samples
    assert set(series) == {(n, t) for n in ("window", "unavailable") for t in ("web", "steady")}
    for target in ("web", "steady"):
        window, unavailable = series[("window", target)], series[("unavailable", target)]
        scrapes = sorted(set(window) & set(unavailable) & set(stamps))
        assert len(scrapes) > 20
        for before, after in itertools.pairwise(scrapes):
            elapsed = stamps[after] - stamps[before]
            grew = window[after] - window[before]
            grew_down = unavailable[after] - unavailable[before]
            assert 0 <= grew <= elapsed + 1e-6, (target, before, grew, elapsed)
            assert 0 <= grew_down <= grew + 1e-6, (target, before, grew_down, grew)
