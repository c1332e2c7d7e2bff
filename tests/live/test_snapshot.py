"""The SLA snapshot, the burn-rate counters and the collector that renders them."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from prometheus_client.parser import text_string_to_metric_families

from monitor.config import Config, parse_config
from monitor.figures.evidence import Evidence
from monitor.figures.maker import FigureMaker, LiveSession
from monitor.live.exposition import SlaExposition
from monitor.live.overlay import LiveOverlay
from monitor.live.recompute import SlaRecomputer
from monitor.live.snapshot import SlaSnapshot, build_snapshot
from monitor.sla.availability import Outage, OutageSource
from monitor.sla.burn import BurnCounter
from monitor.sla.coverage import SessionExtended, SessionStarted
from monitor.sla.intervals import Interval
from monitor.sla.outages import OutageClosed, OutageOpened
from monitor.sla.registered import RegisteredMaintenance
from monitor.store import Store
from monitor.store.records import MonitoringSession
from probes.base import ProbeResult

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
H = timedelta(hours=1)

CONFIG = parse_config(
    """
timezone: Europe/Amsterdam
maintenance:
  - name: patch
    targets: [web]
    start: "2026-06-14T02:00:00+02:00"
    end: "2026-06-14T06:00:00+02:00"
targets:
  - name: web
    probe: {type: http, url: "http://127.0.0.1:1/"}
    slas:
      - {window: 24x7, objective: 0.99}
      - {window: business-hours, objective: 1.0}
"""
)


class NullSink:
    """A record sink that keeps nothing: the overlay under test is all that matters."""

    def probe_result(self, target: str, result: ProbeResult) -> None:
        del target, result

    def outage_opened(self, event: OutageOpened) -> None:
        del event

    def outage_closed(self, event: OutageClosed) -> None:
        del event

    def session_started(self, event: SessionStarted) -> None:
        del event

    def session_extended(self, event: SessionExtended) -> None:
        del event


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=AMSTERDAM)


def june_evidence(*outages: Outage) -> Evidence:
    span = Interval(local(2026, 5, 1), local(2026, 7, 2))
    return Evidence(
        span=span,
        outages={"web": outages},
        sessions={"web": ((local(2026, 5, 1), local(2026, 7, 2)),)},
    )


SETTLE = timedelta(seconds=70)  # web: 2 failures of 30 s probes and a 10 s timeout
Key = tuple[str, str]


def snapshot_at(now: datetime, evidence: Evidence, config: Config = CONFIG) -> SlaSnapshot:
    return build_snapshot(FigureMaker(config), evidence, now)


class Builds:
    """Successive snapshot builds carrying the burn-rate counters, as the recompute job does."""

    def __init__(self) -> None:
        self.counters: dict[Key, BurnCounter] = {}

    def at(self, now: datetime, evidence: Evidence, config: Config = CONFIG) -> SlaSnapshot:
        snapshot = build_snapshot(FigureMaker(config), evidence, now, counters=self.counters)
        self.counters = {
            (w.target, w.window): w.counter for t in snapshot.targets for w in t.windows
        }
        return snapshot

    def totals(self, window: str = "24x7") -> tuple[float, float]:
        counter = self.counters[("web", window)]
        return counter.window.total_seconds(), counter.unavailable.total_seconds()


class Scrape:
    """The exposition text of a snapshot, parsed back by prometheus_client's own parser."""

    def __init__(self, text: str) -> None:
        self.samples = {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text)
            for sample in family.samples
        }

    def get_sample_value(self, name: str, labels: dict[str, str]) -> float | None:
        return self.samples.get((name, frozenset(labels.items())))


def scrape(snapshot: SlaSnapshot, now: datetime) -> Scrape:
    return Scrape(SlaExposition(snapshot).render(now))


def test_every_configured_target_and_window_has_series_before_anything_happened() -> None:
    """No evidence at all still gives zeros and ones, never a missing series."""
    now = local(2026, 6, 10, 12)
    empty = Evidence(span=Interval(local(2026, 5, 1), now))
    registry = scrape(snapshot_at(now, empty), now)
    for window in ("24x7", "business-hours"):
        for period in ("current_month", "previous_month"):
            labels = {"target": "web", "window": window, "period": period}
            assert registry.get_sample_value("sla_availability_ratio", labels) == 1.0
        labels = {"target": "web", "window": window}
        assert registry.get_sample_value("sla_unavailable_seconds_total", labels) == 0.0
    assert registry.get_sample_value("sla_in_maintenance", {"target": "web"}) == 0.0


