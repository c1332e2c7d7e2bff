"""Outage corrections, miss analyses and maintenance approval in the store, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.sla.corrections import CorrectionKind, OutageCorrection
from monitor.store import (
    MaintenanceWindowRecord,
    MissAnalysisRecord,
    Store,
    new_outage,
)

T0 = datetime(2026, 6, 10, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)


def correction(kind: CorrectionKind, at: datetime | None = None) -> OutageCorrection:
    return OutageCorrection(
        kind=kind,
        reason=f"{kind}: ghost of a second process",
        actor="ops-laptop",
        recorded_at=T0 + 5 * H,
        at=at,
    )


async def test_corrections_are_appended_and_never_change_the_outage(store: Store) -> None:
    """The original evidence stays as measured; every correction is a row of its own."""
    opened = new_outage("web", T0, "connection refused")
    await store.open_outage(opened)
    before = await store.outage(opened.id)
    first = await store.add_outage_correction(opened.id, correction("dispute"))
    second = await store.add_outage_correction(opened.id, correction("close", T0 + H))
    assert first is not None
    assert second is not None
    assert second.id > first.id
    assert await store.outage(opened.id) == before
    stored = await store.outage_corrections([opened.id])
    assert [(c.kind, c.at, c.actor) for c in stored[opened.id]] == [
        ("dispute", None, "ops-laptop"),
        ("close", T0 + H, "ops-laptop"),
    ]


async def test_a_correction_of_an_unknown_outage_is_not_stored(store: Store) -> None:
    """None, and nothing written: a correction must point at evidence."""
    assert await store.add_outage_correction("no-such-outage", correction("void")) is None
    assert await store.outage_corrections() == {}


async def test_miss_analyses_are_kept_per_month_oldest_first(store: Store) -> None:
    """Two analyses of one miss both stay; another month's is listed only without a month."""
    for month, cause in (("2026-05", "disk full"), ("2026-05", "update"), ("2026-04", "x")):
        await store.add_miss_analysis(
            MissAnalysisRecord(
                month=month,
                kind="availability",
                name="web",
                window="24x7",
                cause=cause,
                measures="monitoring of free space",
                author="ops-laptop",
                recorded_at=T0,
            )
        )
    assert [a.cause for a in await store.miss_analyses("2026-05")] == ["disk full", "update"]
    every = await store.miss_analyses()
    assert [(a.month, a.cause) for a in every] == [
        ("2026-04", "x"),
        ("2026-05", "disk full"),
        ("2026-05", "update"),
    ]


def test_an_analysis_record_refuses_a_blank_cause_and_a_bad_month() -> None:
    """Bad input is refused at the door, naming the field."""
    values = {
        "month": "2026-05",
        "kind": "response",
        "name": "email",
        "window": None,
        "cause": " ",
        "measures": "more staff",
        "author": "ops",
        "recorded_at": T0,
    }
    with pytest.raises(ValueError, match="cause"):
        MissAnalysisRecord(**values)  # type: ignore[arg-type]  # invalid values on purpose
    bad_month = {**values, "cause": "x", "month": "2026-13"}
    with pytest.raises(ValueError, match="YYYY-MM"):
        MissAnalysisRecord(**bad_month)  # type: ignore[arg-type]  # invalid values on purpose


async def test_a_window_is_approved_once_by_a_token_and_the_approval_is_audited(
    store: Store,
) -> None:
    """approved_by and approved_at are set once; the audit trail gains an approve row."""
    window = MaintenanceWindowRecord.new(
        name="late-patch",
        targets=["web"],
        start=T0,
        end=T0 + H,
        registered_at=T0 + 2 * H,
        registered_by="ops-token",
        requested_by="J. de Vries",
        reason="kernel patch",
    )
    assert await store.add_maintenance_window(window)
    assert await store.approve_maintenance_window(window.id, at=T0 + 3 * H, who="client-token")
    assert not await store.approve_maintenance_window(window.id, at=T0 + 4 * H, who="other")
    stored = await store.maintenance_window(window.id)
    assert stored is not None
    assert (stored.approved_by, stored.approved_at, stored.requested_by) == (
        "client-token",
        T0 + 3 * H,
        "J. de Vries",
    )
    changes = await store.maintenance_changes(window.id)
    assert [(c.action, c.who) for c in changes] == [
        ("create", "ops-token"),
        ("approve", "client-token"),
    ]


async def test_a_correction_with_a_blank_reason_or_naive_instant_is_refused_before_writing(
    store: Store,
) -> None:
    """The store checks the core value at its door: nothing is appended."""
    opened = new_outage("web", T0, "connection refused")
    await store.open_outage(opened)
    blank = OutageCorrection("dispute", "  \n ", "ops-laptop", T0)
    naive = OutageCorrection("close", "ghost", "ops-laptop", T0, at=datetime(2026, 6, 10, 9))
    for refused, message in ((blank, "reason must not be blank"), (naive, "must be timezone")):
        with pytest.raises(ValueError, match=message):
            await store.add_outage_correction(opened.id, refused)
    assert await store.outage_corrections() == {}
