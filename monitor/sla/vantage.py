"""Several probe locations and a quorum: which time counts as down (docs/rules.md#quorum).

One probe location alone cannot tell the supplier's fault from its own: when its uplink, its
resolver or its host fails, every target looks down. With several locations the instant ``t``
is judged from all of them together:

* ``M(t)``: the target's locations that are *monitoring* it at ``t`` (inside a monitoring
  session, and, where the location has a canary, with the canary healthy);
* ``D(t) ⊆ M(t)``: the monitoring locations whose own outage covers ``t``.

The instant counts as down when ``|D(t)| ≥ min(quorum, |M(t)|)`` and ``|M(t)| ≥ 1``, and as
unmonitored when ``M(t)`` is empty. Time with ``0 < |D(t)|`` below that threshold is a
*location-only failure*: listed with its location, never downtime. Time with
``1 ≤ |M(t)| < quorum`` is *degraded vantage*: still judged by the rule, and reported as such,
because fewer locations than agreed decided it.

A counted outage is a maximal stretch of counted-down time: it starts when the condition first
holds and ends when it stops, and keeps which locations saw it and with what cause, so a
disputed outage can be shown from every side. Measured, like all availability (3.2.10).

The rule is a function of intervals only, so it is evaluated the same on every instance and
for any past month: the figures are derived from the per-location evidence, never stored.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.sla.availability import Outage, OutageSource
from monitor.sla.intervals import Interval, IntervalSet, as_utc

__all__ = [
    "CANARY",
    "Glance",
    "LocationEvidence",
    "LocationFailure",
    "LocationSighting",
    "QuorumOutage",
    "Vantage",
    "clip_vantage",
    "default_quorum",
    "glance_alone",
    "judge_vantage",
]


_INSTANT = timedelta(microseconds=1)

CANARY = "@canary"
"""The target name a location's canary is recorded under; no configured name can take it."""


def default_quorum(locations: int) -> int:
    """A majority of the target's locations: 1 of 1, 2 of 2, 2 of 3, 3 of 4."""
    if locations < 1:
        raise ValueError("a target needs at least one location")
    return locations // 2 + 1


@dataclass(frozen=True, slots=True)
class LocationEvidence:
    """What one location knows of one target: when it was monitoring and its own outages."""

    location: str
    monitored: IntervalSet
    outages: tuple[Outage, ...] = ()

    def down(self, now: datetime) -> IntervalSet:
        """The location's outage time, corrections applied, limited to when it monitored:
        a location that was not monitoring has no say, whatever its open outage claims."""
        spans = (o.interval(now) for o in self.outages)
        return IntervalSet(s for s in spans if s is not None) & self.monitored

    def down_at(self, instant: datetime, now: datetime) -> bool:
        """Whether :meth:`down` holds ``instant``, without building the set: the live gauges
        ask this of every target at every rebuild. A correction only shortens or voids an
        outage, so the stored span rules out most of them."""
        if not self.monitored.contains(instant):
            return False
        for outage in self.outages:
            if as_utc(outage.start) <= instant and (
                outage.end is None or as_utc(outage.end) > instant
            ):
                span = outage.interval(now)
                if span is not None and span.contains(instant):
                    return True
        return False


@dataclass(frozen=True, slots=True)
class LocationSighting:
    """One location's own outage that overlaps a counted outage."""

    location: str
    start: datetime
    cause: str
    outage_id: str = ""


@dataclass(frozen=True, slots=True)
class LocationFailure:
    """A stretch one location saw the target down without a quorum: listed, never downtime."""

    location: str
    span: Interval
    cause: str


