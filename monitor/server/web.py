"""The daemon's HTTP server: metrics, health endpoints and, when given, the API.

``/metrics`` renders text from memory on the event loop (see :mod:`monitor.live.exposition`), so
a scrape never waits for the database. ``/-/healthy`` says the process serves requests;
``/-/ready`` says it is doing its job: the store accepts writes and the scheduler is ticking.
With an :class:`~monitor.server.api.ApiContext` the same server carries ``/api/v1`` and its token
rules, which then also guard ``/metrics`` (never the health endpoints).
"""

from __future__ import annotations

import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import structlog
from aiohttp import web
from aiohttp.http_exceptions import BadHttpMethod, HttpProcessingError, LineTooLong
from aiohttp.web_protocol import RequestHandler
from prometheus_client.exposition import gzip_accepted

from monitor.logging import redact
from monitor.promtext import CONTENT_TYPE, Chunk, gzip_chunks
from monitor.server.api import ApiContext, add_api_routes
from monitor.server.api.errors import error_response

__all__ = ["MAX_BODY_BYTES", "Readiness", "create_app", "start_server"]

MAX_BODY_BYTES = 64 * 1024
"""Largest request body accepted (413 beyond): a maintenance window is a few hundred bytes."""


@dataclass(frozen=True, slots=True)
class Readiness:
    """One readiness check: a name and a function returning a problem or ``None``."""

    name: str
    problem: Callable[[], str | None]


def create_app(
    metrics: Callable[[], str | Sequence[Chunk]],
    readiness: list[Readiness],
    api: ApiContext | None = None,
) -> web.Application:
    """``metrics`` renders the whole exposition from memory (never the database): as text,
    or as chunks whose encoded and compressed forms are kept between scrapes."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)

    async def healthy(_: web.Request) -> web.Response:
        return web.Response(text="OK\n")

    async def ready(_: web.Request) -> web.Response:
        problems = [f"{c.name}: {p}" for c in readiness if (p := c.problem()) is not None]
        if problems:
            return web.Response(status=503, text="\n".join(problems) + "\n")
        return web.Response(text="OK\n")

    async def scrape(request: web.Request) -> web.Response:
        # Gzip when the scraper accepts it, as Prometheus does: the SLA families arrive
        # deflated already, so only the probe families are compressed per scrape.
        page = metrics()
        chunks = (Chunk.of(page),) if isinstance(page, str) else page
        headers = {"Content-Type": CONTENT_TYPE}
        if gzip_accepted(request.headers.get("Accept-Encoding", "")):
            headers["Content-Encoding"] = "gzip"
            body = gzip_chunks(chunks)
        else:
            body = b"".join(c.plain() for c in chunks)
        return web.Response(body=body, headers=headers)

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
    runner = _Runner(app, access_log=None, handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port, reuse_address=True, ssl_context=ssl_context)
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner


class _JsonErrorHandler(RequestHandler):
    """aiohttp's connection handler, with its own refusals in the API's JSON error shape.

    Requests aiohttp refuses before any handler runs (a request line or header over its
    limit, bytes that are not HTTP) were answered in plain text and logged as a traceback
    that quotes the start of the line, where ``access_token=`` or ``Bearer`` may sit. Here
    they leave as one structured event with those parts masked; a client that goes away
    mid-request is an everyday event, logged at debug without a traceback.
    """

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        log = structlog.get_logger("monitor.server.web")
        if isinstance(exc, ConnectionError) or self.transport is None:
            log.debug("http_client_gone", remote=request.remote, error=type(exc).__name__)
        elif isinstance(exc, HttpProcessingError):
            log_at = log.debug if isinstance(exc, BadHttpMethod) else log.warning
            log_at(
                "http_request_refused",
                remote=request.remote,
                status=status,
                error=type(exc).__name__,
                detail=redact(str(exc.message))[:300],
            )
        else:
            log.error(
                "http_request_failed",
                remote=request.remote,
                status=status,
                error=type(exc).__name__ if exc is not None else None,
                detail=redact(str(exc))[:300] if exc is not None else None,
            )
        if request.writer.output_size > 0:
            # Part of a response is out already: the connection can only be dropped.
            raise ConnectionError("response already started; cannot send an error")
        response = error_response(status, *_describe_refusal(status, exc))
        response.force_close()
        return response


def _describe_refusal(status: int, exc: BaseException | None) -> tuple[str, str]:
    """The code and sentence for a refusal; never the client's bytes, which may hold a token."""
    if isinstance(exc, LineTooLong):
        return "bad_request", "the request line or a header is longer than the server accepts"
    if isinstance(exc, HttpProcessingError):
        return "bad_request", "the request is not valid HTTP/1.1"
    if status == 504:
        return "timeout", "the request took too long to handle"
    return "internal_error", "the daemon failed to handle this request; see its log"


class _Server(web.Server):
    def __call__(self) -> RequestHandler:
        return _JsonErrorHandler(self, loop=self._loop, **self._kwargs)


class _Runner(web.AppRunner):
    """An ``AppRunner`` whose connections use :class:`_JsonErrorHandler`."""

    async def _make_server(self) -> web.Server:
        made = await super()._make_server()
        kwargs: dict[str, Any] = made._kwargs  # the handler options aiohttp assembled
        return _Server(
            made.request_handler,
            request_factory=made.request_factory,
            handler_cancellation=made.handler_cancellation,
            **kwargs,
        )
