"""Three ``sla-monitor run`` processes at locations a, b and c on one PostgreSQL.

Each location reaches the target through its own TCP proxy on its own loopback address
(127.0.0.2, .3, .4); breaking a proxy is that location's own network failing. The figures
are read the way every instance and every report makes them: the stored per-location
evidence judged by the quorum rule.
"""

from __future__ import annotations

import json
import signal
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from monitor.config import Config, parse_config
from monitor.figures.evidence import load_evidence
from monitor.figures.maker import FigureMaker
from monitor.report import load_report
from monitor.report.json_format import report_to_dict
from monitor.sla.intervals import Interval
from monitor.sla.months import Month
from monitor.sla.vantage import CANARY, Vantage
from monitor.store import Store
from tests.polling import eventually
from tests.servers.daemon import DaemonProcess, Harness, get
from tests.servers.http import Mode, SwitchableHttpServer
from tests.servers.proxy import TcpProxy
from tests.store.conftest import (
    _PostgresSwitch,
    cuttable_postgres,
    postgres_database_url,
    postgres_url,
)

__all__ = ["cuttable_postgres", "postgres_database_url", "postgres_url"]

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

INTERVAL = timedelta(milliseconds=500)
TIMEOUT = timedelta(milliseconds=400)
# "Within one interval of the truth", with room for scheduling on a busy machine.
SLACK = INTERVAL + timedelta(milliseconds=400)
PLACES = {"a": "127.0.0.2", "b": "127.0.0.3", "c": "127.0.0.4"}


def config_text(url: str, objective: str = "0.99") -> str:
    return f"""
timezone: Europe/Amsterdam
locations:
  - {{name: a, description: first site}}
  - {{name: b, description: second site}}
  - {{name: c, description: third site}}
targets:
  - name: web
    probe: {{type: http, url: "{url}", timeout: {TIMEOUT.total_seconds()}s}}
    interval: {INTERVAL.total_seconds()}s
    failures_before_down: 2
    slas:
      - {{window: 24x7, objective: {objective}}}
"""


def now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Cluster:
    harness: Harness
    server: SwitchableHttpServer
    proxies: dict[str, TcpProxy]
    tmp_path: Path
    begun: datetime
    export_dir: Path

    @property
    def config(self) -> Config:
        return parse_config(config_text(self.server.url))

    def config_file(self, place: str, objective: str = "0.99") -> Path:
        path = self.tmp_path / f"{place}-{objective}.yaml"
        path.write_text(config_text(self.proxies[place].url(), objective), encoding="utf-8")
        return path

    def env(self, place: str, objective: str = "0.99") -> dict[str, str]:
        return {
            "SLA_MONITOR_LOCATION": place,
            "SLA_MONITOR_CONFIG": str(self.config_file(place, objective)),
            "SLA_MONITOR_EXPORT_DIR": str(self.export_dir),
        }

    async def start(self, place: str) -> DaemonProcess:
        daemon = await self.harness.start(self.env(place))
        await daemon.wait_for("probe_succeeded")
        return daemon

    async def vantage(self, since: datetime | None = None) -> Vantage:
        """The quorum's judgement of ``web`` from everything stored so far."""
        config = self.config
        span = Interval(since or self.begun, now())
        async with await Store.open(self.harness.database) as store:
            evidence = await load_evidence(store, span)
        return FigureMaker(config).vantage(config.targets[0], evidence, span, span.end)

    async def json_report(self) -> dict[str, Any]:
        """This month's JSON report as any instance would write it now."""
        config = self.config
        at = now()
        async with await Store.open(self.harness.database) as store:
            report = await load_report(store, config, Month.containing(at, config.zone), at)
        return report_to_dict(report)

    def exported(self) -> int:
        """Files exported by every instance: one ``report_exported`` line per file."""
        return sum(d.count("report_exported") for d in self.harness.running)


FILES_PER_MONTH = 4
"""A month's export: the JSON, CSV and HTML report and its SHA-256 manifest."""


@pytest.fixture
async def cluster(tmp_path: Path, postgres_database_url: str) -> AsyncIterator[Cluster]:
    async with SwitchableHttpServer() as server:
        target = (server.host, server.port)
        async with (
            TcpProxy(PLACES["a"], target) as a,
            TcpProxy(PLACES["b"], target) as b,
            TcpProxy(PLACES["c"], target) as c,
        ):
            harness = Harness(tmp_path, server)
            harness.database = postgres_database_url
            try:
                yield Cluster(
                    harness, server, {"a": a, "b": b, "c": c}, tmp_path, now(), tmp_path / "out"
                )
            finally:
                await harness.close()


def assert_close(actual: datetime, truth: datetime, what: str) -> None:
    assert truth - timedelta(milliseconds=50) <= actual <= truth + SLACK, (
        f"{what}: {actual.isoformat()} is not within one interval of {truth.isoformat()}"
    )


