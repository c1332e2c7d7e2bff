"""Evidence: what the store knows about targets over a span.

The figures are computed from three kinds of evidence: outages (with their corrections),
monitoring sessions and registered maintenance. The live figures lay the daemon's
unconfirmed outage events over it (:mod:`monitor.live.overlay`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from monitor.sla.availability import Outage
from monitor.sla.corrections import OutageCorrection
from monitor.sla.intervals import Interval, as_utc
from monitor.sla.registered import RegisteredMaintenance
from monitor.store import MonitoringSession, Store, StoredOutage

__all__ = [
    "Evidence",
    "StoredEvidence",
    "by_location",
    "corrected",
    "evidence_of",
    "load_evidence",
    "read_stored_evidence",
]

Span = tuple[datetime, datetime]


@dataclass(frozen=True, slots=True)
class Evidence:
    """Outages, sessions and registered maintenance overlapping ``span``, by target."""

    span: Interval
    outages: Mapping[str, tuple[Outage, ...]] = field(default_factory=dict)
    sessions: Mapping[str, tuple[Span, ...]] = field(default_factory=dict)
    registered: tuple[RegisteredMaintenance, ...] = ()
    outage_locations: Mapping[str, str] = field(default_factory=dict)
    """The probe location of each stored outage, by id (docs/rules.md#quorum)."""
    located_sessions: Mapping[str, Mapping[str, tuple[Span, ...]]] = field(default_factory=dict)
    """The sessions of each target by location; ``sessions`` holds all of them together."""

    def outages_of(self, target: str) -> tuple[Outage, ...]:
        return self.outages.get(target, ())

    def sessions_of(self, target: str) -> tuple[Span, ...]:
        return self.sessions.get(target, ())

    def sessions_at(self, target: str, location: str) -> tuple[Span, ...]:
        return self.located_sessions.get(target, {}).get(location, ())

    def location_of(self, outage: Outage, default: str) -> str:
        """Where an outage was seen; one the store has not confirmed yet is ``default``'s."""
        return self.outage_locations.get(outage.id, default)

    def known_at(self, instant: datetime) -> Evidence:
        """The evidence as it stood at ``instant``: what was recorded later is invisible.

        A report ``--as-of`` an earlier instant must reproduce what could be known then
        (3.2.5: the report as sent): an outage that started later is left out and one that
        ended later is still open; a session that started later is left out and one that
        went on is cut at the instant; a maintenance window registered later did not exist,
        one approved later was not approved yet; a correction recorded later was not made.
        """
        at = as_utc(instant)
        outages = {
            target: tuple(_outage_known_at(o, at) for o in found if as_utc(o.start) <= at)
            for target, found in self.outages.items()
        }
        registered = tuple(
            _window_known_at(w, at) for w in self.registered if as_utc(w.registered_at) <= at
        )
        located = {
            target: {place: _spans_known_at(spans, at) for place, spans in by_place.items()}
            for target, by_place in self.located_sessions.items()
        }
        return replace(
            self,
            outages=outages,
            sessions={t: _spans_known_at(spans, at) for t, spans in self.sessions.items()},
            registered=registered,
            located_sessions=located,
        )


def _spans_known_at(spans: tuple[Span, ...], at: datetime) -> tuple[Span, ...]:
    return tuple(
        (start, at if as_utc(end) > at else end) for start, end in spans if as_utc(start) <= at
    )


def _outage_known_at(outage: Outage, at: datetime) -> Outage:
    end = outage.end if outage.end is None or as_utc(outage.end) <= at else None
    corrections = tuple(c for c in outage.corrections if as_utc(c.recorded_at) <= at)
    if end == outage.end and corrections == outage.corrections:
        return outage
    return replace(outage, end=end, corrections=corrections)


def _window_known_at(window: RegisteredMaintenance, at: datetime) -> RegisteredMaintenance:
    if window.approved_at is None or as_utc(window.approved_at) <= at:
        return window
    return replace(window, approved_by=None, approved_at=None)


@dataclass(frozen=True, slots=True)
class StoredEvidence:
    """The stored rows that the evidence of a span is made of, as the store returned them:
    outages ordered by (start, id), sessions by (started_at, id), corrections by outage id.

    Kept apart from :class:`Evidence` so the incremental reader
    (:class:`monitor.figures.reading.EvidenceReader`) can keep the rows, and merge later
    changes into them by id, while making its evidence exactly as :func:`load_evidence` does.
    """

    outages: Sequence[StoredOutage]
    corrections: Mapping[str, Sequence[OutageCorrection]]
    sessions: Sequence[MonitoringSession]
    registered: tuple[RegisteredMaintenance, ...]


async def read_stored_evidence(
    store: Store, span: Interval, *, beyond_end: bool = False
) -> StoredEvidence:
    """Read everything overlapping ``span`` in four queries; with ``beyond_end``, the
    outages and sessions that start at or after its end too.

    Corrections are read whole: they are manual acts, a few per month, while naming the
    span's outages would take one query per 500 of them."""
    until = None if beyond_end else span.end
    records = await store.outages(since=span.start, until=until)
    corrections = await store.outage_corrections() if records else {}
    sessions = await store.sessions(since=span.start, until=until)
    registered = tuple(w.registered for w in await store.maintenance_windows(span.start, span.end))
    return StoredEvidence(records, corrections, sessions, registered)


def corrected(
    record: StoredOutage, corrections: Mapping[str, Sequence[OutageCorrection]]
) -> Outage:
    """The stored outage with its corrections laid over it (docs/rules.md#corrections)."""
    if laid_over := corrections.get(record.id):
        return replace(record.outage, corrections=tuple(laid_over))
    return record.outage


def evidence_of(span: Interval, stored: StoredEvidence) -> Evidence:
    """The evidence of ``span`` made of rows that all overlap it."""
    outages: dict[str, list[Outage]] = defaultdict(list)
    for record in stored.outages:
        outages[record.target].append(corrected(record, stored.corrections))
    sessions: dict[str, list[Span]] = defaultdict(list)
    places: dict[str, list[str]] = defaultdict(list)
    for session in stored.sessions:
        sessions[session.target].append((session.started_at, session.last_seen_at))
        places[session.target].append(session.location)
    spans = {t: tuple(v) for t, v in sessions.items()}
    return Evidence(
        span=span,
        outages={t: tuple(v) for t, v in outages.items()},
        sessions=spans,
        registered=stored.registered,
        outage_locations={r.id: r.location for r in stored.outages},
        located_sessions={t: by_location(v, places[t]) for t, v in spans.items()},
    )


class _OneLocation(Mapping[str, tuple[Span, ...]]):
    """``{location: spans}`` in a fifth of a dict's memory: the live rebuild keeps one for
    each of 10,000 targets between runs."""

    __slots__ = ("_location", "_spans")

    def __init__(self, location: str, spans: tuple[Span, ...]) -> None:
        self._location = location
        self._spans = spans

    def __getitem__(self, key: str) -> tuple[Span, ...]:
        if key != self._location:
            raise KeyError(key)
        return self._spans

    def __iter__(self) -> Iterator[str]:
        return iter((self._location,))

    def __len__(self) -> int:
        return 1


def by_location(
    spans: tuple[Span, ...], locations: Sequence[str]
) -> Mapping[str, tuple[Span, ...]]:
    """``spans`` by the location each was measured from (``locations``, in step). With one
    location (most targets) its spans are ``spans`` itself, not a copy: the live rebuild
    keeps both for every target."""
    if len(set(locations)) == 1:
        return _OneLocation(locations[0], spans)
    found: dict[str, list[Span]] = {}
    for place, pair in zip(locations, spans, strict=True):
        found.setdefault(place, []).append(pair)
    return {place: tuple(pairs) for place, pairs in found.items()}


async def load_evidence(store: Store, span: Interval) -> Evidence:
    """Everything the store knows overlapping ``span``, corrections laid over outages."""
    return evidence_of(span, await read_stored_evidence(store, span))
