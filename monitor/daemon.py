"""``sla-monitor run``: the daemon's lifecycle.

Start-up: load the configuration, open (and migrate) the store, read back the open outages so
a restart continues them, start the store writer, the HTTP server and the scheduler.
Running: SIGHUP reloads the configuration and keeps the last good one on error.
Stopping (SIGTERM/SIGINT): stop new probes, drain the ones in flight within a grace period,
write what is queued, close the store, and log one summary line. After ``kill -9`` nothing
needs repair: at most the probes in flight and the last fraction of a second of queued
writes are lost, and the time until the next start shows up as an unmonitored gap because
every start opens new monitoring sessions.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import structlog
from prometheus_client import CollectorRegistry

from monitor import __version__
from monitor.config import (
    ALWAYS,
    Config,
    ConfigError,
    TargetConfig,
    load_config,
    secret_file_problems,
)
from monitor.errors import SlaMonitorError
from monitor.figures.maker import LiveSession
from monitor.live.overlay import LiveOverlay
from monitor.live.recompute import SlaRecomputer
from monitor.live.snapshot import SlaSnapshot
from monitor.probing.metrics import DaemonMetrics
from monitor.probing.recording import WriterSink
from monitor.probing.runner import TargetRunner, TargetSpec, probe_session
from monitor.probing.scheduler import ProbeScheduler
from monitor.report.export import run_exports
from monitor.server.api import ApiContext, TargetStates, tokens_from_settings
from monitor.server.web import Readiness, create_app, start_server
from monitor.servicedesk import MailboxError, MailboxScanner
from monitor.settings import Settings, build_ssl_context
from monitor.sla.coverage import CoverageTracker, max_gap_for
from monitor.sla.outages import OutageTracker
from monitor.store import Store, StoreError, StoreWriter
from monitor.store.records import new_id
from probes import run_probe
from probes.base import ProbeContext, ProbeResult

__all__ = ["Daemon", "DaemonOptions", "utc_now"]


def utc_now() -> datetime:
    return datetime.now(UTC)


class _ReloadBusyError(SlaMonitorError):
    """A reload was asked for while the previous one is still stuck reading the file."""


@dataclass(frozen=True, slots=True)
class DaemonOptions:
    """Knobs that are deployment facts, not contract facts."""

    drain_grace: timedelta = timedelta(seconds=10)
    writer_stop_grace: timedelta = timedelta(seconds=10)
    flush_interval: timedelta = timedelta(milliseconds=200)
    prune_every: timedelta = timedelta(hours=1)
    recompute_every: timedelta = timedelta(seconds=15)
    mailbox_batches_per_poll: int = 20
    export_every: timedelta = timedelta(hours=1)
    max_buffered_results: int = 100_000
    reload_timeout: timedelta = timedelta(seconds=30)
    """Longest a reload may spend reading and checking the file before it is given up."""
    exit_margin: timedelta = timedelta(seconds=5)
    """After SIGTERM, the process ends this long after the drain and writer graces at the
    latest, even if something it cannot cancel (a thread stuck reading the file) holds on."""
    install_signal_handlers: bool = True


@dataclass
class _Running:
    """What exists only while the daemon runs."""

    config: Config
    store: Store
    writer: StoreWriter
    http: aiohttp.ClientSession
    scheduler: ProbeScheduler
    overlay: LiveOverlay
    recomputer: SlaRecomputer
    web: aiohttp.web.AppRunner | None = None
    recompute_task: asyncio.Task[None] | None = None
    export_task: asyncio.Task[None] | None = None
    runners: dict[str, TargetRunner] = field(default_factory=dict)
    down: dict[str, bool] = field(default_factory=dict)
    mailbox_failing: set[str] = field(default_factory=set)


class Daemon:
    def __init__(
        self,
        settings: Settings,
        *,
        config_path: Path | None,
        options: DaemonOptions | None = None,
        clock: Callable[[], datetime] = utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._config_path = config_path
        self._options = options or DaemonOptions()
        self._clock = clock
        self._monotonic = monotonic
        self.registry = CollectorRegistry(auto_describe=True)
        self.metrics = DaemonMetrics(self.registry, __version__)
        self.states = TargetStates()
        self._stop = asyncio.Event()
        self._running: _Running | None = None
        self._reload_task: asyncio.Task[bool] | None = None
        self._loading: threading.Thread | None = None
        self._watchdog: threading.Timer | None = None
        self._log = structlog.get_logger("monitor.daemon")

    # -- configuration --------------------------------------------------------------------

    def _load(self) -> Config:
        """Read, validate and check the secrets of the file: what start-up and reload accept."""
        if self._config_path is None:
            return Config()
        config = load_config(self._config_path)
        unreadable = secret_file_problems(config)
        if unreadable:
            raise ConfigError(str(self._config_path), unreadable)
        return config

    async def _load_off_loop(self) -> Config:
        """:meth:`_load` in a worker thread, given up after ``reload_timeout``.

        Parsing a large file is CPU work and reading one can block (a FIFO, a hung network
        file system): on the event loop either would stop probes, ``/metrics`` and SIGTERM.
        A thread cannot be killed, so the worker is a daemon thread that the process does
        not wait for when it exits; a second reload is refused while one is still stuck.
        """
        if self._loading is not None and self._loading.is_alive():
            raise _ReloadBusyError
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Config] = loop.create_future()

        def deliver(outcome: Config | BaseException) -> None:
            if future.done():
                return
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)

        def work() -> None:
            outcome: Config | BaseException
            try:
                outcome = self._load()
            except BaseException as error:  # handed to the loop, raised there
                outcome = error
            with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
                loop.call_soon_threadsafe(deliver, outcome)

        self._loading = threading.Thread(target=work, name="config-reload", daemon=True)
        self._loading.start()
        timeout = self._options.reload_timeout.total_seconds()
        return await asyncio.wait_for(future, timeout)

    def _spec(self, config: Config, target: TargetConfig) -> TargetSpec:
        schedule = None if target.schedule == ALWAYS else config.calendar(target.schedule)
        return TargetSpec(
            name=target.name,
            probe=target.probe,
            interval=target.interval,
            failures_before_down=target.failures_before_down,
            schedule=schedule,
        )

    # -- lifecycle ------------------------------------------------------------------------

    def request_stop(self) -> None:
        self._stop.set()

    def render_metrics(self) -> str:
        """The whole ``/metrics`` text: daemon and probe families, then the SLA snapshot's."""
        text = self.metrics.render(self._clock())
        running = self._running
        exposition = None if running is None else running.recomputer.exposition
        if exposition is not None:
            text += exposition.render(self._clock())
        return text

    def snapshot(self) -> SlaSnapshot | None:
        """The current SLA snapshot (``None`` before the first build)."""
        running = self._running
        return None if running is None else running.recomputer.snapshot

    def _live_sessions(self, running: _Running) -> dict[str, LiveSession]:
        sessions = {}
        for name, runner in running.runners.items():
            span = runner.coverage.span
            if span is not None:
                sessions[name] = LiveSession(*span)
        return sessions

    def _observer(self, running: _Running) -> Callable[[str, ProbeResult, OutageTracker], None]:
        """Metrics after every result; a snapshot rebuild when a target changes state."""

        def observe(target: str, result: ProbeResult, tracker: OutageTracker) -> None:
            self.metrics.observe(target, result, tracker)
            self.states.observe(target, result, tracker)
            if running.down.get(target) != tracker.is_down:
                running.down[target] = tracker.is_down
                running.recomputer.request()

        return observe

    async def run(self) -> int:
        """Run until stopped; returns the process exit code."""
        try:
            config = self._load()
        except (ConfigError, OSError) as error:
            lines = error.lines() if isinstance(error, ConfigError) else [str(error)]
            self._log.error("config_invalid", problems=lines)
            return 2
        try:
            tokens = tokens_from_settings(self._settings)
            ssl_context = build_ssl_context(self._settings)
        except ValueError as error:  # messages name files and lines, never a token
            self._log.error("settings_invalid", problem=str(error))
            return 2
        url = self._settings.database_url
        try:
            store = await Store.open(url.get_secret_value())
        except StoreError as error:
            self._store_unusable(error)
            return 1
        try:
            open_outages = await store.open_outages()
        except StoreError as error:
            self._store_unusable(error)
            with contextlib.suppress(StoreError):
                await store.close()
            return 1
        for name, outage in open_outages.items():
            self.states.continue_outage(name, outage.start)
        writer = StoreWriter(
            store,
            on_storage_error=self.metrics.storage_errors.inc,
            max_buffered_results=self._options.max_buffered_results,
            flush_interval=self._options.flush_interval.total_seconds(),
            monotonic=self._monotonic,
        )
        writer.start()
        http = probe_session()
        scheduler = ProbeScheduler(clock=self._clock, on_lag=self.metrics.scheduler_lag.observe)
        overlay = LiveOverlay(WriterSink(writer))
        holder: list[_Running] = []
        recomputer = SlaRecomputer(
            store=store,
            overlay=overlay,
            config=lambda: holder[0].config,
            live=lambda: self._live_sessions(holder[0]),
            clock=self._clock,
            on_error=self.metrics.storage_errors.inc,
            interval=self._options.recompute_every,
        )
        running = _Running(config, store, writer, http, scheduler, overlay, recomputer)
        holder.append(running)
        self._running = running
        context = ProbeContext(http=http, clock=self._clock, monotonic=self._monotonic)
        try:
            for target in config.targets:
                stored = open_outages.get(target.name)
                self._add_runner(
                    running,
                    context,
                    target,
                    stored.id if stored else None,
                    stored.start if stored else None,
                )
            await self._restore_scheduled_outcomes(running)
            # A first snapshot before serving: every series exists from the first scrape.
            try:
                await recomputer.recompute()
            except Exception as error:  # a job: the periodic rebuild below tries again
                self._log.warning("first_recompute_failed", error=type(error).__name__)
            running.recompute_task = asyncio.create_task(
                recomputer.run(self._stop), name="sla-recompute"
            )
            api = ApiContext(
                store=store,
                config=lambda: running.config,
                tokens=tokens,
                snapshot=lambda: running.recomputer.snapshot,
                targets=self.states,
                clock=self._clock,
                # A registered window can excuse past downtime (approved): re-sum history.
                on_maintenance_change=recomputer.invalidate_history,
                # Cheap: recent months only; an old request reaches the counters at the
                # hourly history refresh.
                on_requests_change=recomputer.request,
            )
            try:
                running.web = await start_server(
                    create_app(self.render_metrics, self._readiness(running), api),
                    self._settings.listen.host,
                    self._settings.listen.port,
                    ssl_context=ssl_context,
                )
            except OSError as error:
                # A listen address in use or not on this host is a bad setting: exit 2.
                # asyncio's own text repeats the address; the errno's name is the cause.
                reason = os.strerror(error.errno) if error.errno else type(error).__name__
                self._log.error(
                    "listen_failed",
                    problem=f"cannot listen on {self._settings.listen}: {reason}; stop the "
                    "other process or set SLA_MONITOR_LISTEN to a free address",
                )
                return 2
            scheduler.add_periodic("housekeeping:prune", self._options.prune_every, self._prune)
            self._schedule_mailboxes(running)
            if self._settings.export_dir is not None:
                # At start (catching up a run missed while the daemon was down), then hourly.
                running.export_task = asyncio.create_task(self._export(), name="export")
                scheduler.add_periodic(
                    "housekeeping:export", self._options.export_every, self._export
                )
            scheduler.start()
            self._install_signals(context)
            if not config.targets:
                # A valid start (the shipped example has none): the service-desk figures and
                # the HTTP interface run; nothing is probed until targets are configured.
                self._log.info("no_targets_configured", config=str(self._config_path))
            self._log.info(
                "daemon_started",
                version=__version__,
                targets=len(config.targets),
                continued_outages=sorted(open_outages),
                listen=[f"{a[0]}:{a[1]}" for a in running.web.addresses],
                database=str(url),
                api_writes=tokens.writes_enabled,
                reads_protected=tokens.reads_protected,
                tls=ssl_context is not None,
            )
            await self._stop.wait()
        finally:
            await self._shutdown(running)
        return 0

    def _store_unusable(self, error: StoreError) -> None:
        self._log.error("store_unavailable", problem=str(error))

    def _add_runner(
        self,
        running: _Running,
        context: ProbeContext,
        target: TargetConfig,
        open_id: str | None,
        open_since: datetime | None,
    ) -> None:
        spec = self._spec(running.config, target)
        runner = TargetRunner(
            spec,
            probe=run_probe,
            context=context,
            sink=running.overlay,
            outages=OutageTracker(
                spec.name,
                spec.failures_before_down,
                new_id,
                (open_id, open_since) if open_id and open_since else None,
            ),
            coverage=CoverageTracker(
                spec.name, max_gap_for(spec.interval, spec.probe.timeout), new_id
            ),
            observer=self._observer(running),
        )
        running.runners[spec.name] = runner
        self.metrics.register_target(spec.name, spec.schedule)
        running.scheduler.schedule(spec.name, spec.interval, runner.run_once)

    async def _restore_scheduled_outcomes(self, running: _Running) -> None:
        """A target with a probing schedule starts with its last stored outcome: outside the
        schedule it is not probed, and its ``probe_success`` must not read as a failure.
        Round-the-clock targets are probed within one interval and need no query."""
        for name, runner in running.runners.items():
            if runner.spec.schedule is None:
                continue
            try:
                last = await running.store.last_probe_result(name)
            except StoreError as error:  # a store problem must not stop the start
                self._log.warning(
                    "last_outcome_unavailable", target=name, error=type(error).__name__
                )
                continue
            if last is not None:
                self.metrics.probes.restore(name, last.ok, last.duration_seconds, last.started_at)

    def _readiness(self, running: _Running) -> list[Readiness]:
        grace = self._settings.ready_store_failure_grace.total_seconds()

        def store_problem() -> str | None:
            since = running.writer.failing_since
            if since is not None and self._monotonic() - since > grace:
                return (
                    f"the database has refused writes for {self._monotonic() - since:.0f} s "
                    f"({running.writer.last_failure}); {running.writer.pending} writes waiting"
                )
            if running.writer.pending > self._options.max_buffered_results // 2:
                return f"{running.writer.pending} writes waiting for the database"
            return None

        def scheduler_problem() -> str | None:
            if not running.runners:
                return None
            tick = running.scheduler.last_tick
            slowest = max(r.spec.interval for r in running.runners.values())
            if tick is None or self._clock() - tick > 3 * slowest:
                return "no probe dispatched recently"
            return None

        return [Readiness("store", store_problem), Readiness("scheduler", scheduler_problem)]

    async def _prune(self) -> None:
        running = self._running
        if running is None:
            return
        before = self._clock() - running.config.retention.probe_results
        try:
            removed = await running.store.prune_probe_results(before)
        except StoreError as error:
            self.metrics.storage_errors.inc()
            self._log.warning("prune_failed", error=type(error).__name__)
            return
        if removed:
            self._log.info("probe_results_pruned", removed=removed, before=before.isoformat())

    def _schedule_mailboxes(self, running: _Running) -> None:
        """One polling job per configured mailbox (3.2.9); a reload adds and removes them."""
        wanted = {f"mailbox:{m.name}": m for m in running.config.servicedesk.mailboxes}
        for key in running.scheduler.job_keys():
            if key.startswith("mailbox:") and key not in wanted:
                running.scheduler.unschedule(key)
        for key, mailbox in wanted.items():
            self.metrics.mailbox_errors.labels(mailbox.name)  # the series exists from start-up
            running.scheduler.add_periodic(
                key, mailbox.poll_interval, functools.partial(self._scan_mailbox, mailbox.name)
            )

    async def _scan_mailbox(self, name: str) -> None:
        """Scan one mailbox a bounded amount; log only when it starts or stops failing."""
        running = self._running
        if running is None:
            return
        desk = running.config.servicedesk
        mailbox = next((m for m in desk.mailboxes if m.name == name), None)
        if mailbox is None:
            return
        scanner = MailboxScanner(
            mailbox, desk, running.store, batch_limit=self._options.mailbox_batches_per_poll
        )
        try:
            summary = await scanner.scan()
        except (MailboxError, OSError) as error:
            self.metrics.mailbox_errors.labels(name).inc()
            if name not in running.mailbox_failing:
                running.mailbox_failing.add(name)
                self._log.warning("mailbox_scan_failed", mailbox=name, error=str(error))
            return
        if name in running.mailbox_failing:
            running.mailbox_failing.discard(name)
            self._log.info("mailbox_scan_recovered", mailbox=name)
        if summary.requests is not None and (summary.requests.changed or summary.requests.removed):
            running.recomputer.request()

    async def _export(self) -> None:
        """The monthly report export (3.2.5): each due month once, atomically."""
        running, directory = self._running, self._settings.export_dir
        if running is None or directory is None:
            return
        try:
            written = await run_exports(running.store, running.config, directory, self._clock())
        except Exception as error:  # a job: the next run exports the month again
            self.metrics.storage_errors.inc()
            self._log.warning("report_export_failed", error=type(error).__name__, detail=str(error))
            return
        for path in written:
            self._log.info("report_exported", path=str(path))

    def _install_signals(self, context: ProbeContext) -> None:
        if not self._options.install_signal_handlers:
            return
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self._terminate)
        loop.add_signal_handler(signal.SIGINT, self._terminate)
        loop.add_signal_handler(signal.SIGHUP, lambda: self._start_reload(context))

    def _terminate(self) -> None:
        """Stop, and make sure the process ends within its graces whatever holds on."""
        self.request_stop()
        if self._watchdog is not None:
            return
        options = self._options
        limit = options.drain_grace + options.writer_stop_grace + options.exit_margin
        self._watchdog = threading.Timer(limit.total_seconds(), self._overrun, (limit,))
        self._watchdog.daemon = True
        self._watchdog.start()

    def _overrun(self, limit: timedelta) -> None:
        # Runs in the timer thread: the event loop did not finish the shutdown in time.
        self._log.error(
            "shutdown_overrun",
            problem=f"stopping took longer than {limit.total_seconds():.0f} s; exiting now, "
            "queued writes may be lost",
        )
        os._exit(1)

    def _start_reload(self, context: ProbeContext) -> None:
        if self._stop.is_set():
            return
        self._reload_task = asyncio.create_task(self.reload(context), name="config-reload")

    async def reload(self, context: ProbeContext) -> bool:
        """Apply a new configuration, or keep the last good one and say why.

        The file is read and checked off the event loop with a time limit, so a huge or
        hostile file never stops probing, scraping or SIGTERM.
        """
        running = self._running
        if running is None:
            return False
        try:
            config = await self._load_off_loop()
        except Exception as error:  # whatever the file did, the last good config stays
            self.metrics.config_reload_ok.set(0)
            self._log.error(
                "config_reload_failed",
                problems=self._reload_problems(error),
                kept="last good config",
            )
            return False
        if self._running is not running or self._stop.is_set():
            return False
        old = running.runners
        new_names = {t.name for t in config.targets}
        for name in sorted(set(old) - new_names):
            running.scheduler.unschedule(name)
            self.metrics.forget_target(name)
            self.states.forget(name)
            del old[name]
        running.config = config
        for target in config.targets:
            runner = old.get(target.name)
            if runner is None:
                self._add_runner(running, context, target, None, None)
                continue
            spec = self._spec(config, target)
            if spec.probe != runner.spec.probe:
                self.metrics.probes.forget_certificate(spec.name)
            if spec.interval != runner.spec.interval:
                running.scheduler.schedule(spec.name, spec.interval, runner.run_once)
            runner.update(spec)
            self.metrics.register_target(spec.name, spec.schedule)
        self._schedule_mailboxes(running)
        self.metrics.config_reload_ok.set(1)
        running.recomputer.request()
        self._log.info("config_reloaded", targets=len(config.targets))
        return True

    def _reload_problems(self, error: BaseException) -> list[str]:
        if isinstance(error, ConfigError):
            return error.lines()
        if isinstance(error, TimeoutError):
            seconds = self._options.reload_timeout.total_seconds()
            return [f"{self._config_path}: reading and checking took longer than {seconds:g} s"]
        if isinstance(error, _ReloadBusyError):
            return [f"{self._config_path}: the previous reload is still reading the file"]
        if isinstance(error, OSError):
            return [str(error)]
        return [f"{self._config_path}: cannot be checked: {type(error).__name__}"]

    async def _shutdown(self, running: _Running) -> None:
        # Each background task logs and contains its own failures; only its cancellation
        # (or the wait's time limit) can come out of awaiting it here.
        started = self._monotonic()
        if self._reload_task is not None and not self._reload_task.done():
            self._reload_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await self._reload_task
        finished, cancelled = await running.scheduler.drain(self._options.drain_grace)
        if running.export_task is not None and not running.export_task.done():
            running.export_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await running.export_task
        if running.recompute_task is not None:
            self._stop.set()
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(running.recompute_task, timeout=5)
        if running.web is not None:
            await running.web.cleanup()
        unwritten = await running.writer.stop(self._options.writer_stop_grace.total_seconds())
        await running.http.close()
        with contextlib.suppress(StoreError):
            await running.store.close()
        self._running = None
        self._log.info(
            "daemon_stopped",
            drained=finished,
            cancelled=cancelled,
            unwritten=unwritten,
            seconds=round(self._monotonic() - started, 3),
        )
