"""A SIP peer on loopback answering OPTIONS over UDP and TCP on the same port number.

``mode`` decides the answer and can be changed at any time: ``ok`` (200), ``unavailable``
(503), ``trying`` (100 Trying, then 200), ``silent`` (nothing) and ``garbage`` (bytes that are
not SIP). Responses copy Via, From, Call-ID and CSeq from the request and add a To tag, as a
real user agent server does, so a client can match them to its transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, cast

__all__ = ["SipMode", "SipResponder", "sip_responder"]


class SipMode(StrEnum):
    OK = "ok"
    UNAVAILABLE = "unavailable"
    TRYING = "trying"
    SILENT = "silent"
    GARBAGE = "garbage"


_COPIED = ("via", "v", "from", "f", "call-id", "i", "cseq")


def _responses(request: bytes, mode: SipMode) -> list[bytes]:
    """The messages to send back for ``request`` in ``mode`` (possibly none)."""
    head = request.split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace").split("\r\n")
    if mode is SipMode.SILENT or not head[0].endswith(" SIP/2.0"):
        return []
    if mode is SipMode.GARBAGE:
        return [b"HTTP/1.1 200 OK\r\n\r\nthis is not SIP"]
    copied: list[str] = []
    to = ""
    for line in head[1:]:
        name, _, value = line.partition(":")
        key = name.strip().lower()
        if key in _COPIED:
            copied.append(line)
        elif key in ("to", "t"):
            to = value.strip()
    tag = secrets.token_hex(4)
    statuses = {
        SipMode.OK: ["200 OK"],
        SipMode.UNAVAILABLE: ["503 Service Unavailable"],
        SipMode.TRYING: ["100 Trying", "200 OK"],
    }[mode]
    messages = []
    for status in statuses:
        lines = [f"SIP/2.0 {status}", *copied, f"To: {to};tag={tag}"]
        if status.startswith("200"):
            lines.append("Allow: INVITE, ACK, CANCEL, OPTIONS, BYE")
        lines += ["Content-Length: 0", "", ""]
        messages.append("\r\n".join(lines).encode())
    return messages


@dataclass
class SipResponder:
    host: str
    port: int = 0
    mode: SipMode = SipMode.OK
    requests: list[str] = field(default_factory=list)
    """Start lines of the requests received, over either transport."""


class _Udp(asyncio.DatagramProtocol):
    def __init__(self, state: SipResponder) -> None:
        self.state = state
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # The selector loop's datagram transport does not subclass DatagramTransport.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        self.state.requests.append(data.split(b"\r\n", 1)[0].decode("utf-8", "replace"))
        assert self.transport is not None
        for message in _responses(data, self.state.mode):
            self.transport.sendto(message, addr)


async def _read_request(reader: asyncio.StreamReader) -> bytes:
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() in (b"content-length", b"l"):
            length = int(value.strip() or b"0")
    return head + await reader.readexactly(length)


@contextlib.asynccontextmanager
async def sip_responder(
    mode: SipMode = SipMode.OK, host: str = "127.0.0.1"
) -> AsyncIterator[SipResponder]:
    state = SipResponder(host, mode=mode)
    loop = asyncio.get_running_loop()
    writers: set[asyncio.StreamWriter] = set()
    handlers: set[asyncio.Task[Any]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.add(writer)
        task = asyncio.current_task()
        if task is not None:
            handlers.add(task)
        try:
            with contextlib.suppress(Exception):
                while True:
                    request = await _read_request(reader)
                    state.requests.append(request.split(b"\r\n", 1)[0].decode("utf-8", "replace"))
                    for message in _responses(request, state.mode):
                        writer.write(message)
                    await writer.drain()
        finally:
            writer.transport.abort()
            writers.discard(writer)

    # UDP first on port 0, then TCP on the same number (retry if that one is taken).
    for _ in range(20):
        udp, _protocol = await loop.create_datagram_endpoint(
            lambda: _Udp(state), local_addr=(host, 0)
        )
        port = int(udp.get_extra_info("sockname")[1])
        try:
            tcp = await asyncio.start_server(handle, host, port)
        except OSError:
            udp.close()
            continue
        break
    else:
        raise RuntimeError("no port free for both UDP and TCP")
    state.port = port
    try:
        yield state
    finally:
        udp.close()
        tcp.close()
        for writer in list(writers):
            writer.transport.abort()
        await asyncio.gather(*handlers, return_exceptions=True)
        await tcp.wait_closed()
