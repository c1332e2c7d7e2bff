"""Reading the evidence of the live figures incrementally: each run reads what changed.

The live snapshot is rebuilt every 15 seconds from the evidence of the running (often also
the previous) month. Reading it whole on every run costs in proportion to the month's
history: at 10,000 targets, with one outage per target per day, that read alone was about
0.4 ms of CPU per target per run and grew with the month. :class:`EvidenceReader` reads the
whole evidence once (:func:`~monitor.figures.evidence.load_evidence`'s read) and afterwards
only the outages and sessions stamped (``updated_at``, by the writing store's clock) since
its previous run, merged by id into what it keeps per target, so a run costs in proportion
to what changed.

The stamp is taken before the row commits, and by another process's clock. A delta
therefore reads from ``lookback`` before the previous run: a row stamped earlier than that
(a writer whose clock lags by more, or a transaction open that long) is missed until the
next full read, which comes at the latest ``full_every`` after the previous one. Both are
the bounds of the assumption that writers' clocks agree with the reader's
(docs/architecture.md, Performance).

A target that no delta touched keeps the very same tuples in the evidence between runs, so
the snapshot can tell unchanged targets by identity and skip their work.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from monitor.figures.evidence import (
    Evidence,
    Span,
    StoredEvidence,
    by_location,
    corrected,
    evidence_of,
    read_stored_evidence,
)
from monitor.sla.availability import Outage
from monitor.sla.corrections import OutageCorrection
from monitor.sla.intervals import Interval
from monitor.sla.registered import RegisteredMaintenance
from monitor.store import MonitoringSession, Store, StoredOutage

__all__ = ["EvidenceReader"]

_V = TypeVar("_V")


@dataclass(frozen=True, slots=True)
class _Read:
    """When and over which span the reader last read."""

    span: Interval
    now: datetime
    full_at: datetime
    """``now`` of the last full read."""


def _outage_overlaps(row: StoredOutage, span: Interval) -> bool:
    """:meth:`Store.outages`' ``since``/``until`` conditions, on one row."""
    start, end = row.outage.start, row.outage.end
    return start < span.end and (end is None or end > span.start or start >= span.start)


def _session_overlaps(row: MonitoringSession, span: Interval) -> bool:
    """:meth:`Store.sessions`' ``since``/``until`` conditions, on one row."""
    return row.started_at < span.end and row.last_seen_at >= span.start


