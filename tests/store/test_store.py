"""The store on both engines: what goes in comes out, in UTC, and replays change nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

import monitor.store
from monitor.store import (
    MaintenanceWindowRecord,
    MonitoringSession,
    OutageClosed,
    OutageOpened,
    ProbeResultRow,
    Store,
    WriteBatch,
    checked_closed,
    checked_opened,
    new_outage,
    safe_url,
)
from monitor.store.engine import SQLITE_BUSY_TIMEOUT_MS
from monitor.store.schema import outages, probe_results

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night the clocks go forward
NOW = datetime(2026, 3, 30, 12, 0, tzinfo=UTC)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def result(target: str, minutes: float, *, ok: bool = True) -> ProbeResultRow:
    if ok:
        return ProbeResultRow(target, at(minutes), 0.25, ok=True)
    return ProbeResultRow(target, at(minutes), 10.0, False, "timeout", "no answer in 10 s")


def assert_utc(instant: datetime | None) -> None:
    assert instant is not None
    assert instant.tzinfo is UTC


async def count(store: Store, table: sa.Table) -> int:
    async with store.engine.connect() as connection:
        return int(await connection.scalar(sa.select(sa.func.count()).select_from(table)) or 0)


# -- probe results ------------------------------------------------------------------------


async def test_probe_results_come_back_equal_and_in_utc(store: Store) -> None:
    """Results given in a local zone are read back as the same instants, aware and UTC."""
    local = datetime(2026, 3, 29, 3, 15, 0, 123456, tzinfo=AMSTERDAM)  # 01:15 UTC
    rows = [
        ProbeResultRow("it-system", local, 0.125, ok=True),
        ProbeResultRow("it-system", local + timedelta(seconds=30), 10.0, False, "timeout", "slow"),
    ]
    await store.record_probe_results(rows)

    stored = await store.probe_results("it-system", local, local + timedelta(minutes=1))

    assert stored == rows
    assert stored[0].started_at == datetime(2026, 3, 29, 1, 15, 0, 123456, tzinfo=UTC)
    for row in stored:
        assert_utc(row.started_at)


async def test_a_hostile_error_message_is_truncated_and_still_stored(store: Store) -> None:
    """A huge message with a NUL and a lone surrogate is cut to 500 characters and stored."""
    message = "bad\x00body \udcff" + "x" * 5000
    row = ProbeResultRow("mail", T0, 1.0, False, "protocol", message)
    await store.record_probe_results([row])

    stored = await store.last_probe_result("mail")

    assert stored is not None
    assert stored.error_message is not None
    assert len(stored.error_message) == 500
    assert stored.error_message.startswith("bad\ufffdbody \ufffdxxx")


async def test_the_last_probe_result_is_the_newest_of_its_own_target(store: Store) -> None:
    """Only the asked target counts, and the latest start wins whatever the insert order."""
    await store.record_probe_results(
        [result("a", 5), result("a", 20, ok=False), result("a", 10), result("b", 30)]
    )

    assert await store.last_probe_result("a") == result("a", 20, ok=False)
    assert await store.last_probe_result("unknown") is None


async def test_recording_the_same_results_twice_stores_them_once(store: Store) -> None:
    """The (target, start) key makes a replayed insert a no-op instead of a duplicate."""
    rows = [result("a", minute) for minute in range(10)]
    await store.record_probe_results(rows)
    await store.record_probe_results([*rows[5:], result("a", 10)])

    assert await count(store, probe_results) == 11


async def test_pruning_removes_only_results_older_than_the_cutoff(store: Store) -> None:
    """Old raw results go, in chunks; newer results, outages and sessions all stay."""
    await store.record_probe_results([result("a", minute) for minute in range(10)])
    await store.open_outage(new_outage("a", at(1), "timeout"))
    await store.start_session(MonitoringSession.begin("a", at(0)))

    removed = await store.prune_probe_results(at(7), chunk=3)

    assert removed == 7
    remaining = await store.probe_results("a", at(0), at(60))
    assert [row.started_at for row in remaining] == [at(7), at(8), at(9)]
    assert len(await store.outages()) == 1
    assert len(await store.sessions()) == 1
    assert await store.prune_probe_results(at(7)) == 0


# -- outages ------------------------------------------------------------------------------


async def test_an_outage_is_stored_open_then_closed_with_its_bookkeeping(store: Store) -> None:
    """Opening and closing keep the cause and source and stamp opened_at and updated_at."""
    opened = new_outage("it-system", at(0).astimezone(AMSTERDAM), "status: HTTP 503")
    await Store(store.engine, clock=lambda: at(1)).open_outage(opened)

    stored = await store.outage(opened.id)
    assert stored is not None
    assert (stored.target, stored.start, stored.end) == ("it-system", at(0), None)
    assert (stored.cause, stored.source, stored.import_key) == ("status: HTTP 503", "probe", None)
    assert stored.is_open
    assert stored.opened_at == stored.updated_at == at(1)

    assert await Store(store.engine, clock=lambda: at(9)).close_outage(opened.id, at(8))

    closed = await store.outage(opened.id)
    assert closed is not None
    assert (closed.end, closed.opened_at, closed.updated_at) == (at(8), at(1), at(9))
    for instant in (closed.start, closed.end, closed.opened_at, closed.updated_at):
        assert_utc(instant)


async def test_closing_an_outage_again_keeps_its_first_end(store: Store) -> None:
    """A replayed or late close cannot move the end of an outage that is already closed."""
    opened = new_outage("a", at(0), "timeout")
    await store.open_outage(opened)

    assert await store.close_outage(opened.id, at(5))
    assert not await store.close_outage(opened.id, at(50))
    assert not await store.close_outage("no-such-outage", at(50))

    stored = await store.outage(opened.id)
    assert stored is not None
    assert stored.end == at(5)


async def test_opening_the_same_outage_twice_stores_it_once(store: Store) -> None:
    """Client-made ids (and import keys) turn a replayed open into a no-op."""
    opened = new_outage("a", at(0), "timeout")
    imported = OutageOpened("a", "id-1", at(100), "from zabbix", "import", "file.csv:2")  # type: ignore[arg-type]
    same_key = OutageOpened("a", "id-2", at(100), "from zabbix", "import", "file.csv:2")  # type: ignore[arg-type]

    assert await store.open_outage(opened)
    assert not await store.open_outage(opened)
    assert await store.open_outage(imported)
    assert not await store.open_outage(same_key)

    assert [o.id for o in await store.outages()] == [opened.id, "id-1"]


@pytest.mark.parametrize(
    ("since", "until", "expected"),
    [
        (at(10), at(20), ["crosses-start", "inside", "crosses-end", "spans", "still-open"]),
        (at(0), at(10), ["before", "crosses-start", "spans"]),
        (at(25), at(40), ["still-open"]),
        (None, at(10), ["before", "crosses-start", "spans"]),
        (at(20), None, ["crosses-end", "spans", "after", "still-open"]),
        (None, None, ["before", "crosses-start", "inside", "crosses-end", "spans", "after",
                      "still-open"]),
    ],
)  # fmt: skip
async def test_outages_are_listed_when_they_overlap_the_half_open_range(
    store: Store, since: datetime | None, until: datetime | None, expected: list[str]
) -> None:
    """[since, until) is half-open: ending at ``since`` or starting at ``until`` is outside."""
    spans = {
        "before": (at(0), at(10)),  # ends exactly where [10, 20) starts
        "crosses-start": (at(5), at(12)),
        "inside": (at(12), at(14)),
        "crosses-end": (at(15), at(25)),
        "spans": (at(8), at(22)),
        "after": (at(20), at(21)),  # starts exactly where [10, 20) ends
        "still-open": (at(18), None),
    }
    for name, (start, end) in spans.items():
        await store.open_outage(OutageOpened("a", name, start, "timeout"))
        if end is not None:
            await store.close_outage(name, end)
    await store.open_outage(OutageOpened("b", "other-target", at(12), "timeout"))

    found = await store.outages("a", since, until)

    assert sorted(o.id for o in found) == sorted(expected)
    assert [o.start for o in found] == sorted(o.start for o in found)


async def test_open_outages_survive_closing_and_reopening_the_store(database_url: str) -> None:
    """After a restart the daemon finds each target's open probe outage and nothing else."""
    first = await Store.open(database_url)
    down = new_outage("it-system", at(0), "connection_refused")
    over = new_outage("mail", at(1), "timeout")
    imported = OutageOpened("portal", "imported", at(2), "from zabbix", "import", "f.csv:2")  # type: ignore[arg-type]
    for outage in (down, over, imported):
        await first.open_outage(outage)
    await first.close_outage(over.id, at(3))
    await first.close()

    second = await Store.open(database_url)
    try:
        still_open = await second.open_outages()
    finally:
        await second.close()

    assert list(still_open) == ["it-system"]
    assert still_open["it-system"].id == down.id
    assert still_open["it-system"].start == at(0)