def test_the_collector_renders_the_figures_of_the_snapshot() -> None:
    """A 2 h outage on Wednesday 10 June, 10:00-12:00, as of 1 July 00:00 (previous month)."""
    outage = Outage(local(2026, 6, 10, 10), local(2026, 6, 10, 12), "status: 503", id="o1")
    now = local(2026, 7, 1, 0, 30)
    registry = scrape(snapshot_at(now, june_evidence(outage)), now)
    previous = {"target": "web", "window": "24x7", "period": "previous_month"}
    assert registry.get_sample_value("sla_availability_ratio", previous) == pytest.approx(
        1 - 2 / 720
    )
    assert registry.get_sample_value("sla_unplanned_downtime_seconds", previous) == 7200.0
    business = {**previous, "window": "business-hours"}
    assert registry.get_sample_value("sla_availability_ratio", business) == pytest.approx(
        1 - 2 / 220
    )
    assert (
        registry.get_sample_value("sla_objective_ratio", {"target": "web", "window": "24x7"})
        == 0.99
    )


def test_in_maintenance_and_window_open_are_answered_at_scrape_time() -> None:
    """The same snapshot says 'in maintenance' at 03:00 on 14 June and not at 07:00."""
    snapshot = snapshot_at(local(2026, 6, 14, 1), june_evidence())
    during = scrape(snapshot, local(2026, 6, 14, 3))
    after = scrape(snapshot, local(2026, 6, 15, 9))
    assert during.get_sample_value("sla_in_maintenance", {"target": "web"}) == 1.0
    assert after.get_sample_value("sla_in_maintenance", {"target": "web"}) == 0.0
    business = {"target": "web", "window": "business-hours"}
    assert during.get_sample_value("sla_window_open", business) == 0.0  # Sunday night
    assert after.get_sample_value("sla_window_open", business) == 1.0  # Monday 09:00


def test_one_exposition_scraped_across_maintenance_and_opening_hours_follows_the_clock() -> None:
    """The kept text of the instant-dependent families is renewed when a maintenance window
    begins or ends and when a window opens or closes, and reused in between."""
    snapshot = snapshot_at(local(2026, 6, 14, 1), june_evidence())
    exposition = SlaExposition(snapshot)
    instants = [
        local(2026, 6, 14, 1),
        local(2026, 6, 14, 2),  # maintenance begins
        local(2026, 6, 14, 3),
        local(2026, 6, 14, 6),  # and ends
        local(2026, 6, 15, 8),  # Monday: business hours open
        local(2026, 6, 15, 9),
        local(2026, 6, 15, 18),  # and close
        local(2026, 6, 14, 3),  # a clock set back
    ]
    for instant in instants:
        assert exposition.render(instant) == SlaExposition(snapshot).render(instant)
    assert exposition.live_chunk(local(2026, 6, 15, 9)) is exposition.live_chunk(
        local(2026, 6, 15, 10)
    )


def test_window_counter_does_not_grow_during_maintenance_or_closed_hours() -> None:
    """sla_window_seconds_total counts open window time outside maintenance only."""
    evidence = june_evidence()
    builds = Builds()
    quarter = timedelta(minutes=15)
    # Spans of a quarter each, from 14 June 01:00: patching 02:00-06:00 adds nothing.
    totals = {}
    for step in range(29):
        settled = local(2026, 6, 14, 1) + step * quarter
        builds.at(settled + SETTLE, evidence)
        totals[settled] = builds.totals()[0]
    assert totals[local(2026, 6, 14, 6)] - totals[local(2026, 6, 14, 2)] == 0.0
    assert totals[local(2026, 6, 14, 8)] - totals[local(2026, 6, 14, 6)] == 2 * 3600

    hourly = Builds()
    business = {}
    for step in range(40):
        settled = local(2026, 6, 13, 18) + step * H
        hourly.at(settled + SETTLE, evidence)
        business[settled] = hourly.totals("business-hours")[0]
    assert business[local(2026, 6, 15, 8)] == business[local(2026, 6, 13, 18)] == 0.0
    assert business[local(2026, 6, 15, 9)] == 3600


