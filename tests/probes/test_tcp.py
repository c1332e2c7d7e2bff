"""The TCP probe: a connect to a loopback port and nothing more."""

from __future__ import annotations

from probes.base import ProbeContext
from probes.config import TcpProbeConfig
from probes.tcp import probe_tcp
from tests.servers.http import SwitchableHttpServer
from tests.servers.raw import unused_port


def tcp(port: int) -> TcpProbeConfig:
    return TcpProbeConfig(host="127.0.0.1", port=port)


async def test_tcp_probe_succeeds_when_the_port_accepts(
    http_server: SwitchableHttpServer, probe_context: ProbeContext
) -> None:
    """An accepted connection is all it takes; the peer address is recorded."""
    result = await probe_tcp(tcp(http_server.port), probe_context)

    assert result.ok, result.cause
    assert result.details["peer"] == "127.0.0.1"
    assert http_server.connections_accepted == 1


async def test_tcp_probe_fails_with_connection_refused_when_nothing_listens(
    probe_context: ProbeContext,
) -> None:
    """A closed port is refused."""
    result = await probe_tcp(tcp(unused_port()), probe_context)

    assert not result.ok
    assert result.error_class == "connection_refused"
    assert result.duration.total_seconds() >= 0