# -- monitoring sessions ------------------------------------------------------------------


async def test_sessions_round_trip_and_are_listed_when_they_overlap(store: Store) -> None:
    """Sessions come back whole, in UTC, when [started_at, last_seen_at] meets the range."""
    early = MonitoringSession("s1", "a", at(0), at(10))
    late = MonitoringSession("s2", "a", at(30), at(40))
    other = MonitoringSession("s3", "b", at(0), at(100))
    for session in (early, late, other):
        await store.start_session(session)

    assert await store.sessions("a") == [early, late]
    assert await store.sessions("a", at(5), at(35)) == [early, late]
    assert await store.sessions("a", at(11), at(30)) == []
    assert await store.sessions(since=at(50)) == [other]
    assert_utc((await store.sessions("a"))[0].last_seen_at)


async def test_a_session_is_only_ever_extended_forward(store: Store) -> None:
    """A replayed, older last_seen_at (by update or by upsert) never shortens a session."""
    session = MonitoringSession.begin("a", at(0))
    await store.start_session(session)

    assert await store.extend_session(session.id, at(10))
    assert not await store.extend_session(session.id, at(5))
    await store.start_session(session)  # the original start, replayed

    assert await store.sessions("a") == [MonitoringSession(session.id, "a", at(0), at(10))]


