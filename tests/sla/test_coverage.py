"""Monitoring sessions and unmonitored gaps (docs/rules.md#unmonitored-time)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from monitor.sla.coverage import (
    CoverageTracker,
    SessionExtended,
    SessionStarted,
    covered_time,
    max_gap_for,
)
from monitor.sla.intervals import IntervalSet

T0 = datetime(2026, 6, 10, 12, tzinfo=UTC)
S = timedelta(seconds=1)


def tracker() -> CoverageTracker:
    ids = count(1)
    return CoverageTracker("it-system", max_gap_for(30 * S, 10 * S), lambda: f"s{next(ids)}")


def test_results_close_together_extend_one_session() -> None:
    """Results every 30 s are one uninterrupted stretch of monitoring."""
    t = tracker()
    assert t.observe(T0) == SessionStarted("it-system", "s1", T0)
    assert t.observe(T0 + 30 * S) == SessionExtended("it-system", "s1", T0 + 30 * S)


def test_a_stall_longer_than_the_gap_limit_starts_a_new_session() -> None:
    """After 71 s without a result (2 × 30 s + 10 s timeout), the time between is a gap."""
    t = tracker()
    t.observe(T0)
    assert isinstance(t.observe(T0 + 71 * S), SessionStarted)


def test_an_interrupted_session_is_never_continued() -> None:
    """After a stop (or a closed schedule) the next result opens a new session."""
    t = tracker()
    t.observe(T0)
    t.interrupt()
    assert t.observe(T0 + S) == SessionStarted("it-system", "s2", T0 + S)


def test_covered_time_leaves_the_time_between_sessions_uncovered() -> None:
    """Two sessions with a restart between them leave exactly the restart time uncovered."""
    sessions = [(T0, T0 + 100 * S), (T0 + 400 * S, T0 + 500 * S)]
    covered = covered_time(sessions, now=T0 + 500 * S)
    assert IntervalSet.of(T0, T0 + 500 * S) - covered == IntervalSet.of(T0 + 100 * S, T0 + 400 * S)


def test_the_live_session_covers_until_now_while_no_gap_is_proven() -> None:
    """Between two probes the running session counts as covered, but no longer than max_gap."""
    live = covered_time([(T0, T0 + 60 * S)], now=T0 + 80 * S, live=(T0 + 60 * S, 70 * S))
    assert live == IntervalSet.of(T0, T0 + 80 * S)
    stale = covered_time([(T0, T0 + 60 * S)], now=T0 + 900 * S, live=(T0 + 60 * S, 70 * S))
    assert stale == IntervalSet.of(T0, T0 + 130 * S)


def test_the_running_session_span_is_known_before_it_is_stored() -> None:
    """Live figures use the in-memory span, so a slow database never shows a false gap."""
    t = tracker()
    assert t.span is None
    t.observe(T0)
    t.observe(T0 + 30 * S)
    assert t.span == (T0, T0 + 30 * S)
    t.interrupt()
    assert t.span is None
