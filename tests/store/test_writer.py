"""The write-behind writer against real databases: nothing accepted is lost or doubled."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, TypedDict

import pytest
import sqlalchemy as sa
import structlog
from structlog.testing import LogCapture
from structlog.typing import EventDict, FilteringBoundLogger

from monitor.store import (
    MonitoringSession,
    OutageClosed,
    ProbeResultRow,
    Store,
    StoreWriter,
    WriteBatch,
    new_outage,
)
from monitor.store.schema import probe_results

if TYPE_CHECKING:
    from tests.store.conftest import SwitchableDatabase

T0 = datetime(2026, 10, 25, 0, 0, tzinfo=UTC)


class _Timing(TypedDict):
    flush_interval: float
    retry_initial: float
    retry_max: float


# Short enough for a quick suite, long enough that a retry loop is not a busy loop.
FAST: _Timing = {"flush_interval": 0.01, "retry_initial": 0.02, "retry_max": 0.1}


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def results(target: str, seconds: range, *, ok: bool = True) -> list[ProbeResultRow]:
    if ok:
        return [ProbeResultRow(target, at(s), 0.01, ok=True) for s in seconds]
    return [ProbeResultRow(target, at(s), 5.0, False, "timeout", "no answer") for s in seconds]


class Events:
    """A structlog logger whose events the test can read."""

    def __init__(self) -> None:
        self.capture = LogCapture()
        self.logger: FilteringBoundLogger = structlog.wrap_logger(
            None,
            processors=[self.capture],
            wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG),
        )

    def named(self, event: str) -> list[EventDict]:
        return [entry for entry in self.capture.entries if entry["event"] == event]


class Counter:
    """Stands in for the Prometheus counter the daemon passes as ``on_storage_error``."""

    def __init__(self) -> None:
        self.value = 0
        self._changed = asyncio.Event()

    def __call__(self) -> None:
        self.value += 1
        self._changed.set()

    async def reached(self, value: int) -> None:
        while self.value < value:
            self._changed.clear()
            await self._changed.wait()


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture
async def writer(store: Store, events: Events) -> AsyncIterator[StoreWriter]:
    running = StoreWriter(store, logger=events.logger, **FAST)
    running.start()
    try:
        yield running
    finally:
        await running.stop()


async def stored_results(store: Store, target: str) -> list[ProbeResultRow]:
    return await store.probe_results(target, at(-(10**6)), at(10**6))


async def result_count(store: Store) -> int:
    async with store.engine.connect() as connection:
        total = await connection.scalar(sa.select(sa.func.count()).select_from(probe_results))
        return int(total or 0)


# -- the ordinary path --------------------------------------------------------------------


async def test_everything_handed_to_the_writer_is_in_the_store_after_a_flush(
    store: Store, writer: StoreWriter
) -> None:
    """Results, an outage opened and closed, and a session all arrive, in one flush."""
    session = MonitoringSession.begin("a", at(0))
    outage = new_outage("a", at(2), "timeout")
    writer.start_session(session)
    writer.record_probe_results(results("a", range(2)))
    writer.record_probe_results(results("a", range(2, 4), ok=False))
    writer.open_outage(outage)
    writer.record_probe_result(ProbeResultRow("a", at(4), 0.01, ok=True))
    writer.close_outage(OutageClosed(outage.target, outage.id, at(4)))
    writer.extend_session(session.id, at(4))

    await writer.flush()

    assert writer.pending == 0
    assert len(await stored_results(store, "a")) == 5
    (stored,) = await store.outages("a")
    assert (stored.id, stored.start, stored.end) == (outage.id, at(2), at(4))
    assert await store.sessions("a") == [MonitoringSession(session.id, "a", at(0), at(4))]


async def test_many_extensions_of_a_session_take_the_room_of_one(
    store: Store, events: Events
) -> None:
    """Extending a session a thousand times leaves one pending command with the latest time."""
    writer = StoreWriter(store, logger=events.logger, **FAST)
    session = MonitoringSession.begin("a", at(0))
    writer.start_session(session)
    for second in range(1, 1001):
        writer.extend_session(session.id, at(second))
    writer.extend_session(session.id, at(500))  # late and older: ignored

    assert writer.pending == 1
    async with writer:
        await writer.flush()

    assert await store.sessions("a") == [MonitoringSession(session.id, "a", at(0), at(1000))]


async def test_results_are_written_in_batches_of_the_configured_size(
    store: Store, events: Events
) -> None:
    """A backlog goes out in transactions of at most batch_size results, oldest first."""
    seen: list[WriteBatch] = []

    class Recording:
        async def write_batch(self, batch: WriteBatch) -> None:
            seen.append(batch)
            await store.write_batch(batch)

    writer = StoreWriter(Recording(), batch_size=10, logger=events.logger, **FAST)
    writer.record_probe_results(results("a", range(25)))
    async with writer:
        await writer.flush()

    assert [len(batch.results) for batch in seen] == [10, 10, 5]
    assert [row.started_at for batch in seen for row in batch.results] == [at(s) for s in range(25)]
    assert await result_count(store) == 25


async def test_a_backlog_drains_without_pausing_between_full_batches(
    store: Store, events: Events
) -> None:
    """After an outage of the database, full batches follow each other at once."""
    written = 0
    drained = asyncio.Event()

    class Counting:
        async def write_batch(self, batch: WriteBatch) -> None:
            nonlocal written
            await store.write_batch(batch)
            written += len(batch.results)
            if written == 30:
                drained.set()

    writer = StoreWriter(Counting(), batch_size=10, flush_interval=60.0, logger=events.logger)
    writer.record_probe_results(results("a", range(30)))
    async with writer:
        await asyncio.wait_for(drained.wait(), timeout=5)

    assert await result_count(store) == 30


async def test_stop_writes_what_is_pending_before_it_returns(store: Store, events: Events) -> None:
    """A clean shutdown loses nothing: stop() flushes, then reports zero unwritten."""
    writer = StoreWriter(store, logger=events.logger, flush_interval=60.0)
    writer.start()
    writer.record_probe_results(results("a", range(3)))
    writer.open_outage(new_outage("a", at(1), "timeout"))

    assert await writer.stop() == 0

    assert await result_count(store) == 3
    assert len(await store.outages()) == 1
    assert events.named("store_writer_stopped")[0]["unwritten"] == 0


async def test_a_stopped_writer_refuses_new_commands(store: Store, events: Events) -> None:
    """After stop() a command would be silently lost, so it is refused loudly instead."""
    writer = StoreWriter(store, logger=events.logger, **FAST)
    writer.start()
    await writer.stop()

    with pytest.raises(RuntimeError, match="accepts no more"):
        writer.record_probe_result(results("a", range(1))[0])
    with pytest.raises(RuntimeError, match="accepts no more"):
        writer.open_outage(new_outage("a", at(0), "timeout"))


async def test_extending_a_session_the_writer_never_started_is_refused(
    store: Store, events: Events
) -> None:
    """An unknown session id is a bug in the caller, reported at once, not at write time."""
    writer = StoreWriter(store, logger=events.logger)

    with pytest.raises(KeyError, match="not started"):
        writer.extend_session("no-such-session", at(1))


async def test_flush_before_start_is_an_error(store: Store, events: Events) -> None:
    """Waiting for a writer that is not running would never end."""
    writer = StoreWriter(store, logger=events.logger)
    writer.record_probe_results(results("a", range(1)))

    with pytest.raises(RuntimeError, match="before start"):
        await writer.flush()


# -- the database goes away ---------------------------------------------------------------


async def test_the_writer_keeps_everything_while_the_database_is_away_and_writes_it_later(
    switchable_database: SwitchableDatabase, events: Events
) -> None:
    """Cut off for real: nothing is dropped, every failed flush is counted, all arrive."""
    store = await Store.open(switchable_database.url)
    errors = Counter()
    writer = StoreWriter(store, on_storage_error=errors, logger=events.logger, **FAST)
    writer.start()
    try:
        session = MonitoringSession.begin("a", at(0))
        writer.start_session(session)
        writer.record_probe_results(results("a", range(5)))
        await writer.flush()

        await switchable_database.cut(store)
        outage = new_outage("a", at(5), "connection_refused")
        writer.record_probe_results(results("a", range(5, 10), ok=False))
        writer.open_outage(outage)
        writer.record_probe_results(results("a", range(10, 15)))
        writer.close_outage(OutageClosed(outage.target, outage.id, at(10)))
        writer.extend_session(session.id, at(14))

        with pytest.raises(TimeoutError, match="13 store writes still pending"):
            await writer.flush(timeout=0.5)
        assert errors.value >= 2
        assert writer.pending == 13
        assert writer.dropped_results == 0

        await switchable_database.restore()
        await writer.flush(timeout=20)
    finally:
        await writer.stop()
        await store.close()

    reopened = await Store.open(switchable_database.url)
    try:
        assert len(await stored_results(reopened, "a")) == 15
        (stored,) = await reopened.outages("a")
        assert (stored.start, stored.end) == (at(5), at(10))
        assert await reopened.sessions("a") == [MonitoringSession(session.id, "a", at(0), at(14))]
    finally:
        await reopened.close()
    failures = events.named("store_write_failed")
    assert len(failures) == errors.value
    assert [f["log_level"] for f in failures[:2]] == ["warning", "debug"]
    (recovered,) = events.named("store_write_recovered")
    assert recovered["failed_attempts"] == errors.value


async def test_retries_back_off_exponentially_up_to_the_cap(
    switchable_database: SwitchableDatabase, events: Events
) -> None:
    """The pause between attempts doubles from retry_initial and stops at retry_max."""
    store = await Store.open(switchable_database.url)
    errors = Counter()
    writer = StoreWriter(
        store,
        on_storage_error=errors,
        logger=events.logger,
        flush_interval=0.01,
        retry_initial=0.01,
        retry_max=0.04,
    )
    try:
        await switchable_database.cut(store)
        writer.start()
        writer.record_probe_results(results("a", range(1)))
        await asyncio.wait_for(errors.reached(5), timeout=10)
    finally:
        await switchable_database.restore()
        await writer.stop()
        await store.close()

    delays = [f["retry_in_seconds"] for f in events.named("store_write_failed")[:5]]
    assert delays == [0.01, 0.02, 0.04, 0.04, 0.04]


async def test_stop_reports_what_it_could_not_write_while_the_database_is_away(
    switchable_database: SwitchableDatabase, events: Events
) -> None:
    """A shutdown that cannot write says so, with counts per kind, instead of hanging."""
    store = await Store.open(switchable_database.url)
    writer = StoreWriter(store, logger=events.logger, **FAST)
    writer.start()
    try:
        await switchable_database.cut(store)
        writer.record_probe_results(results("a", range(4)))
        writer.open_outage(new_outage("a", at(1), "timeout"))

        assert await writer.stop(timeout=0.3) == 5
    finally:
        await switchable_database.restore()
        await store.close()

    (stopped,) = events.named("store_writer_stopped")
    assert (stopped["log_level"], stopped["results"], stopped["outage_events"]) == ("error", 4, 1)


# -- bounded memory -----------------------------------------------------------------------


async def test_a_full_buffer_drops_the_oldest_results_logs_once_and_keeps_every_outage(
    store: Store, events: Events
) -> None:
    """Past the bound the oldest raw results make room; outage events are all kept."""
    writer = StoreWriter(store, max_buffered_results=10, logger=events.logger, **FAST)
    outages = [new_outage(f"t{i}", at(i), "timeout") for i in range(30)]
    for second in range(30):  # never started: as if the database had been away all along
        writer.record_probe_result(ProbeResultRow("a", at(second), 0.01, ok=True))
        writer.open_outage(outages[second])
        if second % 2:
            closing = outages[second]
            writer.close_outage(OutageClosed(closing.target, closing.id, at(second + 1)))

    assert writer.dropped_results == 20
    assert writer.pending == 10 + 30 + 15
    (full,) = events.named("store_buffer_full")
    assert (full["bound"], full["log_level"]) == (10, "warning")

    async with writer:
        await writer.flush()

    assert [r.started_at for r in await stored_results(store, "a")] == [
        at(s) for s in range(20, 30)
    ]
    stored = await store.outages()
    assert sorted(o.id for o in stored) == sorted(o.id for o in outages)
    assert sum(o.end is not None for o in stored) == 15
    (recovered,) = events.named("store_buffer_recovered")
    assert recovered["dropped"] == 20


# -- lost acknowledgements and broken collaborators ---------------------------------------


class LosesFirstAcknowledgement:
    """Commits for real, then fails as if the connection dropped while COMMIT returned."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.calls = 0

    async def write_batch(self, batch: WriteBatch) -> None:
        self.calls += 1
        await self.store.write_batch(batch)
        if self.calls == 1:
            raise ConnectionResetError("connection lost after COMMIT")