def test_the_counters_keep_growing_across_a_month_boundary() -> None:
    """An outage open over midnight 30 June: two minutes later both counters grew 120 s."""
    outage = Outage(local(2026, 6, 30, 22), None, "timeout", id="o1")
    evidence = june_evidence(outage)
    builds = Builds()
    builds.at(local(2026, 6, 30, 23, 59) + SETTLE, evidence)
    before = builds.totals()
    builds.at(local(2026, 7, 1, 0, 1) + SETTLE, evidence)
    after = builds.totals()
    assert (after[0] - before[0], after[1] - before[1]) == (120.0, 120.0)


def test_a_live_outage_is_counted_from_its_first_failed_probe_once_settled() -> None:
    """Down from 10:20: the span 10:15-10:30, measured at 10:31:10, holds 10 min of it."""
    builds = Builds()
    builds.at(local(2026, 6, 10, 10, 15) + SETTLE, june_evidence())
    outage = Outage(local(2026, 6, 10, 10, 20), None, "timeout", id="o1")
    builds.at(local(2026, 6, 10, 10, 30) + SETTLE, june_evidence(outage))
    assert builds.totals() == (900.0, 600.0)


def november_evidence(
    *outages: Outage, registered: tuple[RegisteredMaintenance, ...] = ()
) -> Evidence:
    span = Interval(local(2026, 10, 1), local(2026, 11, 8))
    return Evidence(
        span=span,
        outages={"web": outages},
        sessions={"web": ((local(2026, 11, 1), local(2026, 11, 8)),)},
        registered=registered,
    )


RETROACTIVE = RegisteredMaintenance(
    id="m1",
    name="reclassified",
    targets=frozenset({"web"}),
    start=local(2026, 11, 2, 1),
    end=local(2026, 11, 2, 23),
    registered_at=local(2026, 11, 7, 7),
    approved_by="client-ops",
)
OLD_OUTAGE = Outage(
    local(2026, 11, 3, 14), local(2026, 11, 3, 14, 45), "imported", OutageSource.IMPORT, "i1"
)
WITH_PAST_MAINTENANCE = parse_config(
    """
timezone: Europe/Amsterdam
maintenance:
  - name: agreed-last-month
    targets: [web]
    start: "2026-10-05T00:00:00+02:00"
    end: "2026-11-05T00:00:00+01:00"
targets:
  - name: web
    probe: {type: http, url: "http://127.0.0.1:1/"}
    slas:
      - {window: 24x7, objective: 0.99}
      - {window: business-hours, objective: 1.0}
"""
)


@pytest.mark.parametrize(
    ("history", "changed", "config"),
    [
        (
            "a retroactive approved maintenance window",
            november_evidence(registered=(RETROACTIVE,)),
            CONFIG,
        ),
        ("an imported outage of 3 November", november_evidence(OLD_OUTAGE), CONFIG),
        ("a reload that adds past maintenance", november_evidence(), WITH_PAST_MAINTENANCE),
    ],
)
def test_history_changes_the_monthly_figures_but_never_the_counters(
    history: str, changed: Evidence, config: Config
) -> None:
    """Saturday 7 November, healthy: after the history arrives the counters grow 15 min, 0."""
    builds = Builds()
    first = builds.at(local(2026, 11, 7, 7, 15) + SETTLE, november_evidence())
    before = builds.totals()
    second = builds.at(local(2026, 11, 7, 7, 30) + SETTLE, changed, config)
    after = builds.totals()
    assert (after[0] - before[0], after[1] - before[1]) == (900.0, 0.0), history
    assert first.targets[0].windows[0].current != second.targets[0].windows[0].current, history


