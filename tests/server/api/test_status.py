"""GET /api/v1/status: every configured target, its live state, its month-to-date figures."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from monitor.config import Config, parse_config
from monitor.figures.evidence import Evidence
from monitor.figures.maker import FigureMaker
from monitor.live.snapshot import SlaSnapshot, build_snapshot
from monitor.server.api import TargetState
from monitor.servicedesk.figures import desk_figures
from monitor.sla.availability import Outage
from monitor.sla.intervals import Interval
from monitor.sla.months import Month
from monitor.store.records import RequestRecord
from tests.server.api.conftest import CONFIG_TEXT, NOW, MakeHarness

HOUR = 3600.0
OUTAGE = Outage(
    start=datetime(2026, 6, 3, 8, 0, tzinfo=UTC),  # Wednesday 10:00-12:00 in Amsterdam
    end=datetime(2026, 6, 3, 10, 0, tzinfo=UTC),
    cause="status: 503",
)


def snapshot_for(config: Config) -> SlaSnapshot:
    """June 2026 up to NOW: web probed throughout with one 2 h outage, mail never probed."""
    month = Month.containing(NOW, config.zone)
    span = Interval(month.previous().interval(config.zone).start, NOW)
    evidence = Evidence(
        span=span,
        outages={"web": (OUTAGE,)},
        sessions={"web": ((span.start, NOW),)},
    )
    return build_snapshot(FigureMaker(config), evidence, NOW)


async def test_figures_are_the_month_to_date_figures_of_the_snapshot(
    make_harness: MakeHarness, config: Config
) -> None:
    """24x7: T = 230 h to 10 June 14:00, D = 2 h; budget 1 % of 720 h minus 2 h."""
    async with make_harness(snapshot=snapshot_for(config)) as h:
        response = await h.client.get("/api/v1/status")
        assert response.status == 200
        body = await response.json()
    assert body["timezone"] == "Europe/Amsterdam"
    assert body["computed_at"] == "2026-06-10T14:00:00+02:00"
    assert body["month"] == "2026-06"
    web = body["targets"][0]
    assert web["name"] == "web"
    always, business = web["slas"]
    assert always == {
        "window": "24x7",
        "objective": 0.99,
        "availability": pytest.approx(1 - 2 / 230),
        "window_seconds": 230 * HOUR,
        "unplanned_downtime_seconds": 2 * HOUR,
        "maintenance_seconds": 0.0,
        "unmonitored_seconds": 0.0,
        "error_budget_remaining_seconds": pytest.approx(0.01 * 720 * HOUR - 2 * HOUR),
        "met": True,
        "outcome": None,
    }
    # Working hours 1-10 June: seven full days (no holidays) and 08:00-14:00 today = 76 h.
    assert business["window"] == "business-hours"
    assert business["window_seconds"] == 76 * HOUR
    assert business["availability"] == pytest.approx(1 - 2 / 76)
    assert business["error_budget_remaining_seconds"] == -2 * HOUR
    assert business["met"] is False


async def test_a_target_never_probed_shows_its_gap_as_unmonitored(
    make_harness: MakeHarness, config: Config
) -> None:
    """mail has no sessions: all its window time is unmonitored, its state unknown."""
    async with make_harness(snapshot=snapshot_for(config)) as h:
        body = await (await h.client.get("/api/v1/status")).json()
    mail = body["targets"][1]
    assert (mail["name"], mail["state"], mail["since"], mail["last_probe_at"]) == (
        "mail",
        "unknown",
        None,
        None,
    )
    assert mail["slas"][0]["unmonitored_seconds"] == 230 * HOUR
    assert mail["slas"][0]["objective"] == 0.995


async def test_live_state_comes_from_the_target_states_in_the_zone(
    make_harness: MakeHarness, config: Config
) -> None:
    """state, since, last probe and last error as the daemon knows them, local offsets."""
    states = {
        "web": TargetState(
            "down",
            since=datetime(2026, 6, 10, 11, 30, tzinfo=UTC),
            last_probe_at=datetime(2026, 6, 10, 11, 59, 30, tzinfo=UTC),
            last_error="status: 503",
        )
    }
    async with make_harness(snapshot=snapshot_for(config), states=states) as h:
        body = await (await h.client.get("/api/v1/status")).json()
    web = body["targets"][0]
    assert (web["state"], web["since"], web["last_probe_at"], web["last_error"]) == (
        "down",
        "2026-06-10T13:30:00+02:00",
        "2026-06-10T13:59:30+02:00",
        "status: 503",
    )


async def test_before_the_first_computation_figures_are_null_but_targets_are_listed(
    make_harness: MakeHarness,
) -> None:
    """Right after start-up the configured targets and SLAs show, with null figures."""
    async with make_harness(snapshot=None) as h:
        body = await (await h.client.get("/api/v1/status")).json()
    assert (body["computed_at"], body["month"]) == (None, None)
    assert [t["name"] for t in body["targets"]] == ["web", "mail"]
    sla = body["targets"][0]["slas"][0]
    assert (sla["window"], sla["objective"]) == ("24x7", 0.99)
    assert all(sla[k] is None for k in sla if k not in ("window", "objective"))


async def test_a_target_added_by_a_reload_shows_before_it_has_figures(
    make_harness: MakeHarness,
) -> None:
    """The list follows the current config; the snapshot may still be from the old one."""
    only_web = parse_config(CONFIG_TEXT.split("  - name: mail")[0], "old.yaml")
    async with make_harness(snapshot=snapshot_for(only_web)) as h:
        body = await (await h.client.get("/api/v1/status")).json()
    web, mail = body["targets"]
    assert web["slas"][0]["availability"] == pytest.approx(1 - 2 / 230)
    assert mail["slas"][0]["availability"] is None


async def test_the_status_refuses_unknown_parameters(make_harness: MakeHarness) -> None:
    """?target= is not a status filter; saying so beats silently ignoring it."""
    async with make_harness() as h:
        response = await h.client.get("/api/v1/status?target=web")
        assert response.status == 400


async def test_the_snapshot_is_read_at_every_request(
    make_harness: MakeHarness, config: Config
) -> None:
    """A recompute between two requests shows in the second, with no restart."""
    current: list[SlaSnapshot | None] = [None]
    async with make_harness(snapshot=lambda: current[0]) as h:
        first = await (await h.client.get("/api/v1/status")).json()
        current[0] = snapshot_for(config)
        second = await (await h.client.get("/api/v1/status")).json()
    assert (first["computed_at"], second["computed_at"]) == (None, "2026-06-10T14:00:00+02:00")


async def test_the_service_desk_figures_of_the_snapshot_are_listed_per_category(
    make_harness: MakeHarness, config: Config
) -> None:
    """One e-mail answered in time and one still open: ratio 1.0, one open, none overdue."""
    received = datetime(2026, 6, 10, 7, 0, tzinfo=UTC)  # Wednesday 09:00 in Amsterdam
    requests = [
        RequestRecord("a", "email", received, received + timedelta(hours=2), "import"),
        RequestRecord("b", "email", received, None, "import"),
    ]
    snapshot = replace(snapshot_for(config), desk=desk_figures(config, requests, NOW))
    async with make_harness(snapshot=snapshot) as h:
        body = await (await h.client.get("/api/v1/status")).json()
    email = next(c for c in body["servicedesk"] if c["category"] == "email")
    assert (email["open"], email["overdue"]) == (1, 0)
    june = email["current_month"]
    assert (june["received"], june["met"], june["pending"], june["ratio"]) == (2, 1, 1, 1.0)
    assert email["previous_month"]["ratio"] is None
    assert {c["category"] for c in body["servicedesk"]} == set(config.servicedesk.categories)
