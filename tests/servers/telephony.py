"""A telephony platform's queue status API on loopback: ``GET /queues`` answers a JSON body.

The answer is whatever the test last set, so a probe of one fixed URL sees the desk's queue
open, close or the platform start to answer with something that is not JSON::

    async with queue_status_server() as server:
        server.serve_json({"queues": [{"name": "servicedesk", "open": True}]})
        ...  # probe server.url
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from aiohttp import web

__all__ = ["QueueStatusServer", "queue_status_server", "queues"]


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
    """The API's state: the one route answers the body last set (see queue_status_server)."""

    def __init__(self) -> None:
        self.status = 200
        self.body = b"{}"
        self.content_type = "application/json"
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/queues"

    def serve_json(self, document: object, status: int = 200) -> None:
        self.serve_raw(json.dumps(document).encode(), "application/json", status)

    def serve_raw(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.body, self.content_type, self.status = body, content_type, status

    async def answer(self, request: web.Request) -> web.Response:
        return web.Response(status=self.status, body=self.body, content_type=self.content_type)


@asynccontextmanager
async def queue_status_server() -> AsyncIterator[QueueStatusServer]:
    """A :class:`QueueStatusServer` listening on 127.0.0.1 for the duration of the block."""
    server = QueueStatusServer()
    app = web.Application()
    app.router.add_get("/queues", server.answer)
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
    await runner.setup()
    try:
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        server.port = int(runner.addresses[0][1])
        yield server
    finally:
        await runner.cleanup()
