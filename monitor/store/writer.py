"""The write-behind buffer between the probe path and the database.

The daemon must keep probing when the database is slow or gone, so the probe path never
awaits the store: it hands commands to :class:`StoreWriter` through plain (non-async)
methods, and a background task writes them in batches, one transaction per batch.

What the writer promises:

- Nothing is dropped because a write failed. A failed batch stays where it is and is tried
  again after a capped exponential backoff; ``on_storage_error`` is called once per failed
  attempt (the daemon counts them in ``sla_monitor_storage_errors_total``).
- Memory is bounded where it has to be: raw probe results, one per probe, are kept up to
  ``max_buffered_results``; beyond that the oldest are dropped, and the first drop of an
  episode is logged (``store_buffer_full``). Outage events are never dropped, and sessions
  take constant room because extensions of one session collapse into its latest state.
- Order is kept where it matters: outage events are written in the order they were given,
  so an outage opened and closed during a database outage arrives opened, then closed.
- Replays are harmless. A batch whose commit succeeded but whose acknowledgement was lost
  (a dropped connection during COMMIT) is written again, and every write in it is
  idempotent (see :mod:`monitor.store.store`).

Commands are validated when they are handed in (the records refuse naive datetimes, NaN
durations and the like), so a command that was accepted can always be written.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections import deque
from collections.abc import Callable, Iterable
from datetime import datetime
from itertools import islice
from types import TracebackType
from typing import Final, Protocol, Self

import structlog
from structlog.typing import FilteringBoundLogger

from monitor.sla.outages import OutageClosed, OutageOpened
from monitor.store.records import (
    MonitoringSession,
    ProbeResultRow,
    WriteBatch,
    checked_closed,
    checked_opened,
    utc,
)

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_MAX_BUFFERED_RESULTS",
    "BatchSink",
    "StoreWriter",
]

DEFAULT_MAX_BUFFERED_RESULTS: Final = 100_000
DEFAULT_BATCH_SIZE: Final = 5_000

_OutageEvent = OutageOpened | OutageClosed


class BatchSink(Protocol):
    """Where batches go: :class:`monitor.store.Store`, or a fake in a caller's tests."""

    async def write_batch(self, batch: WriteBatch) -> None: ...


def _nothing() -> None:
    """The default error counter: counts nothing."""


@dataclasses.dataclass(frozen=True, slots=True)
class _Taken:
    """What one batch took from the buffers, so exactly that can be removed on success."""

    batch: WriteBatch
    last_result_seq: int
    events: int
    sessions: dict[str, tuple[int, MonitoringSession]]