async def test_an_outage_seen_everywhere_counts_once_and_one_locations_own_failure_never(
    cluster: Cluster,
) -> None:
    """The target down for everyone is one counted outage within one interval of the truth,
    seen by all three; b's own path failing afterwards is no downtime, one failure of b's."""
    for place in "abc":
        await cluster.start(place)
    down_at = now()
    await cluster.server.set_mode(Mode.ERROR500)

    async def counting() -> Vantage | None:
        # Until every location has seen it: a quorum of two may count it before the third
        # location's probes have failed often enough to open its own outage.
        found = await cluster.vantage()
        return found if found.outages and len(found.outages[-1].locations) == 3 else None

    await eventually(counting, "a counted outage seen from every location", within=20)
    up_at = now()
    await cluster.server.set_mode(Mode.UP)

    async def closed_everywhere() -> Vantage | None:
        found = await cluster.vantage()
        done = found.outages and not found.outages[-1].open
        everyone = found.outages and len(found.outages[-1].locations) == 3
        return found if done and everyone and not _open_outages(found) else None

    first = await eventually(closed_everywhere, "the outage closed at every location", within=20)
    [outage] = first.outages
    assert_close(outage.span.start, down_at, "counted start")
    assert_close(outage.span.end, up_at, "counted end")
    assert outage.locations == ("a", "b", "c")

    after = now()
    cluster.proxies["b"].breaks()

    async def b_failed() -> Vantage | None:
        found = await cluster.vantage(after)
        return found if found.location_only["b"] else None

    await eventually(b_failed, "b's own failure", within=20)
    cluster.proxies["b"].heals()

    async def b_healed() -> Vantage | None:
        found = await cluster.vantage(after)
        return found if found.location_only["b"] and not _open_outages(found) else None

    second = await eventually(b_healed, "b's failure to end", within=20)
    assert not second.counted_down
    assert len(second.location_only["b"]) == 1
    assert not second.location_only["a"]
    assert not second.location_only["c"]

    report = await cluster.json_report()
    [counted] = report["availability"][0]["outages"]
    assert counted["locations"] == ["a", "b", "c"]
    [web] = report["locations"]
    assert web["quorum"] == 2
    late = [
        f["location"]
        for f in web["location_only_failures"]
        if datetime.fromisoformat(f["start"]) >= after
    ]
    assert late == ["b"]


def _open_outages(vantage: Vantage) -> bool:
    """Whether some location still sees the target down at the end of the span."""
    end = vantage.span.end - timedelta(microseconds=1)
    return any(found.contains(end) for found in vantage.location_only.values()) or (
        vantage.counted_down.contains(end)
    )


async def test_a_killed_leader_is_replaced_and_the_outage_and_the_export_stay_as_they_were(
    cluster: Cluster,
) -> None:
    """The leader SIGKILLed inside an outage: another leads within 15 s, the counted outage
    keeps its start, ends once, and last month's report was exported exactly once."""
    daemons = {place: await cluster.start(place) for place in "abc"}
    await daemons["a"].wait_for("leader_elected")
    await eventually(lambda: cluster.exported() >= FILES_PER_MONTH, "the leader's export")
    await cluster.server.set_mode(Mode.ERROR500)

    async def counting() -> Vantage | None:
        found = await cluster.vantage()
        return found if found.outages and len(found.outages[0].locations) == 3 else None

    before = (await eventually(counting, "a counted outage seen by all", within=20)).outages[0]
    await daemons["a"].stop(signal.SIGKILL)

    def new_leader() -> str | None:
        for place in "bc":
            if daemons[place].count("leader_elected"):
                return place
        return None

    # A bound for the harness; the daemons promise 15 s, the poll allows a little more.
    leader = await eventually(new_leader, "another location to lead", within=20)
    await daemons[leader].wait_for("leader_caught_up")

    async def status_without_a() -> dict[str, Any] | None:
        code, text = await get(daemons[leader].port, "/api/v1/status")
        status: dict[str, Any] = json.loads(text)
        [web] = status["targets"]
        views = {v["location"]: v["monitoring"] for v in web["locations"]}
        return status if code == 200 and views == {"a": False, "b": True, "c": True} else None

    # The figures behind the status are recomputed every 15 s at the latest.
    status = await eventually(status_without_a, "the status to show a away", within=30)
    assert (status["location"], status["leads"], status["leader"]) == (leader, True, leader)
    await cluster.server.set_mode(Mode.UP)

    async def ended() -> Vantage | None:
        found = await cluster.vantage()
        return found if found.outages and not found.outages[-1].open else None

    after = await eventually(ended, "the counted outage to end", within=20)
    [outage] = after.outages
    assert outage.span.start == before.span.start
    assert cluster.exported() == FILES_PER_MONTH
    assert len(list(cluster.export_dir.iterdir())) == FILES_PER_MONTH


