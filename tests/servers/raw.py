"""A TCP server that plays a fixed script, for peers that are broken or hostile.

It writes ``send`` to every new connection, then either closes (``hold=False``) or keeps the
connection open without another word until the client hangs up (``hold=True``), which is how
a stuck server looks. Used for garbage banners, non-TLS bytes where a handshake is expected
and silent listeners.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

__all__ = ["RawEndpoint", "scripted_server", "unused_port"]


@dataclass
class RawEndpoint:
    host: str
    port: int
    connections: int = 0
    """Connections accepted so far: a test waits for its client to be connected."""


@contextlib.asynccontextmanager
async def scripted_server(
    send: bytes, *, hold: bool = False, host: str = "127.0.0.1"
) -> AsyncIterator[RawEndpoint]:
    writers: set[asyncio.StreamWriter] = set()
    handlers: set[asyncio.Task[Any]] = set()

    endpoint = RawEndpoint(host, 0)

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        endpoint.connections += 1
        writers.add(writer)
        task = asyncio.current_task()
        if task is not None:
            handlers.add(task)
        try:
            with contextlib.suppress(ConnectionError):
                writer.write(send)
                await writer.drain()
                if hold:
                    while await reader.read(65536):
                        continue  # hold the connection open, discarding what comes in
        finally:
            writer.transport.abort()
            writers.discard(writer)

    server = await asyncio.start_server(handle, host, 0)
    try:
        endpoint.port = int(server.sockets[0].getsockname()[1])
        yield endpoint
    finally:
        server.close()
        for writer in list(writers):
            writer.transport.abort()
        await asyncio.gather(*handlers, return_exceptions=True)
        await server.wait_closed()


def unused_port(kind: socket.SocketKind = socket.SOCK_STREAM, host: str = "127.0.0.1") -> int:
    """A port nothing listens on (bound and released), for connection-refused cases."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, kind) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])
