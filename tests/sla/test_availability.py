"""Availability per window and month (3.2.10), with every component explained."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.sla.availability import (
    AvailabilityFigure,
    AvailabilityParts,
    AvailabilityPolicies,
    MaintenancePolicy,
    Outage,
    OutageSource,
    UnmonitoredPolicy,
    availability_figure,
    availability_parts,
    compute_availability,
    sla_window,
)
from monitor.sla.calendar import BusinessCalendar
from monitor.sla.intervals import Interval, IntervalSet
from monitor.sla.months import Month
from monitor.sla.registered import ForwardMaintenance

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
JUNE = Month(2026, 6).interval(AMSTERDAM)
AFTER_JUNE = datetime(2026, 7, 15, tzinfo=UTC)
NL = BusinessCalendar()
H = timedelta(hours=1)


def local(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=AMSTERDAM)


def outage(
    start: datetime, end: datetime | None, source: OutageSource = OutageSource.PROBE
) -> Outage:
    return Outage(start, end, "status: 503", source)


def june_24x7(
    outages: list[Outage],
    *,
    maintenance: IntervalSet | None = None,
    now: datetime = AFTER_JUNE,
    monitored: IntervalSet | None = None,
    policies: AvailabilityPolicies | None = None,
) -> AvailabilityFigure:
    return compute_availability(
        period=JUNE,
        window=sla_window(JUNE, None),
        outages=outages,
        maintenance=maintenance or IntervalSet(),
        now=now,
        objective=0.99,
        monitored=monitored,
        policies=policies or AvailabilityPolicies(),
    )


def test_the_contracts_worked_example_two_hours_down_in_a_thirty_day_month() -> None:
    """3.2.10's example: (720 − 2) / 720 = 99.72 %."""
    figure = june_24x7([outage(local(2026, 6, 10, 12), local(2026, 6, 10, 14))])
    assert figure.window == timedelta(hours=720)
    assert figure.unplanned_downtime == 2 * H
    assert figure.availability == pytest.approx((720 - 2) / 720)
    assert figure.met


@pytest.mark.parametrize(
    ("month", "start", "end", "window_hours", "down"),
    [
        # 29 March 2026: 02:00 CET becomes 03:00 CEST, so 01:00 -> 04:00 local is 2 h.
        (Month(2026, 3), local(2026, 3, 29, 1), local(2026, 3, 29, 4), 743, 2 * H),
        # 25 October 2026: 03:00 CEST becomes 02:00 CET, so 01:00 -> 04:00 local is 4 h.
        (Month(2026, 10), local(2026, 10, 25, 1), local(2026, 10, 25, 4), 745, 4 * H),
    ],
)
def test_an_outage_across_the_dst_switch_counts_its_real_length(
    month: Month, start: datetime, end: datetime, window_hours: int, down: timedelta
) -> None:
    """Lengths are measured between UTC instants, never between local wall-clock times."""
    period = month.interval(AMSTERDAM)
    figure = compute_availability(
        period=period,
        window=sla_window(period, None),
        outages=[outage(start, end)],
        maintenance=IntervalSet(),
        now=AFTER_JUNE.replace(year=2027),
        objective=0.99,
    )
    assert figure.window == timedelta(hours=window_hours)
    assert figure.unplanned_downtime == down
    assert figure.availability == pytest.approx(1 - down / timedelta(hours=window_hours))


def test_outage_that_starts_inside_maintenance_counts_only_the_part_after_it() -> None:
    """Maintenance 02:00-06:00, outage 05:00-07:00: one hour counts as unplanned."""
    maintenance = IntervalSet.of(local(2026, 6, 14, 2), local(2026, 6, 14, 6))
    outages = [outage(local(2026, 6, 14, 5), local(2026, 6, 14, 7))]
    contract = june_24x7(outages, maintenance=maintenance)
    assert contract.unplanned_downtime == H
    assert contract.maintenance == 4 * H
    assert contract.availability == pytest.approx(1 - 1 / 720)
    assert contract.outages[0].counted == H

    itil = june_24x7(
        outages,
        maintenance=maintenance,
        policies=AvailabilityPolicies(maintenance=MaintenancePolicy.EXCLUDE_FROM_WINDOW),
    )
    assert itil.availability == pytest.approx(1 - 1 / 716)