# -- batches and replays ------------------------------------------------------------------


async def test_replaying_a_whole_batch_changes_nothing(store: Store) -> None:
    """A batch written twice (commit succeeded, acknowledgement lost) leaves one copy."""
    opened = new_outage("a", at(1), "timeout")
    session = MonitoringSession("s1", "a", at(0), at(9))
    batch = WriteBatch(
        results=tuple(result("a", minute, ok=minute < 1) for minute in range(10)),
        outage_events=(opened, OutageClosed(opened.target, opened.id, at(8))),
        sessions=(session,),
    )

    await store.write_batch(batch)
    await store.write_batch(batch)

    assert await count(store, probe_results) == 10
    assert await count(store, outages) == 1
    stored = await store.outage(opened.id)
    assert stored is not None
    assert (stored.start, stored.end) == (at(1), at(8))
    assert await store.sessions() == [session]


async def test_a_failing_batch_writes_nothing_at_all(store: Store) -> None:
    """One transaction per batch: when a part fails, the parts before it are rolled back."""
    clock_calls = 0

    def failing_clock() -> datetime:
        nonlocal clock_calls
        clock_calls += 1
        if clock_calls > 1:
            raise RuntimeError("clock broke after the first outage")
        return at(0)

    broken = Store(store.engine, clock=failing_clock)
    batch = WriteBatch(
        results=(result("a", 0),),
        outage_events=(new_outage("a", at(0), "x"), new_outage("b", at(0), "y")),
    )

    with pytest.raises(RuntimeError, match="clock broke"):
        await broken.write_batch(batch)

    assert await count(store, outages) == 0
    assert await count(store, probe_results) == 0


