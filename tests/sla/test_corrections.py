"""Corrections laid over stored outages: void, close, dispute and annotate."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from monitor.sla.availability import Outage, compute_availability
from monitor.sla.corrections import CorrectionKind, OutageCorrection
from monitor.sla.intervals import Interval, IntervalSet

MONTH = Interval(datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC))
START = datetime(2026, 6, 10, tzinfo=UTC)
H = timedelta(hours=1)
RECORDED = datetime(2026, 6, 20, tzinfo=UTC)


def correction(kind: CorrectionKind, at: datetime | None = None) -> OutageCorrection:
    return OutageCorrection(kind, "ghost of a second process", "ops-token", RECORDED, at)


def counted(outage: Outage, now: datetime = MONTH.end) -> tuple[timedelta, list[timedelta]]:
    figure = compute_availability(
        period=MONTH,
        window=IntervalSet((MONTH,)),
        outages=[outage],
        maintenance=IntervalSet(),
        now=now,
        objective=0.99,
    )
    return figure.unplanned_downtime, [c.counted for c in figure.outages]


def test_a_ghost_outage_closed_at_an_instant_counts_only_up_to_that_instant() -> None:
    """An open outage no longer counts "up to now" for ever once it is closed by hand."""
    ghost = Outage(START, None, "left open by a second process")
    assert counted(ghost)[0] > 400 * H
    closed = Outage(START, None, "ghost", corrections=(correction("close", START + 2 * H),))
    assert counted(closed) == (2 * H, [2 * H])


def test_closing_later_than_the_measured_end_does_not_lengthen_an_outage() -> None:
    """close sets end = min(end, at): a correction never adds downtime."""
    outage = Outage(START, START + H, "HTTP 503", corrections=(correction("close", START + 3 * H),))
    assert counted(outage)[0] == H


def test_a_voided_outage_counts_nothing_and_stays_listed() -> None:
    """A false outage is out of the figure, but the report still shows it with zero time."""
    outage = Outage(START, START + H, "false alarm", id="o1", corrections=(correction("void"),))
    assert counted(outage) == (timedelta(0), [timedelta(0)])
    assert outage.voided
    assert outage.measured(MONTH.end) == Interval(START, START + H)


def test_a_disputed_or_annotated_outage_still_counts_in_full() -> None:
    """A dispute is a flag for the client, not a verdict; a note changes nothing."""
    disputed = Outage(START, START + H, "HTTP 503", corrections=(correction("dispute"),))
    annotated = Outage(START, START + H, "HTTP 503", corrections=(correction("annotate"),))
    assert counted(disputed)[0] == H
    assert counted(annotated)[0] == H
    assert disputed.disputed
    assert not annotated.disputed


def test_a_close_without_an_instant_is_refused() -> None:
    """Only a close carries an instant, and it must."""
    with pytest.raises(ValueError, match="close"):
        correction("close")
    with pytest.raises(ValueError, match="close"):
        correction("void", START)