def test_business_hours_window_counts_only_outage_time_inside_opening_hours() -> None:
    """A Saturday outage is outside the window; Monday 07:00-09:00 counts one hour."""
    window = sla_window(JUNE, NL)
    figure = compute_availability(
        period=JUNE,
        window=window,
        outages=[
            outage(local(2026, 6, 6, 10), local(2026, 6, 6, 16)),
            outage(local(2026, 6, 8, 7), local(2026, 6, 8, 9)),
        ],
        maintenance=IntervalSet(),
        now=AFTER_JUNE,
        objective=1.0,
    )
    # June 2026 has 22 working days and no Dutch public holiday on a weekday.
    assert figure.window == timedelta(hours=220)
    assert figure.unplanned_downtime == H
    assert [c.counted for c in figure.outages] == [timedelta(0), H]
    assert not figure.met


def test_a_monitoring_gap_inside_an_outage_is_unmonitored_not_down() -> None:
    """Outage 10:00-15:00 with no results 11:00-14:00: 2 h down and 3 h unmonitored."""
    outages = [outage(local(2026, 6, 10, 10), local(2026, 6, 10, 15))]
    monitored = IntervalSet(
        [Interval(JUNE.start, local(2026, 6, 10, 11)), Interval(local(2026, 6, 10, 14), JUNE.end)]
    )
    lenient = june_24x7(outages, monitored=monitored)
    assert lenient.unplanned_downtime == 2 * H
    assert lenient.unmonitored == 3 * H
    assert lenient.availability == pytest.approx(1 - 2 / 720)
    assert lenient.coverage == pytest.approx(1 - 3 / 720)

    strict = june_24x7(
        outages,
        monitored=monitored,
        policies=AvailabilityPolicies(unmonitored=UnmonitoredPolicy.COUNT_AS_UNAVAILABLE),
    )
    assert strict.availability == pytest.approx(1 - 5 / 720)


def test_an_imported_outage_is_evidence_of_downtime_inside_a_gap() -> None:
    """Nothing probed 1-10 June; an imported outage on 5 June counts, the rest is unmonitored."""
    monitored = IntervalSet.of(local(2026, 6, 10), JUNE.end)
    imported = outage(local(2026, 6, 5, 9), local(2026, 6, 5, 12), OutageSource.IMPORT)
    figure = june_24x7([imported], monitored=monitored)
    assert figure.unplanned_downtime == 3 * H
    assert figure.unmonitored == timedelta(days=9) - 3 * H


def test_an_open_outage_counts_up_to_now_in_a_running_month() -> None:
    """Month to date: the window and the open outage both end at now."""
    now = local(2026, 6, 11, 0)
    figure = june_24x7([outage(local(2026, 6, 10, 22), None)], now=now)
    assert figure.window == timedelta(days=10)
    assert figure.unplanned_downtime == 2 * H
    assert figure.full_window == timedelta(days=30)
    budget = figure.budget
    assert budget.total == timedelta(hours=7.2)
    assert budget.remaining == timedelta(hours=5.2)


def test_overlapping_outages_are_counted_once() -> None:
    """A probe outage and an imported one over the same hour are one hour of downtime."""
    figure = june_24x7(
        [
            outage(local(2026, 6, 10, 10), local(2026, 6, 10, 12)),
            outage(local(2026, 6, 10, 11), local(2026, 6, 10, 13), OutageSource.IMPORT),
        ]
    )
    assert figure.unplanned_downtime == 3 * H


def test_a_window_that_has_not_opened_yet_is_fully_available() -> None:
    """At 00:05 on the 1st, the business window has no time yet: 100 %, not a division by 0."""
    figure = compute_availability(
        period=JUNE,
        window=sla_window(JUNE, NL),
        outages=[],
        maintenance=IntervalSet(),
        now=local(2026, 6, 1, 0, 5),
        objective=1.0,
    )
    assert figure.window == timedelta(0)
    assert figure.availability == 1.0


# -- properties --------------------------------------------------------------------------

hours_in_june = st.integers(0, 720)
spans = st.tuples(hours_in_june, st.integers(0, 48)).map(
    lambda p: (JUNE.start + timedelta(hours=p[0]), JUNE.start + timedelta(hours=p[0] + p[1]))
)
outage_lists = st.lists(
    st.tuples(spans, st.sampled_from(list(OutageSource))).map(
        lambda t: Outage(t[0][0], t[0][1], "x", t[1])
    ),
    max_size=6,
)
span_sets = st.lists(spans, max_size=4).map(lambda xs: IntervalSet(Interval(a, b) for a, b in xs))
policies = st.builds(
    AvailabilityPolicies,
    st.sampled_from(list(MaintenancePolicy)),
    st.sampled_from(list(UnmonitoredPolicy)),
)
windows = st.sampled_from([None, NL])
nows = st.integers(-24, 800).map(lambda h: JUNE.start + timedelta(hours=h))


