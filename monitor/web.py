"""The daemon's HTTP server: metrics, health endpoints and, when given, the API.

``/metrics`` renders text from memory on the event loop (see :mod:`monitor.exposition`), so
a scrape never waits for the database. ``/-/healthy`` says the process serves requests;
``/-/ready`` says it is doing its job: the store accepts writes and the scheduler is ticking.
With an :class:`~monitor.api.ApiContext` the same server carries ``/api/v1`` and its token
rules, which then also guard ``/metrics`` (never the health endpoints).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from monitor.api import ApiContext, add_api_routes
from monitor.exposition import CONTENT_TYPE

__all__ = ["MAX_BODY_BYTES", "Readiness", "create_app", "start_server"]

MAX_BODY_BYTES = 64 * 1024
"""Largest request body accepted (413 beyond): a maintenance window is a few hundred bytes."""


@dataclass(frozen=True, slots=True)
class Readiness:
    """One readiness check: a name and a function returning a problem or ``None``."""

    name: str
    problem: Callable[[], str | None]


def create_app(
    metrics: Callable[[], str], readiness: list[Readiness], api: ApiContext | None = None
) -> web.Application:
    """``metrics`` renders the whole exposition text from memory (never the database)."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)

    async def healthy(_: web.Request) -> web.Response:
        return web.Response(text="OK\n")

    async def ready(_: web.Request) -> web.Response:
        problems = [f"{c.name}: {p}" for c in readiness if (p := c.problem()) is not None]
        if problems:
            return web.Response(status=503, text="\n".join(problems) + "\n")
        return web.Response(text="OK\n")

    async def scrape(_: web.Request) -> web.Response:
        # Not compressed: scrapes come over loopback or a LAN, and deflating megabytes of
        # text would cost more CPU than rendering them.
        return web.Response(body=metrics().encode("utf-8"), headers={"Content-Type": CONTENT_TYPE})

    app.router.add_get("/metrics", scrape)
    app.router.add_get("/-/healthy", healthy)
    app.router.add_get("/-/ready", ready)
    if api is not None:
        add_api_routes(app, api)
    return app


async def start_server(
    app: web.Application, host: str, port: int, ssl_context: ssl.SSLContext | None = None
) -> web.AppRunner:
    """Start serving, over TLS when given a context (see
    :func:`monitor.settings.build_ssl_context`); the caller keeps the runner and calls
    ``cleanup()`` at shutdown."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port, reuse_address=True, ssl_context=ssl_context)
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner
