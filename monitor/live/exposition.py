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
from datetime import datetime

from monitor.live.snapshot import SlaSnapshot
from monitor.promtext import Chunk, family_header, format_value, label_set

__all__ = ["SlaExposition"]

PERIODS = ("current_month", "previous_month")


def _family(name: str, kind: str, help_text: str, lines: Iterable[str]) -> str:
    return family_header(name, kind, help_text) + "".join(lines)


class SlaExposition:
    """The SLA families of one snapshot: rendered once, served many times."""

    def __init__(self, snapshot: SlaSnapshot) -> None:
        self.snapshot = snapshot
        self._maintenance = [(label_set(target=t.name), t.maintenance) for t in snapshot.targets]
        self._windows = [
            (label_set(target=w.target, window=w.window), w.window)
            for t in snapshot.targets
            for w in t.windows
        ]
        self.static = Chunk.compressed(self._render_static() + self._render_desk())
        # Between two of these instants no target enters or leaves maintenance.
        self._boundaries = sorted(
            {b for _, spans in self._maintenance for i in spans for b in (i.start, i.end)}
        )
        self._live: tuple[tuple[object, ...], Chunk] | None = None
        # Made here too, off the event loop: a scrape before the next boundary reuses it.
        self.live_chunk(snapshot.computed_at)

    @property
    def static_text(self) -> str:
        return self.static.data.decode("utf-8")

    def _render_static(self) -> str:
        availability, downtime, unmonitored, coverage = [], [], [], []
        objective, budget, window_total, unavailable_total = [], [], [], []
        min_coverage = []
        for target in self.snapshot.targets:
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
                    f"sla_unavailable_seconds_total{tw} "
                    f"{format_value(w.unavailable_seconds_total)}\n"
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
        computed_at = self.snapshot.computed_at.timestamp()
        return "".join(
            (
                _family(
                    "sla_availability_ratio",
                    "gauge",
                    "Availability in the SLA window (3.2.10)",
                    availability,
                ),
                _family(
                    "sla_objective_ratio",
                    "gauge",
                    "Agreed availability objective of the window",
                    objective,
                ),
                _family(
                    "sla_unplanned_downtime_seconds",
                    "gauge",
                    "Outage time in the window outside agreed maintenance and monitoring gaps",
                    downtime,
                ),
                _family(
                    "sla_unmonitored_seconds",
                    "gauge",
                    "Window time without probe results, outside maintenance",
                    unmonitored,
                ),
                _family(
                    "sla_error_budget_remaining_seconds",
                    "gauge",
                    "Error budget of the month left; negative when overspent",
                    budget,
                ),
                _family(
                    "sla_coverage_ratio",
                    "gauge",
                    "Share of the elapsed window with evidence (probe results, imported outages)",
                    coverage,
                ),
                _family(
                    "sla_evidence_min_coverage_ratio",
                    "gauge",
                    "Coverage below which a figure is insufficient evidence, not met",
                    min_coverage,
                ),
                _family(
                    "sla_window_seconds_total",
                    "counter",
                    "Live open window time outside maintenance since the daemon started",
                    window_total,
                ),
                _family(
                    "sla_unavailable_seconds_total",
                    "counter",
                    "Live window time counted as unavailable since the daemon started",
                    unavailable_total,
                ),
                _family(
                    "sla_monitor_snapshot_timestamp_seconds",
                    "gauge",
                    "When the SLA figures and counters of this scrape were computed",
                    [f"sla_monitor_snapshot_timestamp_seconds {format_value(computed_at)}\n"],
                ),
            )
        )

    def _render_desk(self) -> str:
        """Service-desk families (3.2.9, 3.2.13, 3.2.14, 3.2.39). A ratio with nothing decided
        is NaN, not 0: an empty month is neither a success nor a failure, and NaN keeps
        comparison-based alerts quiet."""
        desk = self.snapshot.desk
        if desk is None:
            return ""
        ratio, objective, open_, overdue, total = [], [], [], [], []
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
            totals = self.snapshot.desk_totals.get(figures.category)
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
        return self.live_chunk(now).data.decode("utf-8")

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