async def test_a_leader_that_loses_the_database_steps_down_and_another_leads(
    cluster: Cluster, cuttable_postgres: _PostgresSwitch
) -> None:
    """a reaches PostgreSQL through a relay that is cut: b or c leads within the failover
    bound, a stops leading and runs on, and last month's report stays exported once."""
    a = await cluster.harness.start(
        {**cluster.env("a"), "SLA_MONITOR_DATABASE_URL": cuttable_postgres.url}
    )
    await a.wait_for("leader_elected")
    others = {place: await cluster.start(place) for place in "bc"}
    await eventually(lambda: cluster.exported() >= FILES_PER_MONTH, "the leader's export")
    await cuttable_postgres.cut()

    def new_leader() -> str | None:
        return next((p for p, d in others.items() if d.count("leader_elected")), None)

    leader = await eventually(new_leader, "another location to lead", within=20)
    await a.wait_for("leader_lost", within=20)
    await others[leader].wait_for("leader_caught_up")
    await cuttable_postgres.restore()
    assert a.process.returncode is None
    assert cluster.exported() == FILES_PER_MONTH


async def test_duplicates_and_other_rules_refuse_and_a_lone_location_decides_in_degraded_vantage(
    cluster: Cluster,
) -> None:
    """A second process of location c and a process with other rules refuse with one line;
    with a and b stopped, c alone decides and that time is degraded vantage."""
    daemons = {place: await cluster.start(place) for place in "abc"}
    code, duplicate = await cluster.harness.exit_code(cluster.env("c"))
    assert code == 2
    assert [e["event"] for e in duplicate.events if e.get("level") == "error"] == ["location_taken"]
    await daemons["a"].stop()
    code, other = await cluster.harness.exit_code(cluster.env("a", objective="0.995"))
    assert code == 2
    [refusal] = [e for e in other.events if e.get("level") == "error"]
    assert refusal["event"] == "rules_differ"
    assert "target web" in str(refusal["problem"])

    await daemons["b"].stop()
    alone = now()
    await cluster.server.set_mode(Mode.ERROR500)

    async def decided() -> Vantage | None:
        found = await cluster.vantage(alone)
        return found if found.outages else None

    found = await eventually(decided, "c to decide alone", within=20)
    assert found.outages[0].locations == ("c",)
    assert found.degraded.total > timedelta(0)
    assert daemons["c"].process.returncode is None


async def test_a_second_process_on_one_sqlite_file_refuses_and_the_first_runs_on(
    tmp_path: Path,
) -> None:
    """SQLite has one process: a second ``run`` on the file says so, the first keeps probing."""
    async with SwitchableHttpServer() as server:
        harness = Harness(tmp_path, server)
        try:
            first = await harness.start()
            await first.wait_for("probe_succeeded")
            code, second = await harness.exit_code()
            assert code == 2
            errors = [e for e in second.events if e.get("level") == "error"]
            assert [e["event"] for e in errors] == ["store_in_use"]
            assert (await get(first.port, "/-/ready"))[0] == 200
            assert first.process.returncode is None
            assert await first.stop() == 0
        finally:
            await harness.close()


async def test_a_location_probes_its_canary_and_is_not_monitoring_while_it_fails(
    tmp_path: Path,
) -> None:
    """The canary's failure is stored as the location's own, and the status shows the
    location as not monitoring the target meanwhile."""
    async with (
        SwitchableHttpServer() as server,
        SwitchableHttpServer(mode=Mode.ERROR500) as canary,
    ):
        harness = Harness(tmp_path, server)
        config = tmp_path / "canary.yaml"
        config.write_text(
            config_text(server.url).replace(
                "  - {name: a, description: first site}\n"
                "  - {name: b, description: second site}\n"
                "  - {name: c, description: third site}\n",
                f'  - {{name: here, canary: {{type: http, url: "{canary.url}"}}, '
                "canary_interval: 0.5s}\n",
            ),
            encoding="utf-8",
        )
        try:
            daemon = await harness.start(
                {"SLA_MONITOR_CONFIG": str(config), "SLA_MONITOR_LOCATION": "here"}
            )

            async def canary_down() -> bool:
                async with await harness.store() as store:
                    found = await store.outages(target=CANARY)
                return bool(found) and found[0].location == "here"

            await eventually(canary_down, "the canary's outage to be stored")

            async def away() -> dict[str, Any] | None:
                code, text = await get(daemon.port, "/api/v1/status")
                [web] = json.loads(text)["targets"]
                return web if code == 200 and not web["locations"][0]["monitoring"] else None

            web = await eventually(away, "the location to show as not monitoring", within=30)
            assert web["locations"][0]["location"] == "here"
            assert await daemon.stop() == 0
        finally:
            await harness.close()