async def test_a_committed_batch_whose_acknowledgement_was_lost_is_replayed_harmlessly(
    store: Store, events: Events
) -> None:
    """The retry writes the same batch again and the store still holds one copy of each."""
    errors = Counter()
    sink = LosesFirstAcknowledgement(store)
    writer = StoreWriter(sink, on_storage_error=errors, logger=events.logger, **FAST)
    outage = new_outage("a", at(1), "timeout")
    session = MonitoringSession.begin("a", at(0))
    writer.start_session(session)
    writer.record_probe_results(results("a", range(10)))
    writer.open_outage(outage)
    writer.close_outage(OutageClosed(outage.target, outage.id, at(5)))

    async with writer:
        await writer.flush()

    assert (sink.calls, errors.value) == (2, 1)
    assert await result_count(store) == 10
    (stored,) = await store.outages()
    assert (stored.start, stored.end) == (at(1), at(5))
    assert await store.sessions() == [session]
    assert events.named("store_write_failed")[0]["detail"] == "connection lost after COMMIT"


async def test_a_broken_error_counter_does_not_stop_the_writer(
    store: Store, events: Events
) -> None:
    """The callback is someone else's code; its exception is logged and writing goes on."""

    def broken() -> None:
        raise RuntimeError("counter broke")

    writer = StoreWriter(
        LosesFirstAcknowledgement(store), on_storage_error=broken, logger=events.logger, **FAST
    )
    writer.record_probe_results(results("a", range(3)))
    async with writer:
        await writer.flush()

    assert await result_count(store) == 3
    assert len(events.named("store_error_callback_failed")) == 1