def test_live_overlay_shows_an_outage_the_store_has_not_written_yet() -> None:
    """Right after an outage opens the figure includes it, database or not."""

    overlay = LiveOverlay(NullSink())
    overlay.outage_opened(OutageOpened("web", "o9", local(2026, 6, 10, 10), "timeout"))
    merged = overlay.apply(june_evidence())
    assert [o.id for o in merged.outages_of("web")] == ["o9"]
    overlay.outage_closed(OutageClosed("web", "o9", local(2026, 6, 10, 11)))
    assert overlay.apply(june_evidence()).outages_of("web")[0].end == local(2026, 6, 10, 11)
    stored = Outage(local(2026, 6, 10, 10), local(2026, 6, 10, 11), "timeout", id="o9")
    assert overlay.apply(june_evidence(stored)).outages_of("web") == (stored,)
    # confirmed by the store: forgotten, so the overlay does not grow without bound
    assert overlay.apply(june_evidence()).outages_of("web") == ()


def test_the_live_overlay_leaves_the_tuples_of_targets_without_unconfirmed_events_as_read() -> None:
    """Only the target with an event the store has not confirmed gets a new tuple; another
    target's outages stay the very tuple read, so its kept figures are reused at once."""
    stored = Outage(local(2026, 6, 3, 10), local(2026, 6, 3, 11), "timeout", id="o1")
    read = replace(june_evidence(), outages={"web": (), "mail": (stored,)})
    overlay = LiveOverlay(NullSink())
    overlay.outage_opened(OutageOpened("web", "o9", local(2026, 6, 10, 10), "timeout"))
    merged = overlay.apply(read)
    assert merged.outages["mail"] is read.outages["mail"]
    assert [o.id for o in merged.outages_of("web")] == ["o9"]


async def test_a_restarted_recomputer_counts_from_zero_and_ignores_history_in_the_store(
    tmp_path: Path,
) -> None:
    """Counters start at zero; an outage imported later moves the gauges, not the counters."""
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'sla.db'}")
    try:
        start = local(2026, 6, 1)
        await store.start_session(MonitoringSession("s1", "web", start, local(2026, 6, 10, 12)))
        clock = [local(2026, 6, 10, 12)]
        recomputer = SlaRecomputer(
            store=store,
            overlay=LiveOverlay(NullSink()),
            config=lambda: CONFIG,
            live=lambda: {"web": LiveSession(start, clock[0])},
            clock=lambda: clock[0],
            on_error=lambda: None,
        )
        first = (await recomputer.recompute()).targets[0].windows[0]
        assert (first.window_seconds_total, first.unavailable_seconds_total) == (0.0, 0.0)
        await store.open_outage(OutageOpened("web", "o1", local(2026, 6, 3, 10), "timeout"))
        await store.close_outage("o1", local(2026, 6, 3, 13))
        recomputer.invalidate_history()
        clock[0] += timedelta(seconds=15)
        second = (await recomputer.recompute()).targets[0].windows[0]
        assert (second.window_seconds_total, second.unavailable_seconds_total) == (15.0, 0.0)
        assert second.current.unplanned_downtime == 3 * H
    finally:
        await store.close()


def test_coverage_and_the_evidence_threshold_are_exported_for_every_window() -> None:
    """sla_coverage_ratio per period, sla_evidence_min_coverage_ratio per window."""
    config = parse_config(
        """
timezone: Europe/Amsterdam
evidence: {min_coverage: 0.9}
targets:
  - name: web
    probe: {type: http, url: "http://127.0.0.1:1/"}
    slas:
      - {window: 24x7, objective: 0.99}
      - {window: business-hours, objective: 1.0, evidence: {min_coverage: 0.99}}
"""
    )
    now = local(2026, 6, 11)
    # Probed from 1 June 00:00 to 10 June 00:00: 9 of the 10 elapsed days.
    evidence = Evidence(
        span=Interval(local(2026, 5, 1), now),
        sessions={"web": ((local(2026, 6, 1), local(2026, 6, 10)),)},
    )
    registry = scrape(snapshot_at(now, evidence, config), now)
    current = {"target": "web", "window": "24x7", "period": "current_month"}
    assert registry.get_sample_value("sla_coverage_ratio", current) == pytest.approx(0.9)
    previous = {**current, "period": "previous_month"}
    assert registry.get_sample_value("sla_coverage_ratio", previous) == 0.0
    for window, threshold in (("24x7", 0.9), ("business-hours", 0.99)):
        labels = {"target": "web", "window": window}
        assert registry.get_sample_value("sla_evidence_min_coverage_ratio", labels) == threshold
    assert registry.get_sample_value("sla_monitor_snapshot_timestamp_seconds", {}) == (
        now.timestamp()
    )
