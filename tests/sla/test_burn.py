"""The burn-rate counters: live time integrated once, clamped, never moved by history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from monitor.sla.burn import BurnCounter, settle_time
from monitor.sla.intervals import Interval

T0 = datetime(2026, 11, 7, 6, 0, tzinfo=UTC)
S = timedelta(seconds=1)
SETTLE = 5 * S


def test_a_new_counter_starts_at_zero_and_counts_from_the_first_settled_instant() -> None:
    """Started at 06:00 with 5 s settle time, the first span runs from 05:59:55."""
    counter = BurnCounter.start(T0, SETTLE)
    assert (counter.window, counter.unavailable) == (timedelta(0), timedelta(0))
    assert counter.due(T0 + 15 * S, SETTLE) == Interval(T0 - SETTLE, T0 + 10 * S)


def test_each_span_is_measured_once_and_the_next_one_starts_where_it_ended() -> None:
    """Two recomputes 15 s apart: two adjacent spans, their measurements added."""
    counter = BurnCounter.start(T0, SETTLE)
    first = counter.due(T0 + 15 * S, SETTLE)
    counter = counter.advance(T0 + 15 * S, first, 15 * S, 10 * S)
    second = counter.due(T0 + 30 * S, SETTLE)
    assert first is not None
    assert second == Interval(first.end, first.end + 15 * S)
    counter = counter.advance(T0 + 30 * S, second, 15 * S, 15 * S)
    assert (counter.window, counter.unavailable) == (30 * S, 25 * S)


def test_a_measurement_larger_than_the_span_is_clamped_to_the_span() -> None:
    """History that slipped into a measurement (2,700 s in a 15 s span) adds 15 s at most."""
    counter = BurnCounter.start(T0, SETTLE)
    span = counter.due(T0 + 15 * S, SETTLE)
    advanced = counter.advance(T0 + 15 * S, span, 792_000 * S, 2_700 * S)
    assert (advanced.window, advanced.unavailable) == (15 * S, 15 * S)


def test_a_negative_measurement_adds_nothing_and_unavailable_never_exceeds_window() -> None:
    """A retroactive reclassification cannot make a counter fall; unavailable <= window."""
    counter = BurnCounter.start(T0, SETTLE)
    span = counter.due(T0 + 15 * S, SETTLE)
    fallen = counter.advance(T0 + 15 * S, span, -8_533 * S, -5 * S)
    assert (fallen.window, fallen.unavailable) == (timedelta(0), timedelta(0))
    lopsided = counter.advance(T0 + 15 * S, span, 4 * S, 12 * S)
    assert (lopsided.window, lopsided.unavailable) == (4 * S, 4 * S)


def test_a_clock_that_steps_back_counts_nothing_and_counts_nothing_twice() -> None:
    """now before the last advance: no span; afterwards counting resumes at the frontier."""
    counter = BurnCounter.start(T0, SETTLE)
    counter = counter.advance(T0 + 15 * S, counter.due(T0 + 15 * S, SETTLE), 15 * S)
    assert counter.due(T0 + 10 * S, SETTLE) is None
    frozen = counter.advance(T0 + 10 * S, None)
    assert frozen == counter
    assert frozen.due(T0 + 20 * S, SETTLE) == Interval(T0 + 10 * S, T0 + 15 * S)


def test_a_longer_settle_time_after_a_reload_pauses_counting_instead_of_recounting() -> None:
    """settle 5 s -> 60 s: the frontier is ahead of now − settle, so nothing is due."""
    counter = BurnCounter.start(T0, SETTLE)
    counter = counter.advance(T0 + 15 * S, counter.due(T0 + 15 * S, SETTLE), 15 * S)
    assert counter.due(T0 + 30 * S, 60 * S) is None


def test_a_shorter_settle_time_never_lets_the_frontier_outrun_the_clock() -> None:
    """settle 60 s -> 5 s: the next span is still only as long as the time that passed."""
    counter = BurnCounter.start(T0, 60 * S)
    span = counter.due(T0 + 15 * S, SETTLE)
    assert span is not None
    assert span.duration == 15 * S


def test_settle_time_covers_detection_of_an_outage_and_of_a_gap() -> None:
    """30 s probes, 2 failures, 10 s timeout: 70 s; one failure still waits for a gap."""
    assert settle_time(30 * S, 2, 10 * S) == 70 * S
    assert settle_time(30 * S, 1, 10 * S) == 70 * S
    assert settle_time(30 * S, 3, 10 * S) == 100 * S


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=-30, max_value=120),  # seconds the clock moved
            st.integers(min_value=-10_000, max_value=1_000_000),  # measured window
            st.integers(min_value=-10_000, max_value=1_000_000),  # measured unavailable
            st.integers(min_value=0, max_value=90),  # settle time of this recompute
        ),
        max_size=40,
    )
)
def test_counters_only_grow_and_never_faster_than_the_clock(
    steps: list[tuple[int, int, int, int]],
) -> None:
    """Whatever the measurements and settle times, each advance adds 0..elapsed seconds."""
    now = T0
    counter = BurnCounter.start(now, SETTLE)
    latest = now
    for moved, window, unavailable, settle in steps:
        now += moved * S
        span = counter.due(now, settle * S)
        advanced = counter.advance(now, span, window * S, unavailable * S)
        elapsed = max(timedelta(0), now - latest)
        grew = advanced.window - counter.window
        assert timedelta(0) <= grew <= elapsed
        assert timedelta(0) <= advanced.unavailable - counter.unavailable <= grew
        assert advanced.frontier - counter.frontier <= elapsed
        assert advanced.frontier <= max(now, latest)
        latest = max(latest, now)
        counter = advanced
