"""ICMP echo through icmplib, as root (raw socket) or as an unprivileged ping-group member.

Linux lets a process send echo requests either through a raw socket (root or CAP_NET_RAW) or
through an unprivileged ICMP datagram socket when its group is inside
``net.ipv4.ping_group_range``. Which one works is a property of the host, not of the target,
so :func:`icmp_permission_problem` answers it once for ``check-config`` and for tests.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import icmplib

from probes._util import Attempt
from probes.base import Detail, ProbeContext, ProbeResult
from probes.config import IcmpProbeConfig

__all__ = ["icmp_permission_problem", "probe_icmp"]

_PING_GROUP_RANGE = Path("/proc/sys/net/ipv4/ping_group_range")


def _can_open(kind: socket.SocketKind) -> bool:
    try:
        socket.socket(socket.AF_INET, kind, socket.IPPROTO_ICMP).close()
    except OSError:
        return False
    return True


def icmp_permission_problem(privileged: bool | None = None) -> str | None:
    """Why this process cannot ping, in words an operator can act on; ``None`` if it can.

    ``privileged`` is the probe's setting: ``True`` needs a raw socket, ``False`` an
    unprivileged one, ``None`` (the default) either.
    """
    if privileged is not False and _can_open(socket.SOCK_RAW):
        return None
    if privileged is not True and _can_open(socket.SOCK_DGRAM):
        return None
    try:
        group_range = " to ".join(_PING_GROUP_RANGE.read_text(encoding="ascii").split())
    except OSError:
        group_range = "unknown"
    raw = "a raw ICMP socket needs root or CAP_NET_RAW"
    unprivileged = (
        f"an unprivileged ICMP socket needs the process group (gid {os.getgid()}) inside "
        f"net.ipv4.ping_group_range (now {group_range})"
    )
    if privileged is True:
        return f"ICMP probes cannot run: {raw}"
    if privileged is False:
        return f"ICMP probes cannot run: {unprivileged}"
    return (
        f"ICMP probes cannot run: {raw} (e.g. AmbientCapabilities=CAP_NET_RAW in the systemd "
        f"unit), and {unprivileged} (e.g. sysctl net.ipv4.ping_group_range='0 2147483647')"
    )


async def probe_icmp(config: IcmpProbeConfig, context: ProbeContext) -> ProbeResult:
    """Send ``count`` echo requests back to back; alive if any reply comes back."""
    attempt = Attempt(context)
    privileged = config.privileged
    if privileged is None:
        privileged = _can_open(socket.SOCK_RAW)
    try:
        host = await icmplib.async_ping(
            config.host,
            count=config.count,
            interval=0,
            timeout=config.timeout.total_seconds() / config.count,
            privileged=privileged,
        )
    except icmplib.NameLookupError:
        return attempt.fail("dns", f"cannot resolve host {config.host}")
    except icmplib.SocketPermissionError:
        problem = icmp_permission_problem(privileged)
        return attempt.fail("permission", problem or "not allowed to open an ICMP socket")
    except icmplib.ICMPLibError as error:
        return attempt.fail("connection_error", str(error) or type(error).__name__)
    except Exception as error:
        return attempt.fail_from(error)

    details: dict[str, Detail] = {
        "address": str(host.address),
        "packets_sent": int(host.packets_sent),
        "packets_received": int(host.packets_received),
        "avg_rtt_ms": float(host.avg_rtt),
    }
    if not host.is_alive:
        return attempt.fail(
            "timeout",
            f"no echo reply from {host.address} to {host.packets_sent} request(s)",
            details=details,
        )
    return attempt.ok(details=details)
