"""The store: every read and write of probe results, outages, sessions, maintenance and
service-desk requests.

All writes are idempotent, because the writer replays a batch whose commit it could not
confirm: probe results are keyed by ``(target, started_at)``, outages, sessions and
maintenance windows by ids the caller made, closing an outage only touches an open one, and
a session's ``last_seen_at`` only moves forward. The upserts use ``INSERT … ON CONFLICT``,
which SQLite (3.24+) and PostgreSQL spell the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from types import TracebackType
from typing import Any, Self

import structlog
from sqlalchemy.ext.asyncio import AsyncEngine
from structlog.typing import FilteringBoundLogger

from monitor.sla.outages import OutageOpened
from monitor.store.analyses import Analyses
from monitor.store.cluster import Cluster
from monitor.store.deliveries import Deliveries
from monitor.store.engine import create_engine, safe_url
from monitor.store.errors import StoreUrlError, map_store_errors
from monitor.store.maintenance import Maintenance
from monitor.store.migrate import migrate
from monitor.store.outages import Outages
from monitor.store.records import WriteBatch, checked_closed, checked_opened
from monitor.store.repository import utc_now
from monitor.store.requests import Requests
from monitor.store.results import DEFAULT_PROBE_RETENTION, PRUNE_CHUNK, ProbeResults
from monitor.store.schema import DEFAULT_LOCATION
from monitor.store.sessions import Sessions

__all__ = ["DEFAULT_PROBE_RETENTION", "PRUNE_CHUNK", "Store"]


class Store(ProbeResults, Outages, Sessions, Maintenance, Analyses, Requests, Deliveries, Cluster):
    """The whole store on one engine: every repository's methods, and the writer's batch
    that spans three of them in one transaction. Values in and out are frozen records or
    the core's own values."""

    @classmethod
    async def open(
        cls,
        url: str,
        *,
        clock: Callable[[], datetime] = utc_now,
        logger: FilteringBoundLogger | None = None,
        location: str = DEFAULT_LOCATION,
        **engine_options: Any,
    ) -> Self:
        """Connect to ``url``, create or migrate the schema, and return the ready store."""
        try:
            engine = create_engine(url, **engine_options)
        except ValueError as error:  # the message names the URL only with its password masked
            raise StoreUrlError(str(error)) from None
        log: FilteringBoundLogger = logger if logger is not None else structlog.get_logger()
        try:
            with map_store_errors(safe_url(engine)):
                await migrate(engine, logger=log)
        except BaseException:
            await engine.dispose()
            raise
        log.info("store_opened", url=safe_url(engine), dialect=engine.dialect.name)
        return cls(engine, clock=clock, logger=log, location=location)

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    @property
    def location(self) -> str:
        """The probe location whose evidence this store writes."""
        return self._location

    @property
    def url(self) -> str:
        """The database URL with its password masked."""
        return safe_url(self._engine)

    async def close(self) -> None:
        with map_store_errors(self._masked_url):
            await self._engine.dispose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    # -- the writer's path ----------------------------------------------------------------

    async def write_batch(self, batch: WriteBatch) -> None:
        """Write everything in ``batch`` in one transaction: all of it or none of it."""
        async with self._write() as connection:
            for event in batch.outage_events:
                if isinstance(event, OutageOpened):
                    await self._open_outage(connection, checked_opened(event))
                else:
                    closed = checked_closed(event)
                    await self._close_outage(connection, closed.outage_id, closed.end)
            await self._upsert_sessions(connection, batch.sessions)
            await self._insert_results(connection, batch.results)