@dataclass(frozen=True, slots=True)
class QuorumOutage:
    """A counted outage: a maximal stretch of quorum-down time and who saw it."""

    span: Interval
    open: bool
    sightings: tuple[LocationSighting, ...]

    @property
    def locations(self) -> tuple[str, ...]:
        return tuple(sorted({s.location for s in self.sightings}))

    @property
    def cause(self) -> str:
        """The cause of the earliest sighting: the first location that saw it first."""
        first = min(self.sightings, key=lambda s: (as_utc(s.start), s.location))
        return first.cause

    def as_outage(self, target: str) -> Outage:
        """The counted outage as the availability rule takes it. Its id is derived from the
        target and the start, so every instance names the same outage the same way."""
        return Outage(
            start=self.span.start,
            end=None if self.open else self.span.end,
            cause=self.cause,
            source=OutageSource.PROBE,
            id=f"quorum:{target}:{self.span.start.isoformat()}",
        )


@dataclass(frozen=True, slots=True)
class Vantage:
    """The judgement of one target over one span by the quorum rule."""

    span: Interval
    quorum: int
    counted_down: IntervalSet
    unmonitored: IntervalSet
    degraded: IntervalSet
    location_only: Mapping[str, IntervalSet]
    not_monitoring: Mapping[str, IntervalSet]
    outages: tuple[QuorumOutage, ...]
    seen_down: Mapping[str, IntervalSet]
    """Each location's own down time while it monitored, counted or not."""
    failures: tuple[LocationFailure, ...] = ()
    """The location-only failures, each with the cause its location recorded."""

    @property
    def monitored(self) -> IntervalSet:
        """Time at least one location was monitoring: the evidence behind the figure."""
        return IntervalSet((self.span,)) - self.unmonitored


def judge_vantage(
    evidence: Sequence[LocationEvidence],
    quorum: int,
    span: Interval,
    now: datetime,
) -> Vantage:
    """Apply the quorum rule to every instant of ``span`` (docs/rules.md#quorum).

    ``evidence`` holds one entry per location of the target, monitoring or not; ``now`` ends
    open outages. The sweep runs over the bounds of all sets, so its cost is linear in the
    number of outages and sessions, not in the length of the span.
    """
    if quorum < 1:
        raise ValueError(f"quorum must be at least 1, got {quorum}")
    names = [e.location for e in evidence]
    if len(set(names)) != len(names):
        raise ValueError(f"a location appears twice: {sorted(names)}")
    now = as_utc(now)
    whole = IntervalSet((span,))
    if len(evidence) == 1:
        return _judge_alone(evidence[0], quorum, span, whole, now)
    return _judge_by_sweep(evidence, quorum, span, whole, now)


def clip_vantage(
    vantage: Vantage, evidence: Sequence[LocationEvidence], span: Interval, now: datetime
) -> Vantage:
    """The judgement of ``span``, a part of the span ``vantage`` judged from ``evidence``
    as of ``now``, without judging again (docs/rules.md#quorum).

    The rule decides instant by instant, so every set of the part is the whole's set
    inside it; only the counted outages and the location-only failures, stretches cut at
    the part's bounds, are found anew. A property test holds this equal to
    :func:`judge_vantage` over the part."""
    if not vantage.span.holds(span):
        raise ValueError(f"{span} is not inside the judged span {vantage.span}")
    now = as_utc(now)
    whole = IntervalSet((span,))
    counted = vantage.counted_down & whole
    seen_down = {name: found & whole for name, found in vantage.seen_down.items()}
    several = len(evidence) > 1
    return Vantage(
        span=span,
        quorum=vantage.quorum,
        counted_down=counted,
        unmonitored=vantage.unmonitored & whole,
        degraded=vantage.degraded & whole,
        location_only={name: found & whole for name, found in vantage.location_only.items()},
        not_monitoring={name: found & whole for name, found in vantage.not_monitoring.items()},
        outages=_quorum_outages(counted, evidence, now),
        seen_down=seen_down,
        failures=_failures(evidence, counted, seen_down, now) if several else (),
    )