@settings(max_examples=200, deadline=None)
@given(outage_lists, span_sets, span_sets, policies, windows, nows)
def test_availability_stays_between_zero_and_one(
    outages: list[Outage],
    maintenance: IntervalSet,
    gaps: IntervalSet,
    policy: AvailabilityPolicies,
    calendar: BusinessCalendar | None,
    now: datetime,
) -> None:
    """Whatever the inputs, the ratio is a share and the parts fit in the window."""
    figure = compute_availability(
        period=JUNE,
        window=sla_window(JUNE, calendar),
        outages=outages,
        maintenance=maintenance,
        now=now,
        objective=0.99,
        monitored=IntervalSet((JUNE,)) - gaps,
        policies=policy,
    )
    assert 0.0 <= figure.availability <= 1.0
    assert figure.unplanned_downtime + figure.maintenance + figure.unmonitored <= figure.window
    assert sum((c.counted for c in figure.outages), timedelta(0)) >= figure.unplanned_downtime


@settings(max_examples=200, deadline=None)
@given(outage_lists, outage_lists, span_sets, span_sets, policies, windows)
def test_adding_an_outage_never_raises_availability(
    outages: list[Outage],
    extra: list[Outage],
    maintenance: IntervalSet,
    gaps: IntervalSet,
    policy: AvailabilityPolicies,
    calendar: BusinessCalendar | None,
) -> None:
    """Availability is monotonic: more outages can only lower it or leave it."""

    def availability(items: list[Outage]) -> float:
        return compute_availability(
            period=JUNE,
            window=sla_window(JUNE, calendar),
            outages=items,
            maintenance=maintenance,
            now=AFTER_JUNE,
            objective=0.99,
            monitored=IntervalSet((JUNE,)) - gaps,
            policies=policy,
        ).availability

    assert availability(outages + extra) <= availability(outages)


def october_figure(monitored_hours: float, *, min_coverage: float = 0.95) -> AvailabilityFigure:
    """October 2026 (745 h), 24x7, no outages, probed for ``monitored_hours`` from the start."""
    october = Month(2026, 10).interval(AMSTERDAM)
    monitored = IntervalSet.of(october.start, october.start + timedelta(hours=monitored_hours))
    return compute_availability(
        period=october,
        window=sla_window(october, None),
        outages=[],
        maintenance=IntervalSet(),
        now=october.end,
        objective=0.99,
        monitored=monitored,
        min_coverage=min_coverage,
    )


def test_a_month_with_one_percent_coverage_is_insufficient_evidence_not_met() -> None:
    """8.2 of 745 h probed (1.1 %), no outage seen: met is None with the reason."""
    figure = october_figure(8.2)
    assert figure.availability == 1.0
    assert figure.met is None
    assert figure.evidence.sufficient is False
    assert figure.evidence.reason == "insufficient evidence: coverage 1.1 % < 95 %"


def test_a_month_with_coverage_at_the_threshold_is_judged() -> None:
    """Exactly 95 % of October probed: judged, and met."""
    figure = october_figure(745 * 0.95)
    assert figure.coverage == pytest.approx(0.95)
    assert figure.evidence.sufficient
    assert (figure.met, figure.evidence.reason) == (True, None)


def test_the_reason_rounds_coverage_down_so_it_never_reads_as_the_threshold() -> None:
    """94.96 % reads 94.9 % next to the 95 % it falls short of."""
    figure = october_figure(745 * 0.9496)
    assert figure.met is None
    assert figure.evidence.reason == "insufficient evidence: coverage 94.9 % < 95 %"


def test_without_a_threshold_every_figure_is_judged() -> None:
    """min_coverage 0 (the core's default): 1.1 % coverage is still judged."""
    assert october_figure(8.2, min_coverage=0.0).met is True


def test_a_proven_miss_stays_a_miss_without_full_evidence() -> None:
    """Half of June probed with a 10 h outage: no unmeasured time could save it, so it is
    missed (and needs its 3.2.6 analysis), with the evidence reason beside it."""
    figure = compute_availability(
        period=JUNE,
        window=sla_window(JUNE, None),
        outages=[outage(local(2026, 6, 2), local(2026, 6, 2, 10))],
        maintenance=IntervalSet(),
        now=AFTER_JUNE,
        objective=0.99,
        monitored=IntervalSet.of(JUNE.start, local(2026, 6, 16)),
        min_coverage=0.95,
    )
    assert figure.met is False
    assert figure.evidence.reason == (
        "insufficient evidence: coverage 50.0 % < 95 %; "
        "the measured downtime alone already misses the objective"
    )


