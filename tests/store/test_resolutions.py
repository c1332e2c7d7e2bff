"""Request resolutions (3.2.40) and report deliveries (3.2.5) in the store, on both engines."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from monitor.store import RequestRecord, Store
from monitor.store.records import ReportDelivery, ResolutionRecord
from monitor.store.schema import request_resolutions

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


def at(hours: float) -> datetime:
    return T0 + timedelta(hours=hours)


def complaint(resolved: float | None) -> RequestRecord:
    return RequestRecord(
        id="c-1",
        category="complaint",
        received_at=T0,
        answered_at=None,
        source="import",
        resolved_at=None if resolved is None else at(resolved),
    )


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    async with await Store.open(database_url, clock=lambda: at(100)) as opened:
        yield opened


async def _statements(store: Store) -> list[datetime]:
    async with store.engine.connect() as connection:
        rows = await connection.execute(
            sa.select(request_resolutions.c.resolved_at).order_by(request_resolutions.c.id)
        )
        return [row.resolved_at for row in rows]


async def test_a_resolution_comes_back_with_its_request(store: Store) -> None:
    """An imported request with resolved_at is read back with it, in UTC."""
    assert await store.upsert_requests([complaint(resolved=26)]) == 1
    stored = await store.request("c-1")
    assert stored is not None
    assert stored.resolved_at == at(26)
    assert [r.resolved_at for r in await store.requests()] == [at(26)]


async def test_the_same_resolution_again_records_nothing(store: Store) -> None:
    """A re-import of the same file changes nothing and appends nothing."""
    await store.upsert_requests([complaint(resolved=26)])
    assert await store.upsert_requests([complaint(resolved=26)]) == 0
    assert await _statements(store) == [at(26)]


async def test_a_later_resolution_is_appended_and_counts_while_the_earlier_stays(
    store: Store,
) -> None:
    """A reopened complaint resolved again: the last statement counts, both are kept."""
    await store.upsert_requests([complaint(resolved=26)])
    assert await store.upsert_requests([complaint(resolved=30)]) == 1
    stored = await store.request("c-1")
    assert stored is not None
    assert stored.resolved_at == at(30)
    assert await _statements(store) == [at(26), at(30)]


async def test_a_call_without_a_resolution_never_erases_one(store: Store) -> None:
    """A webhook call that only repeats the request keeps the recorded resolution."""
    await store.upsert_requests([complaint(resolved=26)])
    assert await store.upsert_requests([complaint(resolved=None)]) == 0
    stored = await store.request("c-1")
    assert stored is not None
    assert stored.resolved_at == at(26)


async def test_a_resolution_of_a_known_request_is_recorded_by_its_id(store: Store) -> None:
    """The resolution endpoint's path: appended once with its actor, a repeat is no change."""
    await store.upsert_requests([complaint(resolved=None)])
    record = ResolutionRecord("c-1", at(27), "api", recorded_at=at(28), actor="desk-token")
    assert await store.record_resolution(record) is True
    assert await store.record_resolution(record) is False
    stored = await store.request("c-1")
    assert stored is not None
    assert stored.resolved_at == at(27)


def test_a_resolution_before_receipt_is_refused() -> None:
    """A resolution before the request came in is a clock or mapping error."""
    with pytest.raises(ValueError, match=r"resolved_at .* is before received_at"):
        complaint(resolved=-1)


async def test_a_months_report_delivery_is_recorded_once(store: Store) -> None:
    """The first export is the delivery; a later one of the same month is not recorded."""
    first = ReportDelivery("2026-06", at(30), final=True)
    assert await store.record_delivery(first) is True
    assert await store.record_delivery(ReportDelivery("2026-06", at(90), final=True)) is False
    await store.record_delivery(ReportDelivery("2026-05", at(3), final=False))
    assert await store.report_deliveries() == [
        ReportDelivery("2026-05", at(3), final=False),
        first,
    ]