def _judge_by_sweep(
    evidence: Sequence[LocationEvidence],
    quorum: int,
    span: Interval,
    whole: IntervalSet,
    now: datetime,
) -> Vantage:
    """The rule instant by instant: the span cut at every bound of every location's sets."""
    names = [e.location for e in evidence]
    monitored = {e.location: e.monitored & whole for e in evidence}
    down = {e.location: e.down(now) & whole for e in evidence}
    counted: list[Interval] = []
    unmonitored: list[Interval] = []
    degraded: list[Interval] = []
    for piece, watching, seeing in _pieces(span, monitored, down):
        if not watching:
            unmonitored.append(piece)
            continue
        if len(watching) < quorum:
            degraded.append(piece)
        if seeing and len(seeing) >= min(quorum, len(watching)):
            counted.append(piece)
    counted_down = IntervalSet(counted)
    return Vantage(
        span=span,
        quorum=quorum,
        counted_down=counted_down,
        unmonitored=IntervalSet(unmonitored),
        degraded=IntervalSet(degraded),
        location_only={name: down[name] - counted_down for name in names},
        not_monitoring={name: whole - monitored[name] for name in names},
        outages=_quorum_outages(counted_down, evidence, now),
        seen_down=down,
        failures=_failures(evidence, counted_down, down, now),
    )


@dataclass(frozen=True, slots=True)
class Glance:
    """The judgement of a target with one location over ``span`` as far as the live gauges
    need it: its monitored and degraded-vantage time and whether it is counted down at the
    span's last instant, without the counted outages, whose listing costs what the month
    holds. :func:`judge_vantage` over the same evidence makes the same sets."""

    span: Interval
    quorum: int
    monitored: IntervalSet
    degraded: IntervalSet
    down_at_end: bool
    """Counted down at the span's last instant (a location sees down only what it monitors)."""


def glance_alone(evidence: LocationEvidence, quorum: int, span: Interval, now: datetime) -> Glance:
    """:class:`Glance` of the only location's evidence over ``span`` (docs/rules.md#quorum)."""
    now = as_utc(now)
    monitored, degraded = _alone_sets(evidence, quorum, IntervalSet((span,)))
    down = span.end > span.start and evidence.down_at(span.end - _INSTANT, now)
    return Glance(span, quorum, monitored, degraded, down_at_end=down)


def _alone_sets(
    evidence: LocationEvidence, quorum: int, whole: IntervalSet
) -> tuple[IntervalSet, IntervalSet]:
    """The only location's monitored time in ``whole``, and the degraded vantage: all of it
    when the quorum asks for more than one location."""
    monitored = evidence.monitored & whole
    return monitored, monitored if quorum > 1 else IntervalSet()


def _judge_alone(
    evidence: LocationEvidence, quorum: int, span: Interval, whole: IntervalSet, now: datetime
) -> Vantage:
    """The rule for a target with one location, without the sweep: that location decides
    every instant it monitors (``|D(t)| = 1 ≥ min(quorum, 1)``), so the counted time is its
    own down time, nothing is location-only, and all its time is degraded vantage when the
    quorum asks for more than one. Most targets have one location; this is the same
    judgement as the sweep (a property test holds them equal) at a fraction of the cost."""
    name = evidence.location
    monitored, degraded = _alone_sets(evidence, quorum, whole)
    down = evidence.down(now) & whole
    return Vantage(
        span=span,
        quorum=quorum,
        counted_down=down,
        unmonitored=whole - monitored,
        degraded=degraded,
        location_only={name: IntervalSet()},
        not_monitoring={name: whole - monitored},
        outages=_quorum_outages(down, (evidence,), now),
        seen_down={name: down},
        failures=(),
    )


