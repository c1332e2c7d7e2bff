"""An HTTP server whose behaviour a test switches at runtime: up, down, slow, 500, hostile.

One listening port for every mode, so a daemon probing a fixed URL sees the server change
under it. aiohttp serves the HTTP modes (``AppRunner`` with a site on 127.0.0.1, port 0 by
default); ``garbage`` hands new connections to a raw protocol that writes bytes which are
not HTTP; ``down`` closes the listening socket (connection refused; connections already open
run to their end) and a later mode binds the same port again.

In-process use::

    async with SwitchableHttpServer() as server:
        await server.set_mode(Mode.DOWN)
        ...  # probe server.url

As a subprocess (end-to-end tests)::

    python -m tests.servers.http --port 0 --control-file /tmp/mode

prints ``listening on http://127.0.0.1:PORT`` on stdout once it accepts connections, then
polls the control file every 0.1 s; writing a mode word (``up``, ``down``, ``slow`` …) into
it switches the mode. SIGTERM or SIGINT stops it cleanly.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import ssl
import sys
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import Self

from aiohttp import web

__all__ = ["GARBAGE", "Mode", "SwitchableHttpServer", "main"]

GARBAGE = b"\x16\x03\x01 this is not HTTP \x00\xff\xfe\r\n\r\n" + bytes(range(256)) * 4
_CHUNK = b"x" * 65536
HUGE_LENGTH = 10 * 1024**3


class Mode(StrEnum):
    UP = "up"
    """200 with body ``OK``."""
    DOWN = "down"
    """Nothing listens: connection refused."""
    SLOW = "slow"
    """200 ``OK`` after ``slow_seconds``."""
    ERROR500 = "error500"
    """500 with body ``Internal Server Error``."""
    ENDLESS = "endless"
    """200 with a chunked body that never ends."""
    HUGE = "huge"
    """200 declaring a 10 GiB Content-Length and streaming towards it."""
    GARBAGE = "garbage"
    """Raw bytes that are not an HTTP response, then close."""
    REDIRECT = "redirect"
    """302 to ``/final``, which answers 200 ``OK``."""
    REDIRECT_LOOP = "redirect_loop"
    """302 to the requested path itself, forever."""


class _GarbageProtocol(asyncio.Protocol):
    def __init__(self, server: SwitchableHttpServer) -> None:
        self._server = server
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._server.garbage_transports.add(transport)
        transport.write(GARBAGE)
        transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._transport is not None:
            self._server.garbage_transports.discard(self._transport)


class _SwitchingSite(web.BaseSite):
    """A site whose protocol factory asks the server's mode which protocol to build."""

    __slots__ = ("_host", "_owner", "_port", "bound_port")

    def __init__(
        self,
        runner: web.BaseRunner,
        owner: SwitchableHttpServer,
        host: str,
        port: int,
        ssl_context: ssl.SSLContext | None,
    ) -> None:
        super().__init__(runner, ssl_context=ssl_context)
        self._owner = owner
        self._host = host
        self._port = port
        self.bound_port = port

    @property
    def name(self) -> str:
        return self._owner.url

    async def start(self) -> None:
        await super().start()
        http_factory = self._runner.server
        assert http_factory is not None
        owner = self._owner

        def factory() -> asyncio.BaseProtocol:
            owner.connections_accepted += 1
            if owner.mode is Mode.GARBAGE:
                return _GarbageProtocol(owner)
            return http_factory()

        loop = asyncio.get_running_loop()
        listener = await loop.create_server(
            factory, self._host, self._port, ssl=self._ssl_context, reuse_address=True
        )
        self._server = listener  # what BaseSite.stop() closes
        self.bound_port = int(listener.sockets[0].getsockname()[1])


