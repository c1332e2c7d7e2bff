"""Prometheus text exposition, written directly and cached per snapshot.

prometheus_client validates and escapes every label of every sample on every scrape, about
19 µs a sample here: 440 ms for the 23,000 SLA samples of 1,000 targets, far beyond a scrape
budget of 50 ms. The values change only when the snapshot is rebuilt, so the SLA families
are rendered once per snapshot (off the scrape path, in the recompute job), encoded and
deflated once, and a scrape copies bytes. The two families that depend on the scrape
instant — whether a window is open and whether a target is in maintenance — change only
when a window opens or closes or a maintenance window begins or ends, so their text is kept
until the next such instant; the live probe families are rendered per scrape.

The format is the classic text format 0.0.4, which every Prometheus version reads.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable
from datetime import datetime, timedelta

from monitor.live.slices import Slicer, Steps, drain
from monitor.live.snapshot import SlaSnapshot
from monitor.promtext import Chunk, DeflatingLines, family_header, format_value, label_set
from monitor.sla.norms import BandOutcome

__all__ = ["SlaExposition", "render_exposition", "static_steps"]


def _miss_labels(kind: str, name: str, window: str | None) -> dict[str, str]:
    """A missed availability level by target and window, a missed response level by category."""
    if kind == "availability":
        return {"target": name, "window": window or ""}
    return {"category": name}


PERIODS = ("current_month", "previous_month")

OUTCOMES = (*(o.value for o in BandOutcome), "unknown")
"""The states of ``sla_pi_outcome``: ``unknown`` when the evidence is insufficient or nothing
is decided yet (the outcome is null in the report)."""


def _states(labels: dict[str, str], outcome: BandOutcome | None) -> list[str]:
    """A state set: one series per state, 1 on the month's outcome, 0 on the others."""
    current = "unknown" if outcome is None else outcome.value
    return [
        f"sla_pi_outcome{label_set(**labels, outcome=state)} {int(state == current)}\n"
        for state in OUTCOMES
    ]


def _family(name: str, kind: str, help_text: str, lines: Iterable[str]) -> str:
    return family_header(name, kind, help_text) + "".join(lines)


class SlaExposition:
    """The SLA families of one snapshot: rendered once, served many times."""

    def __init__(self, snapshot: SlaSnapshot, static: Chunk | None = None) -> None:
        """``static``: the SLA families already rendered (:func:`render_exposition`)."""
        self.snapshot = snapshot
        self._maintenance = [(label_set(target=t.name), t.maintenance) for t in snapshot.targets]
        self._windows = [
            (label_set(target=w.target, window=w.window), w.window)
            for t in snapshot.targets
            for w in t.windows
        ]
        self.static = static if static is not None else drain(static_steps(snapshot))
        # Between two of these instants no target enters or leaves maintenance.
        self._boundaries = sorted(
            {b for _, spans in self._maintenance for i in spans for b in (i.start, i.end)}
        )
        self._live: tuple[tuple[object, ...], Chunk] | None = None
        # Made here too, off the event loop: a scrape before the next boundary reuses it.
        self.live_chunk(snapshot.computed_at)

    @property
    def static_text(self) -> str:
        return self.static.plain().decode("utf-8")

    def live_chunk(self, now: datetime) -> Chunk:
        """:meth:`render_live`, kept while every window and maintenance state stays as it is."""
        calendars = self.snapshot.calendars
        open_now = {
            name: calendar is None or calendar.is_open(now) for name, calendar in calendars.items()
        }
        key = (*open_now.values(), bisect_right(self._boundaries, now))
        cached = self._live
        if cached is not None and cached[0] == key:
            return cached[1]
        chunk = Chunk.compressed(self._render_live(now, open_now))
        self._live = (key, chunk)
        return chunk

    def render_live(self, now: datetime) -> str:
        """The families that depend on the scrape instant, by binary search per target."""
        return self.live_chunk(now).plain().decode("utf-8")

    def chunks(self, now: datetime) -> tuple[Chunk, Chunk]:
        return self.static, self.live_chunk(now)

    def _render_live(self, now: datetime, open_now: dict[str, bool]) -> str:
        window_lines = [
            f"sla_window_open{labels} {'1.0' if open_now.get(window, True) else '0.0'}\n"
            for labels, window in self._windows
        ]
        maintenance_lines = [
            f"sla_in_maintenance{labels} {'1.0' if spans.contains(now) else '0.0'}\n"
            for labels, spans in self._maintenance
        ]
        return _family(
            "sla_window_open", "gauge", "1 while the SLA window is open", window_lines
        ) + _family(
            "sla_in_maintenance",
            "gauge",
            "1 during agreed maintenance of the target",
            maintenance_lines,
        )

    def render(self, now: datetime) -> str:
        return self.static_text + self.render_live(now)


