"""The daemon's HTTP server: metrics and health endpoints.

``/metrics`` renders the private registry on the event loop; everything in it is in memory, so
a scrape never waits for the database. ``/-/healthy`` says the process serves requests;
``/-/ready`` says it is doing its job: the store accepts writes and the scheduler is ticking.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web
from prometheus_client import CollectorRegistry
from prometheus_client.aiohttp import make_aiohttp_handler

__all__ = ["Readiness", "create_app", "start_server"]


@dataclass(frozen=True, slots=True)
class Readiness:
    """One readiness check: a name and a function returning a problem or ``None``."""

    name: str
    problem: Callable[[], str | None]


def create_app(registry: CollectorRegistry, readiness: list[Readiness]) -> web.Application:
    app = web.Application(client_max_size=64 * 1024)

    async def healthy(_: web.Request) -> web.Response:
        return web.Response(text="OK\n")

    async def ready(_: web.Request) -> web.Response:
        problems = [f"{c.name}: {p}" for c in readiness if (p := c.problem()) is not None]
        if problems:
            return web.Response(status=503, text="\n".join(problems) + "\n")
        return web.Response(text="OK\n")

    app.router.add_get("/metrics", make_aiohttp_handler(registry))
    app.router.add_get("/-/healthy", healthy)
    app.router.add_get("/-/ready", ready)
    return app


async def start_server(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Start serving; the caller keeps the runner and calls ``cleanup()`` at shutdown."""
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port, reuse_address=True)
    await site.start()
    return runner
