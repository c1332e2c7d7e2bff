"""The figure maker counts what the quorum of locations saw (docs/rules.md#quorum)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.config import parse_config
from monitor.figures.evidence import Evidence
from monitor.figures.maker import FigureMaker
from monitor.figures.vantage import vantage_figures
from monitor.sla.availability import AvailabilityFigure, Outage
from monitor.sla.intervals import Interval
from monitor.sla.months import Month
from monitor.sla.registered import RegisteredMaintenance
from monitor.sla.vantage import CANARY

CONFIG = parse_config(
    """
timezone: Europe/Amsterdam
locations:
  - {name: a}
  - {name: b}
  - {name: c}
targets:
  - name: web
    probe: {type: http, url: "http://127.0.0.1:9/"}
    slas: [{window: 24x7, objective: 0.99}]
"""
)
MONTH = Month(2026, 11)
START = datetime(2026, 11, 1, tzinfo=UTC) - timedelta(hours=1)
END = datetime(2026, 12, 1, tzinfo=UTC)
T = datetime(2026, 11, 20, 14, tzinfo=UTC)


def evidence(*down: tuple[str, int, int]) -> Evidence:
    """All three locations probed the whole month; ``down`` is (location, from, to) in
    minutes after 14:00 on the 20th."""
    outages = tuple(
        Outage(T + timedelta(minutes=a), T + timedelta(minutes=b), f"seen from {place}", id=place)
        for place, a, b in down
    )
    whole = ((START, END),)
    return Evidence(
        span=MONTH.interval(CONFIG.zone),
        outages={"web": outages},
        sessions={"web": whole * 3},
        outage_locations={place: place for place, _a, _b in down},
        located_sessions={"web": dict.fromkeys("abc", whole)},
    )


def test_an_outage_seen_from_one_location_of_three_is_no_downtime() -> None:
    """b's own path fails for 20 minutes: the month keeps 100 % and b's failure is listed."""
    maker = FigureMaker(CONFIG, "a")
    found = evidence(("b", 0, 20))
    (figure,) = maker.month_figures(CONFIG.targets[0], MONTH, found, END)
    assert figure.figure.unplanned_downtime == timedelta(0)
    vantage = maker.vantage(CONFIG.targets[0], found, MONTH.interval(CONFIG.zone), END)
    assert vantage.location_only["b"].total == timedelta(minutes=20)


def test_an_outage_seen_from_two_locations_counts_while_both_see_it() -> None:
    """a sees 0-30, c sees 10-40: quorum 2 counts 10-30, one outage seen by a and c."""
    maker = FigureMaker(CONFIG, "b")
    (figure,) = maker.month_figures(
        CONFIG.targets[0], MONTH, evidence(("a", 0, 30), ("c", 10, 40)), END
    )
    assert figure.figure.unplanned_downtime == timedelta(minutes=20)
    [counted] = figure.figure.outages
    assert counted.outage.start == T + timedelta(minutes=10)
    assert counted.outage.cause == "seen from a"


def test_every_instance_makes_the_same_figure_of_a_past_month() -> None:
    """The figures are derived from all locations' evidence, so a, b and c agree."""
    found = evidence(("a", 0, 30), ("b", 5, 25), ("c", 50, 60))
    figures = {
        place: FigureMaker(CONFIG, place).month_figures(CONFIG.targets[0], MONTH, found, END)
        for place in "abc"
    }
    assert figures["a"] == figures["b"] == figures["c"]
    assert figures["a"][0].figure.unplanned_downtime == timedelta(minutes=20)


def test_a_location_whose_canary_fails_is_not_monitoring_and_its_outage_does_not_count() -> None:
    """a and b see 0-30 down, but a's canary fails 0-30: only b of b and c saw it, no quorum."""
    found = evidence(("a", 0, 30), ("b", 0, 30))
    canary = Outage(T, T + timedelta(minutes=30), "canary unreachable", id="canary-a")
    found = Evidence(
        span=found.span,
        outages={**found.outages, CANARY: (canary,)},
        sessions=found.sessions,
        outage_locations={**found.outage_locations, "canary-a": "a"},
        located_sessions=found.located_sessions,
    )
    maker = FigureMaker(CONFIG, "c")
    (figure,) = maker.month_figures(CONFIG.targets[0], MONTH, found, END)
    assert figure.figure.unplanned_downtime == timedelta(0)
    vantage = maker.vantage(CONFIG.targets[0], found, MONTH.interval(CONFIG.zone), END)
    assert vantage.not_monitoring["a"].total == timedelta(minutes=30)


