"""Resolution counts (3.2.40) and the reporting's own deadlines (3.2.5, 3.2.6, 3.2.38) as the
recompute job builds them from a real store and ``/metrics`` renders them."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitor.config import parse_config
from monitor.figures.maker import LiveSession
from monitor.live.exposition import SlaExposition
from monitor.live.overlay import LiveOverlay
from monitor.live.recompute import SlaRecomputer
from monitor.live.snapshot import SlaSnapshot
from monitor.sla.outages import OutageOpened
from monitor.store import RequestRecord, Store
from monitor.store.records import MissAnalysisRecord, MonitoringSession, ReportDelivery
from tests.live.test_snapshot import NullSink, Scrape

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

CONFIG = parse_config(
    """
timezone: Europe/Amsterdam
targets:
  - name: web
    probe: {type: http, url: "http://127.0.0.1:1/"}
    slas:
      - {window: 24x7, objective: 0.99}
      - {window: business-hours, objective: 1.0}
servicedesk:
  categories:
    complaint: {resolution: {days: 1, overrun_tiers: [0.2, 0.5]}}
"""
)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


NOW = local(2026, 7, 10, 12)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'sla.db'}") as opened:
        yield opened


async def recompute(store: Store) -> SlaSnapshot:
    start = local(2026, 6, 1)
    recomputer = SlaRecomputer(
        store=store,
        overlay=LiveOverlay(NullSink()),
        config=lambda: CONFIG,
        live=lambda: {"web": LiveSession(start, NOW)},
        clock=lambda: NOW,
        on_error=lambda: None,
    )
    return await recomputer.recompute()


def scrape(snapshot: SlaSnapshot) -> Scrape:
    return Scrape(SlaExposition(snapshot).render(NOW))


async def june_with_a_ten_hour_outage(store: Store) -> None:
    """Both SLA windows of web are missed in June: 10 h down on Wednesday 10 June."""
    await store.start_session(MonitoringSession("s1", "web", local(2026, 6, 1), NOW))
    await store.open_outage(OutageOpened("web", "o1", local(2026, 6, 10, 8), "timeout"))
    await store.close_outage("o1", local(2026, 6, 10, 18))


async def test_a_late_report_and_a_miss_without_analysis_show_in_the_metrics(
    store: Store,
) -> None:
    """June's report exported 8 July (due 7 July 18:00), one of two misses analysed."""
    await june_with_a_ten_hour_outage(store)
    await store.record_delivery(ReportDelivery("2026-06", local(2026, 7, 8, 9), final=True))
    await store.add_miss_analysis(
        MissAnalysisRecord(
            month="2026-06",
            kind="availability",
            name="web",
            window="24x7",
            cause="disk full",
            measures="alerting on disk",
            author="ops",
            recorded_at=local(2026, 7, 9),
        )
    )
    scraped = scrape(await recompute(store))
    previous = {"period": "previous_month"}
    assert (
        scraped.get_sample_value("sla_report_delivery_due_timestamp_seconds", previous)
        == local(2026, 7, 7, 18).timestamp()
    )
    assert (
        scraped.get_sample_value("sla_miss_analysis_due_timestamp_seconds", previous)
        == local(2026, 7, 14, 18).timestamp()
    )
    assert scraped.get_sample_value("sla_report_delivered", previous) == 1.0
    assert (
        scraped.get_sample_value("sla_report_delivered_timestamp_seconds", previous)
        == local(2026, 7, 8, 9).timestamp()
    )
    assert scraped.get_sample_value("sla_report_delivered", {"period": "current_month"}) == 0.0
    assert scraped.get_sample_value("sla_report_on_time_ratio", {"period": "current_year"}) == 0.0
    assert scraped.get_sample_value("sla_misses_unanalysed", previous) == 1.0
    assert scraped.get_sample_value("sla_miss_analysed", {"target": "web", "window": "24x7"}) == 1
    assert (
        scraped.get_sample_value("sla_miss_analysed", {"target": "web", "window": "business-hours"})
        == 0
    )


async def test_before_any_delivery_nothing_is_due_and_nothing_is_missed(store: Store) -> None:
    """A fresh store: not delivered, no misses, and a share that is neither good nor bad."""
    scraped = scrape(await recompute(store))
    previous = {"period": "previous_month"}
    assert scraped.get_sample_value("sla_report_delivered", previous) == 0.0
    stamp = scraped.get_sample_value("sla_report_delivered_timestamp_seconds", previous)
    assert stamp is not None
    assert math.isnan(stamp)
    ratio = scraped.get_sample_value("sla_report_on_time_ratio", {"period": "current_year"})
    assert ratio is not None
    assert math.isnan(ratio)
    assert scraped.get_sample_value("sla_misses_unanalysed", previous) == 0.0


async def test_resolution_counts_per_outcome_are_exported_by_receipt_month(store: Store) -> None:
    """June complaints resolved at 119 %, 121 % and 151 % of a ten-hour term, one unresolved."""
    received = local(2026, 6, 1, 8)  # the term ends Monday 18:00; 120 % is Tuesday 10:00
    resolved = [
        local(2026, 6, 2, 9, 54),
        local(2026, 6, 2, 10, 6),
        local(2026, 6, 2, 13, 6),
        None,
    ]
    await store.upsert_requests(
        [
            RequestRecord(
                id=f"k-{index}",
                category="complaint",
                received_at=received,
                answered_at=received + timedelta(hours=1),
                source="import",
                resolved_at=at,
            )
            for index, at in enumerate(resolved)
        ]
    )
    scraped = scrape(await recompute(store))

    def count(outcome: str, period: str = "previous_month") -> float | None:
        labels = {"category": "complaint", "period": period, "outcome": outcome}
        return scraped.get_sample_value("servicedesk_resolution_requests", labels)

    # The unresolved one is past 150 % by now: decided as over_50.
    assert [count(o) for o in ("in_time", "over_20", "over_50", "pending")] == [1, 1, 2, 0]
    assert [count(o, "current_month") for o in ("in_time", "over_20", "over_50")] == [0, 0, 0]
    assert (
        scraped.get_sample_value(
            "servicedesk_resolution_requests",
            {"category": "email", "period": "previous_month", "outcome": "in_time"},
        )
        is None
    )
