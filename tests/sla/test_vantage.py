"""The quorum rule over several probe locations (docs/rules.md#quorum)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.sla.availability import Outage, compute_availability
from monitor.sla.corrections import CorrectionKind, OutageCorrection
from monitor.sla.intervals import Interval, IntervalSet, as_utc
from monitor.sla.vantage import (
    LocationEvidence,
    _judge_by_sweep,
    _pieces,
    clip_vantage,
    default_quorum,
    glance_alone,
    judge_vantage,
)

T0 = datetime(2026, 6, 1, tzinfo=UTC)
SPAN = Interval(T0, T0 + timedelta(minutes=100))
NOW = SPAN.end


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def spans(*pairs: tuple[int, int]) -> IntervalSet:
    return IntervalSet(Interval(at(a), at(b)) for a, b in pairs)


def down(*pairs: tuple[int, int | None], cause: str = "timeout") -> tuple[Outage, ...]:
    return tuple(
        Outage(at(a), None if b is None else at(b), cause, id=f"{cause}-{a}") for a, b in pairs
    )


def watching(
    name: str, outages: tuple[Outage, ...] = (), *pairs: tuple[int, int]
) -> LocationEvidence:
    return LocationEvidence(name, spans(*(pairs or ((0, 100),))), outages)


def test_the_default_quorum_is_a_majority_of_the_targets_locations() -> None:
    """One of one, two of two, two of three, three of four and of five."""
    assert [default_quorum(n) for n in (1, 2, 3, 4, 5)] == [1, 2, 2, 3, 3]


def test_an_outage_seen_by_two_of_three_locations_counts_from_the_second_sighting() -> None:
    """With quorum 2 the outage starts when the second location sees it and ends when only
    one still does; the stretch seen by one location alone is a location-only failure."""
    vantage = judge_vantage(
        [
            watching("a", down((10, 30), cause="refused")),
            watching("b", down((12, 25), cause="timeout")),
            watching("c"),
        ],
        2,
        SPAN,
        NOW,
    )
    assert vantage.counted_down == spans((12, 25))
    assert vantage.location_only["a"] == spans((10, 12), (25, 30))
    assert vantage.location_only["b"] == IntervalSet()
    [outage] = vantage.outages
    assert outage.locations == ("a", "b")
    assert outage.cause == "refused"
    assert not outage.open


def test_one_location_seeing_the_target_down_is_never_downtime_with_a_quorum_of_two() -> None:
    """b's own network fails: b's outage is a location-only failure and nothing counts."""
    vantage = judge_vantage(
        [watching("a"), watching("b", down((20, 40))), watching("c")], 2, SPAN, NOW
    )
    assert vantage.counted_down == IntervalSet()
    assert vantage.location_only["b"] == spans((20, 40))
    assert vantage.degraded == IntervalSet()


def test_a_lone_monitoring_location_decides_alone_and_its_time_is_degraded_vantage() -> None:
    """Two locations stop monitoring at minute 50: from then on c alone decides, and that
    time is reported as degraded vantage."""
    vantage = judge_vantage(
        [
            watching("a", (), (0, 50)),
            watching("b", (), (0, 50)),
            watching("c", down((60, 70))),
        ],
        2,
        SPAN,
        NOW,
    )
    assert vantage.counted_down == spans((60, 70))
    assert vantage.degraded == spans((50, 100))
    assert vantage.not_monitoring["a"] == spans((50, 100))


def test_time_no_location_monitors_is_unmonitored_not_down() -> None:
    """An outage claimed by a location that is not monitoring has no say."""
    vantage = judge_vantage(
        [watching("a", down((0, None)), (0, 40)), watching("b", (), (0, 40))], 2, SPAN, NOW
    )
    assert vantage.unmonitored == spans((40, 100))
    assert vantage.counted_down == IntervalSet()
    assert vantage.location_only["a"] == spans((0, 40))


def test_an_outage_still_open_at_every_location_is_open() -> None:
    """A counted outage that reaches now with an open location outage is still open."""
    vantage = judge_vantage(
        [watching("a", down((90, None))), watching("b", down((91, None)))], 2, SPAN, NOW
    )
    [outage] = vantage.outages
    assert outage.open
    assert outage.as_outage("it").end is None
    assert outage.as_outage("it").start == at(91)


def test_a_location_named_twice_is_refused() -> None:
    """Two entries for one location would let one vantage count twice."""
    with pytest.raises(ValueError, match="twice"):
        judge_vantage([watching("a"), watching("a")], 1, SPAN, NOW)


# -- properties ------------------------------------------------------------------------------

minute_spans = st.lists(
    st.tuples(st.integers(0, 99), st.integers(1, 30)).map(lambda p: (p[0], min(100, p[0] + p[1]))),
    max_size=6,
)


@st.composite
def locations(draw: st.DrawFn, name: str) -> LocationEvidence:
    monitored = draw(minute_spans)
    outages = draw(minute_spans)
    open_tail = draw(st.booleans())
    found = down(*outages)
    if open_tail:
        found += down((draw(st.integers(0, 99)), None), cause="open")
    return LocationEvidence(name, spans(*monitored), found)


def _downtime(outages: tuple[Outage, ...], monitored: IntervalSet) -> timedelta:
    figure = compute_availability(
        period=SPAN,
        window=IntervalSet((SPAN,)),
        outages=outages,
        maintenance=IntervalSet(),
        now=NOW,
        objective=0.99,
        monitored=monitored,
    )
    return figure.unplanned_downtime


@settings(max_examples=200, deadline=None)
@given(locations("a"))
def test_with_one_location_the_counted_downtime_equals_todays_outages(
    only: LocationEvidence,
) -> None:
    """One location, quorum 1: the derived outages give exactly today's downtime."""
    vantage = judge_vantage([only], 1, SPAN, NOW)
    derived = tuple(o.as_outage("it") for o in vantage.outages)
    assert vantage.counted_down == only.down(NOW)
    assert _downtime(derived, vantage.monitored) == _downtime(only.outages, only.monitored)
    assert vantage.monitored == only.monitored
    assert vantage.degraded == IntervalSet()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=1, max_size=4), st.data())
