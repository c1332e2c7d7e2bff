"""The desk's live figures per category: months through the pure core, open and overdue now."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from monitor.config import Config, parse_config
from monitor.servicedesk.figures import desk_figures, figures_since
from monitor.sla.months import Month
from monitor.store import RequestRecord

CET = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 3, 11, 12, 0, tzinfo=CET)  # Wednesday


def local(day: str, clock: str) -> datetime:
    return datetime.fromisoformat(f"2026-{day}T{clock}").replace(tzinfo=CET)


def request(
    id: str, category: str, received: tuple[str, str], answered: tuple[str, str] | None = None
) -> RequestRecord:
    return RequestRecord(
        id=id,
        category=category,
        received_at=local(*received),
        answered_at=None if answered is None else local(*answered),
        source="import",
    )


REQUESTS = [
    request("j1", "email", ("01-05", "10:00")),  # January, never answered
    request("p1", "email", ("02-02", "10:00"), ("02-02", "11:00")),  # met
    request("p2", "email", ("02-26", "10:00")),  # breached, still unanswered
    request("p3", "complaint", ("02-27", "17:00"), ("03-02", "16:00")),  # met over the weekend
    request("m1", "email", ("03-02", "10:00"), ("03-03", "11:00")),  # an hour late
    request("m2", "email", ("03-11", "09:00")),  # pending until Thursday 09:00
    request("m4", "information_request", ("03-09", "10:00"), ("03-11", "09:00")),  # two days
    request("m5", "email", ("03-10", "10:00"), ("03-11", "13:00")),  # answered after "now"
    request("x1", "portal", ("03-04", "10:00")),  # a category the config does not have
]


def test_each_category_gets_this_and_last_months_figure_through_the_pure_core() -> None:
    """Met, breached and pending per month, the ratio, and whether last month is final."""
    figures = desk_figures(Config(), REQUESTS, NOW)
    email = figures.category("email")

    assert (figures.current_month, figures.previous_month) == (Month(2026, 3), Month(2026, 2))
    assert [c.category for c in figures.categories] == [
        "complaint",
        "email",
        "escalation",
        "information_request",
    ]
    current = email.current_month
    assert (current.met, current.breached, current.pending, current.ratio) == (0, 2, 1, 0.0)
    assert not current.final
    previous = email.previous_month
    assert (previous.met, previous.breached, previous.ratio, previous.final) == (1, 1, 0.5, True)
    assert figures.category("complaint").previous_month.ratio == 1.0
    assert figures.category("information_request").current_month.met == 1
    assert (email.objective, email.days) == (0.80, 1)


def test_open_and_overdue_count_unanswered_requests_since_last_month() -> None:
    """Open: deadline ahead. Overdue: deadline passed. An answer after "now" is not known yet;
    January's forgotten request no longer counts in the gauge."""
    figures = desk_figures(Config(), REQUESTS, NOW)
    email = figures.category("email")
    assert (email.open, email.overdue) == (1, 2)
    assert (figures.category("complaint").open, figures.category("complaint").overdue) == (0, 0)


def test_requests_of_an_unconfigured_category_are_counted_apart() -> None:
    """They belong to no figure, but a dashboard can still show they exist."""
    assert desk_figures(Config(), REQUESTS, NOW).uncategorised == 1


def test_an_empty_desk_has_every_configured_category_with_nothing_decided() -> None:
    """Series exist from the start; an empty month is neither success nor failure."""
    figures = desk_figures(Config(), [], NOW)
    assert len(figures.categories) == 4
    for category in figures.categories:
        assert category.current_month.ratio is None
        assert (category.open, category.overdue) == (0, 0)


def test_the_configured_calendar_mode_and_norms_are_used() -> None:
    """end_of_next_business_day and a two-day e-mail norm: m1 is in time, m5 still pending."""
    config = parse_config(
        "servicedesk:\n"
        "  business_day: end_of_next_business_day\n"
        "  categories:\n"
        "    email: {days: 2, objective: 0.9}\n"
    )
    email = desk_figures(config, REQUESTS, NOW).category("email")
    assert (email.days, email.objective) == (2, 0.9)
    current = email.current_month
    assert (current.met, current.breached, current.pending) == (1, 0, 2)


def test_figures_since_is_the_start_of_last_month_in_the_configured_zone() -> None:
    """The range callers load from the store: 1 February 00:00 Amsterdam time."""
    assert figures_since(Config(), NOW) == datetime(2026, 1, 31, 23, 0, tzinfo=UTC)


def complaint(
    id: str, received: tuple[str, str], resolved: tuple[str, str] | None
) -> RequestRecord:
    return RequestRecord(
        id=id,
        category="complaint",
        received_at=local(*received),
        answered_at=None,
        source="import",
        resolved_at=None if resolved is None else local(*resolved),
    )


def test_a_category_with_a_resolution_term_counts_its_requests_per_tier() -> None:
    """3.2.40: of three March complaints with a ten-hour term, one is resolved in time, one
    at 160 % and one never (past 150 % by now, so decided); email has no resolution term."""
    config = parse_config("servicedesk:\n  categories:\n    complaint: {resolution: {days: 1}}\n")
    requests = [
        complaint("k-in-time", ("03-02", "08:00"), ("03-02", "17:00")),
        complaint("k-never", ("03-02", "08:00"), None),
        complaint("k-late", ("03-09", "08:00"), ("03-10", "14:00")),
    ]
    figures = desk_figures(config, requests, NOW)
    resolution = figures.category("complaint").resolution
    assert resolution is not None
    assert dict(resolution.current_month.counts) == {
        "in_time": 1,
        "over_20": 0,
        "over_50": 2,
        "pending": 0,
    }
    assert figures.category("email").resolution is None
