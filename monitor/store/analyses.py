"""Analyses of missed service levels (3.2.6): appended, an earlier one stays."""

from __future__ import annotations

import sqlalchemy as sa

from monitor.store.records import MissAnalysisRecord
from monitor.store.repository import Repository
from monitor.store.schema import from_row, miss_analyses

__all__ = ["Analyses"]


class Analyses(Repository):
    """Miss analyses, oldest first."""

    async def add_miss_analysis(self, analysis: MissAnalysisRecord) -> MissAnalysisRecord:
        """Append a 3.2.6 analysis; an earlier one of the same miss stays in the record."""
        async with self._write() as connection:
            return await self._append(connection, miss_analyses, analysis)

    async def miss_analyses(self, month: str | None = None) -> list[MissAnalysisRecord]:
        """The analyses recorded for ``month`` (``YYYY-MM``), oldest first; or of every
        month, by month and then oldest first."""
        statement = sa.select(miss_analyses)
        if month is None:
            statement = statement.order_by(miss_analyses.c.month, miss_analyses.c.id)
        else:
            statement = statement.where(miss_analyses.c.month == month).order_by(miss_analyses.c.id)
        async with self._read() as connection:
            rows = await connection.execute(statement)
            return [from_row(MissAnalysisRecord, row._mapping) for row in rows]