def test_adding_a_location_that_sees_everything_up_never_adds_downtime(
    picks: list[int], data: st.DataObject
) -> None:
    """A location that only ever sees the target up can lower the counted time, never raise
    it, whether the quorum stays fixed or follows the new majority."""
    evidence = [data.draw(locations(f"l{i}")) for i in range(len(picks))]
    extra = LocationEvidence("up", spans(*data.draw(minute_spans)))
    quorum = data.draw(st.integers(1, len(evidence)))
    before = judge_vantage(evidence, quorum, SPAN, NOW).counted_down
    assert (
        judge_vantage([*evidence, extra], quorum, SPAN, NOW).counted_down - before == IntervalSet()
    )
    majority = judge_vantage([*evidence, extra], default_quorum(len(evidence) + 1), SPAN, NOW)
    baseline = judge_vantage(evidence, default_quorum(len(evidence)), SPAN, NOW)
    assert majority.counted_down - baseline.counted_down == IntervalSet()


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 4), st.data())
def test_availability_from_the_quorum_rule_stays_between_zero_and_one(
    count: int, data: st.DataObject
) -> None:
    """Whatever the locations saw, the figure is a share: within [0, 1]; the counted time,
    the unmonitored time and the rest of the span add up to the span."""
    evidence = [data.draw(locations(f"l{i}")) for i in range(count)]
    quorum = data.draw(st.integers(1, count))
    vantage = judge_vantage(evidence, quorum, SPAN, NOW)
    outages = tuple(o.as_outage("it") for o in vantage.outages)
    figure = compute_availability(
        period=SPAN,
        window=IntervalSet((SPAN,)),
        outages=outages,
        maintenance=IntervalSet(),
        now=NOW,
        objective=0.99,
        monitored=vantage.monitored,
    )
    assert 0.0 <= figure.availability <= 1.0
    assert figure.unplanned_downtime == vantage.counted_down.total
    assert vantage.counted_down & vantage.unmonitored == IntervalSet()
    assert vantage.degraded & vantage.unmonitored == IntervalSet()


