"""The figure maker applies one maintenance rule to monthly figures and counter steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.config import parse_config
from monitor.figures.evidence import Evidence
from monitor.figures.maker import FigureMaker
from monitor.sla.availability import Outage
from monitor.sla.intervals import Interval
from monitor.sla.registered import RegisteredMaintenance

CONFIG = parse_config(
    """
timezone: Europe/Amsterdam
targets:
  - name: web
    probe: {type: http, url: "http://127.0.0.1:9/"}
    slas: [{window: 24x7, objective: 0.99}]
"""
)
OUTAGE_START = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
SPAN = Interval(OUTAGE_START + timedelta(minutes=5), OUTAGE_START + timedelta(minutes=10))


def evidence(*, approved_by: str | None) -> Evidence:
    """An outage running since 14:00, probed throughout; a window over it registered 4 s
    after it began."""
    window = RegisteredMaintenance(
        id="m1",
        name="late-window",
        targets=frozenset({"web"}),
        start=OUTAGE_START + timedelta(minutes=1),
        end=OUTAGE_START + timedelta(hours=1),
        registered_at=OUTAGE_START + timedelta(seconds=4),
        approved_by=approved_by,
        approved_at=None if approved_by is None else OUTAGE_START + timedelta(seconds=30),
    )
    outage = Outage(OUTAGE_START, None, "HTTP 503", id="o1")
    probed = ((OUTAGE_START - timedelta(hours=1), SPAN.end),)
    return Evidence(
        span=SPAN, outages={"web": (outage,)}, sessions={"web": probed}, registered=(window,)
    )


def test_a_counter_step_keeps_counting_an_outage_that_began_before_the_window_was_registered() -> (
    None
):
    """The burn-rate step obeys the same rule as the month: the running outage still counts."""
    maker = FigureMaker(CONFIG)
    (figure,) = maker.span_figures(CONFIG.targets[0], SPAN, evidence(approved_by=None), SPAN.end)
    assert figure.figure.unplanned_downtime == timedelta(minutes=5)


def test_an_approved_window_forgives_the_running_outage_in_a_counter_step_too() -> None:
    """Approval by a named token makes the window forgive all downtime inside it."""
    maker = FigureMaker(CONFIG)
    (figure,) = maker.span_figures(
        CONFIG.targets[0], SPAN, evidence(approved_by="client"), SPAN.end
    )
    assert figure.figure.unplanned_downtime == timedelta(0)
