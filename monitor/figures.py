"""From configuration and evidence to the availability figures of one target and month.

One function used by the live snapshot (metrics, status API) and by the monthly report, so
the dashboard and the report can never disagree about how a figure is made. It gathers the
inputs DESIGN §2 names and hands them to the pure core:

* the SLA window inside the month (24x7 or a business calendar);
* the outages, probed and imported;
* the monitored time: the monitoring sessions, plus the time the target's own ``schedule``
  was closed (a target probed only in business hours is not "unmonitored" at night);
* the agreed maintenance: the configuration's windows plus API-registered ones that count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.config import ALWAYS, Config, SlaConfig, TargetConfig
from monitor.evidence import Evidence
from monitor.sla.availability import AvailabilityFigure, compute_availability, sla_window
from monitor.sla.coverage import covered_time, max_gap_for
from monitor.sla.intervals import Interval, IntervalSet
from monitor.sla.months import Month
from monitor.sla.registered import agreed_maintenance

__all__ = ["LiveSession", "SlaFigure", "target_maintenance", "target_month_figures"]


@dataclass(frozen=True, slots=True)
class LiveSession:
    """The running monitoring session of a target, from the daemon's memory."""

    started_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True, slots=True)
class SlaFigure:
    target: str
    window: str
    sla: SlaConfig
    figure: AvailabilityFigure


def target_maintenance(
    config: Config, target: str, evidence: Evidence, span: Interval
) -> IntervalSet:
    """Agreed maintenance of a target inside ``span``: configured plus agreed registered."""
    configured = config.maintenance_schedule().for_target(target, span.start, span.end)
    return (configured | agreed_maintenance(evidence.registered, target)).clip(
        span.start, span.end
    )


def _monitored(
    config: Config,
    target: TargetConfig,
    evidence: Evidence,
    period: Interval,
    now: datetime,
    live: LiveSession | None,
) -> IntervalSet:
    sessions = list(evidence.sessions_of(target.name))
    live_tail = None
    if live is not None:
        sessions.append((live.started_at, live.last_seen_at))
        live_tail = (live.last_seen_at, max_gap_for(target.interval, target.probe.timeout))
    covered = covered_time(sessions, now, live_tail)
    if target.schedule == ALWAYS:
        return covered
    schedule = config.calendar(target.schedule)
    closed = IntervalSet((period,)) - schedule.business_intervals(period.start, period.end)
    return covered | closed


def target_month_figures(
    config: Config,
    target: TargetConfig,
    month: Month,
    evidence: Evidence,
    now: datetime,
    *,
    live: LiveSession | None = None,
    maintenance: IntervalSet | None = None,
) -> tuple[SlaFigure, ...]:
    """Every SLA of ``target`` for ``month`` (3.2.10), as of ``now``."""
    period = month.interval(config.zone)
    agreed = maintenance
    if agreed is None:
        agreed = target_maintenance(config, target.name, evidence, period)
    monitored = _monitored(config, target, evidence, period, now, live)
    outages = evidence.outages_of(target.name)
    policies = config.availability_policies()
    figures = []
    for sla in target.slas:
        figure = compute_availability(
            period=period,
            window=sla_window(period, config.window_calendar(sla.window)),
            outages=outages,
            maintenance=agreed,
            now=now,
            objective=sla.objective,
            monitored=monitored,
            policies=policies,
        )
        figures.append(SlaFigure(target.name, sla.window, sla, figure))
    return tuple(figures)


def counted_window(figure: AvailabilityFigure) -> timedelta:
    """Window time outside maintenance: what ``sla_window_seconds_total`` counts."""
    return figure.window - figure.maintenance
