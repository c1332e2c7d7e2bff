"""The evidence as it stood at an earlier instant: what a report ``--as-of`` may see."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.figures.evidence import Evidence
from monitor.sla.availability import Outage
from monitor.sla.corrections import OutageCorrection
from monitor.sla.intervals import Interval
from monitor.sla.registered import RegisteredMaintenance

SPAN = Interval(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))
AS_OF = datetime(2026, 11, 18, 12, tzinfo=UTC)
BEFORE = datetime(2026, 11, 17, tzinfo=UTC)
AFTER = datetime(2026, 11, 20, tzinfo=UTC)


def void(recorded_at: datetime) -> OutageCorrection:
    return OutageCorrection(kind="void", reason="ghost", actor="ops", recorded_at=recorded_at)


def test_a_correction_recorded_after_the_instant_was_not_made_yet() -> None:
    """A void of 20 November is invisible on 18 November; one of 17 November stays."""
    early = Outage(BEFORE, None, "HTTP 503", id="o1", corrections=(void(BEFORE),))
    late = Outage(BEFORE, None, "HTTP 503", id="o2", corrections=(void(AFTER),))
    known = Evidence(span=SPAN, outages={"web": (early, late)}).known_at(AS_OF)
    assert [o.corrections for o in known.outages_of("web")] == [(void(BEFORE),), ()]


def test_a_window_approved_after_the_instant_was_not_approved_yet() -> None:
    """An approval given on 20 November does not excuse anything in a report as of the 18th."""
    window = RegisteredMaintenance(
        id="m1",
        name="late-patch",
        targets=frozenset({"web"}),
        start=datetime(2026, 11, 10, tzinfo=UTC),
        end=datetime(2026, 11, 10, 2, tzinfo=UTC),
        registered_at=datetime(2026, 11, 11, tzinfo=UTC),
        approved_by="client",
        approved_at=AFTER,
    )
    (known,) = Evidence(span=SPAN, registered=(window,)).known_at(AS_OF).registered
    assert (known.approved_by, known.approved_at, known.agreed) == (None, None, False)
    (later,) = Evidence(span=SPAN, registered=(window,)).known_at(AFTER).registered
    assert later.approved_by == "client"
