"""sla_pi_outcome and the objective gauges follow the norm and band in force each month."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from monitor.config import parse_config
from monitor.figures.evidence import Evidence
from monitor.figures.maker import FigureMaker
from monitor.live.exposition import SlaExposition
from monitor.live.snapshot import build_snapshot
from monitor.servicedesk.figures import desk_figures
from monitor.sla.availability import Outage
from monitor.sla.intervals import Interval
from monitor.store.records import RequestRecord
from tests.live.test_snapshot import Scrape, local

CONFIG = parse_config(
    """
timezone: Europe/Amsterdam
targets:
  - name: web
    probe: {type: http, url: "http://127.0.0.1:1/"}
    slas:
      - window: 24x7
        objective: [{from: 2026-01, value: 0.99}, {from: 2027-01, value: 0.995}]
        band:
          - {from: 2026-01, bonus_at_or_above: 0.995, malus_below: 0.985}
          - {from: 2027-01, bonus_at_or_above: 0.9999, malus_below: 0.992}
servicedesk:
  categories:
    email: {days: 1, objective: 0.8, band: {bonus_at_or_above: 0.9, malus_below: 0.6}}
"""
)
NOW = local(2027, 1, 11, 12)


def _scrape() -> Scrape:
    """December 2026 had 6 h down (99.19 %); January so far none; one e-mail answered late."""
    down = local(2026, 12, 10, 10)
    evidence = Evidence(
        span=Interval(local(2026, 12, 1), NOW),
        outages={"web": (Outage(start=down, end=down + timedelta(hours=6), cause="x", id="o"),)},
        sessions={"web": ((local(2026, 12, 1), NOW),)},
    )
    late = RequestRecord(
        id="r1",
        category="email",
        received_at=local(2027, 1, 4, 9),
        answered_at=local(2027, 1, 6, 9),
        source="webhook",
    )
    snapshot = build_snapshot(FigureMaker(CONFIG), evidence, NOW)
    snapshot = replace(snapshot, desk=desk_figures(CONFIG, [late], NOW))
    return Scrape(SlaExposition(snapshot).render(NOW))


def _state(scrape: Scrape, labels: dict[str, str]) -> str:
    states = [
        state
        for state in ("bonus", "neutral", "malus", "unknown")
        if scrape.get_sample_value("sla_pi_outcome", {**labels, "outcome": state}) == 1
    ]
    assert len(states) == 1, states
    return states[0]


def test_each_month_gets_the_outcome_of_its_own_band_as_a_state_set() -> None:
    """December is neutral in the 2026 band; January, no downtime yet, bonus in the 2027 one."""
    scrape = _scrape()
    web = {"target": "web", "window": "24x7"}
    assert _state(scrape, {**web, "period": "previous_month"}) == "neutral"
    assert _state(scrape, {**web, "period": "current_month"}) == "bonus"
    assert (
        scrape.get_sample_value(
            "sla_pi_outcome", {**web, "period": "current_month", "outcome": "malus"}
        )
        == 0
    )


def test_a_category_with_a_band_has_outcome_series_and_unknown_when_nothing_is_decided() -> None:
    """One late e-mail in January is 0 %: malus; December had no requests: unknown."""
    scrape = _scrape()
    assert _state(scrape, {"category": "email", "period": "current_month"}) == "malus"
    assert _state(scrape, {"category": "email", "period": "previous_month"}) == "unknown"
    assert (
        scrape.get_sample_value(
            "sla_pi_outcome",
            {"category": "complaint", "period": "current_month", "outcome": "unknown"},
        )
        is None
    )


def test_the_objective_gauge_is_the_norm_in_force_this_month() -> None:
    """From January on sla_objective_ratio reads 99.5 %, so burn rates use the new norm."""
    scrape = _scrape()
    assert scrape.get_sample_value("sla_objective_ratio", {"target": "web", "window": "24x7"}) == (
        0.995
    )