def test_a_lone_location_does_not_bill_the_supplier_while_its_canary_fails() -> None:
    """One location, its canary down 10-20 inside a 0-30 outage: 20 minutes count, 10 are
    unmonitored."""
    lone = parse_config(
        """
timezone: Europe/Amsterdam
locations:
  - name: here
    canary: {type: tcp, host: 127.0.0.1, port: 9}
targets:
  - name: web
    probe: {type: http, url: "http://127.0.0.1:9/"}
    slas: [{window: 24x7, objective: 0.99}]
"""
    )
    whole = ((START, END),)
    found = Evidence(
        span=MONTH.interval(lone.zone),
        outages={
            "web": (Outage(T, T + timedelta(minutes=30), "timeout", id="o"),),
            CANARY: (
                Outage(T + timedelta(minutes=10), T + timedelta(minutes=20), "refused", id="c"),
            ),
        },
        sessions={"web": whole},
        outage_locations={"o": "here", "c": "here"},
        located_sessions={"web": {"here": whole}},
    )
    (figure,) = FigureMaker(lone, "here").month_figures(lone.targets[0], MONTH, found, END)
    assert figure.figure.unplanned_downtime == timedelta(minutes=20)
    assert figure.figure.unmonitored == timedelta(minutes=10)


def test_a_counted_outage_from_last_month_keeps_the_instant_its_quorum_first_held() -> None:
    """a and c see the target down from 31 October 20:00 UTC into November: November's
    counted outage starts then, not at the month's first instant, so maintenance registered
    on the 1st cannot forgive it as a later outage (docs/rules.md#maintenance)."""
    began = datetime(2026, 10, 31, 20, tzinfo=UTC)
    whole = ((began - timedelta(days=1), END),)
    found = Evidence(
        span=Interval(Month(2026, 10).interval(CONFIG.zone).start, END),
        outages={
            "web": (
                Outage(began, T, "seen from a", id="a"),
                Outage(began, T, "seen from c", id="c"),
            )
        },
        sessions={"web": whole * 3},
        outage_locations={"a": "a", "c": "c"},
        located_sessions={"web": dict.fromkeys("abc", whole)},
    )
    (figure,) = FigureMaker(CONFIG, "b").month_figures(CONFIG.targets[0], MONTH, found, END)
    [counted] = figure.figure.outages
    assert counted.outage.start == began


def test_a_target_of_one_location_ignores_another_locations_failing_canary() -> None:
    """web is watched from a only; b's canary failing all afternoon leaves web monitored."""
    split = parse_config(
        """
timezone: Europe/Amsterdam
locations:
  - {name: a}
  - {name: b, canary: {type: tcp, host: 127.0.0.1, port: 9}}
targets:
  - name: web
    locations: [a]
    probe: {type: http, url: "http://127.0.0.1:9/"}
    slas: [{window: 24x7, objective: 0.99}]
"""
    )
    whole = ((START, END),)
    found = Evidence(
        span=MONTH.interval(split.zone),
        outages={CANARY: (Outage(T, T + timedelta(hours=4), "refused", id="canary-b"),)},
        sessions={"web": whole},
        outage_locations={"canary-b": "b"},
        located_sessions={"web": {"a": whole}},
    )
    (figure,) = FigureMaker(split, "a").month_figures(split.targets[0], MONTH, found, END)
    assert figure.figure.unmonitored == timedelta(0)


def test_the_live_summary_keeps_every_number_the_metrics_show_and_shares_equal_parts() -> None:
    """b alone saw 20 minutes down: its summary carries that, the quorum, the degraded
    and unmonitored time; two targets that look alike share one summary object."""
    maker = FigureMaker(CONFIG, "a")
    found = evidence(("b", 0, 20))
    figures = vantage_figures(maker, CONFIG.targets[0], MONTH, found, END)
    shared: dict[object, object] = {}
    summary = figures.summary(shared)
    assert summary.quorum == 2
    assert summary.counted_down is False
    assert summary.degraded == (("24x7", timedelta(0)),)
    assert summary.degraded_total == figures.vantage.degraded.total
    by_location = {seen.location: seen for seen in summary.locations}
    assert by_location["b"].location_only == timedelta(minutes=20)
    assert by_location["a"].location_only == timedelta(0)
    assert all(seen.monitoring for seen in summary.locations)
    assert by_location["c"].not_monitoring == figures.vantage.not_monitoring["c"].total
    again = vantage_figures(maker, CONFIG.targets[0], MONTH, found, END).summary(shared)
    assert again is summary