class SwitchableHttpServer:
    """An aiohttp server on loopback with a mode switchable at runtime (see :class:`Mode`)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        ssl_context: ssl.SSLContext | None = None,
        mode: Mode = Mode.UP,
        slow_seconds: float = 30.0,
    ) -> None:
        self.host = host
        self.port = port
        self.ssl_context = ssl_context
        self.slow_seconds = slow_seconds
        self.connections_accepted = 0
        self.requests_served = 0
        self.garbage_transports: set[asyncio.Transport] = set()
        self._mode = mode
        self._stopping = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._site: _SwitchingSite | None = None

    @property
    def mode(self) -> Mode:
        return self._mode

    @property
    def url(self) -> str:
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://{self.host}:{self.port}/"

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/final", self._final)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        if self._mode is not Mode.DOWN:
            await self._listen()

    async def stop(self) -> None:
        self._stopping.set()
        for transport in list(self.garbage_transports):
            transport.abort()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        self._site = None

    async def set_mode(self, mode: Mode | str) -> None:
        """Switch; ``down`` closes the listener, leaving it binds the same port again."""
        mode = Mode(mode)
        if mode is Mode.DOWN and self._site is not None:
            await self._site.stop()
            self._site = None
        self._mode = mode
        if mode is not Mode.DOWN and self._site is None and self._runner is not None:
            await self._listen()

    async def _listen(self) -> None:
        assert self._runner is not None
        site = _SwitchingSite(self._runner, self, self.host, self.port, self.ssl_context)
        await site.start()
        self.port = site.bound_port
        self._site = site

    async def _final(self, request: web.Request) -> web.StreamResponse:
        self.requests_served += 1
        return web.Response(text="OK")

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests_served += 1
        match self._mode:
            case Mode.SLOW:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopping.wait(), self.slow_seconds)
                return web.Response(text="OK")
            case Mode.ERROR500:
                return web.Response(status=500, text="Internal Server Error")
            case Mode.ENDLESS:
                return await self._stream(request, None)
            case Mode.HUGE:
                return await self._stream(request, HUGE_LENGTH)
            case Mode.REDIRECT:
                raise web.HTTPFound("/final")
            case Mode.REDIRECT_LOOP:
                raise web.HTTPFound(request.path)
            case _:
                return web.Response(text="OK")

    async def _stream(self, request: web.Request, length: int | None) -> web.StreamResponse:
        response = web.StreamResponse()
        response.content_type = "text/plain"
        if length is not None:
            response.content_length = length
        await response.prepare(request)
        sent = 0
        try:
            while not self._stopping.is_set() and (length is None or sent < length):
                await response.write(_CHUNK)
                sent += len(_CHUNK)
        except (ConnectionError, RuntimeError):
            return response  # the client hung up, which is what a capped probe does
        return response


async def _serve(args: argparse.Namespace) -> None:
    ssl_context = None
    if args.tls_cert:
        ssl_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ssl_context.load_cert_chain(args.tls_cert, args.tls_key)
    control = Path(args.control_file) if args.control_file else None
    initial = Mode.UP
    if control is not None and control.exists():
        with contextlib.suppress(ValueError):
            initial = Mode(control.read_text().strip() or "up")
    server = SwitchableHttpServer(args.host, args.port, ssl_context=ssl_context, mode=initial)
    server.slow_seconds = args.slow_seconds
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    async with server:
        if server.mode is Mode.DOWN:
            # Down from the start: bind once to learn a port, then close it again.
            await server.set_mode(Mode.UP)
            await server.set_mode(Mode.DOWN)
        print(f"listening on {server.url}", flush=True)
        last_word = str(server.mode)
        while not stop.is_set():
            if control is not None:
                with contextlib.suppress(OSError):
                    word = control.read_text().strip()
                    if word and word != last_word:
                        last_word = word
                        try:
                            await server.set_mode(word)
                        except ValueError:
                            print(f"unknown mode {word!r}", file=sys.stderr, flush=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.servers.http", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--control-file", help="file holding the mode word, polled every 0.1 s")
    parser.add_argument("--slow-seconds", type=float, default=30.0)
    parser.add_argument("--tls-cert", help="PEM certificate chain; serves HTTPS when given")
    parser.add_argument("--tls-key", help="PEM private key for --tls-cert")
    asyncio.run(_serve(parser.parse_args(argv)))


if __name__ == "__main__":
    main()
