"""Monitoring sessions: spans during which a target was probed; ``last_seen_at`` only moves
forward, and ``updated_at`` says when it last did, by the store's clock, so the live figures
can read only the sessions that changed since their previous run."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from monitor.store.records import MonitoringSession, utc
from monitor.store.repository import Repository, changed_at_or_after, of_target_before
from monitor.store.schema import monitoring_sessions

__all__ = ["Sessions"]


class Sessions(Repository):
    """Monitoring sessions by client-made id, written as upserts of their whole state."""

    async def _upsert_sessions(
        self, connection: AsyncConnection, sessions: Sequence[MonitoringSession]
    ) -> None:
        if not sessions:
            return
        # PostgreSQL refuses to upsert one row twice in a statement: keep the latest per id.
        latest: dict[str, MonitoringSession] = {}
        for session in sessions:
            known = latest.get(session.id)
            if known is None or known.last_seen_at < session.last_seen_at:
                latest[session.id] = session
        insert = self._insert(monitoring_sessions)
        now = self._clock()
        statement = insert.on_conflict_do_update(
            index_elements=[monitoring_sessions.c.id],
            set_={"last_seen_at": insert.excluded.last_seen_at, "updated_at": now},
            # Only ever forward: a replayed, older extension must not shorten a session.
            where=monitoring_sessions.c.last_seen_at < insert.excluded.last_seen_at,
        )
        await connection.execute(
            statement,
            [
                {
                    "id": s.id,
                    "target": s.target,
                    "started_at": s.started_at,
                    "last_seen_at": s.last_seen_at,
                    "updated_at": now,
                    **self._located,
                }
                for s in latest.values()
            ],
        )

    async def start_session(self, session: MonitoringSession) -> None:
        """Store a session; storing it again only moves ``last_seen_at`` forward."""
        async with self._write() as connection:
            await self._upsert_sessions(connection, [session])

    async def extend_session(self, session_id: str, last_seen_at: datetime) -> bool:
        """Move the session's ``last_seen_at`` forward; ``False`` if nothing changed."""
        async with self._write() as connection:
            result = await connection.execute(
                sa.update(monitoring_sessions)
                .where(
                    monitoring_sessions.c.id == session_id,
                    monitoring_sessions.c.last_seen_at < utc(last_seen_at, "last_seen_at"),
                )
                .values(last_seen_at=last_seen_at, updated_at=self._clock())
            )
        return result.rowcount == 1

    async def sessions(
        self,
        target: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        changed_since: datetime | None = None,
    ) -> list[MonitoringSession]:
        """Sessions that overlap ``[since, until)``, oldest first; with ``changed_since``,
        only those stored or extended at or after it (by the writing store's clock)."""
        conditions = of_target_before(
            monitoring_sessions.c.target, target, monitoring_sessions.c.started_at, until
        )
        if since is not None:
            conditions.append(monitoring_sessions.c.last_seen_at >= utc(since, "since"))
        conditions += changed_at_or_after(monitoring_sessions.c.updated_at, changed_since)
        async with self._read() as connection:
            rows = await connection.execute(
                sa.select(monitoring_sessions)
                .where(*conditions)
                .order_by(monitoring_sessions.c.started_at, monitoring_sessions.c.id)
            )
            # Column by column: read on every live rebuild, see ``_outage``. The location
            # interned: the live rebuild keeps every target's sessions between runs.
            return [
                MonitoringSession(
                    row.id,
                    row.target,
                    row.started_at,
                    row.last_seen_at,
                    sys.intern(row.location),
                )
                for row in rows
            ]
