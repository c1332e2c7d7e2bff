"""The daemon's plainer components: the store, its writer, the recompute loop, the web
server and the probe scheduler. Each wraps one object built elsewhere and adds only its
start and close steps; the graces are the ones :class:`~monitor.daemon.DaemonOptions` sets.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
from datetime import timedelta

import structlog
from aiohttp import web

from monitor.daemon._lifecycle import StartError
from monitor.live.recompute import SlaRecomputer
from monitor.probing.scheduler import ProbeScheduler
from monitor.server.web import start_server
from monitor.settings import DatabaseUrl, ListenAddress
from monitor.store import DEFAULT_LOCATION, Store, StoredOutage, StoreError, StoreWriter

__all__ = ["RecomputeLoop", "SchedulerPart", "StorePart", "WebServer", "WriterPart"]


class StorePart:
    """The store, opened and migrated at start, and the outages still open in it.

    The open outages are read back so a restart continues them instead of opening a second
    outage for the same down stretch. Either step failing is one ``store_unavailable`` line
    and exit 1; the lifecycle then closes what was opened.
    """

    name = "store"

    def __init__(self, url: DatabaseUrl, location: str = DEFAULT_LOCATION) -> None:
        self._url = url
        self._location = location
        self._store: Store | None = None
        self._open_outages: dict[str, StoredOutage] = {}

    async def start(self) -> None:
        try:
            self._store = await Store.open(self._url.get_secret_value(), location=self._location)
            self._open_outages = await self._store.open_outages()
        except StoreError as error:  # its message is the one line: what is wrong, what to do
            raise StartError("store_unavailable", str(error), 1) from None

    @property
    def store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the store is not open yet")
        return self._store

    @property
    def open_outages(self) -> dict[str, StoredOutage]:
        """The outages the previous run left open, by target."""
        return self._open_outages

    async def close(self) -> None:
        if self._store is not None:
            with contextlib.suppress(StoreError):
                await self._store.close()


class WriterPart:
    """The store writer; closing writes what is queued within the grace."""

    name = "writer"

    def __init__(self, writer: StoreWriter, grace: timedelta) -> None:
        self.writer = writer
        self._grace = grace
        self.unwritten = 0

    async def start(self) -> None:
        self.writer.start()

    async def close(self) -> None:
        self.unwritten = await self.writer.stop(self._grace.total_seconds())


class RecomputeLoop:
    """The SLA snapshot: one build before serving (every series exists from the first
    scrape), then the recompute loop until close."""

    name = "recompute"

    def __init__(self, recomputer: SlaRecomputer, *, stop_grace: timedelta) -> None:
        self.recomputer = recomputer
        self._stop_grace = stop_grace
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._log = structlog.get_logger("monitor.daemon")

    async def start(self) -> None:
        try:
            await self.recomputer.recompute()
        except Exception as error:  # a job: the loop below builds it again
            self._log.warning("first_recompute_failed", error=type(error).__name__)
        self._task = asyncio.create_task(self.recomputer.run(self._stop), name="sla-recompute")

    async def close(self) -> None:
        self._stop.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self._task, timeout=self._stop_grace.total_seconds())


class WebServer:
    """``/metrics``, health, readiness and the API on the configured address.

    An address in use or not on this host is a bad setting: one ``listen_failed`` line
    naming the address and what to do, and exit 2.
    """

    name = "web"

    def __init__(
        self, app: web.Application, listen: ListenAddress, ssl_context: ssl.SSLContext | None
    ) -> None:
        self._app = app
        self._listen = listen
        self._ssl_context = ssl_context
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        try:
            self._runner = await start_server(
                self._app, self._listen.host, self._listen.port, ssl_context=self._ssl_context
            )
        except OSError as error:
            # asyncio's own text repeats the address; the errno's name is the cause.
            reason = os.strerror(error.errno) if error.errno else type(error).__name__
            problem = (
                f"cannot listen on {self._listen}: {reason}; stop the other process or set "
                "SLA_MONITOR_LISTEN to a free address"
            )
            raise StartError("listen_failed", problem, 2) from None

    @property
    def addresses(self) -> list[str]:
        if self._runner is None:
            return []
        return [f"{address[0]}:{address[1]}" for address in self._runner.addresses]

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()


class SchedulerPart:
    """The probe scheduler, started last: every job is in place before the first tick.

    Closing is the two-phase drain: no new runs, the runs in flight get the grace, then the
    rest is cancelled; the counts go into the daemon's summary line.
    """

    name = "scheduler"

    def __init__(self, scheduler: ProbeScheduler, *, drain_grace: timedelta) -> None:
        self.scheduler = scheduler
        self._drain_grace = drain_grace
        self.drained = 0
        self.cancelled = 0

    async def start(self) -> None:
        self.scheduler.start()

    async def close(self) -> None:
        self.drained, self.cancelled = await self.scheduler.drain(self._drain_grace)
