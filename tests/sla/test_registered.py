"""Which API-registered maintenance windows count as agreed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from monitor.sla.availability import AvailabilityFigure, Outage, compute_availability
from monitor.sla.intervals import Interval, IntervalSet
from monitor.sla.registered import RegisteredMaintenance, agreed_maintenance, registered_cover

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


# -- forward-only forgiveness, notice and approval -------------------------------------------

MONTH = Interval(datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC))
S = timedelta(seconds=1)


def figure_with(
    windows: list[RegisteredMaintenance], outage: Outage, *, notice: timedelta | None = None
) -> AvailabilityFigure:
    cover = registered_cover(windows, "it-system", notice)
    return compute_availability(
        period=MONTH,
        window=IntervalSet((MONTH,)),
        outages=[outage],
        maintenance=cover.approved,
        forward=cover.forward,
        now=MONTH.end,
        objective=0.99,
    )


def test_a_window_registered_after_an_outage_began_does_not_forgive_that_outage() -> None:
    """The incident: registered 68 s before its start and 4 s after the outage began, the
    window forgave two minutes of that outage; it must forgive none of it."""
    outage_start = START - 72 * S
    outage = Outage(outage_start, START + 2 * 60 * S, "HTTP 503")
    late = window(outage_start + 4 * S)
    figure = figure_with([late], outage)
    assert figure.unplanned_downtime == 72 * S + 120 * S
    assert late.standing() == "agreed"


def test_an_outage_that_began_after_the_registration_is_forgiven_inside_the_window() -> None:
    """Planned downtime that happens as announced is maintenance, not unplanned downtime."""
    outage = Outage(START + H, START + 5 * H, "planned reboot")
    figure = figure_with([window(START - 2 * H)], outage)
    assert figure.unplanned_downtime == H
    assert figure.maintenance == 4 * H


def test_an_approved_window_forgives_an_outage_that_was_already_running() -> None:
    """Approval by a named token accepts the reclassification of the whole window."""
    outage = Outage(START - H, START + H, "HTTP 503")
    approved = window(START - 30 * S, approved_by="client-contact")
    figure = figure_with([approved], outage)
    assert figure.unplanned_downtime == H
    assert approved.standing() == "approved"


def test_a_window_registered_with_less_than_the_notice_forgives_nothing_until_approved() -> None:
    """With ``maintenance.notice: 48h``, a window announced one hour ahead does not count."""
    outage = Outage(START + H, START + 2 * H, "planned reboot")
    short = window(START - H)
    assert short.standing(48 * H) == "short_notice"
    assert figure_with([short], outage, notice=48 * H).unplanned_downtime == H
    assert figure_with([window(START - 49 * H)], outage, notice=48 * H).unplanned_downtime == (
        timedelta(0)
    )
    approved = window(START - H, approved_by="client-contact")
    assert figure_with([approved], outage, notice=48 * H).unplanned_downtime == timedelta(0)


def test_a_retroactive_window_stays_unagreed_whatever_the_notice() -> None:
    """Registered after its start and not approved: it forgives nothing."""
    assert window(START + H).standing(None) == "retroactive"
    assert not registered_cover([window(START + H)], "it-system").in_force
