"""Outage detection from consecutive probe results (docs/rules.md#outages)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from monitor.sla.outages import OutageClosed, OutageOpened, OutageTracker

T0 = datetime(2026, 6, 10, 12, tzinfo=UTC)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def tracker(threshold: int = 2, open_outage: tuple[str, datetime] | None = None) -> OutageTracker:
    ids = count(1)
    return OutageTracker("it-system", threshold, lambda: f"o{next(ids)}", open_outage)


def test_outage_starts_at_the_first_failure_of_the_run_that_reaches_the_threshold() -> None:
    """Two failures 30 s apart open one outage dated from the first, with its cause."""
    t = tracker()
    assert t.observe(True, at(0)).event is None
    assert t.observe(False, at(30), "status: 503").event is None
    opened = t.observe(False, at(60), "timeout").event
    assert opened == OutageOpened("it-system", "o1", at(30), "status: 503")
    assert t.is_down


def test_a_single_failed_probe_is_not_an_outage() -> None:
    """One lost probe followed by success opens nothing."""
    t = tracker()
    events = [t.observe(ok, at(i * 30), "x").event for i, ok in enumerate([True, False, True])]
    assert events == [None, None, None]
    assert not t.is_down


def test_outage_ends_at_the_first_successful_probe() -> None:
    """The success that ends the run closes the outage at its own instant."""
    t = tracker(threshold=1)
    t.observe(False, at(0), "refused")
    assert t.observe(False, at(30), "refused").event is None
    assert t.observe(True, at(60)).event == OutageClosed("it-system", "o1", at(60))


def test_a_restart_during_an_outage_continues_it() -> None:
    """An open outage read back from the store keeps the target down: failures open nothing new."""
    t = tracker(open_outage=("stored", at(-600)))
    assert t.is_down
    assert t.observe(False, at(0), "refused").event is None
    assert t.observe(False, at(30), "refused").event is None
    assert t.observe(True, at(60)).event == OutageClosed("it-system", "stored", at(60))


def test_outcome_changes_are_reported_once_per_flip() -> None:
    """One log line per outcome change: the tracker says when the raw outcome flips."""
    t = tracker()
    flips = [
        t.observe(ok, at(i)).outcome_changed
        for i, ok in enumerate([True, True, False, False, True])
    ]
    assert flips == [False, False, True, False, True]
