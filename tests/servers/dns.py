"""A DNS server on loopback UDP that answers A/AAAA queries from a dictionary.

``records`` maps ``(name, type)`` to addresses, e.g. ``("desk.test.", "A"): ["192.0.2.10"]``;
an unknown name gets NXDOMAIN, a known name without that type an empty NOERROR answer.
``silent = True`` drops every query (a dead server); ``garbage = True`` answers with bytes
that carry the query id but are no DNS message. dnspython builds the real answers.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, cast

import dns.message
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

__all__ = ["DnsResponder", "dns_responder"]


@dataclass
class DnsResponder:
    host: str
    port: int = 0
    records: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    silent: bool = False
    garbage: bool = False
    """Answer every query with bytes that are not a DNS message."""
    queries: list[str] = field(default_factory=list)

    def answer(self, wire: bytes) -> bytes | None:
        try:
            query = dns.message.from_wire(wire)
        except Exception:
            return None
        response = dns.message.make_response(query)
        for question in query.question:
            name = question.name.to_text().lower()
            kind = dns.rdatatype.to_text(question.rdtype)
            self.queries.append(f"{name} {kind}")
            addresses = self.records.get((name, kind))
            if addresses:
                response.answer.append(
                    dns.rrset.from_text_list(name, 60, dns.rdataclass.IN, kind, addresses)
                )
            elif not any(known == name for known, _ in self.records):
                response.set_rcode(dns.rcode.NXDOMAIN)
        return response.to_wire()


class _Protocol(asyncio.DatagramProtocol):
    def __init__(self, state: DnsResponder) -> None:
        self.state = state
        self.transport: asyncio.DatagramTransport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # The selector loop's datagram transport does not subclass DatagramTransport.
        self.transport = cast(asyncio.DatagramTransport, transport)

    def datagram_received(self, data: bytes, addr: tuple[str | Any, int]) -> None:
        if self.state.silent or self.transport is None:
            return
        if self.state.garbage:
            self.transport.sendto(data[:2] + b"\xff" * 40, addr)  # right id, broken rest
            return
        reply = self.state.answer(data)
        if reply is not None:
            self.transport.sendto(reply, addr)


@contextlib.asynccontextmanager
async def dns_responder(
    records: dict[tuple[str, str], list[str]] | None = None, host: str = "127.0.0.1"
) -> AsyncIterator[DnsResponder]:
    state = DnsResponder(host, records=dict(records or {}))
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(
        lambda: _Protocol(state), local_addr=(host, 0)
    )
    state.port = int(transport.get_extra_info("sockname")[1])
    try:
        yield state
    finally:
        transport.close()