class StoreWriter:
    """Buffers store commands in memory and writes them from a background task.

    Use it from the event loop's thread. ``start()`` (or ``async with``) starts the task,
    ``stop()`` writes what it can within a grace period and ends it.
    """

    def __init__(
        self,
        store: BatchSink,
        *,
        on_storage_error: Callable[[], None] = _nothing,
        max_buffered_results: int = DEFAULT_MAX_BUFFERED_RESULTS,
        batch_size: int = DEFAULT_BATCH_SIZE,
        flush_interval: float = 1.0,
        retry_initial: float = 0.5,
        retry_max: float = 30.0,
        write_timeout: float = 60.0,
        logger: FilteringBoundLogger | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_buffered_results < 1 or batch_size < 1:
            raise ValueError("max_buffered_results and batch_size must be at least 1")
        if not 0 < retry_initial <= retry_max:
            raise ValueError("need 0 < retry_initial <= retry_max")
        self._store = store
        self._on_storage_error = on_storage_error
        self._max_results = max_buffered_results
        self._batch_size = batch_size
        self._flush_interval = flush_interval
        self._retry_initial = retry_initial
        self._retry_max = retry_max
        self._write_timeout = write_timeout
        self._monotonic = monotonic
        self._log: FilteringBoundLogger = logger if logger is not None else structlog.get_logger()

        # Every accepted command gets the next sequence number; flush() waits for a number.
        self._seq = 0
        self._results: deque[tuple[int, ProbeResultRow]] = deque()
        self._events: deque[tuple[int, _OutageEvent]] = deque()
        # Latest unwritten state per session, and the latest known state of live sessions.
        self._dirty_sessions: dict[str, tuple[int, MonitoringSession]] = {}
        self._sessions: dict[str, MonitoringSession] = {}
        self._session_of_target: dict[str, str] = {}  # so starting a session is O(1)

        self._dropped_results = 0
        self._dropped_in_episode = 0
        self._failed_attempts = 0
        self._failing_since: float | None = None
        self._last_failure = ""

        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._wake = asyncio.Event()  # something was queued, or stop() was called
        self._urgent = asyncio.Event()  # write now instead of waiting for more
        self._retry_now = asyncio.Event()  # cut a backoff short once (flush, stop)
        self._progress = asyncio.Event()  # replaced after every commit; flush() waits on it

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Start the background task; needs a running event loop."""
        if self._task is not None:
            raise RuntimeError("StoreWriter already started")
        self._task = asyncio.get_running_loop().create_task(self._run(), name="store-writer")

    async def stop(self, timeout: float = 10.0) -> int:  # noqa: ASYNC109  (grace period)
        """Write what is pending within ``timeout`` seconds, then end; returns what was not.

        Anything still unwritten when the grace period ends is lost with the process; it is
        logged with counts per kind so the gap can be explained.
        """
        self._closing = True
        self._urgent.set()
        self._retry_now.set()
        self._wake.set()
        task = self._task
        if task is not None and not task.done():
            try:
                async with asyncio.timeout(timeout):
                    await asyncio.shield(task)
            except TimeoutError:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        unwritten = self.pending
        if unwritten:
            self._log.error(
                "store_writer_stopped",
                unwritten=unwritten,
                results=len(self._results),
                outage_events=len(self._events),
                sessions=len(self._dirty_sessions),
                grace_seconds=timeout,
            )
        else:
            self._log.info("store_writer_stopped", unwritten=0)
        return unwritten

    async def __aenter__(self) -> Self:
        self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    @property
    def pending(self) -> int:
        """Commands accepted but not yet written (a session counts once)."""
        return len(self._results) + len(self._events) + len(self._dirty_sessions)

    @property
    def failing_since(self) -> float | None:
        """When (on the monotonic clock) the store began refusing writes; ``None`` while the
        last write succeeded. Readiness reports a store that refuses writes for too long."""
        return self._failing_since

    @property
    def last_failure(self) -> str:
        """The last write failure, described without SQL or parameters (empty before one)."""
        return self._last_failure

    @property
    def dropped_results(self) -> int:
        """Raw probe results dropped because the buffer was full, since start."""
        return self._dropped_results

    async def flush(self, timeout: float = 30.0) -> None:  # noqa: ASYNC109  (see docstring)
        """Wait until everything accepted before this call is written.

        Raises ``TimeoutError`` when that takes longer than ``timeout`` seconds (the
        database is away; the commands stay queued), and ``RuntimeError`` when the writer
        is not running. The timeout is a parameter rather than left to ``asyncio.timeout``
        around the call because the error then says how much is still pending.
        """
        task = self._task
        if task is None:
            raise RuntimeError("StoreWriter.flush() before start()")
        target = self._seq - 1
        self._urgent.set()
        self._retry_now.set()
        self._wake.set()
        try:
            async with asyncio.timeout(timeout):
                while (oldest := self._oldest_pending_seq()) is not None and oldest <= target:
                    if task.done():
                        raise RuntimeError("the store writer has stopped") from (
                            None if task.cancelled() else task.exception()
                        )
                    await self._progress.wait()
        except TimeoutError:
            raise TimeoutError(
                f"{self.pending} store writes still pending after {timeout} s"
            ) from None

    # -- commands (non-blocking) ----------------------------------------------------------

    def record_probe_result(self, row: ProbeResultRow) -> None:
        self.record_probe_results((row,))

    def record_probe_results(self, rows: Iterable[ProbeResultRow]) -> None:
        """Queue raw results; when the buffer is full the oldest queued ones make room."""
        self._check_open()
        for row in rows:
            self._results.append((self._next_seq(), row))
            if len(self._results) > self._max_results:
                self._results.popleft()
                self._drop_one()
        if len(self._results) >= self._batch_size:
            self._urgent.set()
        self._wake.set()

    def open_outage(self, outage: OutageOpened) -> None:
        """Queue an opened outage; a value the store would refuse is refused here."""
        self._check_open()
        self._events.append((self._next_seq(), checked_opened(outage)))
        self._wake.set()

    def close_outage(self, closed: OutageClosed) -> None:
        """Queue the end of an outage; closing one that is not open changes nothing."""
        self._check_open()
        self._events.append((self._next_seq(), checked_closed(closed)))
        self._wake.set()

    def start_session(self, session: MonitoringSession) -> None:
        """Queue a new session; earlier sessions of its target are forgotten by the writer."""
        self._check_open()
        previous = self._session_of_target.get(session.target)
        if previous is not None:
            self._sessions.pop(previous, None)
        self._session_of_target[session.target] = session.id
        self._sessions[session.id] = session
        self._dirty_sessions[session.id] = (self._next_seq(), session)
        self._wake.set()

    def extend_session(self, session_id: str, last_seen_at: datetime) -> None:
        """Record that ``session_id`` was still probing at ``last_seen_at``.

        Sessions are written as upserts of their whole state, so an extension never
        depends on the start having been written first, and many extensions during a
        database outage take the room of one.
        """
        self._check_open()
        known = self._sessions.get(session_id)
        if known is None:
            raise KeyError(f"session {session_id} was not started through this writer")
        last_seen_at = utc(last_seen_at, "last_seen_at")
        if last_seen_at <= known.last_seen_at:
            return
        session = dataclasses.replace(known, last_seen_at=last_seen_at)
        self._sessions[session_id] = session
        self._dirty_sessions[session_id] = (self._next_seq(), session)
        self._wake.set()

    # -- internals ------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closing:
            raise RuntimeError("StoreWriter is stopping; it accepts no more commands")

    def _next_seq(self) -> int:
        seq = self._seq
        self._seq += 1
        return seq

    def _drop_one(self) -> None:
        self._dropped_results += 1
        self._dropped_in_episode += 1
        if self._dropped_in_episode == 1:
            self._log.warning(
                "store_buffer_full",
                bound=self._max_results,
                detail="dropping the oldest raw probe results until the database is back",
            )

    def _oldest_pending_seq(self) -> int | None:
        oldest: int | None = None
        if self._results:
            oldest = self._results[0][0]
        if self._events and (oldest is None or self._events[0][0] < oldest):
            oldest = self._events[0][0]
        for seq, _ in self._dirty_sessions.values():
            if oldest is None or seq < oldest:
                oldest = seq
        return oldest

    def _take(self) -> _Taken:
        results = tuple(row for _, row in islice(self._results, self._batch_size))
        sessions = dict(self._dirty_sessions)
        batch = WriteBatch(
            results=results,
            outage_events=tuple(event for _, event in self._events),
            sessions=tuple(session for _, session in sessions.values()),
        )
        last_result_seq = self._results[len(results) - 1][0] if results else -1
        return _Taken(batch, last_result_seq, len(batch.outage_events), sessions)

    def _forget(self, taken: _Taken) -> None:
        """Remove exactly what ``taken`` wrote; commands queued meanwhile stay."""
        # Results may have been dropped from the left meanwhile, hence by sequence number.
        while self._results and self._results[0][0] <= taken.last_result_seq:
            self._results.popleft()
        for _ in range(taken.events):
            self._events.popleft()
        for session_id, (seq, _) in taken.sessions.items():
            current = self._dirty_sessions.get(session_id)
            if current is not None and current[0] == seq:
                del self._dirty_sessions[session_id]
        progress, self._progress = self._progress, asyncio.Event()
        progress.set()

    async def _run(self) -> None:
        delay = self._retry_initial
        try:
            while True:
                if not self.pending:
                    if self._closing:
                        return
                    self._wake.clear()
                    await self._wake.wait()
                    continue
                backlog = len(self._results) >= self._batch_size
                if not (self._failed_attempts or self._closing or backlog):
                    # Let a burst collect into one transaction, unless someone waits.
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(self._flush_interval):
                            await self._urgent.wait()
                self._urgent.clear()
                self._retry_now.clear()
                taken = self._take()
                try:
                    async with asyncio.timeout(self._write_timeout):
                        await self._store.write_batch(taken.batch)
                except Exception as exc:  # any failure: keep the batch and retry it
                    self._failed(exc, delay)
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(delay):
                            await self._retry_now.wait()
                    delay = min(delay * 2, self._retry_max)
                    continue
                self._forget(taken)
                self._succeeded()
                delay = self._retry_initial
        finally:
            # Wake flush() waiters so they notice that the task has ended.
            self._progress.set()

    def _failed(self, exc: Exception, retry_in: float) -> None:
        self._failed_attempts += 1
        self._last_failure = _describe(exc)
        if self._failing_since is None:
            self._failing_since = self._monotonic()
        try:
            self._on_storage_error()
        except Exception:  # a broken counter must not stop the writer
            self._log.exception("store_error_callback_failed")
        log = self._log.warning if self._failed_attempts == 1 else self._log.debug
        log(
            "store_write_failed",
            error=type(exc).__name__,
            detail=_describe(exc),
            attempt=self._failed_attempts,
            retry_in_seconds=retry_in,
            pending=self.pending,
        )

    def _succeeded(self) -> None:
        self._failing_since = None
        if self._failed_attempts:
            self._log.info(
                "store_write_recovered",
                failed_attempts=self._failed_attempts,
                pending=self.pending,
            )
            self._failed_attempts = 0
        if self._dropped_in_episode and len(self._results) < self._max_results:
            self._log.warning(
                "store_buffer_recovered",
                bound=self._max_results,
                dropped=self._dropped_in_episode,
            )
            self._dropped_in_episode = 0


def _describe(exc: BaseException) -> str:
    """A short, parameter-free description of a failure.

    SQLAlchemy's messages append the SQL and its parameters (thousands of rows in a batch);
    the driver's own message (``exc.orig``) is what an operator needs.
    """
    original = getattr(exc, "orig", None)
    text = str(original if original is not None else exc) or type(exc).__name__
    first_line = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return first_line[:300]
