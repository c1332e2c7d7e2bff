"""Which API-registered maintenance windows count as agreed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.sla.intervals import IntervalSet
from monitor.sla.registered import RegisteredMaintenance, agreed_maintenance

START = datetime(2026, 6, 14, 0, tzinfo=UTC)
H = timedelta(hours=1)


def window(registered_at: datetime, approved_by: str | None = None) -> RegisteredMaintenance:
    return RegisteredMaintenance(
        "w1",
        "db-upgrade",
        frozenset({"it-system"}),
        START,
        START + 4 * H,
        registered_at,
        approved_by,
    )


def test_a_window_registered_before_it_starts_is_agreed() -> None:
    """Announced beforehand: the downtime is planned."""
    assert window(START - H).agreed
    assert not window(START - H).retroactive


def test_a_window_registered_after_it_started_needs_an_approval() -> None:
    """Registered afterwards, it counts only with approved_by, and stays marked retroactive."""
    late = window(START + H)
    assert late.retroactive
    assert not late.agreed
    approved = window(START + H, approved_by="client: J. Jansen")
    assert approved.retroactive
    assert approved.agreed


def test_only_agreed_windows_of_the_target_are_subtracted() -> None:
    """Another target's window and an unapproved late one do not count."""
    windows = [window(START - H), window(START + H)]
    assert agreed_maintenance(windows, "it-system") == IntervalSet.of(START, START + 4 * H)
    assert agreed_maintenance(windows, "phone") == IntervalSet()