def _pieces(
    span: Interval,
    monitored: Mapping[str, IntervalSet],
    down: Mapping[str, IntervalSet],
) -> Iterable[tuple[Interval, frozenset[str], frozenset[str]]]:
    """The span cut at every bound, each piece with who monitors it and who sees it down.

    One sweep over the bounds in order, each turning one location's membership on or off
    (a normalised set's intervals never touch, so a location changes at most once per set
    at any instant): a month of three locations' evidence costs its bounds, not bounds times
    locations times a search."""
    changes: dict[datetime, list[tuple[set[str], str, bool]]] = {}
    watching: set[str] = set()
    seeing: set[str] = set()
    for members, sets in ((watching, monitored), (seeing, down)):
        for name, found in sets.items():
            for interval in found:
                changes.setdefault(interval.start, []).append((members, name, True))
                changes.setdefault(interval.end, []).append((members, name, False))
    instants = sorted(changes)
    following = 0
    while following < len(instants) and instants[following] <= span.start:
        _apply(changes[instants[following]])
        following += 1
    start = span.start
    now_watching, now_seeing = frozenset(watching), frozenset(seeing)
    while start < span.end:
        end = span.end
        if following < len(instants) and instants[following] < span.end:
            end = instants[following]
        yield Interval(start, end), now_watching, now_seeing
        if end == span.end:
            break
        _apply(changes[end])
        following += 1
        now_watching, now_seeing = frozenset(watching), frozenset(seeing)
        start = end


def _apply(changes: Iterable[tuple[set[str], str, bool]]) -> None:
    for members, name, entering in changes:
        if entering:
            members.add(name)
        else:
            members.discard(name)


def _failures(
    evidence: Sequence[LocationEvidence],
    counted: IntervalSet,
    down: Mapping[str, IntervalSet],
    now: datetime,
) -> tuple[LocationFailure, ...]:
    found = []
    for location in evidence:
        pieces = down[location.location] - counted
        for piece, seen in zip(pieces, _overlapping(pieces, location.outages, now), strict=True):
            cause = seen[0][0].cause if seen else "failure"
            found.append(LocationFailure(location.location, piece, cause))
    return tuple(sorted(found, key=lambda f: (f.span.start, f.location)))


def _quorum_outages(
    counted: IntervalSet, evidence: Sequence[LocationEvidence], now: datetime
) -> tuple[QuorumOutage, ...]:
    sightings: list[list[LocationSighting]] = [[] for _ in counted]
    still_open = [False] * len(sightings)
    for location in evidence:
        seen_by_piece = _overlapping(counted, location.outages, now)
        for index, (piece, seen) in enumerate(zip(counted, seen_by_piece, strict=True)):
            for outage, interval in seen:
                sightings[index].append(
                    LocationSighting(
                        location.location, as_utc(outage.start), outage.cause, outage.id
                    )
                )
                if outage.end is None and interval.end >= piece.end:
                    still_open[index] = True
    return tuple(
        QuorumOutage(
            piece,
            is_open and piece.end >= now,
            tuple(sorted(seen, key=lambda s: (s.start, s.location, s.outage_id))),
        )
        for piece, seen, is_open in zip(counted, sightings, still_open, strict=True)
    )


def _overlapping(
    pieces: IntervalSet, outages: Sequence[Outage], now: datetime
) -> list[list[tuple[Outage, Interval]]]:
    """For each piece (sorted, disjoint), the outages whose counted span overlaps it, in the
    outages' order. One pass over both in start order, so a month of a flapping target's
    outages costs their number, not its square; an outage already ended before a piece
    cannot reach a later one and is dropped for good."""
    spans = sorted(
        (
            (interval, index, outage)
            for index, outage in enumerate(outages)
            if (interval := outage.interval(now)) is not None
        ),
        key=lambda found: found[0].start,
    )
    found: list[list[tuple[Outage, Interval]]] = []
    active: list[tuple[Interval, int, Outage]] = []
    following = 0
    for piece in pieces:
        while following < len(spans) and spans[following][0].start < piece.end:
            active.append(spans[following])
            following += 1
        active = [item for item in active if item[0].end > piece.start]
        found.append([(o, i) for i, _, o in sorted(active, key=lambda item: item[1])])
    return found
