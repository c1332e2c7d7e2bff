"""Reading one month from the store and building its report (the only I/O of a report).

Four queries: the evidence of the month (outages, sessions, registered maintenance, via
:func:`monitor.figures.evidence.load_evidence`, the same reader the live metrics use), the requests
received in it, and the maintenance records again for who registered a window and why; then
the locators, analyses and report deliveries. The
figures are then made by the pure :func:`monitor.report.model.build_report` in a worker
thread: a month of 200 targets and 50,000 requests is CPU work that must not stall the
daemon's event loop (scrapes, probes) while an HTTP client asks for a report.
"""

from __future__ import annotations

import asyncio
import functools
from datetime import datetime

from monitor.config import Config
from monitor.figures.evidence import load_evidence
from monitor.report.model import Report, build_report
from monitor.sla.months import Month
from monitor.store import Store

__all__ = ["load_report"]


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
