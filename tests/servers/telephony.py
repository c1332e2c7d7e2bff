"""A telephony platform's queue status API on loopback: ``GET /queues`` answers a JSON body.

The answer is whatever the test last set, so a probe of one fixed URL sees the desk's queue
open, close or the platform start to answer with something that is not JSON::

    async with QueueStatusServer() as server:
        server.serve_json({"queues": [{"name": "servicedesk", "open": True}]})
        ...  # probe server.url
"""

from __future__ import annotations

import json
from types import TracebackType
from typing import Self

from aiohttp import web

__all__ = ["QueueStatusServer", "queues"]


def queues(*entries: tuple[str, bool, int]) -> dict[str, object]:
    """A status document with one entry per ``(name, open, agents_available)``."""
    return {
        "platform": "loopback-pbx",
        "queues": [
            {"name": name, "open": is_open, "agents_available": agents, "calls_waiting": 0}
            for name, is_open, agents in entries
        ],
    }


class QueueStatusServer:
    """An aiohttp server on 127.0.0.1 (port 0) whose one route answers the body last set."""

    def __init__(self) -> None:
        self.status = 200
        self.body = b"{}"
        self.content_type = "application/json"
        self.requests_served = 0
        self._runner: web.AppRunner | None = None
        self._port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}/queues"

    def serve_json(self, document: object, status: int = 200) -> None:
        self.serve_raw(json.dumps(document).encode(), "application/json", status)

    def serve_raw(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.body, self.content_type, self.status = body, content_type, status

    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_get("/queues", self._queues)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        address = self._runner.addresses[0]
        self._port = int(address[1])
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _queues(self, request: web.Request) -> web.Response:
        self.requests_served += 1
        return web.Response(status=self.status, body=self.body, content_type=self.content_type)
