"""GET /api/v1/status judges the running month by the norm and band in force in it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from monitor.config import Config, parse_config
from monitor.servicedesk.figures import desk_figures
from monitor.store.records import RequestRecord
from tests.server.api.conftest import NOW, MakeHarness
from tests.server.api.test_status import snapshot_for

GROWTH_TEXT = """\
timezone: Europe/Amsterdam
targets:
  - name: web
    probe: {type: http, url: "http://127.0.0.1:9/health"}
    slas:
      - window: 24x7
        objective: [{from: 2026-01, value: 0.99}, {from: 2026-06, value: 0.995}]
        band: {bonus_at_or_above: 0.999, malus_below: 0.99}
servicedesk:
  categories:
    email: {days: 1, objective: 0.8, band: {bonus_at_or_above: 0.9, malus_below: 0.5}}
"""


@pytest.fixture
def config() -> Config:
    """Replaces the API tests' configuration: a norm raised on 1 June and bands."""
    return parse_config(GROWTH_TEXT, "growth.yaml")


async def test_june_is_judged_by_the_june_norm_and_band(
    make_harness: MakeHarness, config: Config
) -> None:
    """2 h down in the 230 h of June so far is 99.13 %: missed against June's 99.5 %
    (May's 99 % would have met), neutral in the 99.9 % / 99 % band; one e-mail in time is
    a bonus."""
    received = datetime(2026, 6, 10, 7, 0, tzinfo=UTC)
    requests = [RequestRecord("a", "email", received, received + timedelta(hours=1), "import")]
    snapshot = replace(snapshot_for(config), desk=desk_figures(config, requests, NOW))
    async with make_harness(snapshot=snapshot) as h:
        body = await (await h.client.get("/api/v1/status")).json()
    always = body["targets"][0]["slas"][0]
    assert always["availability"] == pytest.approx(1 - 2 / 230)
    assert (always["objective"], always["met"], always["outcome"]) == (0.995, False, "neutral")
    email = next(c for c in body["servicedesk"] if c["category"] == "email")
    assert (email["objective"], email["outcome"]) == (0.8, "bonus")
    complaint = next(c for c in body["servicedesk"] if c["category"] == "complaint")
    assert complaint["outcome"] is None


async def test_before_the_first_computation_the_objective_is_this_months(
    make_harness: MakeHarness,
) -> None:
    """Without a snapshot the listed objective is already June's 99.5 %, not the first 99 %."""
    async with make_harness(snapshot=None) as h:
        body = await (await h.client.get("/api/v1/status")).json()
    assert body["targets"][0]["slas"][0]["objective"] == 0.995