def static_steps(snapshot: SlaSnapshot) -> Steps[Chunk]:
    """The SLA families of ``snapshot`` in order, deflated, yielding between targets and
    between families (:mod:`monitor.live.slices`)."""
    static = yield from _static_steps(snapshot)
    vantage = yield from _vantage_steps(snapshot)
    outcomes = yield from _outcome_steps(snapshot)
    texts = (
        _desk_text(snapshot),
        outcomes,
        _resolution_text(snapshot),
        _reporting_text(snapshot),
    )
    chunks = [*static, *vantage, *(Chunk.compressed(text) for text in texts if text)]
    joined = chunks[0]
    for chunk in chunks[1:]:
        joined = Chunk.joined((joined, chunk))
        yield
    return joined


async def render_exposition(snapshot: SlaSnapshot, slicer: Slicer) -> SlaExposition:
    """Render and deflate on the event loop in slices."""
    return SlaExposition(snapshot, await slicer.run(static_steps(snapshot)))


def _kept_family(
    name: str, kind: str, help_text: str, lines: Iterable[str] | DeflatingLines
) -> Chunk:
    if isinstance(lines, DeflatingLines):
        return Chunk.joined((Chunk.compressed(family_header(name, kind, help_text)), lines.chunk()))
    return Chunk.compressed(_family(name, kind, help_text, lines))


def _static_steps(snapshot: SlaSnapshot) -> Steps[list[Chunk]]:
    availability, downtime, unmonitored, coverage = (
        DeflatingLines(),
        DeflatingLines(),
        DeflatingLines(),
        DeflatingLines(),
    )
    objective, budget, window_total, unavailable_total = (
        DeflatingLines(),
        DeflatingLines(),
        DeflatingLines(),
        DeflatingLines(),
    )
    min_coverage, in_force = DeflatingLines(), DeflatingLines()
    for target in snapshot.targets:
        for w in target.windows:
            tw = label_set(target=w.target, window=w.window)
            objective.append(f"sla_objective_ratio{tw} {format_value(w.objective)}\n")
            min_coverage.append(
                f"sla_evidence_min_coverage_ratio{tw} {format_value(w.current.min_coverage)}\n"
            )
            remaining = w.current.budget.remaining.total_seconds()
            budget.append(f"sla_error_budget_remaining_seconds{tw} {format_value(remaining)}\n")
            window_total.append(
                f"sla_window_seconds_total{tw} {format_value(w.window_seconds_total)}\n"
            )
            unavailable_total.append(
                f"sla_unavailable_seconds_total{tw} {format_value(w.unavailable_seconds_total)}\n"
            )
            for period, figure in zip(PERIODS, (w.current, w.previous), strict=True):
                twp = label_set(target=w.target, window=w.window, period=period)
                availability.append(
                    f"sla_availability_ratio{twp} {format_value(figure.availability)}\n"
                )
                downtime.append(
                    f"sla_unplanned_downtime_seconds{twp} "
                    f"{format_value(figure.unplanned_downtime.total_seconds())}\n"
                )
                unmonitored.append(
                    f"sla_unmonitored_seconds{twp} "
                    f"{format_value(figure.unmonitored.total_seconds())}\n"
                )
                coverage.append(f"sla_coverage_ratio{twp} {format_value(figure.coverage)}\n")
                in_force.append(
                    f"sla_objective_in_force_ratio{twp} {format_value(figure.objective)}\n"
                )
        yield
    computed_at = snapshot.computed_at.timestamp()
    return [
        _kept_family(
            "sla_availability_ratio",
            "gauge",
            "Availability in the SLA window (3.2.10)",
            availability,
        ),
        _kept_family(
            "sla_objective_ratio",
            "gauge",
            "Agreed availability objective of the window",
            objective,
        ),
        _kept_family(
            "sla_objective_in_force_ratio",
            "gauge",
            "Objective the month's figure is judged by: the norm in force in that month",
            in_force,
        ),
        _kept_family(
            "sla_unplanned_downtime_seconds",
            "gauge",
            "Outage time in the window outside agreed maintenance and monitoring gaps",
            downtime,
        ),
        _kept_family(
            "sla_unmonitored_seconds",
            "gauge",
            "Window time without probe results, outside maintenance",
            unmonitored,
        ),
        _kept_family(
            "sla_error_budget_remaining_seconds",
            "gauge",
            "Error budget of the month left; negative when overspent",
            budget,
        ),
        _kept_family(
            "sla_coverage_ratio",
            "gauge",
            "Share of the elapsed window with evidence (probe results, imported outages)",
            coverage,
        ),
        _kept_family(
            "sla_evidence_min_coverage_ratio",
            "gauge",
            "Coverage below which a figure is insufficient evidence, not met",
            min_coverage,
        ),
        _kept_family(
            "sla_window_seconds_total",
            "counter",
            "Live open window time outside maintenance since the daemon started",
            window_total,
        ),
        _kept_family(
            "sla_unavailable_seconds_total",
            "counter",
            "Live window time counted as unavailable since the daemon started",
            unavailable_total,
        ),
        _kept_family(
            "sla_monitor_snapshot_timestamp_seconds",
            "gauge",
            "When the SLA figures and counters of this scrape were computed",
            [f"sla_monitor_snapshot_timestamp_seconds {format_value(computed_at)}\n"],
        ),
    ]


