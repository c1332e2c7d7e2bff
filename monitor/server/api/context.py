"""What the API handlers need from the daemon, handed in as one value.

The handlers hold no module state and never reach into the daemon: everything arrives here
as a callable, so a reload (new config), a recompute (new snapshot) or a probe (new target
state) is seen by the next request, and a test can build the whole API from plain values.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Literal

import structlog

from monitor.config import Config
from monitor.live.snapshot import SlaSnapshot
from monitor.probing.pool import WorkerInfo
from monitor.server.api.auth import ApiTokens
from monitor.store import Store

__all__ = ["ApiContext", "TargetState", "TargetStateName", "notify_change"]

TargetStateName = Literal["up", "down", "unknown"]


@dataclass(frozen=True, slots=True)
class TargetState:
    """The live state of one target as the daemon's memory knows it.

    ``down`` means an outage is open (the failure threshold was reached), not merely that the
    last probe failed: the status API must agree with the outages it lists. ``last_error`` is
    the cause of the most recent probe if that one failed, so a flapping target shows its
    trouble before it counts as down.
    """

    state: TargetStateName
    since: datetime | None = None
    last_probe_at: datetime | None = None
    last_error: str | None = None


def _utc_now() -> datetime:
    return datetime.now(UTC)


def _no_snapshot() -> SlaSnapshot | None:
    return None


def _no_states() -> Mapping[str, TargetState]:
    return MappingProxyType({})


def _nothing() -> None:
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiContext:
    """Required: the store, the current config and the tokens; the rest defaults to "none yet".

    ``on_maintenance_change`` runs after a maintenance window was stored or deleted, so the
    daemon can recompute at once instead of serving figures that ignore the change until the
    next periodic run. ``on_requests_change`` does the same after a service-desk request was
    stored or completed through the webhook.
    """

    store: Store
    config: Callable[[], Config]
    tokens: ApiTokens
    snapshot: Callable[[], SlaSnapshot | None] = field(default=_no_snapshot)
    targets: Callable[[], Mapping[str, TargetState]] = field(default=_no_states)
    clock: Callable[[], datetime] = field(default=_utc_now)
    on_maintenance_change: Callable[[], None] = field(default=_nothing)
    on_requests_change: Callable[[], None] = field(default=_nothing)
    leads: Callable[[], bool] = field(default=lambda: True)
    workers: Callable[[], Sequence[WorkerInfo]] = field(default=lambda: ())
    """The probe worker processes (none: the daemon probes in its own process)."""


def notify_change(hook: Callable[[], None], event: str) -> None:
    """Run a change hook after a write that is already stored.

    A failing recompute trigger must not turn a stored change into an error the client
    would retry (and so register it twice): the failure is logged, the answer stands.
    """
    try:
        hook()
    except Exception:  # contained: the write is stored, a trigger must not undo the answer
        structlog.get_logger("monitor.server.api").exception(event)
