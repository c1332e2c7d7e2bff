"""Housekeeping on the scheduler: pruning old probe results, polling the desk mailboxes
(3.2.9) and the monthly report export (3.2.5)."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import structlog

from monitor.config import Config
from monitor.daemon._config import CurrentConfig
from monitor.daemon._lifecycle import cancel
from monitor.probing.metrics import DaemonMetrics
from monitor.probing.scheduler import ProbeScheduler
from monitor.report.export import run_exports
from monitor.servicedesk import ImapConnector, MailboxError, MailboxScanner
from monitor.sla.months import Month
from monitor.store import Store, StoreError

__all__ = ["Housekeeping"]

_MAILBOX = "mailbox:"


class Housekeeping:
    """The periodic jobs that are not probes; a reload adds and removes mailbox jobs."""

    name = "housekeeping"

    def __init__(
        self,
        *,
        config: CurrentConfig,
        store: Store,
        scheduler: ProbeScheduler,
        metrics: DaemonMetrics,
        on_requests_change: Callable[[], None],
        clock: Callable[[], datetime],
        export_dir: Path | None,
        prune_every: timedelta,
        export_every: timedelta,
        mailbox_batches_per_poll: int,
        leads: Callable[[], bool] = lambda: True,
        gained: asyncio.Event | None = None,
    ) -> None:
        """``leads``: whether this process is the leader now; only the leader runs these
        jobs, which write shared facts. ``gained`` is set when it becomes the leader, to
        catch up an export that a leader which went away left undone."""
        self._config = config
        self._store = store
        self._scheduler = scheduler
        self._metrics = metrics
        self._on_requests_change = on_requests_change
        self._clock = clock
        self._export_dir = export_dir
        self._prune_every = prune_every
        self._export_every = export_every
        self._batches_per_poll = mailbox_batches_per_poll
        self._mailbox_failing: set[str] = set()
        self._imap = ImapConnector()  # keeps OAuth2 tokens from one poll to the next
        self._export_task: asyncio.Task[None] | None = None
        self._leads = leads
        self._gained = gained
        self._catch_up: asyncio.Task[None] | None = None
        self._exporting = asyncio.Lock()  # one export at a time, whoever asked for it
        self._log = structlog.get_logger("monitor.daemon")

    async def start(self) -> None:
        self._scheduler.add_periodic("housekeeping:prune", self._prune_every, self._prune)
        self.reconfigure(self._config())
        if self._export_dir is not None:
            # At start (catching up a run missed while the daemon was down), then hourly.
            self._export_task = asyncio.create_task(self._export(), name="export")
            self._scheduler.add_periodic("housekeeping:export", self._export_every, self._export)
            if self._gained is not None:
                self._gained.clear()  # leading since start: the start's export covers it
                self._catch_up = asyncio.create_task(self._export_on_lead(), name="export-lead")

    async def _export_on_lead(self) -> None:
        gained = self._gained
        if gained is None:
            return
        while True:
            await gained.wait()
            gained.clear()
            await self._export()
            self._log.info("leader_caught_up", exports="checked")

    async def close(self) -> None:
        await cancel(self._catch_up)
        await cancel(self._export_task)

    def reconfigure(self, config: Config) -> None:
        """One polling job per configured mailbox (3.2.9)."""
        wanted = {f"{_MAILBOX}{m.name}": m for m in config.servicedesk.mailboxes}
        for key in self._scheduler.job_keys():
            if key.startswith(_MAILBOX) and key not in wanted:
                self._scheduler.unschedule(key)
        for key, mailbox in wanted.items():
            self._metrics.mailbox_errors.labels(mailbox.name)  # the series exists from start-up
            self._scheduler.add_periodic(
                key, mailbox.poll_interval, functools.partial(self._scan_mailbox, mailbox.name)
            )

    async def _prune(self) -> None:
        if not self._leads():
            return
        before = self._clock() - self._config().retention.probe_results
        try:
            removed = await self._store.prune_probe_results(before)
        except StoreError as error:
            self._metrics.storage_errors.inc()
            self._log.warning("prune_failed", error=type(error).__name__)
            return
        if removed:
            self._log.info("probe_results_pruned", removed=removed, before=before.isoformat())

    async def _scan_mailbox(self, name: str) -> None:
        """Scan one mailbox a bounded amount; log only when it starts or stops failing."""
        if not self._leads():
            return
        desk = self._config().servicedesk
        mailbox = next((m for m in desk.mailboxes if m.name == name), None)
        if mailbox is None:
            return
        scanner = MailboxScanner(
            mailbox, desk, self._store, connect=self._imap, batch_limit=self._batches_per_poll
        )
        try:
            summary = await scanner.scan()
        except (MailboxError, StoreError, OSError) as error:
            self._metrics.mailbox_errors.labels(name).inc()
            if name not in self._mailbox_failing:
                self._mailbox_failing.add(name)
                self._log.warning("mailbox_scan_failed", mailbox=name, error=str(error))
            return
        if name in self._mailbox_failing:
            self._mailbox_failing.discard(name)
            self._log.info("mailbox_scan_recovered", mailbox=name)
        if summary.requests is not None and (summary.requests.changed or summary.requests.removed):
            self._on_requests_change()

    async def _export(self) -> None:
        """The monthly report export (3.2.5): each due month once, atomically."""
        async with self._exporting:
            await self._export_once()

    async def _export_once(self) -> None:
        if self._export_dir is None or not self._leads():
            return
        config = self._config()
        # Several locations: the deliveries in the store tell a later leader on another host
        # which months are done, so no report is exported twice.
        shared = len(config.locations) > 1
        try:
            delivered = await self._store.last_delivered_month() if shared else None
            written = await run_exports(
                self._store,
                config,
                self._export_dir,
                self._clock(),
                clock=self._clock,
                done=None if delivered is None else Month.parse(delivered),
            )
        except Exception as error:  # a job: the next run exports the month again
            self._metrics.storage_errors.inc()
            self._log.warning("report_export_failed", error=type(error).__name__, detail=str(error))
            return
        for path in written:
            self._log.info("report_exported", path=str(path))