def _outcome_steps(snapshot: SlaSnapshot) -> Steps[str]:
    """``sla_pi_outcome`` of every PI with a bonus/malus band (B3.7, 3.2.19), each month
    judged by the band in force in it: availability PIs labelled ``target`` and
    ``window``, response PIs ``category``."""
    lines: list[str] = []
    for target in snapshot.targets:
        for w in target.windows:
            figures = (w.current, w.previous)
            for period, figure, band in zip(PERIODS, figures, w.bands, strict=True):
                if band is not None:
                    labels = {"target": w.target, "window": w.window, "period": period}
                    lines += _states(labels, figure.outcome(band))
        yield
    desk = snapshot.desk
    for category in desk.categories if desk is not None else ():
        months = (category.current_month, category.previous_month)
        for period, month, band in zip(PERIODS, months, category.bands, strict=True):
            if band is not None:
                labels = {"category": category.category, "period": period}
                lines += _states(labels, month.outcome(band))
    if not lines:
        return ""
    return _family(
        "sla_pi_outcome",
        "gauge",
        "Bonus/malus outcome of the month per PI (state set: 1 on the current outcome)",
        lines,
    )


def _vantage_steps(snapshot: SlaSnapshot) -> Steps[list[Chunk]]:
    """What the probe locations saw (docs/rules.md#quorum): the same on every instance,
    since it is made from every location's stored evidence."""
    up, monitoring, degraded = DeflatingLines(), DeflatingLines(), DeflatingLines()
    location_only, down = DeflatingLines(), DeflatingLines()
    for target in snapshot.targets:
        if target.vantage is None:
            continue
        current, previous = target.vantage
        counted = "1.0" if current.counted_down else "0.0"
        down.append(f"sla_counted_down{label_set(target=target.name)} {counted}\n")
        for view in current.locations:
            tl = label_set(target=target.name, location=view.location)
            up.append(f"sla_location_up{tl} {'1.0' if view.up else '0.0'}\n")
            monitoring.append(
                f"sla_location_monitoring{tl} {'1.0' if view.monitoring else '0.0'}\n"
            )
        for period, figures in zip(PERIODS, (current, previous), strict=True):
            for window, span in figures.degraded:
                twp = label_set(target=target.name, window=window, period=period)
                degraded.append(
                    f"sla_degraded_vantage_seconds{twp} {format_value(span.total_seconds())}\n"
                )
            alone = {seen.location: seen.location_only for seen in figures.locations}
            for view in current.locations:
                tlp = label_set(target=target.name, location=view.location, period=period)
                seconds = alone.get(view.location, timedelta(0)).total_seconds()
                location_only.append(
                    f"sla_location_only_failure_seconds{tlp} {format_value(seconds)}\n"
                )
        yield
    return [
        _kept_family(
            "sla_counted_down",
            "gauge",
            "1 while the quorum of monitoring locations counts the target down",
            down,
        ),
        _kept_family(
            "sla_location_up",
            "gauge",
            "1 while the location monitors the target and sees it up",
            up,
        ),
        _kept_family(
            "sla_location_monitoring",
            "gauge",
            "1 while the location monitors the target (in a session, canary up)",
            monitoring,
        ),
        _kept_family(
            "sla_degraded_vantage_seconds",
            "gauge",
            "Window time judged by fewer monitoring locations than the quorum",
            degraded,
        ),
        _kept_family(
            "sla_location_only_failure_seconds",
            "gauge",
            "Time the location saw the target down without a quorum: never downtime",
            location_only,
        ),
    ]


