"""Each kind of record has a repository of its own, usable without the whole store."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.store import MonitoringSession, Store, new_outage
from monitor.store.outages import Outages
from monitor.store.sessions import Sessions

T0 = datetime(2026, 6, 10, 8, tzinfo=UTC)


async def test_a_repository_on_the_stores_engine_sees_what_the_store_wrote(store: Store) -> None:
    """Outages and Sessions built from the engine alone read and write the same rows."""
    outages, sessions = Outages(store.engine), Sessions(store.engine)
    opened = new_outage("web", T0, "timeout")
    assert await outages.open_outage(opened)
    await store.start_session(MonitoringSession("s1", "web", T0, T0))
    assert [o.id for o in await store.outages()] == [opened.id]
    assert [s.id for s in await sessions.sessions(target="web")] == ["s1"]
