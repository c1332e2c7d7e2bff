"""Per-location evidence: each location's results, outages and sessions are its own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from monitor.sla.outages import OutageOpened
from monitor.store import MonitoringSession, Store, create_engine, migrate
from monitor.store.records import ProbeResultRow
from monitor.store.schema import monitoring_sessions, outages, probe_results

T0 = datetime(2026, 6, 1, 12, tzinfo=UTC)


async def test_two_locations_probing_at_one_instant_both_keep_their_result(
    database_url: str,
) -> None:
    """Results are unique per target, location and start: a and b at the same instant stay."""
    async with (
        await Store.open(database_url, location="a") as a,
        await Store.open(database_url, location="b") as b,
    ):
        await a.record_probe_results([ProbeResultRow("web", T0, 0.1, True)])
        await b.record_probe_results([ProbeResultRow("web", T0, 0.2, False, "timeout")])
        await b.record_probe_results([ProbeResultRow("web", T0, 0.2, False, "timeout")])
        async with a.engine.connect() as connection:
            rows = (
                await connection.execute(
                    sa.select(probe_results.c.location, probe_results.c.ok).order_by(
                        probe_results.c.location
                    )
                )
            ).all()
    assert [tuple(r) for r in rows] == [("a", True), ("b", False)]


async def test_a_location_continues_only_its_own_open_outage(database_url: str) -> None:
    """At start a location reads back its own open outage, never another location's."""
    async with (
        await Store.open(database_url, location="a") as a,
        await Store.open(database_url, location="b") as b,
    ):
        await a.open_outage(OutageOpened("web", "o-a", T0, "refused"))
        await b.open_outage(OutageOpened("web", "o-b", T0 + timedelta(seconds=5), "timeout"))
        assert (await a.open_outages())["web"].id == "o-a"
        assert (await b.open_outages())["web"].id == "o-b"
        by_id = {o.id: o.location for o in await a.outages()}
    assert by_id == {"o-a": "a", "o-b": "b"}


async def test_sessions_are_read_back_with_the_location_that_probed(database_url: str) -> None:
    """A session written by location c reads back as c's."""
    async with await Store.open(database_url, location="c") as c:
        await c.start_session(MonitoringSession("s-1", "web", T0, T0 + timedelta(minutes=1)))
        [session] = await c.sessions()
    assert session.location == "c"


async def test_evidence_recorded_before_locations_becomes_location_local(
    database_url: str,
) -> None:
    """Upgrading a store from revision 0004 labels every existing row ``local``."""
    engine = create_engine(database_url)
    try:
        await migrate(engine, "0004")
        async with engine.begin() as connection:
            await connection.execute(
                sa.insert(probe_results).values(
                    target="web", started_at=T0, duration_seconds=0.1, ok=True
                )
            )
            await connection.execute(
                sa.insert(outages).values(
                    id="o-1",
                    target="web",
                    start=T0,
                    cause="timeout",
                    source="probe",
                    opened_at=T0,
                    updated_at=T0,
                )
            )
            await connection.execute(
                sa.insert(monitoring_sessions).values(
                    id="s-1", target="web", started_at=T0, last_seen_at=T0
                )
            )
        await migrate(engine)
        async with engine.connect() as connection:
            found = {
                table.name: (await connection.execute(sa.select(table.c.location))).scalars().all()
                for table in (probe_results, outages, monitoring_sessions)
            }
    finally:
        await engine.dispose()
    assert found == {
        "probe_results": ["local"],
        "outages": ["local"],
        "monitoring_sessions": ["local"],
    }
