"""Half-open interval sets over UTC instants.

Every figure in the Service Level Report is a length of a set of instants: outages clipped to a
window, minus maintenance, minus monitoring gaps. Doing that with ad-hoc loops invites
off-by-one-interval bugs (an outage counted twice where two probes overlap, a maintenance window
subtracted twice where two definitions overlap). So all of it goes through one small algebra of
*normalised* sets: sorted, disjoint, non-adjacent half-open intervals ``[start, end)``.

Instants are timezone-aware ``datetime`` objects. Lengths are ``timedelta`` (integer
microseconds), so sums are exact and a report line can be re-added by hand to the microsecond.
Comparisons of aware datetimes are done on the underlying UTC instant, so mixing zones is safe;
we still normalise every bound to UTC so that equal sets also *print* equally.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

__all__ = ["Interval", "IntervalSet", "as_utc"]

_ZERO = timedelta(0)


def as_utc(instant: datetime) -> datetime:
    """Return ``instant`` in UTC; refuse naive datetimes, whose meaning is a guess."""
    if instant.tzinfo is UTC:  # the common case, and the hot path of every interval operation
        return instant
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"naive datetime {instant.isoformat()} has no time zone")
    return instant.astimezone(UTC)


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """The half-open span ``[start, end)``; ``start <= end``, an empty span has ``start == end``."""

    start: datetime
    end: datetime

    def __post_init__(self) -> None:
        start, end = self.start, self.end
        if start.tzinfo is not UTC or end.tzinfo is not UTC:
            start, end = as_utc(start), as_utc(end)
            object.__setattr__(self, "start", start)
            object.__setattr__(self, "end", end)
        if end < start:
            raise ValueError(f"interval ends before it starts: [{start}, {end})")

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    @property
    def is_empty(self) -> bool:
        return self.start == self.end

    def contains(self, instant: datetime) -> bool:
        """Whether ``instant`` lies inside; the end itself is outside (half-open)."""
        return self.start <= instant < self.end

    def holds(self, other: Interval) -> bool:
        """Whether ``other`` lies inside this interval, bounds included."""
        return self.start <= other.start and other.end <= self.end

    def intersection(self, other: Interval) -> Interval | None:
        start, end = max(self.start, other.start), min(self.end, other.end)
        return Interval(start, end) if start < end else None


class IntervalSet:
    """An immutable, normalised union of half-open intervals.

    Normalised means: no empty intervals, sorted by start, and no two intervals touch or
    overlap (``[a, b)`` and ``[b, c)`` become ``[a, c)``). Two sets covering the same instants
    are therefore equal element by element, which is what makes the algebra testable.
    """

    __slots__ = ("_intervals",)

    _intervals: tuple[Interval, ...]

    def __init__(self, intervals: Iterable[Interval] = ()) -> None:
        self._intervals = _normalise(intervals)

    @classmethod
    def of(cls, start: datetime, end: datetime) -> IntervalSet:
        """A set of one span; convenient in tests and at call sites with two instants."""
        return cls((Interval(start, end),))

    @classmethod
    def _trusted(cls, intervals: tuple[Interval, ...]) -> IntervalSet:
        """Wrap intervals that are known to be normalised already (internal fast path)."""
        instance = cls.__new__(cls)
        instance._intervals = intervals
        return instance

    @property
    def intervals(self) -> tuple[Interval, ...]:
        return self._intervals

    def __iter__(self) -> Iterator[Interval]:
        return iter(self._intervals)

    def __len__(self) -> int:
        return len(self._intervals)

    def __bool__(self) -> bool:
        return bool(self._intervals)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, IntervalSet):
            return NotImplemented
        return self._intervals == other._intervals

    def __hash__(self) -> int:
        return hash(self._intervals)

    def __repr__(self) -> str:
        spans = ", ".join(f"[{i.start.isoformat()}, {i.end.isoformat()})" for i in self)
        return f"IntervalSet({spans})"

    @property
    def total(self) -> timedelta:
        """Total length; exact because ``timedelta`` counts integer microseconds."""
        return sum((i.duration for i in self._intervals), _ZERO)

    def contains(self, instant: datetime) -> bool:
        """Binary search: scrapes ask this for every target, so it must not be linear."""
        intervals = self._intervals
        index = bisect_right(intervals, instant, key=_start_of) - 1
        return index >= 0 and intervals[index].contains(instant)

    def union(self, *others: IntervalSet) -> IntervalSet:
        filled = [other for other in others if other._intervals]
        if not filled:
            return self
        if not self._intervals and len(filled) == 1:
            return filled[0]
        merged = list(self._intervals)
        for other in filled:
            merged.extend(other._intervals)
        return IntervalSet(merged)

    def intersection(self, other: IntervalSet) -> IntervalSet:
        """Sweep both sorted lists once: O(n + m)."""
        a, b = self._intervals, other._intervals
        if not a or not b:
            return IntervalSet._trusted(())
        result: list[Interval] = []
        i = j = 0
        while i < len(a) and j < len(b):
            overlap = a[i].intersection(b[j])
            if overlap is not None:
                result.append(overlap)
            # Advance whichever ends first; the other may still overlap the next one.
            if a[i].end <= b[j].end:
                i += 1
            else:
                j += 1
        # Pieces of disjoint, non-adjacent inputs cannot touch each other, so this is normal.
        return IntervalSet._trusted(tuple(result))

    def difference(self, other: IntervalSet) -> IntervalSet:
        """Instants in ``self`` and not in ``other``, by one sweep: O(n + m)."""
        cuts = other._intervals
        if not cuts or not self._intervals:
            return self
        result: list[Interval] = []
        j = 0
        for interval in self._intervals:
            start = interval.start
            # Skip cuts that end before this interval starts; they cannot matter any more.
            while j < len(cuts) and cuts[j].end <= start:
                j += 1
            k = j
            while k < len(cuts) and cuts[k].start < interval.end:
                if cuts[k].start > start:
                    result.append(Interval(start, cuts[k].start))
                start = max(start, cuts[k].end)
                k += 1
            if start < interval.end:
                result.append(Interval(start, interval.end))
        return IntervalSet._trusted(tuple(result))

    def clip(self, start: datetime, end: datetime) -> IntervalSet:
        """The part inside ``[start, end)``; an empty set when ``end <= start``. Binary
        search: the live figures clip a month's window to a few seconds at every rebuild."""
        if end <= start:
            return IntervalSet()
        intervals = self._intervals
        first = bisect_right(intervals, start, key=_end_of)  # the first ending after start
        last = bisect_left(intervals, end, key=_start_of)  # the first starting at end or later
        if first >= last:
            return IntervalSet._trusted(())
        inside = list(intervals[first:last])
        if inside[0].start < start:
            inside[0] = Interval(start, inside[0].end)
        if inside[-1].end > end:
            inside[-1] = Interval(inside[-1].start, end)
        return IntervalSet._trusted(tuple(inside))

    __or__ = union
    __and__ = intersection
    __sub__ = difference


def _start_of(interval: Interval) -> datetime:
    return interval.start


def _end_of(interval: Interval) -> datetime:
    return interval.end


def _normalise(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    ordered = sorted(i for i in intervals if not i.is_empty)
    merged: list[Interval] = []
    for interval in ordered:
        if merged and interval.start <= merged[-1].end:
            last = merged[-1]
            if interval.end > last.end:
                merged[-1] = Interval(last.start, interval.end)
        else:
            merged.append(interval)
    return tuple(merged)