# -- maintenance windows ------------------------------------------------------------------


def window(name: str, start: datetime, end: datetime, *targets: str) -> MaintenanceWindowRecord:
    return MaintenanceWindowRecord.new(
        name=name,
        targets=targets or ("it-system",),
        start=start,
        end=end,
        registered_at=start - timedelta(days=1),
        registered_by="ops@example.nl",
        reason="patching",
    )


async def test_a_maintenance_window_round_trips_and_its_creation_is_audited(
    store: Store,
) -> None:
    """The window comes back whole and in UTC, with one 'create' audit row describing it."""
    registered = MaintenanceWindowRecord.new(
        name="release-2026-06",
        targets=["it-system", "portal"],
        start=datetime(2026, 6, 14, 2, 0, tzinfo=AMSTERDAM),
        end=datetime(2026, 6, 14, 6, 0, tzinfo=AMSTERDAM),
        registered_at=datetime(2026, 6, 14, 3, 0, tzinfo=AMSTERDAM),
        registered_by="alice",
        reason="emergency patch",
        approved_by="bob",
    )

    assert await store.add_maintenance_window(registered)

    assert await store.maintenance_window(registered.id) == registered
    stored = await store.maintenance_window(registered.id)
    assert stored is not None
    assert stored.start == datetime(2026, 6, 14, 0, 0, tzinfo=UTC)
    assert_utc(stored.registered_at)
    (change,) = await store.maintenance_changes(registered.id)
    assert (change.window_id, change.action, change.who) == (registered.id, "create", "alice")
    assert change.at == registered.registered_at
    assert change.payload["targets"] == ["it-system", "portal"]
    assert change.payload["approved_by"] == "bob"


async def test_registering_the_same_window_twice_stores_and_audits_it_once(store: Store) -> None:
    """A retried API call with the same window id is a no-op, audit trail included."""
    registered = window("w", at(0), at(60))

    assert await store.add_maintenance_window(registered)
    assert not await store.add_maintenance_window(registered)

    assert len(await store.maintenance_windows()) == 1
    assert len(await store.maintenance_changes()) == 1


async def test_a_deleted_window_stays_for_the_audit_but_is_no_longer_active(
    store: Store,
) -> None:
    """Soft delete: the window leaves the active list, keeps who and when, audited once."""
    registered = window("w", at(0), at(60))
    await store.add_maintenance_window(registered)

    assert await store.delete_maintenance_window(registered.id, at=at(-5), who="carol")
    assert not await store.delete_maintenance_window(registered.id, at=at(-1), who="dave")
    assert not await store.delete_maintenance_window("no-such-window", at=at(-1), who="dave")

    assert await store.maintenance_windows() == []
    (deleted,) = await store.maintenance_windows(include_deleted=True)
    assert (deleted.deleted_at, deleted.deleted_by) == (at(-5), "carol")
    changes = await store.maintenance_changes(registered.id)
    assert [(c.action, c.who, c.at) for c in changes] == [
        ("create", "ops@example.nl", registered.registered_at),
        ("delete", "carol", at(-5)),
    ]


async def test_active_windows_are_listed_by_overlap_and_target(store: Store) -> None:
    """Only windows meeting [since, until) and naming the target are listed, oldest first."""
    first = window("first", at(0), at(60), "it-system")
    second = window("second", at(60), at(120), "it-system", "portal")
    portal_only = window("portal-only", at(30), at(90), "portal")
    for registered in (second, first, portal_only):
        await store.add_maintenance_window(registered)

    assert await store.maintenance_windows(at(59), at(61), target="it-system") == [first, second]
    assert await store.maintenance_windows(at(60), at(200), target="it-system") == [second]
    assert await store.maintenance_windows(at(0), at(30), target="portal") == []
    assert await store.maintenance_windows(at(0), at(31)) == [first, portal_only]


