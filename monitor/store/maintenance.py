"""Maintenance windows registered through the API (3.2.10), soft-deleted and audited."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Final

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from monitor.store.records import MaintenanceAction, MaintenanceChange, MaintenanceWindowRecord, utc
from monitor.store.repository import Repository
from monitor.store.schema import from_row, maintenance_changes, maintenance_windows

__all__ = ["Maintenance"]

_STAMPED: Final[Mapping[MaintenanceAction, str]] = {
    "delete": "deleted_at",
    "approve": "approved_at",
}
"""The column whose instant the audit trail records for a change of a window."""


class Maintenance(Repository):
    """Maintenance windows and their audit trail."""

    async def add_maintenance_window(self, window: MaintenanceWindowRecord) -> bool:
        """Register a window and audit it; ``False`` when its id was registered already."""
        if window.deleted_at is not None:
            raise ValueError("a maintenance window is registered undeleted")
        async with self._write() as connection:
            return await self._add_window(connection, window)

    async def add_maintenance_window_once(
        self, window: MaintenanceWindowRecord
    ) -> MaintenanceWindowRecord | None:
        """Register ``window`` unless a window in force repeats it; the window in force.

        A repeat has the same name, targets, start and end: then nothing is written and the
        stored window is returned, so a retried registration cannot store a window twice.
        Otherwise ``window`` is stored (as :meth:`add_maintenance_window`) and returned;
        ``None`` when its id was registered already. The lookup (an equality on the indexed
        start, so the same work however many windows are stored) and the insert share one
        write transaction: two identical requests at once still store one window.
        """
        if window.deleted_at is not None:
            raise ValueError("a maintenance window is registered undeleted")
        async with self._write() as connection:
            rows = await connection.execute(
                sa.select(maintenance_windows)
                .where(
                    maintenance_windows.c.start == window.start,
                    maintenance_windows.c.end == window.end,
                    maintenance_windows.c.name == window.name,
                    maintenance_windows.c.deleted_at.is_(None),
                )
                .order_by(maintenance_windows.c.registered_at, maintenance_windows.c.id)
            )
            for row in rows:
                stored = _window(row._mapping)
                if set(stored.targets) == set(window.targets):
                    return stored
            if not await self._add_window(connection, window):
                return None
        return window

    async def _add_window(
        self, connection: AsyncConnection, window: MaintenanceWindowRecord
    ) -> bool:
        result = await connection.execute(
            self._insert(maintenance_windows).on_conflict_do_nothing(),
            {
                "id": window.id,
                "name": window.name,
                "targets": list(window.targets),
                "start": window.start,
                "end": window.end,
                "registered_at": window.registered_at,
                "registered_by": window.registered_by,
                "approved_by": window.approved_by,
                "reason": window.reason,
                "deleted_at": None,
                "deleted_by": None,
                "requested_by": window.requested_by,
                "approved_at": window.approved_at,
            },
        )
        if result.rowcount != 1:
            return False
        await self._audit(
            connection,
            window.id,
            "create",
            window.registered_at,
            window.registered_by,
            _window_payload(window),
        )
        return True

    async def delete_maintenance_window(self, window_id: str, *, at: datetime, who: str) -> bool:
        """Soft-delete a window (it stays for the audit); ``False`` if not there or gone."""
        at = utc(at, "at")
        return await self._change_window(
            window_id, "delete", at, who, (), {"deleted_at": at, "deleted_by": who}
        )

    async def approve_maintenance_window(self, window_id: str, *, at: datetime, who: str) -> bool:
        """Record that token ``who`` approved a window; ``False`` if gone or approved already.

        Approval is set once: a second approval would overwrite who accepted the
        reclassification, which the audit must keep.
        """
        at = utc(at, "at")
        return await self._change_window(
            window_id,
            "approve",
            at,
            who,
            (maintenance_windows.c.approved_by.is_(None),),
            {"approved_by": who, "approved_at": at},
        )

    async def _change_window(
        self,
        window_id: str,
        action: MaintenanceAction,
        at: datetime,
        who: str,
        conditions: Sequence[sa.ColumnElement[bool]],
        values: Mapping[str, object],
    ) -> bool:
        """Set ``values`` on the window if it is not deleted and ``conditions`` hold, and
        audit the change with its instant, in one transaction."""
        async with self._write() as connection:
            result = await connection.execute(
                sa.update(maintenance_windows)
                .where(
                    maintenance_windows.c.id == window_id,
                    maintenance_windows.c.deleted_at.is_(None),
                    *conditions,
                )
                .values(**values)
            )
            if result.rowcount != 1:
                return False
            await self._audit(
                connection, window_id, action, at, who, {_STAMPED[action]: at.isoformat()}
            )
        return True

    async def maintenance_window(self, window_id: str) -> MaintenanceWindowRecord | None:
        async with self._read() as connection:
            row = (
                await connection.execute(
                    sa.select(maintenance_windows).where(maintenance_windows.c.id == window_id)
                )
            ).first()
        return None if row is None else _window(row._mapping)

    async def maintenance_windows(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        target: str | None = None,
        include_deleted: bool = False,
    ) -> list[MaintenanceWindowRecord]:
        """Windows overlapping ``[since, until)``, oldest first; deleted ones on request."""
        conditions: list[sa.ColumnElement[bool]] = []
        if not include_deleted:
            conditions.append(maintenance_windows.c.deleted_at.is_(None))
        if until is not None:
            conditions.append(maintenance_windows.c.start < utc(until, "until"))
        if since is not None:
            conditions.append(maintenance_windows.c.end > utc(since, "since"))
        async with self._read() as connection:
            rows = await connection.execute(
                sa.select(maintenance_windows)
                .where(*conditions)
                .order_by(maintenance_windows.c.start, maintenance_windows.c.id)
            )
            windows = [_window(row._mapping) for row in rows]
        # The target list is JSON; a few windows a month are cheaper to filter here than to
        # query portably with two engines' JSON operators.
        if target is not None:
            windows = [w for w in windows if w.applies_to(target)]
        return windows

    async def maintenance_changes(self, window_id: str | None = None) -> list[MaintenanceChange]:
        """The audit trail, oldest first, of one window or of all."""
        statement = sa.select(maintenance_changes).order_by(maintenance_changes.c.id)
        if window_id is not None:
            statement = statement.where(maintenance_changes.c.window_id == window_id)
        async with self._read() as connection:
            rows = await connection.execute(statement)
            return [from_row(MaintenanceChange, row._mapping) for row in rows]

    async def _audit(
        self,
        connection: AsyncConnection,
        window_id: str,
        action: MaintenanceAction,
        at: datetime,
        who: str,
        payload: Mapping[str, object],
    ) -> None:
        await connection.execute(
            sa.insert(maintenance_changes).values(
                window_id=window_id, action=action, at=at, who=who, payload=dict(payload)
            )
        )


def _window(row: sa.RowMapping) -> MaintenanceWindowRecord:
    return from_row(MaintenanceWindowRecord, row, targets=tuple(row["targets"]))


def _window_payload(window: MaintenanceWindowRecord) -> dict[str, object]:
    return {
        "name": window.name,
        "targets": list(window.targets),
        "start": window.start.isoformat(),
        "end": window.end.isoformat(),
        "registered_at": window.registered_at.isoformat(),
        "registered_by": window.registered_by,
        "requested_by": window.requested_by,
        "approved_by": window.approved_by,
        "reason": window.reason,
    }