def test_a_location_only_failure_is_listed_with_its_location_span_and_cause() -> None:
    """b alone sees 20-40 down with a refused connection: one failure of b's, that cause."""
    vantage = judge_vantage(
        [watching("a"), watching("b", down((20, 40), cause="refused")), watching("c")],
        2,
        SPAN,
        NOW,
    )
    [failure] = vantage.failures
    assert (failure.location, failure.span, failure.cause) == (
        "b",
        Interval(at(20), at(40)),
        "refused",
    )


@settings(max_examples=300, deadline=None)
@given(locations("a"), st.integers(1, 3))
def test_a_lone_location_is_judged_as_the_sweep_over_every_instant_judges_it(
    only: LocationEvidence, quorum: int
) -> None:
    """The shortcut for one location gives the same judgement, field by field, as cutting
    the span at every bound and applying the rule to each piece."""
    now = as_utc(NOW)
    whole = IntervalSet((SPAN,))
    assert judge_vantage([only], quorum, SPAN, NOW) == _judge_by_sweep(
        [only], quorum, SPAN, whole, now
    )


def _sightings_one_by_one(
    pieces: IntervalSet, evidence: list[LocationEvidence]
) -> list[tuple[bool, tuple[tuple[str, datetime, str], ...]]]:
    """Every location's outages that overlap each piece, found by trying every pair, and
    whether one of them is still open at the piece's end."""
    found = []
    for piece in pieces:
        seen = [
            (o, span)
            for place in evidence
            for o in place.outages
            if (span := o.interval(NOW)) is not None and span.intersection(piece) is not None
        ]
        owner = {o.id: place.location for place in evidence for o in place.outages}
        still_open = any(o.end is None and span.end >= piece.end for o, span in seen)
        sightings = sorted((as_utc(o.start), owner[o.id], o.id) for o, _ in seen)
        found.append((still_open and piece.end >= NOW, tuple((p, s, i) for s, p, i in sightings)))
    return found


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from("abc"), min_size=1, max_size=3, unique=True), st.data())
def test_each_counted_outage_names_exactly_the_sightings_that_overlap_it(
    names: list[str], data: st.DataObject
) -> None:
    """Sightings and location-only causes, found in one pass in start order, are the ones
    trying every outage against every piece finds."""
    evidence = [data.draw(locations(name)) for name in names]
    evidence = [
        LocationEvidence(
            e.location,
            e.monitored,
            tuple(
                Outage(o.start, o.end, o.cause, id=f"{e.location}{i}")
                for i, o in enumerate(e.outages)
            ),
        )
        for e in evidence
    ]
    quorum = data.draw(st.integers(1, len(names)))
    vantage = judge_vantage(evidence, quorum, SPAN, NOW)
    assert [
        (outage.open, tuple((s.location, s.start, s.outage_id) for s in outage.sightings))
        for outage in vantage.outages
    ] == _sightings_one_by_one(vantage.counted_down, evidence)
    for failure in vantage.failures:
        place = next(e for e in evidence if e.location == failure.location)
        first = next(
            (
                o.cause
                for o in place.outages
                if (span := o.interval(NOW)) is not None
                and span.intersection(failure.span) is not None
            ),
            "failure",
        )
        assert failure.cause == first


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from("abc"), minute_spans, max_size=3),
    st.dictionaries(st.sampled_from("abc"), minute_spans, max_size=3),
    st.tuples(st.integers(0, 100), st.integers(0, 100)).map(sorted),
)
def test_the_sweep_cuts_the_span_where_asking_each_location_at_every_bound_would(
    monitored_spans: dict[str, list[tuple[int, int]]],
    down_spans: dict[str, list[tuple[int, int]]],
    bounds: list[int],
) -> None:
    """Walking the bounds once in order finds the same pieces, with the same locations
    monitoring and seeing the target down, as searching every location's sets at each."""
    span = Interval(at(bounds[0]), at(bounds[1]))
    monitored = {name: spans(*found) for name, found in monitored_spans.items()}
    down_sets = {name: spans(*found) for name, found in down_spans.items()}
    edges = {span.start, span.end}
    for sets in (monitored, down_sets):
        for found in sets.values():
            for interval in found:
                edges.update((interval.start, interval.end))
    ordered = sorted(b for b in edges if span.start <= b <= span.end)
    asked = [
        (
            Interval(start, end),
            frozenset(n for n, s in monitored.items() if s.contains(start)),
            frozenset(n for n, s in down_sets.items() if s.contains(start)),
        )
        for start, end in pairwise(ordered)
    ]
    assert list(_pieces(span, monitored, down_sets)) == asked


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from("abc"), min_size=1, max_size=3, unique=True),
    st.tuples(st.integers(0, 100), st.integers(0, 100)).map(sorted),
    st.data(),
)
def test_a_part_of_a_judged_span_clipped_from_it_is_judged_as_the_part_alone(
    names: list[str], part: list[int], data: st.DataObject
) -> None:
    """Clipping the judgement of the whole span to a part gives, field by field, the
    judgement of the part: sets, counted outages cut at its bounds, and failures."""
    evidence = [data.draw(locations(name)) for name in names]
    quorum = data.draw(st.integers(1, len(names)))
    inside = Interval(at(part[0]), at(part[1]))
    judged = judge_vantage(evidence, quorum, SPAN, NOW)
    assert clip_vantage(judged, evidence, inside, NOW) == judge_vantage(
        evidence, quorum, inside, NOW
    )