# -- at the door --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "build",
    [
        lambda: ProbeResultRow("a", datetime(2026, 1, 1), 1.0, ok=True),
        lambda: ProbeResultRow("a", T0, float("nan"), ok=True),
        lambda: ProbeResultRow("a", T0, -1.0, ok=True),
        lambda: new_outage("a", datetime(2026, 1, 1), "timeout"),
        lambda: checked_opened(OutageOpened("a", "x", T0, "timeout", "guess")),  # type: ignore[arg-type]
        lambda: checked_closed(OutageClosed("a", "x", datetime(2026, 1, 1))),
        lambda: MonitoringSession("s", "a", at(1), at(0)),
        lambda: window("backwards", at(10), at(0)),
    ],
    ids=[
        "naive-start", "nan-duration", "negative-duration", "naive-outage", "unknown-source",
        "naive-end", "session-ends-first", "window-ends-first",
    ],
)  # fmt: skip
def test_values_the_database_would_refuse_are_refused_when_built(
    build: Callable[[], object],
) -> None:
    """Bad values fail when the command is made, never later inside a buffered batch."""
    with pytest.raises(ValueError):  # noqa: PT011  (each case has its own message)
        build()


async def test_a_naive_datetime_never_reaches_the_database(store: Store) -> None:
    """Range queries refuse naive datetimes rather than guess their zone."""
    with pytest.raises(ValueError, match="naive"):
        await store.outages(since=datetime(2026, 1, 1))


def test_the_url_shown_in_logs_has_no_password() -> None:
    """Passwords are masked, and an unparseable URL is not repeated at all."""
    url = "postgresql+asyncpg://sla:s3cret@db.example.nl/sla"
    assert "s3cret" not in safe_url(url)
    assert "db.example.nl" in safe_url(url)
    with pytest.raises(ValueError, match="cannot be parsed") as caught:
        safe_url("s3cret:://")
    assert "s3cret" not in str(caught.value)


async def test_opening_a_store_on_an_unknown_database_kind_fails_clearly() -> None:
    """Only SQLite and PostgreSQL are supported; others fail before connecting."""
    with pytest.raises(ValueError, match="unsupported database URL"):
        await Store.open("mysql+aiomysql://user:pw@localhost/sla")


async def test_a_batch_naming_one_session_twice_keeps_the_latest_state(store: Store) -> None:
    """PostgreSQL cannot upsert a row twice in one statement; the store merges them first."""
    first = MonitoringSession("s1", "a", at(0), at(5))
    later = MonitoringSession("s1", "a", at(0), at(9))

    await store.write_batch(WriteBatch(sessions=(later, first)))

    assert await store.sessions() == [later]


async def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout(tmp_path: Path) -> None:
    """Every pooled SQLite connection gets the pragmas that make it a safe embedded store."""
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'store.db'}")
    try:
        async with store.engine.connect() as connection:
            pragmas = {
                name: (await connection.exec_driver_sql(f"PRAGMA {name}")).scalar()
                for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
            }
    finally:
        await store.close()

    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 1,  # NORMAL
        "foreign_keys": 1,
        "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
    }


def test_the_public_api_is_small_sorted_and_importable() -> None:
    """``monitor.store`` exports names that all exist, sorted as ruff sorts them."""

    def isort_style(name: str) -> tuple[int, str]:  # constants, classes, functions
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert monitor.store.__all__ == sorted(monitor.store.__all__, key=isort_style)
    for name in monitor.store.__all__:
        assert getattr(monitor.store, name) is not None


def _imported(day: int, end_hour: int | None, line: int) -> monitor.store.ImportedOutageRow:
    start = datetime(2026, 3, day, 10, tzinfo=AMSTERDAM)
    return monitor.store.ImportedOutageRow(
        id=f"imported-{day}",
        import_key=f"key-{day}",
        target="web",
        start=start,
        end=None if end_hour is None else start.replace(hour=end_hour),
        cause="imported\x00cause",
        line=line,
    )


