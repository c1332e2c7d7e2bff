"""Reading only what changed: outages and sessions stamped at or after an instant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from monitor.store import (
    ImportedOutageRow,
    MonitoringSession,
    OutageOpened,
    Store,
    WriteBatch,
    create_engine,
    migrate,
)
from monitor.store.schema import monitoring_sessions

T0 = datetime(2026, 6, 1, 12, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def stamped(store: Store, minutes: float) -> Store:
    """The same database written through a store whose clock reads ``at(minutes)``."""
    return Store(store.engine, clock=lambda: at(minutes))


async def test_outages_changed_since_an_instant_are_those_opened_closed_or_imported_after_it(
    store: Store,
) -> None:
    """Opening, closing and importing stamp an outage; the read finds exactly those after."""
    await stamped(store, 1).open_outage(OutageOpened("a", "o-old", at(0), "timeout"))
    await stamped(store, 2).open_outage(OutageOpened("a", "o-closed", at(0), "timeout"))
    await stamped(store, 5).close_outage("o-closed", at(4))
    row = ImportedOutageRow("o-imp", "k1", "b", at(-60), at(-50), "imported", 2)
    await stamped(store, 6).import_outages([[row]])

    found = await store.outages(changed_since=at(5))
    assert sorted(o.id for o in found) == ["o-closed", "o-imp"]
    assert [o.id for o in await store.outages(changed_since=at(7))] == []


async def test_changed_since_combines_with_the_range_of_an_outage_read(store: Store) -> None:
    """Both conditions hold at once: changed lately and overlapping the range."""
    await stamped(store, 10).open_outage(OutageOpened("a", "o-recent", at(9), "timeout"))
    await stamped(store, 10).open_outage(OutageOpened("a", "o-later", at(20), "timeout"))
    await stamped(store, 1).open_outage(OutageOpened("a", "o-stale", at(0), "timeout"))

    found = await store.outages("a", since=at(0), until=at(15), changed_since=at(10))
    assert [o.id for o in found] == ["o-recent"]


async def test_sessions_changed_since_an_instant_are_those_started_or_extended_after_it(
    store: Store,
) -> None:
    """Starting, extending (by update or by a batch's upsert) stamps a session; a replayed,
    older extension changes nothing and so does not stamp it."""
    await stamped(store, 1).start_session(MonitoringSession("s-start", "a", at(0), at(1)))
    await stamped(store, 1).start_session(MonitoringSession("s-ext", "a", at(0), at(1)))
    await stamped(store, 1).start_session(MonitoringSession("s-up", "b", at(0), at(1)))
    await stamped(store, 1).start_session(MonitoringSession("s-replay", "b", at(0), at(3)))
    assert await stamped(store, 5).extend_session("s-ext", at(5))
    await stamped(store, 6).write_batch(
        WriteBatch(sessions=(MonitoringSession("s-up", "b", at(0), at(6)),))
    )
    await stamped(store, 7).write_batch(
        WriteBatch(sessions=(MonitoringSession("s-replay", "b", at(0), at(2)),))
    )
    await stamped(store, 8).start_session(MonitoringSession("s-new", "c", at(8), at(8)))

    found = await store.sessions(changed_since=at(5))
    assert [s.id for s in found] == ["s-ext", "s-up", "s-new"]
    assert [s.id for s in await store.sessions("b", changed_since=at(5))] == ["s-up"]
    assert [s.id for s in await store.sessions(until=at(5), changed_since=at(5))] == [
        "s-ext",
        "s-up",
    ]


async def test_a_session_stored_before_stamps_existed_is_stamped_when_it_was_last_seen(
    database_url: str,
) -> None:
    """Upgrading from revision 0006 gives every session its ``last_seen_at`` as its stamp."""
    engine = create_engine(database_url)
    try:
        await migrate(engine, "0006")
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(monitoring_sessions).values(
                    id="s-1", target="web", started_at=at(0), last_seen_at=at(30)
                )
            )
        await migrate(engine)
        store = Store(engine)
        assert [s.id for s in await store.sessions(changed_since=at(30))] == ["s-1"]
        assert await store.sessions(changed_since=at(31)) == []
    finally:
        await engine.dispose()
