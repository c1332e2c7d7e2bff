"""Raw probe results: written in batches by the writer, read for restarts, pruned by age."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Final

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from monitor.store.records import ProbeResultRow, utc
from monitor.store.repository import Repository
from monitor.store.schema import from_row, probe_results

__all__ = ["DEFAULT_PROBE_RETENTION", "PRUNE_CHUNK", "ProbeResults"]

DEFAULT_PROBE_RETENTION: Final = timedelta(days=90)
"""How long raw probe results are kept; outages, sessions and maintenance stay for good."""

PRUNE_CHUNK: Final = 10_000
"""Rows deleted per transaction when pruning, so the writer is never locked out for long."""


class ProbeResults(Repository):
    """Probe results, keyed by ``(target, started_at)`` so a replayed batch changes nothing."""

    async def _insert_results(
        self, connection: AsyncConnection, rows: Sequence[ProbeResultRow]
    ) -> None:
        if not rows:
            return
        statement = self._insert(probe_results).on_conflict_do_nothing(
            index_elements=[
                probe_results.c.target,
                probe_results.c.location,
                probe_results.c.started_at,
            ]
        )
        await connection.execute(
            statement,
            [
                {
                    "target": row.target,
                    "started_at": row.started_at,
                    "duration_seconds": row.duration_seconds,
                    "ok": row.ok,
                    "error_class": row.error_class,
                    "error_message": row.error_message,
                    **self._located,
                }
                for row in rows
            ],
        )

    async def record_probe_results(self, rows: Iterable[ProbeResultRow]) -> None:
        """Store results; one already stored (same target and start) is left as it is."""
        async with self._write() as connection:
            await self._insert_results(connection, list(rows))

    async def last_probe_result(self, target: str) -> ProbeResultRow | None:
        """The newest stored result of ``target``, e.g. for its last-probe metric at start."""
        async with self._read() as connection:
            row = (
                await connection.execute(
                    sa.select(probe_results)
                    .where(probe_results.c.target == target)
                    .order_by(probe_results.c.started_at.desc())
                    .limit(1)
                )
            ).first()
        return None if row is None else from_row(ProbeResultRow, row._mapping)

    async def probe_results(
        self, target: str, since: datetime, until: datetime
    ) -> list[ProbeResultRow]:
        """Results of ``target`` that started in ``[since, until)``, oldest first."""
        async with self._read() as connection:
            rows = await connection.execute(
                sa.select(probe_results)
                .where(
                    probe_results.c.target == target,
                    probe_results.c.started_at >= utc(since, "since"),
                    probe_results.c.started_at < utc(until, "until"),
                )
                .order_by(probe_results.c.started_at)
            )
            return [from_row(ProbeResultRow, row._mapping) for row in rows]

    async def prune_probe_results(self, before: datetime, *, chunk: int = PRUNE_CHUNK) -> int:
        """Delete raw results that started before ``before``; returns how many went.

        Deletes in chunks, one transaction each, so a first prune of a large table does not
        hold SQLite's write lock for minutes while the writer waits.
        """
        cutoff = utc(before, "before")
        doomed = (
            sa.select(probe_results.c.id).where(probe_results.c.started_at < cutoff).limit(chunk)
        )
        total = 0
        while True:
            async with self._write() as connection:
                result = await connection.execute(
                    sa.delete(probe_results).where(probe_results.c.id.in_(doomed))
                )
            total += result.rowcount
            if result.rowcount < chunk:
                return total
