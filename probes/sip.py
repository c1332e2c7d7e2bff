"""SIP OPTIONS: the phone channel of the service desk answers (3.2.7 and 3.2.8).

Any final response (>= 200) counts as reachable, 4xx and 5xx included: a ``503`` or ``404``
comes from a SIP stack that is up and answering, which is what the contract's "reachable by
phone" can be measured by without placing a call. Provisional responses (1xx) are noted and
waited past. Over UDP the request is sent once: RFC 3261 timer A retransmission is left out on
purpose, because a probe does not retry; a lost datagram ends as ``timeout`` and the outage
rule's ``failures_before_down`` absorbs it. An ICMP port-unreachable is ``connection_refused``.

The alternative for a hosted telephony platform without SIP access is an ``http`` probe
against the provider's status API (``expect_status`` and ``body_contains``/``body_regex``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import secrets

from probes._util import LINE_LIMIT, Attempt, ProbeError, close_stream, one_line, read_line
from probes.base import Detail, ProbeContext, ProbeResult
from probes.config import SipProbeConfig

__all__ = ["probe_sip"]

_STATUS_LINE = re.compile(rb"^SIP/2\.0 ([1-6]\d\d)(?: (.*))?$")
_MAX_HEADERS = 100
_MAX_BODY = 64 * 1024
_MAX_MESSAGES = 50
_DATAGRAM = 65535


async def probe_sip(config: SipProbeConfig, context: ProbeContext) -> ProbeResult:
    """Send OPTIONS and wait for the first final response of this transaction."""
    attempt = Attempt(context)
    details: dict[str, Detail] = {"transport": config.transport, "provisional": 0}
    try:
        if config.transport == "udp":
            code, reason = await _over_udp(config, details)
        else:
            code, reason = await _over_tcp(config, details)
    except Exception as error:
        return attempt.fail_from(error, details=details)
    details["status_code"] = code
    details["reason"] = one_line(reason, 80)
    return attempt.ok(details=details)


class _Transaction:
    """The identifiers that make a response ours: Call-ID, and CSeq of our OPTIONS."""

    def __init__(self, config: SipProbeConfig) -> None:
        self.config = config
        self.call_id = f"{secrets.token_hex(12)}@sla-monitor"
        self.branch = f"z9hG4bK{secrets.token_hex(10)}"
        self.tag = secrets.token_hex(6)

    def request(self, transport: str, local: tuple[str, int]) -> bytes:
        host = _uri_host(self.config.host)
        uri = self.config.uri or f"sip:{host}:{self.config.port}"
        via_host = _uri_host(local[0])
        lines = [
            f"OPTIONS {uri} SIP/2.0",
            f"Via: SIP/2.0/{transport} {via_host}:{local[1]};branch={self.branch};rport",
            "Max-Forwards: 70",
            f"From: <sip:sla-monitor@{via_host}>;tag={self.tag}",
            f"To: <{uri}>",
            f"Call-ID: {self.call_id}",
            "CSeq: 1 OPTIONS",
            f"Contact: <sip:sla-monitor@{via_host}:{local[1]}>",
            "Accept: application/sdp",
            "User-Agent: sla-monitor",
            "Content-Length: 0",
            "",
            "",
        ]
        return "\r\n".join(lines).encode("utf-8")

    def match(self, head: list[bytes]) -> tuple[int, str] | None:
        """``(code, reason)`` if ``head`` is a response to this request, else ``None``."""
        status = _STATUS_LINE.match(head[0])
        if status is None:
            if head[0].endswith(b" SIP/2.0"):
                return None  # a request from the peer, not an answer
            raise ProbeError("protocol", f"not a SIP message: {head[0][:80]!r}")
        headers = _headers(head[1:])
        if headers.get("call-id") != self.call_id:
            return None
        if headers.get("cseq", "").split()[-1:] != ["OPTIONS"]:
            return None
        return int(status.group(1)), (status.group(2) or b"").decode("utf-8", "replace")


class _Datagrams(asyncio.DatagramProtocol):
    def __init__(self) -> None:
        self.queue: asyncio.Queue[bytes | Exception] = asyncio.Queue(maxsize=_MAX_MESSAGES)

    def datagram_received(self, data: bytes, addr: tuple[str | object, ...]) -> None:
        if not self.queue.full():
            self.queue.put_nowait(data)

    def error_received(self, exc: Exception) -> None:
        if not self.queue.full():
            self.queue.put_nowait(exc)


async def _over_udp(config: SipProbeConfig, details: dict[str, Detail]) -> tuple[int, str]:
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_datagram_endpoint(
        _Datagrams, remote_addr=(config.host, config.port)
    )
    try:
        transaction = _Transaction(config)
        local = transport.get_extra_info("sockname")
        transport.sendto(transaction.request("UDP", (str(local[0]), int(local[1]))))
        for _ in range(_MAX_MESSAGES):
            item = await protocol.queue.get()
            if isinstance(item, Exception):
                raise item
            head = item.split(b"\r\n\r\n", 1)[0].split(b"\r\n")
            answer = transaction.match(head)
            if answer is None:
                continue
            if answer[0] >= 200:
                return answer
            details["provisional"] = int(details["provisional"] or 0) + 1
        raise ProbeError("protocol", f"no final response among {_MAX_MESSAGES} datagrams")
    finally:
        transport.close()


async def _over_tcp(config: SipProbeConfig, details: dict[str, Detail]) -> tuple[int, str]:
    reader, writer = await asyncio.open_connection(config.host, config.port, limit=LINE_LIMIT)
    try:
        transaction = _Transaction(config)
        local = writer.get_extra_info("sockname")
        writer.write(transaction.request("TCP", (str(local[0]), int(local[1]))))
        for _ in range(_MAX_MESSAGES):
            head = await _read_message_head(reader)
            answer = transaction.match(head)
            if answer is not None and answer[0] >= 200:
                return answer
            if answer is not None:
                details["provisional"] = int(details["provisional"] or 0) + 1
        raise ProbeError("protocol", f"no final response among {_MAX_MESSAGES} messages")
    finally:
        await close_stream(writer)


async def _read_message_head(reader: asyncio.StreamReader) -> list[bytes]:
    """Start line and headers of the next message on a stream; its body is skipped."""
    line = await read_line(reader)
    while not line:  # RFC 3261 7.5: ignore CRLFs before a message (keep-alives)
        line = await read_line(reader)
    head = [line]
    while len(head) <= _MAX_HEADERS:
        line = await read_line(reader)
        if not line:
            break
        head.append(line)
    else:
        raise ProbeError("protocol", f"more than {_MAX_HEADERS} header lines")
    length_text = _headers(head[1:]).get("content-length", "0")
    if not length_text.isdigit() or int(length_text) > _MAX_BODY:
        raise ProbeError("protocol", f"unusable Content-Length {length_text[:20]!r}")
    await reader.readexactly(int(length_text))
    return head


_COMPACT = {"i": "call-id", "l": "content-length"}


def _headers(lines: list[bytes]) -> dict[str, str]:
    """First value of each header, names lower-cased and compact forms expanded."""
    headers: dict[str, str] = {}
    for raw in lines:
        name, colon, value = raw.decode("utf-8", "replace").partition(":")
        if not colon:
            continue
        key = name.strip().lower()
        headers.setdefault(_COMPACT.get(key, key), value.strip())
    return headers


def _uri_host(host: str) -> str:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    return f"[{address}]" if address.version == 6 else str(address)
