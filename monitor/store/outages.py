"""Outages and their corrections (3.2.5, 3.2.6): opened and closed by id, imported by key;
corrections appended, never written into the outage."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from monitor.sla.availability import Outage
from monitor.sla.corrections import OutageCorrection
from monitor.sla.outages import OutageOpened
from monitor.store.records import (
    OUTAGE_SOURCES,
    ImportedOutageRow,
    OutageImportConflict,
    OutageImportOutcome,
    OutageSource,
    StoredOutage,
    check_id,
    checked_correction,
    checked_opened,
    utc,
)
from monitor.store.repository import Repository, RollBack, changed_at_or_after, of_target_before
from monitor.store.schema import from_row, outage_corrections, outages

__all__ = ["Outages"]


class Outages(Repository):
    """Outages by client-made id; closing touches only an open one."""

    async def _open_outage(self, connection: AsyncConnection, outage: OutageOpened) -> bool:
        now = self._clock()
        # No conflict target: a replay may collide on the id or on the import key.
        statement = self._insert(outages).on_conflict_do_nothing()
        result = await connection.execute(
            statement,
            {
                "id": outage.id,
                "target": outage.target,
                "start": outage.start,
                "end": None,
                "cause": outage.cause,
                "source": outage.source,
                "import_key": outage.import_key,
                "opened_at": now,
                "updated_at": now,
                **self._located,
            },
        )
        return result.rowcount == 1

    async def _close_outage(
        self, connection: AsyncConnection, outage_id: str, end: datetime
    ) -> bool:
        result = await connection.execute(
            sa.update(outages)
            .where(outages.c.id == outage_id, outages.c.end.is_(None))
            .values(end=end, updated_at=self._clock())
        )
        if result.rowcount == 0:
            already = await connection.scalar(
                sa.select(sa.func.count()).select_from(outages).where(outages.c.id == outage_id)
            )
            if not already:
                self._log.warning("store_close_unknown_outage", outage_id=outage_id)
        return result.rowcount == 1

    async def open_outage(self, outage: OutageOpened) -> bool:
        """Store a new open outage; ``False`` when its id (or import key) is already stored."""
        outage = checked_opened(outage)
        async with self._write() as connection:
            return await self._open_outage(connection, outage)

    async def close_outage(self, outage_id: str, end: datetime) -> bool:
        """End an open outage; ``False`` when it is unknown or already closed."""
        check_id(outage_id, "outage id")
        end = utc(end, "outage end")
        async with self._write() as connection:
            return await self._close_outage(connection, outage_id, end)

    async def outage(self, outage_id: str) -> StoredOutage | None:
        async with self._read() as connection:
            row = (
                await connection.execute(sa.select(outages).where(outages.c.id == outage_id))
            ).first()
        return None if row is None else _outage(row._mapping)

    async def open_outages(self) -> dict[str, StoredOutage]:
        """The open outage found by probing, per target, so a restart can continue it.

        Imported outages are left out: the daemon did not open them and must not close
        them. Should a target have several open ones (which the daemon never does), the
        latest wins and the others are logged.
        """
        async with self._read() as connection:
            rows = await connection.execute(
                sa.select(outages)
                .where(
                    outages.c.end.is_(None),
                    outages.c.source == OutageSource.PROBE.value,
                    # Each location continues its own outages, never another's.
                    outages.c.location == self._location,
                )
                .order_by(outages.c.start, outages.c.id)
            )
            found: dict[str, StoredOutage] = {}
            for row in rows:
                outage = _outage(row._mapping)
                if outage.target in found:
                    self._log.warning(
                        "store_several_open_outages",
                        target=outage.target,
                        ignored=found[outage.target].id,
                        kept=outage.id,
                    )
                found[outage.target] = outage
        return found

    async def outages(
        self,
        target: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        changed_since: datetime | None = None,
    ) -> list[StoredOutage]:
        """Outages that overlap ``[since, until)`` (open ones reach into the future); with
        ``changed_since``, only those opened, closed or imported at or after it (by the
        writing store's clock)."""
        conditions = of_target_before(outages.c.target, target, outages.c.start, until)
        if since is not None:
            since = utc(since, "since")
            # An outage of zero length at ``since`` still belongs to the range.
            conditions.append(
                sa.or_(outages.c.end.is_(None), outages.c.end > since, outages.c.start >= since)
            )
        conditions += changed_at_or_after(outages.c.updated_at, changed_since)
        async with self._read() as connection:
            rows = await connection.execute(
                sa.select(outages).where(*conditions).order_by(outages.c.start, outages.c.id)
            )
            return [_outage(row._mapping) for row in rows]

    async def import_outages(
        self, chunks: Iterable[Sequence[ImportedOutageRow]]
    ) -> OutageImportOutcome:
        """Store imported outages chunk by chunk, in one transaction: all of them or none.

        Per chunk, one query finds the rows whose import key is stored; the others are
        inserted with one multi-row statement, and stored open outages that a row gives an
        end are closed with one more. A row that would change a stored end (or reopen a
        closed outage) is a conflict: the import goes on to find them all, then the whole
        transaction is rolled back and the conflicts are returned. Chunks are consumed
        lazily, so a caller can stream a file of any size through here.
        """
        totals = [0, 0, 0]
        conflicts: list[OutageImportConflict] = []
        try:
            async with self._write() as connection, self._bulk(connection):
                for chunk in chunks:
                    counts = await self._import_outage_chunk(connection, chunk, conflicts)
                    totals = [a + b for a, b in zip(totals, counts, strict=True)]
                if conflicts:
                    raise RollBack
        except RollBack:
            return OutageImportOutcome(0, 0, 0, tuple(conflicts))
        new, closed, unchanged = totals
        return OutageImportOutcome(new, closed, unchanged)

    async def _import_outage_chunk(
        self,
        connection: AsyncConnection,
        chunk: Sequence[ImportedOutageRow],
        conflicts: list[OutageImportConflict],
    ) -> tuple[int, int, int]:
        if not chunk:
            return 0, 0, 0
        keys = [row.import_key for row in chunk]
        stored = {
            key: (outage_id, end)
            for key, outage_id, end in await connection.execute(
                sa.select(outages.c.import_key, outages.c.id, outages.c.end).where(
                    outages.c.import_key.in_(keys)
                )
            )
        }
        now = self._clock()
        instant = self._raw_instant
        stamp = instant(now)
        fresh: list[dict[str, object]] = []
        closing: list[dict[str, object]] = []
        unchanged = 0
        for row in chunk:
            known = stored.get(row.import_key)
            if known is None:
                fresh.append(
                    {
                        "id": row.id,
                        "target": row.target,
                        "start": instant(row.start),
                        "end": None if row.end is None else instant(row.end),
                        "cause": row.cause,
                        "source": OutageSource.IMPORT.value,
                        "import_key": row.import_key,
                        "opened_at": stamp,
                        "updated_at": stamp,
                    }
                )
                continue
            stored_id, stored_end = known
            if stored_end == row.end:
                unchanged += 1
            elif stored_end is None and row.end is not None:
                closing.append({"outage_id": stored_id, "new_end": row.end, "now": now})
            else:
                conflicts.append(OutageImportConflict(row, stored_end))
        if conflicts:
            return 0, 0, 0  # rolled back at the end; checking goes on to report them all
        if fresh:
            await self._insert_many(
                connection, self._raw_insert(outages).on_conflict_do_nothing(), fresh
            )
        if closing:
            await connection.execute(
                sa.update(outages)
                .where(outages.c.id == sa.bindparam("outage_id"), outages.c.end.is_(None))
                .values(end=sa.bindparam("new_end"), updated_at=sa.bindparam("now")),
                closing,
            )
        return len(fresh), len(closing), unchanged

    async def add_outage_correction(
        self, outage_id: str, correction: OutageCorrection
    ) -> OutageCorrection | None:
        """Append a correction of ``outage_id`` and return it as stored (with its id);
        ``None`` when the outage is unknown. The outage row stays as measured."""
        correction = checked_correction(correction)
        async with self._write() as connection:
            known = (
                await connection.execute(sa.select(outages.c.id).where(outages.c.id == outage_id))
            ).first()
            if known is None:
                return None
            return await self._append(
                connection, outage_corrections, correction, outage_id=outage_id
            )

    async def outage_corrections(
        self, outage_ids: Iterable[str] | None = None
    ) -> dict[str, list[OutageCorrection]]:
        """Corrections by outage id, each list oldest first (of the given outages, or all)."""
        statement = sa.select(outage_corrections).order_by(outage_corrections.c.id)
        found: dict[str, list[OutageCorrection]] = {}
        async with self._read() as connection:
            if outage_ids is None:
                chunks: list[list[str] | None] = [None]
            else:
                wanted = sorted(set(outage_ids))
                chunks = [wanted[i : i + 500] for i in range(0, len(wanted), 500)]
            for chunk in chunks:
                query = statement
                if chunk is not None:
                    query = query.where(outage_corrections.c.outage_id.in_(chunk))
                for row in await connection.execute(query):
                    found.setdefault(row.outage_id, []).append(
                        from_row(OutageCorrection, row._mapping)
                    )
        for records in found.values():
            records.sort(key=lambda r: r.id)
        return found


def _outage(row: sa.RowMapping) -> StoredOutage:
    """Named column by column, not through :func:`from_row`: the live figures read the
    running month's outages on every rebuild, and the generic mapping was most of that."""
    outage = Outage(
        start=row["start"],
        end=row["end"],
        cause=row["cause"],
        source=OUTAGE_SOURCES[row["source"]],
        id=row["id"],
    )
    return StoredOutage(
        target=row["target"],
        outage=outage,
        import_key=row["import_key"],
        opened_at=row["opened_at"],
        updated_at=row["updated_at"],
        location=sys.intern(row["location"]),
    )
