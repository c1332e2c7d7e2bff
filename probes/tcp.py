"""TCP connect: the port accepts connections, which is all a bare port can promise.

A bare protocol, not streams: nothing is read or written, so a reader, a writer and their
buffers would be built for nothing on every probe.
"""

from __future__ import annotations

import asyncio

from probes._util import Attempt
from probes.base import ProbeContext, ProbeResult
from probes.config import TcpProbeConfig

__all__ = ["probe_tcp"]


async def probe_tcp(config: TcpProbeConfig, context: ProbeContext) -> ProbeResult:
    """Connect and hang up; refused, unreachable and unresolvable are told apart."""
    attempt = Attempt(context)
    try:
        transport, _ = await asyncio.get_running_loop().create_connection(
            asyncio.Protocol, config.host, config.port
        )
    except Exception as error:
        return attempt.fail_from(error)
    peer = transport.get_extra_info("peername")
    transport.abort()  # the measurement is over: no waiting on the peer
    return attempt.ok(details={"peer": str(peer[0]) if peer else None})
