"""Reading one month from the store and building its report (the only I/O of a report).

Four queries: the evidence of the month (outages, sessions, registered maintenance, via
:func:`monitor.figures.evidence.load_evidence`, whose read is the live figures' whole read),
the requests received in it, and the maintenance records again for who registered a window
and why; then the locators, analyses and report deliveries. The figures are then made by the
pure :func:`monitor.report.model.build_report` in a worker thread: a month of 200 targets
and 50,000 requests is CPU work that must not stall the daemon's event loop (scrapes,
probes) while an HTTP client asks for a report.
"""

from __future__ import annotations

import asyncio
import functools
from datetime import datetime

from monitor import __version__
from monitor.config import Config
from monitor.figures.evidence import load_evidence
from monitor.report.model import Report, build_report
from monitor.report.year import YearReport, build_year, months_of
from monitor.sla.months import Month
from monitor.store import Store

__all__ = ["load_report", "load_year"]


async def load_report(store: Store, config: Config, month: Month, now: datetime) -> Report:
    """The report of ``month`` as of ``now``, from what ``store`` holds."""
    period = month.interval(config.zone)
    evidence = await load_evidence(store, period)
    requests = await store.requests(since=period.start, until=period.end)
    registrations = await store.maintenance_windows(period.start, period.end)
    locators = await store.request_locators(
        [r.id for r in requests if r.source == "mailbox" and r.received_at <= now]
    )
    analyses = await store.miss_analyses(str(month))
    deliveries = await store.report_deliveries()
    return await asyncio.to_thread(
        functools.partial(
            build_report,
            registrations=registrations,
            locators=locators,
            analyses=analyses,
            deliveries=deliveries,
        ),
        config,
        month,
        evidence,
        requests,
        now,
    )


async def load_year(store: Store, config: Config, year: int, now: datetime) -> YearReport:
    """The year view of ``year`` as of ``now`` (3.2.4): the monthly report of every month
    that has started, one after the other, so a year costs twelve monthly reports."""
    reports: list[Report | None] = []
    for month in months_of(year):
        started = month.interval(config.zone).start <= now
        reports.append(await load_report(store, config, month, now) if started else None)
    return build_year(year, config.zone, reports, now, __version__)
