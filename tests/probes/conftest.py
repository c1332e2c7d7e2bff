"""Probe tests only: a watchdog, so a server bug shows up as a failure, never as a hang."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

WATCHDOG_SECONDS = 30.0


@pytest.fixture(autouse=True)
async def _watchdog() -> AsyncIterator[None]:
    """Cancel whatever still runs in the test's loop after 30 s; the suite takes seconds."""
    loop = asyncio.get_running_loop()

    def expire() -> None:
        for task in asyncio.all_tasks(loop):
            task.cancel(f"probe test still running after {WATCHDOG_SECONDS:g} s")

    handle = loop.call_later(WATCHDOG_SECONDS, expire)
    yield
    handle.cancel()
