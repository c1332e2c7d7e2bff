"""A small TCP proxy on its own loopback address, standing for one location's network path.

Each probe location reaches the target through its own proxy on ``127.0.0.x``; breaking the
proxy is that location's own network failing (the target itself stays up), which is what a
location-only failure is. Loopback only: 127.0.0.0/8 is the host itself.
"""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType
from typing import Self

__all__ = ["TcpProxy"]


class TcpProxy:
    """Forwards ``host:port`` to ``target``; while ``broken`` every connection is cut."""

    def __init__(self, host: str, target: tuple[str, int]) -> None:
        self.host = host
        self.port = 0
        self._target = target
        self._server: asyncio.Server | None = None
        self._open: set[asyncio.StreamWriter] = set()
        self.broken = False

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._serve, self.host, 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._server is not None:
            self._server.close()
        self._cut()
        if self._server is not None:
            await self._server.wait_closed()

    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def breaks(self) -> None:
        """The path fails: open connections are cut, new ones closed on arrival."""
        self.broken = True
        self._cut()

    def heals(self) -> None:
        self.broken = False

    def _cut(self) -> None:
        for writer in list(self._open):
            writer.transport.abort()
        self._open.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.broken:
            writer.transport.abort()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.transport.abort()
            return
        self._open.update((writer, upstream_writer))
        try:
            await asyncio.gather(_pipe(reader, upstream_writer), _pipe(upstream_reader, writer))
        finally:
            for end in (writer, upstream_writer):
                self._open.discard(end)
                end.transport.abort()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while chunk := await source.read(65536):
            sink.write(chunk)
            await sink.drain()
    with contextlib.suppress(OSError, RuntimeError):
        sink.write_eof()
