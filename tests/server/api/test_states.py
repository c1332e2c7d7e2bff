"""TargetStates: the live up/down/unknown book the status endpoint reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count

from monitor.server.api import TargetState, TargetStates
from monitor.sla.outages import OutageTracker
from probes.base import ProbeResult

T0 = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
STEP = timedelta(seconds=30)


def result(at: datetime, ok: bool) -> ProbeResult:
    if ok:
        return ProbeResult(ok=True, started_at=at, duration=timedelta(milliseconds=5))
    return ProbeResult(
        ok=False,
        started_at=at,
        duration=timedelta(seconds=10),
        error_class="timeout",
        error_message="no answer within 10s",
    )


def feed(states: TargetStates, tracker: OutageTracker, outcomes: str) -> datetime:
    """Feed ``+`` (success) and ``-`` (failure) results 30 s apart; returns the last instant."""
    at = T0
    for index, outcome in enumerate(outcomes):
        at = T0 + index * STEP
        ok = outcome == "+"
        tracker.observe(ok, at, None if ok else "timeout: no answer within 10s")
        states.observe("web", result(at, ok), tracker)
    return at


def tracker() -> OutageTracker:
    ids = count()
    return OutageTracker("web", 2, lambda: f"outage-{next(ids)}")


def test_a_target_never_probed_is_absent_and_so_unknown() -> None:
    """The status shows unknown for targets missing from the book."""
    assert TargetStates()() == {}


def test_up_since_the_first_success() -> None:
    """Successes keep the same since; last_probe_at moves on."""
    states = TargetStates()
    last = feed(states, tracker(), "+++")
    assert states()["web"] == TargetState("up", since=T0, last_probe_at=last, last_error=None)


def test_one_failure_below_the_threshold_stays_up_but_shows_the_error() -> None:
    """The outage rule decides down; the error is visible before that."""
    states = TargetStates()
    last = feed(states, tracker(), "++-")
    assert states()["web"] == TargetState(
        "up", since=T0, last_probe_at=last, last_error="timeout: no answer within 10s"
    )


def test_down_since_the_first_failure_of_the_run() -> None:
    """Two failures open an outage that started at the first of them."""
    states = TargetStates()
    feed(states, tracker(), "+--")
    state = states()["web"]
    assert (state.state, state.since) == ("down", T0 + STEP)


def test_up_again_since_the_success_that_ended_the_outage() -> None:
    """The first success after an outage is both its end and the new up-since."""
    states = TargetStates()
    feed(states, tracker(), "+--++")
    state = states()["web"]
    assert (state.state, state.since, state.last_error) == ("up", T0 + 3 * STEP, None)


def test_failing_from_the_start_below_the_threshold_is_unknown() -> None:
    """Never seen up, not yet down: saying up would be a guess."""
    states = TargetStates()
    feed(states, tracker(), "-")
    assert states()["web"].state == "unknown"


def test_a_continued_outage_is_down_before_the_first_probe() -> None:
    """After a restart the stored open outage shows at once; forget drops a removed target."""
    states = TargetStates()
    states.continue_outage("web", T0 - timedelta(hours=1))
    assert states()["web"] == TargetState("down", since=T0 - timedelta(hours=1))
    states.forget("web")
    assert "web" not in states()
