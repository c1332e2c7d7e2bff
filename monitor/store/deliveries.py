"""When each month's report was exported (3.2.5, 3.2.38): one row per month, written once."""

from __future__ import annotations

import sqlalchemy as sa

from monitor.store.records import ReportDelivery
from monitor.store.repository import Repository
from monitor.store.schema import from_row, report_deliveries

__all__ = ["Deliveries"]


class Deliveries(Repository):
    """Report deliveries, by month."""

    async def record_delivery(self, delivery: ReportDelivery) -> bool:
        """Record the export of a month's report; ``False`` when that month has one already.

        The first export is the delivery: the export job writes a month once, and a month
        written again by hand (``sla-monitor report``) is a later copy, not the delivery.
        """
        statement = (
            self._insert(report_deliveries)
            .values(month=delivery.month, exported_at=delivery.exported_at, final=delivery.final)
            .on_conflict_do_nothing(index_elements=[report_deliveries.c.month])
            .returning(report_deliveries.c.month)
        )
        async with self._write() as connection:
            return (await connection.execute(statement)).first() is not None

    async def last_delivered_month(self) -> str | None:
        """The newest month (``YYYY-MM``) whose report some instance exported: with several
        locations, a new leader on another host starts after it (docs/rules.md#quorum)."""
        async with self._read() as connection:
            newest = await connection.execute(sa.select(sa.func.max(report_deliveries.c.month)))
            month: str | None = newest.scalar_one_or_none()
            return month

    async def report_deliveries(self) -> list[ReportDelivery]:
        """Every recorded delivery, oldest month first."""
        async with self._read() as connection:
            rows = await connection.execute(
                sa.select(report_deliveries).order_by(report_deliveries.c.month)
            )
            return [from_row(ReportDelivery, row._mapping) for row in rows]