def test_a_met_the_unmonitored_time_could_still_spoil_is_not_judged() -> None:
    """Half of June probed and no outage seen: the other half is unknown, so neither verdict."""
    figure = compute_availability(
        period=JUNE,
        window=sla_window(JUNE, None),
        outages=[],
        maintenance=IntervalSet(),
        now=AFTER_JUNE,
        objective=0.99,
        monitored=IntervalSet.of(JUNE.start, local(2026, 6, 16)),
        min_coverage=0.95,
    )
    assert figure.met is None
    assert figure.evidence.reason == "insufficient evidence: coverage 50.0 % < 95 %"


def test_under_count_as_unavailable_a_met_that_survives_the_worst_case_is_judged() -> None:
    """Unmonitored time counted as down and still above the objective: the met is proven."""
    figure = compute_availability(
        period=JUNE,
        window=sla_window(JUNE, None),
        outages=[],
        maintenance=IntervalSet(),
        now=AFTER_JUNE,
        objective=0.4,
        monitored=IntervalSet.of(JUNE.start, local(2026, 6, 16)),
        policies=AvailabilityPolicies(unmonitored=UnmonitoredPolicy.COUNT_AS_UNAVAILABLE),
        min_coverage=0.95,
    )
    assert figure.met is True
    assert figure.evidence.reason == (
        "insufficient evidence: coverage 50.0 % < 95 %; "
        "even with the unmonitored time counted as down the objective is reached"
    )


open_or_closed = st.lists(
    st.tuples(spans, st.sampled_from(list(OutageSource)), st.booleans()).map(
        lambda t: Outage(t[0][0], None if t[2] else t[0][1], "x", t[1], id=str(t[0][0]))
    ),
    max_size=6,
)
forwards = st.lists(
    st.tuples(span_sets, hours_in_june).map(
        lambda t: ForwardMaintenance(t[0], JUNE.start + timedelta(hours=t[1]))
    ),
    max_size=2,
)


@settings(max_examples=300, deadline=None)
@given(open_or_closed, span_sets, span_sets, forwards, windows, nows, hours_in_june)
def test_the_parts_before_and_after_any_instant_add_up_to_the_whole_figure(
    outages: list[Outage],
    maintenance: IntervalSet,
    gaps: IntervalSet,
    forward: list[ForwardMaintenance],
    calendar: BusinessCalendar | None,
    now: datetime,
    split_hour: int,
) -> None:
    """A month measured up to an instant no later than now, joined with the rest measured
    later, is the figure computed in one go, to the microsecond and outage by outage."""
    until = min(now, JUNE.start + timedelta(hours=split_hour))
    until = max(until, JUNE.start)
    window = sla_window(JUNE, calendar)
    monitored = IntervalSet((JUNE,)) - gaps

    def parts(within: Interval, items: tuple[Outage, ...]) -> AvailabilityParts:
        return availability_parts(
            period=JUNE,
            within=within,
            window=window,
            outages=items,
            maintenance=maintenance,
            now=now,
            monitored=monitored,
            forward=forward,
        )

    earlier = parts(Interval(JUNE.start, until), tuple(o for o in outages if o.start < until))
    later = parts(Interval(until, JUNE.end), tuple(outages))
    joined = availability_figure(
        period=JUNE,
        outages=tuple(outages),
        parts=later.joined(tuple(outages), until, earlier),
        now=now,
        objective=0.99,
    )
    whole = compute_availability(
        period=JUNE,
        window=window,
        outages=outages,
        maintenance=maintenance,
        now=now,
        objective=0.99,
        monitored=monitored,
        forward=forward,
    )
    assert joined == whole


@settings(max_examples=200, deadline=None)
@given(open_or_closed, span_sets, span_sets, nows)
def test_a_figure_made_without_its_listing_keeps_every_length_and_lists_nothing(
    outages: list[Outage], maintenance: IntervalSet, gaps: IntervalSet, now: datetime
) -> None:
    """The live snapshot's figures leave the outage listing out: availability, downtime,
    maintenance, gaps and budget are those of the listed figure."""
    items = tuple(outages)
    parts = availability_parts(
        period=JUNE,
        within=JUNE,
        window=sla_window(JUNE, NL),
        outages=items,
        maintenance=maintenance,
        now=now,
        monitored=IntervalSet((JUNE,)) - gaps,
    )

    def figure(listed: bool) -> AvailabilityFigure:
        return availability_figure(
            period=JUNE, outages=items, parts=parts, now=now, objective=0.99, listed=listed
        )

    unlisted = figure(listed=False)
    assert unlisted.outages == ()
    assert unlisted == replace(figure(listed=True), outages=())
