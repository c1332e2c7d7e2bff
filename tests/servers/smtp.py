"""aiosmtpd on loopback, in the test's own event loop: plain, with STARTTLS, or implicit TLS.

Running the ``SMTP`` protocol directly on ``loop.create_server`` (instead of aiosmtpd's
threaded ``Controller``) keeps one loop per test and lets port 0 pick a free port. Accepted
messages are kept in ``SmtpServer.messages`` for tests that send mail.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.smtp import SMTP, Envelope, Session

__all__ = ["RecordingHandler", "SmtpServer", "smtp_server"]


class RecordingHandler:
    """Accepts every message and keeps it."""

    def __init__(self) -> None:
        self.messages: list[Envelope] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


@dataclass
class SmtpServer:
    host: str
    port: int
    handler: RecordingHandler
    protocols: list[SMTP] = field(default_factory=list)

    @property
    def messages(self) -> list[Envelope]:
        return self.handler.messages


@contextlib.asynccontextmanager
async def smtp_server(
    *,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
    host: str = "127.0.0.1",
) -> AsyncIterator[SmtpServer]:
    """``starttls`` offers STARTTLS with that context; ``implicit_tls`` wraps the listener."""
    handler = RecordingHandler()
    state = SmtpServer(host, 0, handler)

    def factory() -> SMTP:
        protocol = SMTP(handler, hostname="smtp.test", tls_context=starttls, timeout=30)
        state.protocols.append(protocol)
        return protocol

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, host, 0, ssl=implicit_tls)
    state.port = int(server.sockets[0].getsockname()[1])
    try:
        yield state
    finally:
        server.close()
        tasks: list[asyncio.Task[Any]] = []
        for protocol in state.protocols:
            if protocol.transport is not None:
                protocol.transport.close()
            # aiosmtpd has no public handle on the task serving a connection.
            if protocol._handler_coroutine is not None:
                tasks.append(protocol._handler_coroutine)
        await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()
