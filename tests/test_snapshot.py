"""The SLA snapshot, the burn-rate counters and the collector that renders them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from prometheus_client.parser import text_string_to_metric_families

from monitor.config import Config, parse_config
from monitor.evidence import Evidence, LiveOverlay, load_evidence
from monitor.exposition import SlaExposition
from monitor.figures import FigureMaker, LiveSession
from monitor.recompute import SlaRecomputer
from monitor.sla.availability import Outage
from monitor.sla.coverage import SessionExtended, SessionStarted
from monitor.sla.intervals import Interval
from monitor.sla.months import Month
from monitor.sla.outages import OutageClosed, OutageOpened
from monitor.snapshot import SlaSnapshot, build_snapshot, ledger_from_history
from monitor.store import Store
from monitor.store.records import MonitoringSession
from monitor.store.records import OutageOpened as StoredOpen
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


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=AMSTERDAM)  # type: ignore[misc]


def june_evidence(*outages: Outage) -> Evidence:
    span = Interval(local(2026, 5, 1), local(2026, 7, 2))
    return Evidence(
        span=span,
        outages={"web": outages},
        sessions={"web": ((local(2026, 5, 1), local(2026, 7, 2)),)},
    )


def snapshot_at(now: datetime, evidence: Evidence, config: Config = CONFIG) -> SlaSnapshot:
    maker = FigureMaker(config)
    month = Month.containing(now, AMSTERDAM)
    ledger = ledger_from_history(maker, evidence, Month(2026, 5), month, now)
    return build_snapshot(maker, evidence, now, ledger=ledger)


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


def test_window_counter_does_not_grow_during_maintenance_or_closed_hours() -> None:
    """sla_window_seconds_total counts open window time outside maintenance only."""
    evidence = june_evidence()
    labels = {"target": "web", "window": "24x7"}

    def total(now: datetime, window: str = "24x7") -> float:
        value = scrape(snapshot_at(now, evidence), now).get_sample_value(
            "sla_window_seconds_total", {**labels, "window": window}
        )
        assert value is not None
        return value

    assert total(local(2026, 6, 14, 6)) - total(local(2026, 6, 14, 2)) == 0.0
    assert total(local(2026, 6, 14, 8)) - total(local(2026, 6, 14, 6)) == 2 * 3600
    saturday = total(local(2026, 6, 13, 18), "business-hours")
    assert total(local(2026, 6, 15, 8), "business-hours") == saturday
    assert total(local(2026, 6, 15, 9), "business-hours") == saturday + 3600


def test_the_counters_keep_growing_across_a_month_boundary() -> None:
    """Closed months are summed into a ledger: 1 July starts where 30 June ended."""
    outage = Outage(local(2026, 6, 30, 22), None, "timeout", id="o1")
    evidence = june_evidence(outage)
    labels = {"target": "web", "window": "24x7"}
    last_june = local(2026, 6, 30, 23, 59)
    first_july = local(2026, 7, 1, 0, 1)
    june = scrape(snapshot_at(last_june, evidence), last_june)
    july = scrape(snapshot_at(first_july, evidence), first_july)
    for name in ("sla_window_seconds_total", "sla_unavailable_seconds_total"):
        before = june.get_sample_value(name, labels)
        after = july.get_sample_value(name, labels)
        assert before is not None
        assert after is not None
        assert after == pytest.approx(before + 120)


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


async def test_counters_rebuilt_from_the_store_after_a_restart_continue_where_they_were(
    tmp_path: Path,
) -> None:
    """A new recomputer over the same store yields the same counters: rate() sees no reset."""
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'sla.db'}")
    try:
        start = local(2026, 5, 20)
        await store.start_session(MonitoringSession("s1", "web", start, local(2026, 6, 10, 12)))
        await store.open_outage(StoredOpen("o1", "web", local(2026, 5, 30, 10), "timeout"))
        await store.close_outage("o1", local(2026, 5, 30, 13))

        def recomputer(now: datetime) -> SlaRecomputer:
            return SlaRecomputer(
                store=store,
                overlay=LiveOverlay(NullSink()),
                config=lambda: CONFIG,
                live=lambda: {"web": LiveSession(start, now)},
                clock=lambda: now,
                on_error=lambda: None,
            )

        now = local(2026, 6, 10, 12)
        first = await recomputer(now).recompute()
        second = await recomputer(now).recompute()
        (w1, *_), (w2, *_) = first.targets[0].windows, second.targets[0].windows
        assert w1.unavailable_seconds_total == w2.unavailable_seconds_total == 3 * 3600
        assert w1.window_seconds_total == w2.window_seconds_total
        may = Month(2026, 5).interval(AMSTERDAM)
        june_so_far = now - local(2026, 6, 1)
        assert w1.window_seconds_total == (may.duration + june_so_far).total_seconds()
        evidence = await load_evidence(store, Interval(local(2026, 5, 1), now))
        assert [o.id for o in evidence.outages_of("web")] == ["o1"]
    finally:
        await store.close()


def test_a_snapshot_refuses_a_ledger_of_another_month() -> None:
    """A stale ledger would make the counters jump; building with one is a bug."""
    maker = FigureMaker(CONFIG)
    evidence = june_evidence()
    ledger = ledger_from_history(maker, evidence, Month(2026, 5), Month(2026, 6), local(2026, 6, 2))
    with pytest.raises(ValueError, match="ledger"):
        build_snapshot(maker, evidence, datetime(2026, 7, 2, tzinfo=UTC), ledger=ledger)