async def test_stopping_ends_the_background_task(store: Store, events: Events) -> None:
    """No writer task outlives stop(), so a daemon's shutdown is clean."""
    writer = StoreWriter(store, logger=events.logger, **FAST)
    writer.start()
    writer.record_probe_results(results("a", range(2)))
    await writer.stop()

    assert [t for t in asyncio.all_tasks() if t.get_name() == "store-writer"] == []


async def test_the_writer_says_since_when_the_database_refuses_writes_until_one_succeeds(
    switchable_database: SwitchableDatabase, events: Events
) -> None:
    """Readiness reads this: set at the first refused write, kept while retries fail, cleared
    by the first write that succeeds; the reason is the driver's line, not the SQL."""
    store = await Store.open(switchable_database.url)
    ticks = iter(range(1000, 100_000))
    writer = StoreWriter(store, logger=events.logger, monotonic=lambda: float(next(ticks)), **FAST)
    writer.start()
    try:
        writer.record_probe_results(results("a", range(3)))
        await writer.flush()
        assert (writer.failing_since, writer.last_failure) == (None, "")

        await switchable_database.cut(store)
        writer.record_probe_results(results("a", range(3, 6)))
        with pytest.raises(TimeoutError):
            await writer.flush(timeout=0.5)
        first = writer.failing_since
        assert first is not None
        assert writer.last_failure
        assert "INSERT" not in writer.last_failure
        with pytest.raises(TimeoutError):
            await writer.flush(timeout=0.3)
        assert writer.failing_since == first

        await switchable_database.restore()
        await writer.flush(timeout=20)
        assert writer.failing_since is None
    finally:
        await writer.stop()
        await store.close()
