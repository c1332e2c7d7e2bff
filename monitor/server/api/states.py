"""The live state of every target, kept from probe results for ``/api/v1/status``.

The runner already tells an observer about every result together with the target's outage
tracker; this book keeps the little the status needs from it. ``since`` is the start of the
current state as far as this process knows: for ``down`` the outage's start (continued across
restarts, because the tracker is seeded from the store's open outage); for ``up`` the end of
the last outage this process saw, or its first successful probe.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType

from monitor.server.api.context import TargetState, TargetStateName
from monitor.sla.outages import OutageTracker
from probes.base import ProbeResult

__all__ = ["TargetStates"]


class TargetStates:
    """A :class:`monitor.probing.runner.ResultObserver`, and the ``targets`` callable of the API."""

    def __init__(self) -> None:
        self._states: dict[str, TargetState] = {}
        self._view: Mapping[str, TargetState] = MappingProxyType(self._states)

    def continue_outage(self, target: str, since: datetime) -> None:
        """A stored open outage found at start-up: the target is down before any probe."""
        self._states[target] = TargetState("down", since=since)

    def observe(self, target: str, result: ProbeResult, tracker: OutageTracker) -> None:
        known = self._states.get(target)
        was_up = known is not None and known.state == "up"
        name: TargetStateName
        if tracker.is_down:
            name, since = "down", tracker.down_since
        elif result.ok or was_up:
            # A failure below the threshold is not an outage (docs/rules.md): still up.
            name = "up"
            since = known.since if known is not None and was_up else result.started_at
        else:
            # Failing since start-up, threshold not reached: neither up nor down yet.
            name, since = "unknown", None
        self._states[target] = TargetState(
            name, since=since, last_probe_at=result.started_at, last_error=result.cause
        )

    def forget(self, target: str) -> None:
        """A reload removed the target."""
        self._states.pop(target, None)

    def __call__(self) -> Mapping[str, TargetState]:
        return self._view
