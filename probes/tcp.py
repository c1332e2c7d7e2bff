"""TCP connect: the port accepts connections, which is all a bare port can promise."""

from __future__ import annotations

import asyncio

from probes._util import LINE_LIMIT, Attempt, close_stream
from probes.base import ProbeContext, ProbeResult
from probes.config import TcpProbeConfig

__all__ = ["probe_tcp"]


async def probe_tcp(config: TcpProbeConfig, context: ProbeContext) -> ProbeResult:
    """Connect and hang up; refused, unreachable and unresolvable are told apart."""
    attempt = Attempt(context)
    try:
        _, writer = await asyncio.open_connection(config.host, config.port, limit=LINE_LIMIT)
    except Exception as error:
        return attempt.fail_from(error)
    peer = writer.get_extra_info("peername")
    await close_stream(writer)
    return attempt.ok(details={"peer": str(peer[0]) if peer else None})
