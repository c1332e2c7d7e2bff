"""Probes: one module per protocol, one shape, dispatched through a plain table.

``PROBES`` maps a config ``type`` to its probe, as blackbox_exporter's ``Probers`` map does;
there is no plugin machinery to learn. :func:`run_probe` is that lookup plus the call. Neither
applies a timeout: the runner wraps the call in ``asyncio.timeout(config.timeout)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from probes._http1 import LeanHttp
from probes.base import Detail, Probe, ProbeContext, ProbeResult
from probes.config import (
    DnsProbeConfig,
    HttpProbeConfig,
    IcmpProbeConfig,
    ImapProbeConfig,
    ProbeConfig,
    SipProbeConfig,
    SmtpProbeConfig,
    TcpProbeConfig,
    TlsProbeConfig,
)
from probes.dns import probe_dns
from probes.http import probe_http
from probes.icmp import icmp_permission_problem, probe_icmp
from probes.imap import probe_imap
from probes.sip import probe_sip
from probes.smtp import probe_smtp
from probes.tcp import probe_tcp
from probes.tls import probe_tls

__all__ = [
    "PROBES",
    "Detail",
    "DnsProbeConfig",
    "HttpProbeConfig",
    "IcmpProbeConfig",
    "ImapProbeConfig",
    "LeanHttp",
    "Probe",
    "ProbeConfig",
    "ProbeContext",
    "ProbeResult",
    "SipProbeConfig",
    "SmtpProbeConfig",
    "TcpProbeConfig",
    "TlsProbeConfig",
    "icmp_permission_problem",
    "probe_dns",
    "probe_http",
    "probe_icmp",
    "probe_imap",
    "probe_sip",
    "probe_smtp",
    "probe_tcp",
    "probe_tls",
    "run_probe",
]

PROBES: Mapping[str, Probe[Any]] = MappingProxyType(
    {
        "dns": probe_dns,
        "http": probe_http,
        "icmp": probe_icmp,
        "imap": probe_imap,
        "sip": probe_sip,
        "smtp": probe_smtp,
        "tcp": probe_tcp,
        "tls": probe_tls,
    }
)


async def run_probe(config: ProbeConfig, context: ProbeContext) -> ProbeResult:
    """Run the probe for ``config.type``; the config union guarantees the type is known."""
    return await PROBES[config.type](config, context)
