"""``GET /api/v1/status``: every configured target, its live state and month-to-date figures.

The list follows the *current* configuration, not the snapshot: a target added by a reload
appears at once (with ``null`` figures until the next recompute) and a removed one
disappears, so the answer never lies about what is monitored. Figures come from the last
snapshot, the same one ``/metrics`` renders, so the API and Grafana show the same numbers;
``computed_at`` says how fresh they are.
"""

from __future__ import annotations

from aiohttp import web

from monitor.live.snapshot import SlaSnapshot, TargetSnapshot, WindowSnapshot
from monitor.server.api.answers import (
    BandOutcomeName,
    CategoryStatus,
    LocationStatus,
    SlaStatus,
    Status,
    TargetStatus,
    WorkerStatus,
)
from monitor.server.api.context import ApiContext, TargetState
from monitor.server.api.params import query_params
from monitor.server.api.render import json_ok, local, maybe_local, seconds
from monitor.servicedesk.figures import CategoryFigures
from monitor.sla.months import Month
from monitor.sla.norms import BandOutcome
from monitor.store import StoreError

__all__ = ["StatusHandler"]

_UNKNOWN = TargetState("unknown")


def _sla(name: str, objective: float, window: WindowSnapshot | None) -> SlaStatus:
    if window is None:
        return SlaStatus(window=name, objective=objective)
    figure = window.current
    # The objective the figure was judged against, so ``met`` agrees with it even in the
    # seconds between a reload that changed the objective and the next recompute.
    return SlaStatus(
        window=name,
        objective=window.objective,
        availability=figure.availability,
        window_seconds=seconds(figure.window),
        unplanned_downtime_seconds=seconds(figure.unplanned_downtime),
        maintenance_seconds=seconds(figure.maintenance),
        unmonitored_seconds=seconds(figure.unmonitored),
        error_budget_remaining_seconds=seconds(figure.budget.remaining),
        met=figure.met,
        outcome=None if window.bands[0] is None else _name(figure.outcome(window.bands[0])),
    )


_NAMES: dict[BandOutcome, BandOutcomeName] = {
    BandOutcome.BONUS: "bonus",
    BandOutcome.NEUTRAL: "neutral",
    BandOutcome.MALUS: "malus",
}


def _name(outcome: BandOutcome | None) -> BandOutcomeName | None:
    return None if outcome is None else _NAMES[outcome]


def _vantage(target: TargetSnapshot | None) -> dict[str, object]:
    """The locations' view of a target this month (docs/rules.md#quorum)."""
    if target is None or target.vantage is None:
        return {}
    figures = target.vantage[0]
    return {
        "quorum": figures.quorum,
        "degraded_vantage_seconds": seconds(figures.degraded_total),
        "locations": tuple(
            LocationStatus(
                location=view.location,
                monitoring=view.monitoring,
                up=view.up,
                location_only_failure_seconds=seconds(view.location_only),
                unmonitored_seconds=seconds(view.not_monitoring),
            )
            for view in figures.locations
        ),
    }


def _windows(snapshot: SlaSnapshot | None) -> dict[tuple[str, str], WindowSnapshot]:
    if snapshot is None:
        return {}
    return {(w.target, w.window): w for t in snapshot.targets for w in t.windows}


def _category(figures: CategoryFigures) -> CategoryStatus:
    """One category of the service desk (3.2.9, 3.2.13, 3.2.14, 3.2.39): every field of the
    answer, the two months' included, is a field of the figures under the same name."""
    return CategoryStatus.model_validate(figures, from_attributes=True)


class StatusHandler:
    def __init__(self, api: ApiContext) -> None:
        self._api = api

    async def _leader(self) -> str | None:
        """Who leads, as the store has it; unknown while the store does not answer."""
        try:
            return await self._api.store.leader()
        except StoreError:
            return None

    async def get(self, request: web.Request) -> web.Response:
        query_params(request, ())
        config = self._api.config()
        zone = config.zone
        snapshot = self._api.snapshot()
        states = self._api.targets()
        windows = _windows(snapshot)
        # Before the first recompute: the objective in force this month (3.2.15, 3.2.17).
        month = Month.containing(self._api.clock(), zone)
        seen = {t.name: t for t in snapshot.targets} if snapshot is not None else {}
        targets = []
        for target in config.targets:
            state = states.get(target.name, _UNKNOWN)
            targets.append(
                TargetStatus(
                    name=target.name,
                    state=state.state,
                    since=maybe_local(state.since, zone),
                    last_probe_at=maybe_local(state.last_probe_at, zone),
                    last_error=state.last_error,
                    slas=tuple(
                        _sla(
                            sla.window,
                            sla.objective.in_force(month),
                            windows.get((target.name, sla.window)),
                        )
                        for sla in target.slas
                    ),
                    **_vantage(seen.get(target.name)),
                )
            )
        return json_ok(
            Status(
                timezone=config.timezone,
                computed_at=None if snapshot is None else local(snapshot.computed_at, zone),
                month=None if snapshot is None else str(snapshot.month),
                location=self._api.store.location,
                leads=self._api.leads(),
                leader=await self._leader(),
                targets=tuple(targets),
                servicedesk=()
                if snapshot is None or snapshot.desk is None
                else tuple(_category(c) for c in snapshot.desk.categories),
                workers=tuple(
                    WorkerStatus(index=w.index, pid=w.pid, targets=w.targets, restarts=w.restarts)
                    for w in self._api.workers()
                ),
            )
        )
