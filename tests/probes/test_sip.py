"""The SIP probe against an asyncio SIP responder on loopback, over UDP and TCP."""

from __future__ import annotations

import asyncio
import socket

import pytest

from probes.base import ProbeContext
from probes.config import SipProbeConfig
from probes.sip import probe_sip
from tests.servers.raw import scripted_server, unused_port
from tests.servers.sip import SipMode, SipResponder

TRANSPORTS = pytest.mark.parametrize("transport", ["udp", "tcp"])


def sip(port: int, transport: str, **settings: object) -> SipProbeConfig:
    return SipProbeConfig.model_validate(
        {"host": "127.0.0.1", "port": port, "transport": transport, "timeout": "5s", **settings}
    )


@TRANSPORTS
async def test_sip_probe_succeeds_when_peer_answers_200(
    transport: str, sip_peer: SipResponder, probe_context: ProbeContext
) -> None:
    """An OPTIONS answered 200 OK is reachable; the peer saw exactly one request."""
    result = await probe_sip(sip(sip_peer.port, transport), probe_context)

    assert result.ok, result.cause
    assert result.details["status_code"] == 200
    assert result.details["transport"] == transport
    assert len(sip_peer.requests) == 1
    assert sip_peer.requests[0].startswith("OPTIONS sip:127.0.0.1:")


@TRANSPORTS
async def test_sip_probe_counts_a_503_as_reachable(
    transport: str, sip_peer: SipResponder, probe_context: ProbeContext
) -> None:
    """A final error response still proves a SIP stack is there and answering."""
    sip_peer.mode = SipMode.UNAVAILABLE

    result = await probe_sip(sip(sip_peer.port, transport), probe_context)

    assert result.ok, result.cause
    assert result.details["status_code"] == 503


@TRANSPORTS
async def test_sip_probe_waits_past_provisional_responses(
    transport: str, sip_peer: SipResponder, probe_context: ProbeContext
) -> None:
    """100 Trying is not an answer; the final 200 that follows is."""
    sip_peer.mode = SipMode.TRYING

    result = await probe_sip(sip(sip_peer.port, transport), probe_context)

    assert result.ok, result.cause
    assert result.details["provisional"] == 1
    assert result.details["status_code"] == 200


@TRANSPORTS
async def test_sip_probe_is_cut_off_by_the_runner_timeout_when_peer_is_silent(
    transport: str, sip_peer: SipResponder, probe_context: ProbeContext
) -> None:
    """No answer at all is a timeout, ended by the runner's asyncio.timeout."""
    sip_peer.mode = SipMode.SILENT

    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.3):
            await probe_sip(sip(sip_peer.port, transport), probe_context)

    assert len(sip_peer.requests) == 1  # sent once: a probe does not retransmit


@TRANSPORTS
async def test_sip_probe_fails_with_protocol_when_peer_answers_garbage(
    transport: str, sip_peer: SipResponder, probe_context: ProbeContext
) -> None:
    """An answer that is not SIP is classified instead of waited past."""
    sip_peer.mode = SipMode.GARBAGE

    async with asyncio.timeout(5):
        result = await probe_sip(sip(sip_peer.port, transport), probe_context)

    assert result.error_class == "protocol", result.cause


@pytest.mark.parametrize(
    ("transport", "kind"), [("udp", socket.SOCK_DGRAM), ("tcp", socket.SOCK_STREAM)]
)
async def test_sip_probe_fails_with_connection_refused_when_nothing_listens(
    transport: str, kind: socket.SocketKind, probe_context: ProbeContext
) -> None:
    """TCP gets a reset, UDP an ICMP port unreachable; both are refused."""
    async with asyncio.timeout(5):
        result = await probe_sip(sip(unused_port(kind), transport), probe_context)

    assert result.error_class == "connection_refused", result.cause


async def test_sip_probe_fails_with_protocol_when_a_tcp_response_declares_a_huge_body(
    probe_context: ProbeContext,
) -> None:
    """A Content-Length beyond reason is refused instead of read."""
    script = b"SIP/2.0 200 OK\r\nContent-Length: 999999999\r\n\r\n"
    async with scripted_server(script, hold=True) as server:
        result = await probe_sip(sip(server.port, "tcp"), probe_context)

    assert result.error_class == "protocol"
