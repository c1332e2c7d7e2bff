"""One function that assembles the daemon from settings, configuration and an open store.

Every component gets what it needs through its constructor, and nothing needs an object
built after it: the probe runners report state changes on an :class:`asyncio.Event` that
the recompute loop, built later, waits on; the configuration in force is a
:class:`CurrentConfig` built first and read by all.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.config import Config
from monitor.daemon._cluster import Membership
from monitor.daemon._config import CurrentConfig
from monitor.daemon._jobs import Housekeeping
from monitor.daemon._lifecycle import Component
from monitor.daemon._options import DaemonOptions
from monitor.daemon._parts import RecomputeLoop, SchedulerPart, WebServer, WriterPart
from monitor.daemon._targets import Targets
from monitor.live.overlay import LiveOverlay
from monitor.live.recompute import SlaRecomputer
from monitor.probing.metrics import DaemonMetrics
from monitor.probing.pool import WorkerPool
from monitor.probing.recording import WriterSink
from monitor.probing.scheduler import ProbeScheduler
from monitor.promtext import Chunk
from monitor.server.api import ApiContext, ApiTokens, TargetStates
from monitor.server.web import Readiness, create_app
from monitor.settings import Settings
from monitor.store import Store, StoredOutage, StoreWriter
from probes.base import ProbeContext

__all__ = ["DaemonParts", "build_daemon"]

_RECOMPUTE_STOP_GRACE = timedelta(seconds=5)


@dataclass(frozen=True, slots=True)
class DaemonParts:
    """The components in start order, and what the daemon reads from them afterwards."""

    config: CurrentConfig
    membership: Membership
    writer: WriterPart
    targets: Targets
    recompute: RecomputeLoop
    web: WebServer
    housekeeping: Housekeeping
    scheduler: SchedulerPart
    workers: WorkerPool | None = None

    @property
    def components(self) -> tuple[Component, ...]:
        """Writer before the runners that feed it; the scheduler and the probe workers
        last, so no probe runs before every job is in place, and the first to stop on close
        (their last outcomes still reach the runners and the writer)."""
        parts: tuple[Component, ...] = (
            self.membership,
            self.writer,
            self.targets,
            self.recompute,
            self.web,
            self.housekeeping,
            self.scheduler,
        )
        return parts if self.workers is None else (*parts, self.workers)

    def reconfigure(self, config: Config, context: ProbeContext | None = None) -> None:
        """Put a reloaded configuration in force everywhere, then ask for a new snapshot."""
        self.config.value = config
        self.targets.reconfigure(config, context)
        if self.workers is not None:
            self.workers.assign(self.targets.specs)
        self.housekeeping.reconfigure(config)
        self.recompute.recomputer.request()


def build_daemon(
    settings: Settings,
    config: Config,
    *,
    store: Store,
    open_outages: Mapping[str, StoredOutage],
    tokens: ApiTokens,
    ssl_context: ssl.SSLContext | None,
    options: DaemonOptions,
    metrics: DaemonMetrics,
    states: TargetStates,
    clock: Callable[[], datetime],
    monotonic: Callable[[], float],
) -> DaemonParts:
    """Build every component after the store; nothing starts until the lifecycle says so."""
    current = CurrentConfig(config)
    membership = Membership(
        store=store,
        config=current,
        failover=settings.leader_failover,
        on_leadership=functools.partial(metrics.set_leader, store.location),
    )
    writer = StoreWriter(
        store,
        on_storage_error=metrics.storage_errors.inc,
        max_buffered_results=options.max_buffered_results,
        flush_interval=options.flush_interval.total_seconds(),
        monotonic=monotonic,
    )
    overlay = LiveOverlay(WriterSink(writer))
    scheduler = ProbeScheduler(clock=clock, on_lag=metrics.scheduler_lag.observe)
    workers = settings.workers if settings.workers is not None else config.probing.workers
    state_changed = asyncio.Event()
    targets = Targets(
        config=current,
        open_outages=open_outages,
        store=store,
        sink=overlay,
        scheduler=scheduler,
        metrics=metrics,
        states=states,
        on_state_change=state_changed.set,
        clock=clock,
        monotonic=monotonic,
        probe_here=workers == 0,
    )
    pool = (
        None
        if workers == 0
        else WorkerPool(
            workers,
            specs=lambda: targets.specs,
            deliver=targets.accept,
            lost=targets.lost,
            on_lag=metrics.scheduler_lag.observe,
            clock=clock,
            drain_grace=options.drain_grace,
            log_level=options.log_level,
            log_format=options.log_format,
        )
    )
    recomputer = SlaRecomputer(
        store=store,
        overlay=overlay,
        config=current,
        live=targets.live_sessions,
        clock=clock,
        on_error=metrics.storage_errors.inc,
        interval=options.recompute_every,
        wake=state_changed,
    )
    api = ApiContext(
        store=store,
        config=current,
        tokens=tokens,
        snapshot=lambda: recomputer.snapshot,
        targets=states,
        clock=clock,
        # A registered window can excuse past downtime (approved): re-sum history.
        on_maintenance_change=recomputer.invalidate_history,
        # Cheap: recent months only; an old request reaches the counters at the hourly
        # history refresh.
        on_requests_change=recomputer.request,
        leads=lambda: membership.leads,
        workers=(lambda: ()) if pool is None else pool.info,
    )
    last_tick = scheduler_tick(scheduler, pool)
    readiness = _readiness(writer, last_tick, targets, settings, options, clock, monotonic)
    app = create_app(render_metrics(metrics, recomputer, clock), readiness, api)
    return DaemonParts(
        config=current,
        membership=membership,
        writer=WriterPart(writer, options.writer_stop_grace),
        targets=targets,
        recompute=RecomputeLoop(recomputer, stop_grace=_RECOMPUTE_STOP_GRACE),
        web=WebServer(app, settings.listen, ssl_context),
        housekeeping=Housekeeping(
            config=current,
            store=store,
            scheduler=scheduler,
            metrics=metrics,
            on_requests_change=recomputer.request,
            clock=clock,
            export_dir=settings.export_dir,
            prune_every=options.prune_every,
            export_every=options.export_every,
            mailbox_batches_per_poll=options.mailbox_batches_per_poll,
            leads=lambda: membership.leads,
            gained=membership.gained,
        ),
        scheduler=SchedulerPart(scheduler, drain_grace=options.drain_grace),
        workers=pool,
    )


def scheduler_tick(
    scheduler: ProbeScheduler, pool: WorkerPool | None
) -> Callable[[], datetime | None]:
    """When a probe was last dispatched: by this process, or by a probe worker."""

    def last_tick() -> datetime | None:
        ticks = [scheduler.last_tick, None if pool is None else pool.last_tick]
        return max((t for t in ticks if t is not None), default=None)

    return last_tick


def render_metrics(
    metrics: DaemonMetrics, recomputer: SlaRecomputer, clock: Callable[[], datetime]
) -> Callable[[], tuple[Chunk, ...]]:
    """The whole ``/metrics`` page: the SLA snapshot's families, then the daemon and probe
    families (the kept, deflated chunks first: :func:`~monitor.promtext.gzip_chunks`)."""

    def render() -> tuple[Chunk, ...]:
        now = clock()
        probes = Chunk.of(metrics.render(now))
        exposition = recomputer.exposition
        return (probes,) if exposition is None else (*exposition.chunks(now), probes)

    return render


def _readiness(
    writer: StoreWriter,
    last_tick: Callable[[], datetime | None],
    targets: Targets,
    settings: Settings,
    options: DaemonOptions,
    clock: Callable[[], datetime],
    monotonic: Callable[[], float],
) -> list[Readiness]:
    grace = settings.ready_store_failure_grace.total_seconds()

    def store_problem() -> str | None:
        since = writer.failing_since
        if since is not None and monotonic() - since > grace:
            return (
                f"the database has refused writes for {monotonic() - since:.0f} s "
                f"({writer.last_failure}); {writer.pending} writes waiting"
            )
        if writer.pending > options.max_buffered_results // 2:
            return f"{writer.pending} writes waiting for the database"
        return None

    def scheduler_problem() -> str | None:
        slowest = targets.slowest_interval
        if slowest is None:
            return None
        tick = last_tick()
        if tick is None or (clock() - tick).total_seconds() > 3 * slowest:
            return "no probe dispatched recently"
        return None

    return [Readiness("store", store_problem), Readiness("scheduler", scheduler_problem)]
