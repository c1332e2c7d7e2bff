"""What the processes of several probe locations share through the store, besides evidence:
the digest of the rules each runs with, and the last month whose report was exported.

Both are rows of ``store_meta``: small, rare writes, read at start and by the leader.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import sqlalchemy as sa

from monitor.store.repository import Repository
from monitor.store.schema import store_meta

__all__ = ["Cluster"]

_RULES = "rules:"
_LEADER = "leader"


class Cluster(Repository):
    """Rules digests per location and the leader's name."""

    async def _put_meta(self, name: str, value: str) -> None:
        """Set the ``store_meta`` row ``name``."""
        insert = self._insert(store_meta)
        statement = insert.on_conflict_do_update(
            index_elements=[store_meta.c.name],
            set_={"value": insert.excluded.value, "created_at": insert.excluded.created_at},
        )
        async with self._write() as connection:
            await connection.execute(
                statement, {"name": name, "value": value, "created_at": self._clock()}
            )

    async def _meta(self, name: str) -> str | None:
        async with self._read() as connection:
            value: str | None = await connection.scalar(
                sa.select(store_meta.c.value).where(store_meta.c.name == name)
            )
        return value

    async def record_rules(self, location: str, digest: Mapping[str, str]) -> None:
        """Store ``location``'s rules digest, replacing the one it ran with before."""
        await self._put_meta(f"{_RULES}{location}", json.dumps(dict(digest), sort_keys=True))

    async def rules_by_location(self) -> dict[str, dict[str, str]]:
        """The rules digest each location last started with."""
        async with self._read() as connection:
            rows = await connection.execute(
                sa.select(store_meta.c.name, store_meta.c.value).where(
                    store_meta.c.name.like(f"{_RULES}%")
                )
            )
            return {name.removeprefix(_RULES): dict(json.loads(value)) for name, value in rows}

    async def record_leader(self, location: str) -> None:
        """Note that ``location`` leads now, for the status API of every instance."""
        await self._put_meta(_LEADER, location)

    async def leader(self) -> str | None:
        """The location that became leader last."""
        return await self._meta(_LEADER)
