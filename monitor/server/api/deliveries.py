"""``GET /api/v1/reports/deliveries``: the reporting against its own deadlines (3.2.5, 3.2.6,
3.2.38; docs/rules.md#reporting-deadlines).

The status of the previous and the running month, last month's misses and the yearly on-time
shares come from the last snapshot, the same one ``/metrics`` renders; the list of every
recorded delivery is read from the store, each judged against its due instant.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from zoneinfo import ZoneInfo

from aiohttp import web

from monitor.live.reporting import MissStatus, ReportingStatus
from monitor.server.api import answers
from monitor.server.api.context import ApiContext
from monitor.server.api.params import query_params
from monitor.server.api.render import json_ok, local, maybe_local
from monitor.sla.calendar import BusinessCalendar
from monitor.sla.months import Month
from monitor.sla.reporting import MonthDelivery, OnTimeShare
from monitor.store.records import ReportDelivery

__all__ = ["deliveries_handler"]

Handler = Callable[[web.Request], Awaitable[web.Response]]


def _delivery(month: MonthDelivery, zone: ZoneInfo) -> answers.ReportDelivery:
    return answers.ReportDelivery(
        month=str(month.month),
        due=local(month.due, zone),
        analyses_due=local(month.analyses_due, zone),
        delivered_at=maybe_local(month.delivered_at, zone),
        final=month.final,
        on_time=month.on_time,
    )


def _miss(miss: MissStatus, zone: ZoneInfo) -> answers.ReportingMiss:
    availability = miss.kind == "availability"
    return answers.ReportingMiss(
        kind=miss.kind,
        target=miss.name if availability else None,
        window=miss.window,
        category=None if availability else miss.name,
        analysed_at=maybe_local(miss.analysed_at, zone),
    )


def _year(share: OnTimeShare) -> answers.OnTimeYear:
    return answers.OnTimeYear(
        year=share.year, due=share.due, on_time=share.on_time, ratio=share.ratio
    )


def _status(status: ReportingStatus, zone: ZoneInfo) -> answers.ReportingStatus:
    return answers.ReportingStatus(
        previous_month=_delivery(status.previous_month, zone),
        current_month=_delivery(status.current_month, zone),
        misses=tuple(_miss(m, zone) for m in status.misses),
        years=(_year(status.current_year), _year(status.previous_year)),
        objective=status.objective,
    )


def _recorded(delivery: ReportDelivery, calendar: BusinessCalendar) -> MonthDelivery:
    """A recorded delivery with the due instants of its month."""
    month = Month.parse(delivery.month)
    return MonthDelivery.of(calendar, month, delivery.exported_at, delivery.final)


def deliveries_handler(api: ApiContext) -> Handler:
    """The handler of ``GET /api/v1/reports/deliveries``."""

    async def get(request: web.Request) -> web.Response:
        query_params(request, ())
        config = api.config()
        calendar = config.calendar(config.servicedesk.calendar)
        snapshot = api.snapshot()
        status = None if snapshot is None else snapshot.reporting
        recorded = [_recorded(d, calendar) for d in await api.store.report_deliveries()]
        return json_ok(
            answers.ReportDeliveries(
                computed_at=None if snapshot is None else local(snapshot.computed_at, config.zone),
                status=None if status is None else _status(status, config.zone),
                deliveries=tuple(_delivery(d, config.zone) for d in recorded),
            )
        )

    return get
