"""Turning a stream of probe results into outages (docs/rules.md#outages).

A target is down from the *first* failed probe of a run of ``failures_before_down``
consecutive failures until the first successful probe that ends the run. Requiring a run
filters single lost packets; dating the outage from the first failure of the run keeps the
outage honest (the service was already failing then). The cause stored is the first failure's.

The tracker is a pure state machine: it takes results with their instants and answers with
events for the store. It can start *down*, with the open outage read back from the store, so
a restart continues an outage instead of closing it and opening a second one; and it never
opens or closes anything on its own, only on a probe result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from monitor.sla.availability import OutageSource
from monitor.sla.intervals import as_utc

__all__ = ["Observation", "OutageClosed", "OutageOpened", "OutageTracker"]


@dataclass(frozen=True, slots=True)
class OutageOpened:
    """``target`` went down at ``start``: the first failure of the run that crossed the
    threshold, or the start of an outage another tool recorded (``source`` import, with
    the ``import_key`` that makes importing it twice harmless). ``id`` is chosen by the
    caller, so the event can be written again after a lost commit without a duplicate."""

    target: str
    id: str
    start: datetime
    cause: str
    source: OutageSource = OutageSource.PROBE
    import_key: str | None = None


@dataclass(frozen=True, slots=True)
class OutageClosed:
    """The outage ``outage_id`` of ``target`` ended at ``end`` (the first success)."""

    target: str
    outage_id: str
    end: datetime


@dataclass(frozen=True, slots=True)
class Observation:
    """What one result changed: an outage event, and whether the raw outcome flipped.

    ``outcome_changed`` drives the one log line per outcome change (not per probe).
    """

    event: OutageOpened | OutageClosed | None
    outcome_changed: bool


class OutageTracker:
    """The outage state of one target."""

    def __init__(
        self,
        target: str,
        failures_before_down: int,
        new_id: Callable[[], str],
        open_outage: tuple[str, datetime] | None = None,
    ) -> None:
        if failures_before_down < 1:
            raise ValueError("failures_before_down must be at least 1")
        self._target = target
        self._threshold = failures_before_down
        self._new_id = new_id
        self._open_id: str | None = open_outage[0] if open_outage else None
        self._open_since: datetime | None = as_utc(open_outage[1]) if open_outage else None
        self._failures = 0
        self._first_failure: tuple[datetime, str] | None = None
        self._last_ok: bool | None = None

    @property
    def target(self) -> str:
        return self._target

    @property
    def is_down(self) -> bool:
        return self._open_id is not None

    @property
    def down_since(self) -> datetime | None:
        return self._open_since

    @property
    def open_outage_id(self) -> str | None:
        return self._open_id

    @property
    def last_ok(self) -> bool | None:
        """The last raw outcome, ``None`` before the first result."""
        return self._last_ok

    def observe(self, ok: bool, at: datetime, cause: str | None = None) -> Observation:
        at = as_utc(at)
        changed = self._last_ok is not None and self._last_ok != ok
        self._last_ok = ok
        if ok:
            self._failures = 0
            self._first_failure = None
            if self._open_id is not None:
                closed = OutageClosed(self._target, self._open_id, at)
                self._open_id = self._open_since = None
                return Observation(closed, changed)
            return Observation(None, changed)
        if self._open_id is not None:
            return Observation(None, changed)
        self._failures += 1
        if self._first_failure is None:
            self._first_failure = (at, cause or "failure")
        if self._failures < self._threshold:
            return Observation(None, changed)
        start, first_cause = self._first_failure
        self._open_id, self._open_since = self._new_id(), start
        return Observation(OutageOpened(self._target, self._open_id, start, first_cause), changed)
