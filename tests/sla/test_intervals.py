"""The interval algebra, checked against a brute-force oracle over whole minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.sla.intervals import Interval, IntervalSet

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def minute(n: int) -> datetime:
    return EPOCH + timedelta(minutes=n)


spans = st.lists(
    st.tuples(st.integers(0, 60), st.integers(0, 20)).map(lambda p: (p[0], p[0] + p[1])),
    max_size=8,
)


def to_set(pairs: list[tuple[int, int]]) -> IntervalSet:
    return IntervalSet(Interval(minute(a), minute(b)) for a, b in pairs)


def points(pairs: list[tuple[int, int]]) -> set[int]:
    """The oracle: every minute a half-open span covers."""
    return {m for a, b in pairs for m in range(a, b)}


def from_points(covered: set[int]) -> IntervalSet:
    return IntervalSet(Interval(minute(m), minute(m + 1)) for m in covered)


@given(spans, spans)
def test_union_matches_the_oracle(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> None:
    """Union covers exactly the minutes either side covers."""
    assert to_set(a) | to_set(b) == from_points(points(a) | points(b))


@given(spans, spans)
def test_intersection_matches_the_oracle(
    a: list[tuple[int, int]], b: list[tuple[int, int]]
) -> None:
    """Intersection covers exactly the minutes both sides cover."""
    assert to_set(a) & to_set(b) == from_points(points(a) & points(b))


@given(spans, spans)
def test_difference_matches_the_oracle(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> None:
    """Difference covers exactly the minutes of the left side the right side misses."""
    assert to_set(a) - to_set(b) == from_points(points(a) - points(b))


@given(spans)
def test_total_length_counts_every_covered_minute_once(a: list[tuple[int, int]]) -> None:
    """Overlapping input is never counted twice."""
    assert to_set(a).total == timedelta(minutes=len(points(a)))


@given(spans, spans, spans)
def test_algebra_laws_hold(
    a: list[tuple[int, int]], b: list[tuple[int, int]], c: list[tuple[int, int]]
) -> None:
    """Commutativity, associativity, distributivity and De Morgan-style difference laws."""
    x, y, z = to_set(a), to_set(b), to_set(c)
    assert x | y == y | x
    assert x & y == y & x
    assert (x | y) | z == x | (y | z)
    assert x & (y | z) == (x & y) | (x & z)
    assert x - (y | z) == (x - y) & (x - z)
    assert (x - y) | (x & y) == x
    assert ((x - y) & y) == IntervalSet()


def test_touching_intervals_merge_into_one() -> None:
    """[a, b) and [b, c) are one span, so equal sets compare equal."""
    merged = IntervalSet([Interval(minute(0), minute(5)), Interval(minute(5), minute(9))])
    assert merged.intervals == (Interval(minute(0), minute(9)),)


def test_an_interval_never_ends_before_it_starts() -> None:
    """A reversed interval is a bug at the call site, not an empty span."""
    with pytest.raises(ValueError, match="ends before it starts"):
        Interval(minute(5), minute(1))


def test_naive_datetimes_are_refused() -> None:
    """A datetime without a zone has no instant; guessing one would shift figures by hours."""
    with pytest.raises(ValueError, match="naive"):
        Interval(datetime(2026, 1, 1), datetime(2026, 1, 2))


def test_bounds_are_normalised_to_utc_whatever_zone_they_came_in() -> None:
    """Sets built in different zones for the same instants are equal."""
    amsterdam = ZoneInfo("Europe/Amsterdam")
    local = IntervalSet.of(
        datetime(2026, 7, 1, 2, tzinfo=amsterdam), datetime(2026, 7, 1, 3, tzinfo=amsterdam)
    )
    assert local == IntervalSet.of(
        datetime(2026, 7, 1, 0, tzinfo=UTC), datetime(2026, 7, 1, 1, tzinfo=UTC)
    )


def test_the_end_instant_is_outside_a_half_open_interval() -> None:
    """Half-open: the start is in, the end is out."""
    span = Interval(minute(0), minute(10))
    assert span.contains(minute(0))
    assert not span.contains(minute(10))


def test_clip_keeps_only_the_part_inside_the_bounds() -> None:
    """Clipping is intersection with one span; a reversed clip is empty."""
    s = to_set([(0, 10), (20, 30)])
    assert s.clip(minute(5), minute(25)) == to_set([(5, 10), (20, 25)])
    assert s.clip(minute(25), minute(5)) == IntervalSet()


@given(spans, st.integers(-5, 90))
def test_contains_matches_the_oracle(a: list[tuple[int, int]], m: int) -> None:
    """Membership by binary search agrees with the covered minutes."""
    assert to_set(a).contains(minute(m)) == (m in points(a))


@given(spans, st.integers(-5, 130), st.integers(-5, 130))
def test_clip_is_the_intersection_with_one_span(a: list[tuple[int, int]], lo: int, hi: int) -> None:
    """The binary-searched clip gives what the sweep of an intersection gives."""
    expected = to_set(a) & IntervalSet.of(minute(lo), minute(hi)) if lo < hi else IntervalSet()
    assert to_set(a).clip(minute(lo), minute(hi)) == expected


@given(st.integers(0, 20), st.integers(0, 20), st.integers(0, 20), st.integers(0, 20))
def test_an_interval_holds_another_exactly_when_their_intersection_is_the_other(
    a: int, b: int, c: int, d: int
) -> None:
    """``holds`` agrees with intersecting for every non-empty interval, bounds included."""
    base = datetime(2026, 1, 1, tzinfo=UTC)
    outer = Interval(base + timedelta(hours=min(a, b)), base + timedelta(hours=max(a, b)))
    inner = Interval(base + timedelta(hours=min(c, d)), base + timedelta(hours=max(c, d)))
    if not inner.is_empty:
        assert outer.holds(inner) == (outer.intersection(inner) == inner)
