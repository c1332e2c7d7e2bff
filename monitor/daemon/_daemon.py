"""``sla-monitor run``: the daemon's lifecycle.

Start-up: load the configuration, check the settings, open (and migrate) the store and read
back the open outages so a restart continues them, then build the other components
(:func:`~monitor.daemon.build_daemon`) and start them in order: writer, targets, recompute,
web server, housekeeping, scheduler. A failing step closes what already started and exits
with one line: 2 for bad input, 1 for an unusable store.
Running: SIGHUP reloads the configuration and keeps the last good one on error.
Stopping (SIGTERM/SIGINT): the components close in reverse: the scheduler stops new probes
and drains the ones in flight within a grace period, the writer writes what is queued, the
store closes last; one summary line. After ``kill -9`` nothing needs repair: at most the
probes in flight and the last fraction of a second of queued writes are lost, and the time
until the next start shows up as an unmonitored gap because every start opens new
monitoring sessions.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import structlog
from prometheus_client import CollectorRegistry

from monitor import __version__
from monitor.config import ConfigError
from monitor.daemon._build import DaemonParts, build_daemon
from monitor.daemon._config import ConfigSource
from monitor.daemon._heap import settle_heap
from monitor.daemon._lifecycle import Lifecycle, StartError, cancel
from monitor.daemon._options import DaemonOptions
from monitor.daemon._parts import StorePart
from monitor.live.snapshot import SlaSnapshot
from monitor.probing.metrics import DaemonMetrics
from monitor.server.api import TargetStates, tokens_from_settings
from monitor.settings import Settings, build_ssl_context
from probes.base import ProbeContext

__all__ = ["Daemon", "utc_now"]


def utc_now() -> datetime:
    return datetime.now(UTC)


class Daemon:
    """The process around the components: what exists before they are built (the
    configuration file, the settings, the metrics registry) and after they are closed (the
    summary line), plus the signals that stop and reload it."""

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
        self._options = options or DaemonOptions()
        self._source = ConfigSource(config_path, reload_timeout=self._options.reload_timeout)
        self._clock = clock
        self._monotonic = monotonic
        self.registry = CollectorRegistry(auto_describe=True)
        self._metrics = DaemonMetrics(self.registry, __version__)
        self._states = TargetStates()
        self._stop = asyncio.Event()
        self._parts: DaemonParts | None = None
        self._reload_task: asyncio.Task[bool] | None = None
        self._watchdog: threading.Timer | None = None
        self._log = structlog.get_logger("monitor.daemon")

    def request_stop(self) -> None:
        self._stop.set()

    def snapshot(self) -> SlaSnapshot | None:
        """The current SLA snapshot (``None`` before the first build)."""
        parts = self._parts
        return None if parts is None else parts.recompute.recomputer.snapshot

    async def run(self) -> int:
        """Run until stopped; returns the process exit code."""
        try:
            config = self._source.load()
        except (ConfigError, OSError) as error:
            lines = error.lines() if isinstance(error, ConfigError) else [str(error)]
            self._log.error("config_invalid", problems=lines)
            return 2
        known = config.location_names(self._settings.location)
        if self._settings.location not in known:
            self._log.error(
                "location_unknown",
                problem=f"SLA_MONITOR_LOCATION {self._settings.location!r} is not a configured "
                f"location; known: {', '.join(known)}",
            )
            return 2
        try:
            tokens = tokens_from_settings(self._settings)
            ssl_context = build_ssl_context(self._settings)
        except ValueError as error:  # messages name files and lines, never a token
            self._log.error("settings_invalid", problem=str(error))
            return 2
        lifecycle = Lifecycle()
        storage = StorePart(self._settings.database_url, self._settings.location)
        try:
            await lifecycle.start(storage)
            parts = build_daemon(
                self._settings,
                config,
                store=storage.store,
                open_outages=storage.open_outages,
                tokens=tokens,
                ssl_context=ssl_context,
                options=self._options,
                metrics=self._metrics,
                states=self._states,
                clock=self._clock,
                monotonic=self._monotonic,
            )
            self._parts = parts
            for component in parts.components:
                await lifecycle.start(component)
            self._install_signals()
            if self._options.settle_heap:
                settle_heap()
            if not config.targets:
                # A valid start (the shipped example has none): the service-desk figures and
                # the HTTP interface run; nothing is probed until targets are configured.
                self._log.info("no_targets_configured", config=str(self._source.path))
            self._log.info(
                "daemon_started",
                version=__version__,
                targets=len(config.targets),
                workers=[w.pid for w in parts.workers.info()] if parts.workers else [],
                continued_outages=sorted(storage.open_outages),
                listen=parts.web.addresses,
                database=str(self._settings.database_url),
                api_writes=tokens.writes_enabled,
                reads_protected=tokens.reads_protected,
                tls=ssl_context is not None,
            )
            await self._stop.wait()
            code = 0
        except StartError as failure:
            self._log.error(failure.event, problem=failure.problem)
            code = failure.exit_code
        finally:
            stopping = self._monotonic()
            await cancel(self._reload_task)
            built, opened = self._parts, lifecycle.started > 0
            await lifecycle.close()
            self._parts = None
            if opened:
                self._stopped(built, stopping)
        return code

    def _stopped(self, parts: DaemonParts | None, since: float) -> None:
        """The one summary line of a shutdown."""
        drained = cancelled = 0
        if parts is not None:
            drained, cancelled = parts.scheduler.drained, parts.scheduler.cancelled
            if parts.workers is not None:
                drained += parts.workers.drained
                cancelled += parts.workers.cancelled
        self._log.info(
            "daemon_stopped",
            drained=drained,
            cancelled=cancelled,
            unwritten=0 if parts is None else parts.writer.unwritten,
            seconds=round(self._monotonic() - since, 3),
        )

    # -- signals --------------------------------------------------------------------------

    def _install_signals(self) -> None:
        if not self._options.install_signal_handlers:
            return
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self._terminate)
        loop.add_signal_handler(signal.SIGINT, self._terminate)
        loop.add_signal_handler(signal.SIGHUP, self._start_reload)

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

    # -- reload ---------------------------------------------------------------------------

    def _start_reload(self) -> None:
        if self._stop.is_set():
            return
        self._reload_task = asyncio.create_task(self.reload(), name="config-reload")

    async def reload(self, context: ProbeContext | None = None) -> bool:
        """Apply a new configuration, or keep the last good one and say why.

        The file is read and checked off the event loop with a time limit, so a huge or
        hostile file never stops probing, scraping or SIGTERM. ``context``: the probe
        context for the targets the reload adds (default: the daemon's own).
        """
        parts = self._parts
        if parts is None:
            return False
        try:
            config = await self._source.load_off_loop()
        except Exception as error:  # whatever the file did, the last good config stays
            self._metrics.config_reload_ok.set(0)
            self._log.error(
                "config_reload_failed",
                problems=self._source.problems(error),
                kept="last good config",
            )
            return False
        if self._parts is not parts or self._stop.is_set():
            return False
        running = parts.config.value.probing.workers
        if self._settings.workers is None and config.probing.workers != running:
            self._log.warning(
                "workers_change_needs_restart",
                problem=f"probing.workers is now {config.probing.workers}; the daemon keeps "
                f"{running} probe worker process(es) until it is restarted",
            )
        parts.reconfigure(config, context)
        self._metrics.config_reload_ok.set(1)
        self._log.info("config_reloaded", targets=len(config.targets))
        return True
