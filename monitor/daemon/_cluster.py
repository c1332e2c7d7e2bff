"""The process's place among several probe locations: its location, the shared rules, and
whether it leads (docs/operations.md#several-locations).

At start a process takes its location's lock (PostgreSQL) or the SQLite file's lock, so a
second process of the same location on the same store refuses to start instead of writing a
second copy of that location's evidence. It then compares its rules digest with the one of
every location running on the store and refuses when they differ, naming the parts: the
locations must judge by the same rules, or the figures of one instance differ from the next.

The leader runs what must run once (the report export, mailbox polling, pruning). On
PostgreSQL it is whoever holds the leader lock; the others try again every third of
``failover``, and the lock's connection is checked as often, so a leader that dies or loses
the store is replaced within ``failover``. On SQLite the one process leads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta

import structlog

from monitor.config import Config
from monitor.daemon._lifecycle import StartError, cancel
from monitor.store import Store, StoreError
from monitor.store.locks import AdvisoryLock, FileLock, sqlite_lock_path

__all__ = ["Membership"]

_LEADER = "leader"


def _location_lock(location: str) -> str:
    return f"location {location}"


class Membership:
    """The location lock, the rules check and the leader lock of one process."""

    name = "membership"

    def __init__(
        self,
        *,
        store: Store,
        config: Callable[[], Config],
        failover: timedelta,
        on_leadership: Callable[[bool], None],
    ) -> None:
        self._store = store
        self._config = config
        self._failover = failover
        self._on_leadership = on_leadership
        self._sqlite = store.engine.dialect.name == "sqlite"
        keepalive = failover / 6
        self._own = AdvisoryLock(store.engine, _location_lock(store.location), keepalive)
        self._leader = AdvisoryLock(store.engine, _LEADER, keepalive)
        self._file: FileLock | None = None
        self._task: asyncio.Task[None] | None = None
        self._leads = False
        self.gained = asyncio.Event()
        """Set whenever this process becomes the leader, for work that should not wait."""
        self._log = structlog.get_logger("monitor.daemon")

    @property
    def location(self) -> str:
        return self._store.location

    @property
    def leads(self) -> bool:
        return self._leads

    async def start(self) -> None:
        self._on_leadership(False)  # the series exists from the start
        if self._sqlite:
            self._lock_file()
            await self._record_leader()
            self._set_leader(True)
            return
        if not await self._own.try_acquire():
            raise StartError(
                "location_taken",
                f"location {self.location!r} is already running on {self._store.url}: "
                "stop that process or set another SLA_MONITOR_LOCATION",
                2,
            )
        try:
            await self._check_rules()
        except StoreError as error:
            raise StartError("store_unavailable", str(error), 1) from None
        await self._try_lead()
        self._task = asyncio.create_task(self._keep(), name="leadership")

    def _lock_file(self) -> None:
        path = sqlite_lock_path(self._store.engine.url.render_as_string())
        if path is None:
            return
        lock = FileLock(path)
        if not lock.try_acquire():
            raise StartError(
                "store_in_use",
                f"another sla-monitor run uses {path.with_suffix('')}: one process per SQLite "
                "file; use PostgreSQL for several locations",
                2,
            )
        self._file = lock

    async def _check_rules(self) -> None:
        """Record our rules, then compare with every other running location's. Recording
        first means two processes starting together with different rules both refuse."""
        mine = self._config().rules_digest()
        await self._store.record_rules(self.location, mine)
        for location, theirs in sorted((await self._store.rules_by_location()).items()):
            if location == self.location or theirs == mine:
                continue
            if not await self._own.held_elsewhere(_location_lock(location)):
                continue  # not running: it compares with us when it starts
            differing = sorted(
                p for p in mine.keys() | theirs.keys() if mine.get(p) != theirs.get(p)
            )
            raise StartError(
                "rules_differ",
                f"the rules differ from those of running location {location!r} in: "
                f"{', '.join(differing)}; every location needs the same rules",
                2,
            )

    async def _try_lead(self) -> None:
        if self._leader.held:
            held = await asyncio.wait_for(self._leader.still_held(), self._retry)
        else:
            held = await asyncio.wait_for(self._leader.try_acquire(), self._retry)
        if held and not self._leads:
            await self._record_leader()
        self._set_leader(held)

    async def _record_leader(self) -> None:
        """Note in the store who leads, for every instance's status; a failure to note it
        changes nothing about leading (the lock decides)."""
        try:
            await asyncio.wait_for(self._store.record_leader(self.location), self._retry)
        except (StoreError, TimeoutError) as error:
            self._log.warning("leader_not_recorded", error=type(error).__name__)

    @property
    def _retry(self) -> float:
        return self._failover.total_seconds() / 3

    async def _keep(self) -> None:
        while True:
            await asyncio.sleep(self._retry)
            try:
                await self._try_lead()
            except TimeoutError:
                # The store did not answer in time: whoever cannot reach it must not lead.
                await self._leader.abandon()
                self._set_leader(False)

    def _set_leader(self, leads: bool) -> None:
        if leads == self._leads:
            return
        self._leads = leads
        self._on_leadership(leads)
        if leads:
            self._log.info("leader_elected", location=self.location)
            self.gained.set()
        else:
            self._log.warning("leader_lost", location=self.location)

    async def close(self) -> None:
        await cancel(self._task)
        for lock in (self._leader, self._own):
            try:
                await asyncio.wait_for(lock.release(), self._retry)
            except (TimeoutError, StoreError):
                await lock.abandon()
        if self._file is not None:
            self._file.release()