STEP_NOW = T + timedelta(minutes=600)
down_strategy = st.lists(
    st.tuples(st.sampled_from("abc"), st.integers(-120, 600), st.integers(1, 90), st.booleans()),
    max_size=8,
)
probed_strategy = st.dictionaries(
    st.sampled_from("abc"), st.tuples(st.integers(-1500, 0), st.integers(300, 700)), max_size=3
)


def located_evidence(
    down: list[tuple[str, int, int, bool]], probed: dict[str, tuple[int, int]], forward: bool
) -> Evidence:
    """Each location's own outages (location, from, length in minutes after 14:00 on the
    20th, still running) and monitored stretch, read from the previous month's start, and
    optionally a window registered during the month that forgives only later outages."""
    outages = tuple(
        Outage(
            T + timedelta(minutes=a),
            None if running else T + timedelta(minutes=a + length),
            f"seen from {place}",
            id=f"{place}{index}",
        )
        for index, (place, a, length, running) in enumerate(down)
    )
    located = {
        place: ((T + timedelta(minutes=a), T + timedelta(minutes=b)),)
        for place, (a, b) in probed.items()
    }
    registered = RegisteredMaintenance(
        id="m1",
        name="late-window",
        targets=frozenset({"web"}),
        start=T + timedelta(minutes=30),
        end=T + timedelta(minutes=200),
        registered_at=T + timedelta(minutes=20),
    )
    return Evidence(
        span=Interval(datetime(2026, 10, 1, tzinfo=UTC) - timedelta(hours=1), STEP_NOW),
        outages={"web": outages},
        sessions={"web": tuple(s for spans in located.values() for s in spans)},
        registered=(registered,) if forward else (),
        outage_locations={o.id: o.cause.removeprefix("seen from ") for o in outages},
        located_sessions={"web": located},
    )


@settings(max_examples=150, deadline=None)
@given(down_strategy, probed_strategy, st.integers(-100, 560), st.integers(1, 40), st.booleans())
def test_a_counter_step_counts_the_same_with_the_months_quorum_judgement_as_with_its_own(
    down: list[tuple[str, int, int, bool]],
    probed: dict[str, tuple[int, int]],
    step_from: int,
    step_minutes: int,
    forward: bool,
) -> None:
    """The step reuses the running month's judgement of the quorum instead of judging it
    again: every length of the step is the same either way, a window registered during an
    outage (forgiving only later ones) included."""
    found = located_evidence(down, probed, forward)
    step = Interval(
        T + timedelta(minutes=step_from),
        min(STEP_NOW, T + timedelta(minutes=step_from + step_minutes)),
    )
    maker = FigureMaker(CONFIG, "a")
    target = CONFIG.targets[0]
    month = maker.month_inputs(target, MONTH, found, STEP_NOW, None)
    (reused,) = maker.span_figures(target, step, found, STEP_NOW, judged=month)
    (own,) = maker.span_figures(target, step, found, STEP_NOW)

    def lengths(figure: AvailabilityFigure) -> tuple[timedelta, ...]:
        return (figure.window, figure.maintenance, figure.unplanned_downtime, figure.unmonitored)

    assert lengths(reused.figure) == lengths(own.figure)


@settings(max_examples=150, deadline=None)
@given(down_strategy, probed_strategy, st.booleans())
def test_the_locations_figures_read_from_the_months_judgement_are_those_judged_afresh(
    down: list[tuple[str, int, int, bool]], probed: dict[str, tuple[int, int]], forward: bool
) -> None:
    """The running month's locations figures are read from the judgement the month's
    availability was counted from; they equal judging the elapsed month again."""
    found = located_evidence(down, probed, forward)
    maker = FigureMaker(CONFIG, "b")
    target = CONFIG.targets[0]
    month = maker.month_inputs(target, MONTH, found, STEP_NOW, None)
    assert month.judgement is not None
    reused = vantage_figures(maker, target, MONTH, found, STEP_NOW, judged=month)
    assert reused == vantage_figures(maker, target, MONTH, found, STEP_NOW)
