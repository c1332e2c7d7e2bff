"""Probe tests only: a watchdog, so a server bug shows up as a failure, never as a hang."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest

from probes._http1 import LeanHttp
from probes.base import ProbeContext

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


HTTP_PATHS = ("aiohttp", "lean")
"""The two ways an HTTP probe can make its exchange; every HTTP probe test runs on both."""

_HTTP_MODULES = ("test_http", "test_json", "test_dispatch")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """The HTTP probe tests take ``probe_context`` once per HTTP path."""
    module = metafunc.module.__name__.rpartition(".")[2]
    if module in _HTTP_MODULES and "probe_context" in metafunc.fixturenames:
        metafunc.parametrize("http_path", HTTP_PATHS)


@pytest.fixture
def http_path() -> str:
    """Outside the HTTP modules: aiohttp's client, as the shared fixture always had it."""
    return "aiohttp"


@pytest.fixture
def probe_context(http_session: aiohttp.ClientSession, http_path: str) -> ProbeContext:
    """The shared context, with the lean HTTP exchange when ``http_path`` is ``lean``."""
    return ProbeContext(
        http=http_session,
        clock=lambda: datetime.now(UTC),
        monotonic=time.monotonic,
        lean_http=LeanHttp() if http_path == "lean" else None,
    )