async def test_imported_outages_come_back_equal_and_a_reimport_closes_only_open_ones(
    store: Store,
) -> None:
    """Bulk-written instants read back as the same UTC instants on both engines."""
    first = await store.import_outages([[_imported(2, 11, 2), _imported(3, None, 3)]])
    assert (first.new, first.closed, first.unchanged, first.conflicts) == (2, 0, 0, ())
    stored = {o.id: o for o in await store.outages(target="web")}
    assert stored["imported-2"].start == datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert stored["imported-2"].end == datetime(2026, 3, 2, 10, tzinfo=UTC)
    assert stored["imported-2"].cause == "imported\ufffdcause"
    assert stored["imported-3"].end is None
    found = await store.outages(since=datetime(2026, 3, 2, 9, 30, tzinfo=UTC))
    assert [o.id for o in found] == ["imported-2", "imported-3"]
    again = await store.import_outages([[_imported(2, 11, 2)], [_imported(3, 12, 3)]])
    assert (again.new, again.closed, again.unchanged) == (0, 1, 1)


async def test_an_import_conflict_in_a_later_chunk_writes_nothing_at_all(store: Store) -> None:
    """A stored end the file would change rolls back every chunk and names the row."""
    await store.import_outages([[_imported(2, 11, 2)]])
    outcome = await store.import_outages([[_imported(4, 11, 2)], [_imported(2, 12, 7)]])
    assert [(c.row.line, c.stored_end) for c in outcome.conflicts] == [
        (7, datetime(2026, 3, 2, 10, tzinfo=UTC))
    ]
    assert [o.id for o in await store.outages(target="web")] == ["imported-2"]


async def test_request_chunks_are_upserted_in_one_go_and_read_back_equal(store: Store) -> None:
    """The bulk path stores the same instants as the one-by-one path, on both engines."""
    received = datetime(2026, 3, 2, 10, tzinfo=AMSTERDAM)
    records = [
        monitor.store.RequestRecord(
            id=f"R-{k}",
            category="email",
            received_at=received + timedelta(minutes=k),
            answered_at=None if k % 2 else received + timedelta(hours=k),
            source="import",
        )
        for k in range(5)
    ]
    assert await store.upsert_request_chunks([records[:2], records[2:]]) == 5
    assert await store.upsert_request_chunks([records]) == 0
    assert await store.requests() == records
    assert [r.id for r in await store.requests(since=received + timedelta(minutes=3))] == [
        "R-3",
        "R-4",
    ]


async def test_a_window_in_force_is_registered_once_and_a_withdrawn_one_again(
    store: Store,
) -> None:
    """Same name, targets, start and end: the stored one comes back and nothing is written."""
    start = datetime(2026, 4, 1, 2, tzinfo=UTC)
    end = start + timedelta(hours=2)

    def window(targets: list[str], until: datetime = end) -> MaintenanceWindowRecord:
        return MaintenanceWindowRecord.new(
            name="patch",
            targets=targets,
            start=start.astimezone(AMSTERDAM),
            end=until,
            registered_at=NOW,
            registered_by="ops",
            reason="patch",
        )

    first = window(["web", "db"])
    assert await store.add_maintenance_window_once(first) == first
    assert await store.add_maintenance_window_once(window(["db", "web"])) == first
    other = window(["web"])
    assert await store.add_maintenance_window_once(other) == other
    longer = window(["web", "db"], end + timedelta(microseconds=1))
    assert await store.add_maintenance_window_once(longer) == longer
    await store.delete_maintenance_window(first.id, at=NOW, who="ops")
    again = window(["web", "db"])
    assert await store.add_maintenance_window_once(again) == again
    assert len(await store.maintenance_windows(include_deleted=True)) == 4
    assert len(await store.maintenance_changes()) == 5
