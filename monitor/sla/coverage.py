"""Monitoring sessions: which time has evidence behind it (docs/rules.md#unmonitored-time).

Time without probe results (daemon stopped, host down, event loop stalled) is neither up nor
down. We keep it visible by recording *sessions*: stretches in which results of one target
followed each other closely enough. A result that comes more than ``max_gap`` after the
previous one starts a new session, so the time in between stays uncovered; a daemon start
always starts a new session, so a restart can never paper over the time it was away.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.sla.intervals import Interval, IntervalSet, as_utc

__all__ = ["CoverageTracker", "SessionExtended", "SessionStarted", "covered_time", "max_gap_for"]


def max_gap_for(interval: timedelta, timeout: timedelta) -> timedelta:
    """Two missed probes plus one timeout: one lost or slow run is jitter, not a gap."""
    return 2 * interval + timeout


@dataclass(frozen=True, slots=True)
class SessionStarted:
    target: str
    session_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class SessionExtended:
    target: str
    session_id: str
    last_seen_at: datetime


class CoverageTracker:
    """The current monitoring session of one target."""

    def __init__(self, target: str, max_gap: timedelta, new_id: Callable[[], str]) -> None:
        self._target = target
        self._max_gap = max_gap
        self._new_id = new_id
        self._session: str | None = None
        self._started: datetime | None = None
        self._last_seen: datetime | None = None

    @property
    def session_id(self) -> str | None:
        return self._session

    @property
    def last_seen(self) -> datetime | None:
        return self._last_seen

    @property
    def span(self) -> tuple[datetime, datetime] | None:
        """The running session as ``(started_at, last_seen_at)``, known before it is stored."""
        if self._started is None or self._last_seen is None:
            return None
        return self._started, self._last_seen

    def observe(self, at: datetime) -> SessionStarted | SessionExtended:
        at = as_utc(at)
        last = self._last_seen
        if self._session is None or last is None or at - last > self._max_gap or at < last:
            self._session, self._started, self._last_seen = self._new_id(), at, at
            return SessionStarted(self._target, self._session, at)
        self._last_seen = at
        return SessionExtended(self._target, self._session, at)

    def interrupt(self) -> None:
        """Forget the session: the next result starts a new one (schedule closed, stop)."""
        self._session = self._started = self._last_seen = None


def covered_time(
    sessions: Iterable[tuple[datetime, datetime]],
    now: datetime,
    live: tuple[datetime, timedelta] | None = None,
) -> IntervalSet:
    """The union of session spans ``[started_at, last_seen_at]``.

    ``live`` is the running session's ``(last_seen_at, max_gap)``: until a gap is proven (no
    result for longer than ``max_gap``) the time since the last result counts as covered, so
    a live figure does not flicker between probes.
    """
    spans = [Interval(as_utc(s), as_utc(e)) for s, e in sessions if as_utc(s) <= as_utc(e)]
    if live is not None:
        last_seen, max_gap = as_utc(live[0]), live[1]
        end = min(as_utc(now), last_seen + max_gap)
        if end > last_seen:
            spans.append(Interval(last_seen, end))
    return IntervalSet(spans)