def _desk_text(snapshot: SlaSnapshot) -> str:
    """Service-desk families (3.2.9, 3.2.13, 3.2.14, 3.2.39). A ratio with nothing decided
    is NaN, not 0: an empty month is neither a success nor a failure, and NaN keeps
    comparison-based alerts quiet."""
    desk = snapshot.desk
    if desk is None:
        return ""
    ratio, objective, open_, overdue, total, in_force = [], [], [], [], [], []
    for figures in desk.categories:
        c = label_set(category=figures.category)
        objective.append(
            f"servicedesk_response_objective_ratio{c} {format_value(figures.objective)}\n"
        )
        open_.append(f"servicedesk_requests_open{c} {format_value(figures.open)}\n")
        overdue.append(f"servicedesk_requests_overdue{c} {format_value(figures.overdue)}\n")
        months = (figures.current_month, figures.previous_month)
        for period, month in zip(PERIODS, months, strict=True):
            cp = label_set(category=figures.category, period=period)
            value = math.nan if month.ratio is None else month.ratio
            ratio.append(f"servicedesk_response_ratio{cp} {format_value(value)}\n")
            in_force.append(
                f"servicedesk_response_objective_in_force_ratio{cp} "
                f"{format_value(month.objective)}\n"
            )
        totals = snapshot.desk_totals.get(figures.category)
        counts = (0, 0, 0) if totals is None else (totals.received, totals.met, totals.breached)
        for outcome, count in zip(("received", "met", "breached"), counts, strict=True):
            co = label_set(category=figures.category, outcome=outcome)
            total.append(f"servicedesk_requests_total{co} {format_value(count)}\n")
    return "".join(
        (
            _family(
                "servicedesk_response_ratio",
                "gauge",
                "Requests answered within the norm / decided requests, by receipt month",
                ratio,
            ),
            _family(
                "servicedesk_response_objective_ratio",
                "gauge",
                "Agreed share of requests answered within the norm",
                objective,
            ),
            _family(
                "servicedesk_response_objective_in_force_ratio",
                "gauge",
                "Objective the month's ratio is judged by: the norm in force in that month",
                in_force,
            ),
            _family(
                "servicedesk_requests_open",
                "gauge",
                "Unanswered requests whose deadline is still ahead",
                open_,
            ),
            _family(
                "servicedesk_requests_overdue",
                "gauge",
                "Unanswered requests whose deadline has passed",
                overdue,
            ),
            _family(
                "servicedesk_requests_total",
                "counter",
                "Requests received, and decided as met or breached, since the first stored",
                total,
            ),
        )
    )