class EvidenceReader:
    """The evidence of a span, read whole now and then and by its changes in between.

    One caller at a time (the recompute job); :meth:`read` of the same span and instant as
    :func:`~monitor.figures.evidence.load_evidence` gives an equal :class:`Evidence`.
    """

    def __init__(
        self,
        store: Store,
        *,
        lookback: timedelta = timedelta(minutes=5),
        full_every: timedelta = timedelta(hours=1),
    ) -> None:
        """``lookback``: how far before the previous run a delta reads, for writers' clocks
        that lag the reader's and for rows stamped before they commit. ``full_every``: how
        long at most a row stamped before that stays unseen."""
        self._store = store
        self._lookback = lookback
        self._full_every = full_every
        self._lock = asyncio.Lock()
        self._last: _Read | None = None
        self._stale = True
        # The rows that overlap the span, by id, and the ids of each target's.
        self._outages: dict[str, StoredOutage] = {}
        self._outage_ids: dict[str, tuple[str, ...]] = {}
        self._sessions: dict[str, MonitoringSession] = {}
        self._session_ids: dict[str, tuple[str, ...]] = {}
        # Rows that start at or after the span's end (a writer's clock ahead of ours, an
        # import of the future): not evidence yet, and no delta may read them again.
        self._outages_ahead: dict[str, StoredOutage] = {}
        self._sessions_ahead: dict[str, MonitoringSession] = {}
        self._corrections: Mapping[str, Sequence[OutageCorrection]] = {}
        self._registered: tuple[RegisteredMaintenance, ...] = ()
        # What the evidence is made of, kept so an untouched target keeps its tuples.
        self._outages_of: dict[str, tuple[Outage, ...]] = {}
        self._locations: dict[str, str] = {}
        self._sessions_of: dict[str, tuple[Span, ...]] = {}
        self._located: dict[str, Mapping[str, tuple[Span, ...]]] = {}

    def invalidate(self) -> None:
        """Read everything again on the next run (stored history changed, or is suspect)."""
        self._stale = True

    async def read(self, span: Interval, now: datetime) -> Evidence:
        """The evidence of ``span`` as it stands at ``now`` (the reader's clock)."""
        async with self._lock:
            if self._full_read_due(span, now):
                return await self._read_full(span, now)
            if self._last is not None and span.start > self._last.span.start:
                self._narrow(span)
            return await self._read_delta(span, now)

    def _full_read_due(self, span: Interval, now: datetime) -> bool:
        """First, invalidated, an earlier span start (rows before the kept ones were never
        read), a span end or clock set back (the kept rows' membership was decided against
        a later end), or an hour since the last."""
        last = self._last
        return (
            self._stale
            or last is None
            or span.start < last.span.start
            or span.end < last.span.end
            or now < last.now
            or now - last.full_at >= self._full_every
        )

    def _narrow(self, span: Interval) -> None:
        """Keep only the rows that overlap ``span``, which starts later than the kept span:
        every row of it is among the kept ones (or kept aside), so nothing needs reading.
        The live figures read from the previous month's start once an hour (its figures are
        made again) and from the running month's start in between."""
        gone_outages = [r for r in self._outages.values() if not _outage_overlaps(r, span)]
        gone_sessions = [s for s in self._sessions.values() if not _session_overlaps(s, span)]
        for row in gone_outages:
            del self._outages[row.id]
            del self._locations[row.id]
        for session in gone_sessions:
            del self._sessions[session.id]
        # Each touched target's ids filtered once: a month of one target's rows may go.
        for target in {r.target for r in gone_outages}:
            self._outage_ids[target] = _kept_ids(self._outage_ids[target], self._outages)
            self._rebuild_outages(target)
        for target in {s.target for s in gone_sessions}:
            self._session_ids[target] = _kept_ids(self._session_ids[target], self._sessions)
            self._rebuild_sessions(target)
        assert self._last is not None
        # The kept rows' membership stands against the end read last (a new start may lie
        # past it: rows from there on are kept aside).
        end = max(span.start, self._last.span.end)
        self._last = dataclasses.replace(self._last, span=Interval(span.start, end))

    async def _read_full(self, span: Interval, now: datetime) -> Evidence:
        self._stale = False  # an invalidation while reading stands for the next run
        try:
            stored = await read_stored_evidence(self._store, span, beyond_end=True)
        except BaseException:
            self._stale = True
            raise
        outages = [r for r in stored.outages if r.outage.start < span.end]
        sessions = [s for s in stored.sessions if s.started_at < span.end]
        evidence = evidence_of(
            span, StoredEvidence(outages, stored.corrections, sessions, stored.registered)
        )
        keep = self._last is not None and self._last.span.start == span.start
        self._outages = {r.id: r for r in outages}
        self._outage_ids = _ids_by_target(outages)
        self._sessions = {s.id: s for s in sessions}
        self._session_ids = _ids_by_target(sessions)
        self._outages_ahead = {r.id: r for r in stored.outages if r.outage.start >= span.end}
        self._sessions_ahead = {s.id: s for s in stored.sessions if s.started_at >= span.end}
        self._corrections = stored.corrections
        self._registered = stored.registered
        self._locations = dict(evidence.outage_locations)
        # Same span start, equal evidence: the tuples of before stand, identity and all.
        self._outages_of = _kept(self._outages_of, evidence.outages, keep)
        self._sessions_of = _kept(self._sessions_of, evidence.sessions, keep)
        self._located = _kept(self._located, evidence.located_sessions, keep)
        self._last = _Read(span, now, now)
        return self._evidence(span)

    async def _read_delta(self, span: Interval, now: datetime) -> Evidence:
        assert self._last is not None
        since = self._last.now - self._lookback
        # Every query first: a failed read leaves the kept state as it was.
        outages = await self._store.outages(changed_since=since)
        sessions = await self._store.sessions(changed_since=since)
        corrections = await self._store.outage_corrections()
        registered = tuple(
            w.registered for w in await self._store.maintenance_windows(span.start, span.end)
        )
        try:
            self._merge(span, outages, sessions, corrections)
        except BaseException:
            self._stale = True  # half merged: read whole next time
            raise
        if registered != self._registered:
            self._registered = registered
        self._last = _Read(span, now, self._last.full_at)
        return self._evidence(span)

    def _merge(
        self,
        span: Interval,
        outages: Sequence[StoredOutage],
        sessions: Sequence[MonitoringSession],
        corrections: Mapping[str, Sequence[OutageCorrection]],
    ) -> None:
        touched_outages: set[str] = set()
        touched_sessions: set[str] = set()
        for row in outages:
            if self._place_outage(row, span):
                touched_outages.add(row.target)
        for session in sessions:
            if self._place_session(session, span):
                touched_sessions.add(session.target)
        # Then the rows still kept aside (as changed, if they did), as the span's end has
        # moved on since.
        for row in [r for r in self._outages_ahead.values() if r.outage.start < span.end]:
            if self._place_outage(row, span):
                touched_outages.add(row.target)
        for session in [s for s in self._sessions_ahead.values() if s.started_at < span.end]:
            if self._place_session(session, span):
                touched_sessions.add(session.target)
        for outage_id in corrections.keys() | self._corrections.keys():
            if corrections.get(outage_id) != self._corrections.get(outage_id):
                known = self._outages.get(outage_id)
                if known is not None:
                    touched_outages.add(known.target)
        self._corrections = corrections
        for target in touched_outages:
            self._rebuild_outages(target)
        for target in touched_sessions:
            self._rebuild_sessions(target)

    def _place_outage(self, row: StoredOutage, span: Interval) -> bool:
        """Keep ``row`` where it belongs; whether its target's evidence changed."""
        known = self._outages.get(row.id)
        if known == row:
            return False  # read again within the lookback, unchanged
        self._outages_ahead.pop(row.id, None)
        if known is not None:
            del self._outages[row.id]
            _discard(self._outage_ids, row.target, row.id)
            del self._locations[row.id]
        if row.outage.start >= span.end:
            self._outages_ahead[row.id] = row
        elif _outage_overlaps(row, span):
            self._outages[row.id] = row
            _add(self._outage_ids, row.target, row.id)
            self._locations[row.id] = row.location
            return True
        return known is not None

    def _place_session(self, row: MonitoringSession, span: Interval) -> bool:
        """Keep ``row`` where it belongs; whether its target's evidence changed."""
        known = self._sessions.get(row.id)
        if known == row:
            return False
        self._sessions_ahead.pop(row.id, None)
        if known is not None:
            del self._sessions[row.id]
            _discard(self._session_ids, row.target, row.id)
        if row.started_at >= span.end:
            self._sessions_ahead[row.id] = row
        elif _session_overlaps(row, span):
            self._sessions[row.id] = row
            _add(self._session_ids, row.target, row.id)
            return True
        return known is not None

    def _rebuild_outages(self, target: str) -> None:
        rows = sorted(
            (self._outages[i] for i in self._outage_ids.get(target, ())),
            key=lambda r: (r.outage.start, r.id),
        )
        if rows:
            self._outages_of[target] = tuple(corrected(r, self._corrections) for r in rows)
        else:
            self._outages_of.pop(target, None)
            self._outage_ids.pop(target, None)

    def _rebuild_sessions(self, target: str) -> None:
        rows = sorted(
            (self._sessions[i] for i in self._session_ids.get(target, ())),
            key=lambda s: (s.started_at, s.id),
        )
        if not rows:
            self._sessions_of.pop(target, None)
            self._located.pop(target, None)
            self._session_ids.pop(target, None)
            return
        spans = tuple((s.started_at, s.last_seen_at) for s in rows)
        self._sessions_of[target] = spans
        self._located[target] = by_location(spans, [s.location for s in rows])

    def _evidence(self, span: Interval) -> Evidence:
        """Shallow copies: the maps change with the next read, the evidence given out not."""
        return Evidence(
            span=span,
            outages=dict(self._outages_of),
            sessions=dict(self._sessions_of),
            registered=self._registered,
            outage_locations=dict(self._locations),
            located_sessions=dict(self._located),
        )


