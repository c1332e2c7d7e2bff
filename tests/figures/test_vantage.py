"""The live snapshot's locations figures of a target with one location are glanced at, not
judged, and come out the same (docs/rules.md#quorum)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.figures.evidence import Evidence
from monitor.figures.maker import FigureMaker, LiveSession
from monitor.figures.vantage import vantage_figures, vantage_summary
from monitor.sla.availability import Outage
from monitor.sla.intervals import Interval
from monitor.sla.months import Month
from monitor.sla.vantage import CANARY
from monitor.store import DEFAULT_LOCATION
from tests.figures.test_maker import SCHEDULED

CONFIG = SCHEDULED
BASE = datetime(2026, 11, 2, 6, tzinfo=UTC)
HOUR = timedelta(hours=1)
hours = st.integers(0, 47)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(hours, st.integers(0, 6), st.booleans()), max_size=6),
    st.lists(st.tuples(st.integers(0, 12), st.integers(0, 48)), max_size=3),
    st.lists(st.tuples(hours, st.integers(1, 3)), max_size=2),
    st.one_of(st.none(), hours),
    st.integers(0, 48 * 60),
)
def test_the_summary_of_a_lone_location_is_the_summary_of_its_judgement(
    found: list[tuple[int, int, bool]],
    monitored: list[tuple[int, int]],
    canary: list[tuple[int, int]],
    live_from: int | None,
    minutes: int,
) -> None:
    """Monitoring and up now, counted down now, time not monitoring and degraded vantage
    per window: the glance gives what judging the elapsed month gives, with open outages,
    a failing canary, nights outside the target's schedule and a live session."""
    now = BASE + timedelta(minutes=minutes)
    outages = tuple(
        Outage(BASE + a * HOUR, None if running else BASE + (a + b) * HOUR, "x", id=f"o{i}")
        for i, (a, b, running) in enumerate(found)
        if BASE + a * HOUR <= now
    )
    sessions = tuple(
        (BASE + a * HOUR, min(now, BASE + (a + b) * HOUR))
        for a, b in monitored
        if BASE + a * HOUR <= now
    )
    failing = tuple(
        Outage(BASE + a * HOUR, BASE + (a + b) * HOUR, "canary", id=f"c{i}")
        for i, (a, b) in enumerate(canary)
    )
    evidence = Evidence(
        span=Interval(BASE - 48 * HOUR, now),
        outages={"web": outages, CANARY: failing},
        sessions={"web": sessions},
        located_sessions={"web": {DEFAULT_LOCATION: sessions}},
    )
    live = None
    if live_from is not None and BASE + live_from * HOUR <= now:
        live = LiveSession(BASE + live_from * HOUR, now)
    maker = FigureMaker(CONFIG)
    target = CONFIG.targets[0]
    month = Month.containing(now, CONFIG.zone)
    judged = vantage_figures(maker, target, month, evidence, now, live)
    assert vantage_summary(maker, target, month, evidence, now, live) == judged.summary()