def _resolution_text(snapshot: SlaSnapshot) -> str:
    """Resolution counts per outcome of the categories with a resolution term (3.2.40),
    by receipt month; only those categories have series."""
    desk = snapshot.desk
    if desk is None:
        return ""
    requests, pending_over = [], []
    for figures in desk.categories:
        resolution = figures.resolution
        if resolution is None:
            continue
        months = (resolution.current_month, resolution.previous_month)
        for period, month in zip(PERIODS, months, strict=True):
            for outcome, count in month.counts.items():
                labels = label_set(category=figures.category, period=period, outcome=outcome)
                requests.append(f"servicedesk_resolution_requests{labels} {format_value(count)}\n")
            for tier, count in month.pending_at_least.items():
                labels = label_set(category=figures.category, period=period, tier=tier)
                pending_over.append(
                    f"servicedesk_resolution_pending_over_requests{labels} {format_value(count)}\n"
                )
    if not requests:
        return ""
    return _family(
        "servicedesk_resolution_requests",
        "gauge",
        "Requests received in the month by resolution outcome: in time, overrun tier, "
        "pending (3.2.40)",
        requests,
    ) + _family(
        "servicedesk_resolution_pending_over_requests",
        "gauge",
        "Unresolved requests received in the month already past an overrun tier",
        pending_over,
    )


def _reporting_text(snapshot: SlaSnapshot) -> str:
    """Deadlines and deliveries of the reporting itself (3.2.5, 3.2.6, 3.2.38). A share
    with no report due yet is NaN, neither good nor bad."""
    status = snapshot.reporting
    if status is None:
        return ""
    due, delivered, delivered_at, analyses_due = [], [], [], []
    for period, month in zip(PERIODS, (status.current_month, status.previous_month), strict=True):
        p = label_set(period=period)
        due.append(
            f"sla_report_delivery_due_timestamp_seconds{p} {format_value(month.due.timestamp())}\n"
        )
        analyses_due.append(
            f"sla_miss_analysis_due_timestamp_seconds{p} "
            f"{format_value(month.analyses_due.timestamp())}\n"
        )
        at = month.delivered_at
        delivered.append(f"sla_report_delivered{p} {'0.0' if at is None else '1.0'}\n")
        stamp = math.nan if at is None else at.timestamp()
        delivered_at.append(f"sla_report_delivered_timestamp_seconds{p} {format_value(stamp)}\n")
    analysed = [
        f"sla_miss_analysed{label_set(**_miss_labels(m.kind, m.name, m.window))} "
        f"{'0.0' if m.analysed_at is None else '1.0'}\n"
        for m in status.misses
    ]
    previous = label_set(period="previous_month")
    ratio = []
    for period, share in (
        ("current_year", status.current_year),
        ("previous_year", status.previous_year),
    ):
        value = math.nan if share.ratio is None else share.ratio
        ratio.append(f"sla_report_on_time_ratio{label_set(period=period)} {format_value(value)}\n")
    return "".join(
        (
            _family(
                "sla_report_delivery_due_timestamp_seconds",
                "gauge",
                "When the month's report is due: closing time of the fifth working day "
                "after it (3.2.5)",
                due,
            ),
            _family(
                "sla_report_delivered",
                "gauge",
                "1 once the month's report was exported",
                delivered,
            ),
            _family(
                "sla_report_delivered_timestamp_seconds",
                "gauge",
                "When the month's report was exported; NaN until then",
                delivered_at,
            ),
            _family(
                "sla_miss_analysis_due_timestamp_seconds",
                "gauge",
                "When the analyses of the month's missed service levels are due: closing "
                "time of the tenth working day after it (3.2.6)",
                analyses_due,
            ),
            _family(
                "sla_miss_analysed",
                "gauge",
                "Per service level missed last month: 1 once its analysis is recorded",
                analysed,
            )
            if analysed
            else "",
            _family(
                "sla_misses_unanalysed",
                "gauge",
                "Service levels missed in the month without a recorded analysis",
                [f"sla_misses_unanalysed{previous} {format_value(status.unanalysed)}\n"],
            ),
            _family(
                "sla_report_on_time_ratio",
                "gauge",
                "Share of the year's due monthly reports exported by their due instant "
                "(3.2.38); NaN while none is due",
                ratio,
            ),
            _family(
                "sla_report_on_time_objective_ratio",
                "gauge",
                "Agreed share of reports on time (3.2.38)",
                [f"sla_report_on_time_objective_ratio {format_value(status.objective)}\n"],
            ),
        )
    )
