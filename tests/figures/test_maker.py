"""The figure maker applies one maintenance rule to monthly figures and counter steps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.config import parse_config
from monitor.figures.evidence import Evidence
from monitor.figures.maker import FigureMaker, LiveSession
from monitor.sla.availability import AvailabilityFigure, Outage, compute_availability
from monitor.sla.intervals import Interval, IntervalSet
from monitor.sla.months import Month
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


HOUR = timedelta(hours=1)
hours = st.integers(0, 47)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(hours, st.integers(1, 6), st.booleans()), max_size=8),
    hours,
    st.integers(1, 5),
    st.lists(st.tuples(st.integers(0, 12), st.integers(12, 48)), min_size=1, max_size=2),
)
def test_a_counter_step_measures_what_every_outage_of_the_evidence_would_have_measured(
    found: list[tuple[int, int, bool]],
    step_start: int,
    step_hours: int,
    monitored: list[tuple[int, int]],
) -> None:
    """Leaving out the outages that do not reach into the step changes no length of it."""
    base = datetime(2026, 11, 2, tzinfo=UTC)
    now = base + 48 * HOUR
    outages = tuple(
        Outage(base + start * HOUR, None if running else base + (start + length) * HOUR, "x")
        for start, length, running in found
    )
    sessions = tuple((base + a * HOUR, min(now, base + (a + b) * HOUR)) for a, b in monitored)
    span = Interval(base + step_start * HOUR, min(now, base + (step_start + step_hours) * HOUR))
    given_evidence = Evidence(
        span=Interval(base, now), outages={"web": outages}, sessions={"web": sessions}
    )
    maker = FigureMaker(CONFIG)
    (step,) = maker.span_figures(CONFIG.targets[0], span, given_evidence, now)
    whole = compute_availability(
        period=span,
        window=IntervalSet((span,)),
        outages=outages,
        maintenance=IntervalSet(),
        now=now,
        objective=0.99,
        monitored=maker.monitored(
            CONFIG.targets[0], given_evidence, Month.containing(now, CONFIG.zone), now, None
        ),
    )
    figure = step.figure
    assert (figure.window, figure.unplanned_downtime, figure.unmonitored) == (
        whole.window,
        whole.unplanned_downtime,
        whole.unmonitored,
    )


MONTH_OF_NOW = Month(2026, 11)
SCHEDULED = parse_config(
    """
timezone: Europe/Amsterdam
maintenance:
  - name: patch
    targets: [web]
    start: "2026-11-02T10:00:00+01:00"
    end: "2026-11-02T13:00:00+01:00"
targets:
  - name: web
    probe: {type: http, url: "http://127.0.0.1:9/"}
    schedule: business-hours
    slas:
      - {window: 24x7, objective: 0.99}
      - {window: business-hours, objective: 0.95}
"""
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(hours, st.integers(1, 6), st.booleans()), max_size=8),
    st.integers(0, 47 * 60),
    st.integers(1, 90),
    st.lists(st.tuples(st.integers(0, 12), st.integers(12, 48)), min_size=1, max_size=2),
    st.one_of(st.none(), st.integers(0, 47)),
    st.booleans(),
)
def test_a_counter_step_of_one_location_counts_the_same_with_the_months_inputs_as_with_its_own(
    found: list[tuple[int, int, bool]],
    step_from: int,
    step_minutes: int,
    monitored: list[tuple[int, int]],
    live_from: int | None,
    approved: bool,
) -> None:
    """The step takes the running month's outages, monitored time and maintenance instead
    of gathering them again: every length is the same either way, with configured and
    registered maintenance, a target probed in business hours only and a live session."""
    base = datetime(2026, 11, 1, 12, tzinfo=UTC)
    now = base + 48 * HOUR
    outages = tuple(
        Outage(base + start * HOUR, None if running else base + (start + length) * HOUR, "x")
        for start, length, running in found
    )
    sessions = tuple((base + a * HOUR, min(now, base + (a + b) * HOUR)) for a, b in monitored)
    window = RegisteredMaintenance(
        id="m1",
        name="late-window",
        targets=frozenset({"web"}),
        start=base + 20 * HOUR,
        end=base + 30 * HOUR,
        registered_at=base + 21 * HOUR,
        approved_by="client" if approved else None,
        approved_at=base + 22 * HOUR if approved else None,
    )
    given_evidence = Evidence(
        span=Interval(base - HOUR, now),
        outages={"web": outages},
        sessions={"web": sessions},
        registered=(window,),
    )
    live = None if live_from is None else LiveSession(base + live_from * HOUR, now)
    start = base + timedelta(minutes=step_from)
    step = Interval(start, min(now, start + timedelta(minutes=step_minutes)))
    maker = FigureMaker(SCHEDULED)
    target = SCHEDULED.targets[0]
    month = maker.month_inputs(target, MONTH_OF_NOW, given_evidence, now, live)
    reused = maker.span_figures(target, step, given_evidence, now, live=live, judged=month)
    own = maker.span_figures(target, step, given_evidence, now, live=live)

    def lengths(figure: AvailabilityFigure) -> tuple[timedelta, ...]:
        return (figure.window, figure.maintenance, figure.unplanned_downtime, figure.unmonitored)

    assert [lengths(f.figure) for f in reused] == [lengths(f.figure) for f in own]