def _ids_by_target(
    rows: Sequence[StoredOutage] | Sequence[MonitoringSession],
) -> dict[str, tuple[str, ...]]:
    """The ids of each target's rows. Tuples, not sets: most targets have one or a few
    rows, and at 10,000 targets a set each cost megabytes of resident memory."""
    found: dict[str, list[str]] = {}
    for row in rows:
        found.setdefault(row.target, []).append(row.id)
    return {target: tuple(ids) for target, ids in found.items()}


def _add(ids: dict[str, tuple[str, ...]], target: str, row_id: str) -> None:
    ids[target] = (*ids.get(target, ()), row_id)


def _kept_ids(ids: tuple[str, ...], rows: Mapping[str, object]) -> tuple[str, ...]:
    return tuple(i for i in ids if i in rows)


def _discard(ids: dict[str, tuple[str, ...]], target: str, row_id: str) -> None:
    ids[target] = tuple(i for i in ids.get(target, ()) if i != row_id)


def _kept(before: Mapping[str, _V], after: Mapping[str, _V], keep: bool) -> dict[str, _V]:
    """``after``, with the values of ``before`` where they are equal (when ``keep``)."""
    if not keep:
        return dict(after)
    kept: dict[str, _V] = {}
    for key, value in after.items():
        old = before.get(key)
        kept[key] = old if old is not None and old == value else value
    return kept
