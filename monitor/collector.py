"""Renders the current SLA snapshot as Prometheus metrics at scrape time.

prometheus_client calls ``collect()`` synchronously on the event loop for every scrape, so
this must be cheap and must not touch the database: it reads the immutable snapshot that the
recompute job swapped in last. Two gauges depend on the instant of the scrape rather than on
the snapshot — whether a window is open and whether a target is in maintenance — and are
answered from precomputed interval sets by binary search.

Every configured target, window and category has its series from start-up: the daemon builds
a snapshot before it serves, and a target added by a reload gets one at the next rebuild.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from monitor.snapshot import SlaSnapshot

__all__ = ["SlaCollector"]

PERIODS = ("current_month", "previous_month")


class SlaCollector(Collector):
    def __init__(
        self, snapshot: Callable[[], SlaSnapshot | None], clock: Callable[[], datetime]
    ) -> None:
        self._snapshot = snapshot
        self._clock = clock

    def describe(self) -> Iterator[Metric]:
        """Nothing to describe up front: the registry then does not call ``collect`` early."""
        return iter(())

    def collect(self) -> Iterator[Metric]:
        snapshot = self._snapshot()
        if snapshot is None:
            return
        now = self._clock()
        tw = ["target", "window"]
        twp = ["target", "window", "period"]
        availability = GaugeMetricFamily(
            "sla_availability_ratio", "Availability in the SLA window (3.2.10)", labels=twp
        )
        objective = GaugeMetricFamily(
            "sla_objective_ratio", "Agreed availability objective of the window", labels=tw
        )
        downtime = GaugeMetricFamily(
            "sla_unplanned_downtime_seconds",
            "Outage time in the window outside agreed maintenance and monitoring gaps",
            labels=twp,
        )
        unmonitored = GaugeMetricFamily(
            "sla_unmonitored_seconds",
            "Window time without probe results (outside maintenance)",
            labels=twp,
        )
        budget = GaugeMetricFamily(
            "sla_error_budget_remaining_seconds",
            "Error budget of the month left; negative when overspent",
            labels=tw,
        )
        window_total = CounterMetricFamily(
            "sla_window_seconds",
            "Open window time outside maintenance since the first stored evidence",
            labels=tw,
        )
        unavailable_total = CounterMetricFamily(
            "sla_unavailable_seconds",
            "Window time counted as unavailable since the first stored evidence",
            labels=tw,
        )
        window_open = GaugeMetricFamily(
            "sla_window_open", "1 while the SLA window is open", labels=tw
        )
        in_maintenance = GaugeMetricFamily(
            "sla_in_maintenance", "1 during agreed maintenance of the target", labels=["target"]
        )
        open_now = {
            name: calendar is None or calendar.is_open(now)
            for name, calendar in snapshot.calendars.items()
        }
        for target in snapshot.targets:
            in_maintenance.add_metric(
                [target.name], 1.0 if target.maintenance.contains(now) else 0.0
            )
            for w in target.windows:
                labels = [w.target, w.window]
                objective.add_metric(labels, w.objective)
                budget.add_metric(labels, w.current.budget.remaining.total_seconds())
                window_total.add_metric(labels, w.window_seconds_total)
                unavailable_total.add_metric(labels, w.unavailable_seconds_total)
                window_open.add_metric(labels, 1.0 if open_now.get(w.window, True) else 0.0)
                for period, figure in zip(PERIODS, (w.current, w.previous), strict=True):
                    period_labels = [*labels, period]
                    availability.add_metric(period_labels, figure.availability)
                    downtime.add_metric(period_labels, figure.unplanned_downtime.total_seconds())
                    unmonitored.add_metric(period_labels, figure.unmonitored.total_seconds())
        yield from (
            availability,
            objective,
            downtime,
            unmonitored,
            budget,
            window_total,
            unavailable_total,
            window_open,
            in_maintenance,
        )