def test_a_span_outside_the_judged_one_cannot_be_clipped_from_it() -> None:
    """Time the judgement never looked at cannot be read from it."""
    judged = judge_vantage([LocationEvidence("a", spans((0, 50)))], 1, Interval(at(0), at(50)), NOW)
    with pytest.raises(ValueError, match="not inside"):
        clip_vantage(judged, [LocationEvidence("a", spans((0, 50)))], SPAN, NOW)


@st.composite
def corrected(draw: st.DrawFn, name: str) -> LocationEvidence:
    """A location's evidence with some outages closed early or voided by a correction."""
    found = draw(locations(name))
    outages = []
    for outage in found.outages:
        kind: CorrectionKind | None = draw(st.sampled_from(["close", "void", None]))
        if kind is None:
            outages.append(outage)
            continue
        instant = at(draw(st.integers(0, 100))) if kind == "close" else None
        fix = OutageCorrection(kind, "checked", "ops", at(100), at=instant)
        outages.append(
            Outage(outage.start, outage.end, outage.cause, id=outage.id, corrections=(fix,))
        )
    return LocationEvidence(name, found.monitored, tuple(outages))


@settings(max_examples=300, deadline=None)
@given(corrected("a"), st.integers(1, 3), st.integers(0, 100))
def test_a_glance_at_a_lone_location_sees_what_its_judgement_sees(
    only: LocationEvidence, quorum: int, end: int
) -> None:
    """Without listing the counted outages, a glance finds the same monitored and degraded
    time and whether the target is counted down at the span's last instant, corrections
    that close an outage early or void it included."""
    span = Interval(at(0), at(end))
    judged = judge_vantage([only], quorum, span, NOW)
    glance = glance_alone(only, quorum, span, NOW)
    last = span.end - timedelta(microseconds=1)
    assert glance.monitored == IntervalSet((span,)) - judged.unmonitored
    assert glance.degraded == judged.degraded
    assert glance.down_at_end == (end > 0 and judged.counted_down.contains(last))
