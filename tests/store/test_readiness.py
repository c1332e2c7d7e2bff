"""``/-/ready`` of a real daemon process while its PostgreSQL is cut off and restored.

Readiness is about the job: probe results only buffered in memory are not kept, so a store
that refuses every write for longer than the grace makes the daemon not ready, while
``/-/healthy`` (about the process) stays green.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
import pytest

from tests.polling import eventually
from tests.servers.daemon import Harness
from tests.servers.http import SwitchableHttpServer

if TYPE_CHECKING:
    from tests.store.conftest import _PostgresSwitch

pytestmark = pytest.mark.slow


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    async with SwitchableHttpServer() as server:
        h = Harness(tmp_path, server)
        try:
            yield h
        finally:
            await h.close()


async def poll(port: int | None, path: str, status: int, within: float) -> str:
    """The body of the first answer to ``path`` with ``status``; the timeout fails the test."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:

        async def answered() -> str | None:
            async with session.get(f"http://127.0.0.1:{port}{path}") as response:
                return await response.text() if response.status == status else None

        return await eventually(answered, f"{path} to answer {status}", within=within, every=0.2)


async def test_ready_fails_while_postgresql_refuses_writes_beyond_the_grace_and_says_why(
    harness: Harness, cuttable_postgres: _PostgresSwitch
) -> None:
    """Cut: /-/ready turns 503 naming the refused writes, /-/healthy stays 200. Restored:
    /-/ready is 200 again once the buffered writes are in."""
    harness.database = cuttable_postgres.url
    daemon = await harness.start({"SLA_MONITOR_READY_STORE_FAILURE_GRACE": "1s"})
    assert await poll(daemon.port, "/-/ready", 200, within=15) == "OK\n"

    await cuttable_postgres.cut()
    reason = await poll(daemon.port, "/-/ready", 503, within=30)
    assert reason.startswith("store: the database has refused writes for ")
    assert await poll(daemon.port, "/-/healthy", 200, within=5) == "OK\n"

    await cuttable_postgres.restore()
    assert await poll(daemon.port, "/-/ready", 200, within=60) == "OK\n"
    assert await daemon.stop() == 0
