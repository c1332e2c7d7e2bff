"""The probed targets: one runner per configured target, scheduled, observed, reloaded."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

import aiohttp
import structlog

from monitor.config import ALWAYS, Config, TargetConfig
from monitor.daemon._config import CurrentConfig
from monitor.figures.maker import LiveSession
from monitor.probing.ipc import Outcome
from monitor.probing.metrics import DaemonMetrics
from monitor.probing.runner import RecordSink, TargetRunner, TargetSpec, probe_session
from monitor.probing.scheduler import ProbeScheduler
from monitor.server.api import TargetStates
from monitor.sla.coverage import CoverageTracker, max_gap_for
from monitor.sla.outages import OutageTracker
from monitor.sla.vantage import CANARY
from monitor.store import Store, StoredOutage, StoreError
from monitor.store.records import new_id
from probes import LeanHttp, run_probe
from probes.base import ProbeContext, ProbeResult

__all__ = ["Targets"]


class Targets:
    """Every configured target's runner, on the scheduler, with its live state.

    A restart continues the outages the store still has open. After every result the
    probe metrics and the status API's view are updated; when a target goes down or comes
    back, ``on_state_change`` asks for a fresh SLA snapshot. With ``probe_here`` false the
    runners are not put on the scheduler: probe worker processes run them and hand each
    outcome to :meth:`accept`.
    """

    name = "targets"

    def __init__(
        self,
        *,
        config: CurrentConfig,
        open_outages: Mapping[str, StoredOutage],
        store: Store,
        sink: RecordSink,
        scheduler: ProbeScheduler,
        metrics: DaemonMetrics,
        states: TargetStates,
        on_state_change: Callable[[], None],
        clock: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
        probe_here: bool = True,
    ) -> None:
        self._config = config
        self._probe_here = probe_here
        self._open_outages = open_outages
        self._store = store
        self._sink = sink
        self._scheduler = scheduler
        self._metrics = metrics
        self._states = states
        self._on_state_change = on_state_change
        self._clock = clock
        self._monotonic = monotonic
        self._http: aiohttp.ClientSession | None = None
        self._context: ProbeContext | None = None
        self._runners: dict[str, TargetRunner] = {}
        self._down: dict[str, bool] = {}
        self._log = structlog.get_logger("monitor.daemon")

    async def start(self) -> None:
        self._http = probe_session()
        self._context = ProbeContext(
            http=self._http,
            clock=self._clock,
            monotonic=self._monotonic,
            lean_http=LeanHttp(monotonic=self._monotonic),
        )
        for name, outage in self._open_outages.items():
            self._states.continue_outage(name, outage.start)
        config = self._config()
        for spec in self._specs(config):
            self._add(config, spec, self._context, self._open_outages.get(spec.name))
        await self._restore_scheduled_outcomes()

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()

    @property
    def slowest_interval(self) -> float | None:
        """The longest probe interval in seconds; ``None`` without targets."""
        if not self._runners:
            return None
        return max(r.spec.interval for r in self._runners.values()).total_seconds()

    def live_sessions(self) -> dict[str, LiveSession]:
        """The monitoring session each target is in now, not yet stored."""
        sessions = {}
        for name, runner in self._runners.items():
            span = runner.coverage.span
            if span is not None:
                sessions[name] = LiveSession(*span)
        return sessions

    def reconfigure(self, config: Config, context: ProbeContext | None = None) -> None:
        """Take a reloaded configuration: removed targets stop, new ones start, the rest
        carry their outage and coverage state over. ``context``: the probe context for the
        targets this adds (default: the one of the targets started with the daemon)."""
        added_with = context or self._context
        if added_with is None:
            raise RuntimeError("the targets are not started")
        specs = self._specs(config)
        wanted = {spec.name for spec in specs}
        for name in sorted(set(self._runners) - wanted):
            if self._probe_here:
                self._scheduler.unschedule(name)
            self._metrics.forget_target(name)
            self._states.forget(name)
            del self._runners[name]
        for spec in specs:
            runner = self._runners.get(spec.name)
            if runner is None:
                self._add(config, spec, added_with, None)
                continue
            if spec.probe != runner.spec.probe:
                self._metrics.probes.forget_certificate(spec.name)
            if spec.interval != runner.spec.interval and self._probe_here:
                self._scheduler.schedule(spec.name, spec.interval, runner.run_once)
            runner.update(spec)
            self._metrics.register_target(spec.name, spec.schedule, self._label(config))

    def _label(self, config: Config) -> str | None:
        """The location label of probe series: only when several locations are configured,
        so a single-location installation exposes the series it always did."""
        return self._store.location if config.locations else None

    def _specs(self, config: Config) -> list[TargetSpec]:
        """The targets this location probes (each location only those assigned to it), and
        the location's canary: while it fails, the location is not monitoring."""
        own = self._store.location
        specs = [_spec(config, target) for target in config.targets_at(own)]
        location = config.location(own)
        if location is not None and location.canary is not None:
            specs.append(
                TargetSpec(
                    name=CANARY,
                    probe=location.canary,
                    interval=location.canary_interval,
                    failures_before_down=1,
                )
            )
        return specs

    def _add(
        self,
        config: Config,
        spec: TargetSpec,
        context: ProbeContext,
        continued: StoredOutage | None,
    ) -> None:
        runner = TargetRunner(
            spec,
            probe=run_probe,
            context=context,
            sink=self._sink,
            outages=OutageTracker(
                spec.name,
                spec.failures_before_down,
                new_id,
                None if continued is None else (continued.id, continued.start),
            ),
            coverage=CoverageTracker(
                spec.name, max_gap_for(spec.interval, spec.probe.timeout), new_id
            ),
            observer=self._observe,
        )
        self._runners[spec.name] = runner
        self._metrics.register_target(spec.name, spec.schedule, self._label(config))
        if self._probe_here:
            self._scheduler.schedule(spec.name, spec.interval, runner.run_once)

    @property
    def specs(self) -> list[TargetSpec]:
        """What each target's probe needs, for the probe workers."""
        return [runner.spec for runner in self._runners.values()]

    def accept(self, outcome: Outcome) -> None:
        """A probe worker's outcome, recorded as if this process had probed; an outcome
        for a target a reload has just removed is dropped."""
        name, attempted_at, result = outcome
        runner = self._runners.get(name)
        if runner is not None:
            runner.accept(attempted_at, result)

    def lost(self, names: Iterable[str]) -> None:
        """The targets of a probe worker that died: not monitored until it is back, so
        their sessions end now and the next result starts new ones
        (docs/rules.md#unmonitored-time)."""
        for name in names:
            runner = self._runners.get(name)
            if runner is not None:
                runner.coverage.interrupt()

    def _observe(self, target: str, result: ProbeResult, tracker: OutageTracker) -> None:
        """Metrics after every result; a snapshot rebuild when a target changes state."""
        self._metrics.observe(target, result, tracker)
        self._states.observe(target, result, tracker)
        if self._down.get(target) != tracker.is_down:
            self._down[target] = tracker.is_down
            self._on_state_change()

    async def _restore_scheduled_outcomes(self) -> None:
        """A target with a probing schedule starts with its last stored outcome: outside the
        schedule it is not probed, and its ``probe_success`` must not read as a failure.
        Round-the-clock targets are probed within one interval and need no query."""
        for name, runner in self._runners.items():
            if runner.spec.schedule is None:
                continue
            try:
                last = await self._store.last_probe_result(name)
            except StoreError as error:  # a store problem must not stop the start
                self._log.warning(
                    "last_outcome_unavailable", target=name, error=type(error).__name__
                )
                continue
            if last is not None:
                self._metrics.probes.restore(name, last.ok, last.duration_seconds, last.started_at)


def _spec(config: Config, target: TargetConfig) -> TargetSpec:
    schedule = None if target.schedule == ALWAYS else config.calendar(target.schedule)
    return TargetSpec(
        name=target.name,
        probe=target.probe,
        interval=target.interval,
        failures_before_down=target.failures_before_down,
        schedule=schedule,
    )
