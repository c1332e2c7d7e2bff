"""The ICMP probe, which can only run where this process may send echo requests."""

from __future__ import annotations

import socket

import pytest

from probes.base import ProbeContext
from probes.config import IcmpProbeConfig
from probes.icmp import icmp_permission_problem, probe_icmp


def _opens(kind: socket.SocketKind) -> bool:
    try:
        socket.socket(socket.AF_INET, kind, socket.IPPROTO_ICMP).close()
    except OSError:
        return False
    return True


async def test_icmp_probe_gets_an_echo_reply_from_loopback(probe_context: ProbeContext) -> None:
    """127.0.0.1 answers an echo request, as root or as a ping-group member."""
    problem = icmp_permission_problem()
    if problem is not None:
        pytest.skip(problem)

    result = await probe_icmp(
        IcmpProbeConfig(host="127.0.0.1", count=2, timeout="2s"), probe_context
    )

    assert result.ok, result.cause
    assert result.details["packets_received"] == 2
    assert float(result.details["avg_rtt_ms"] or 0) >= 0


@pytest.mark.parametrize("privileged", [True, False])
def test_icmp_permission_problem_names_the_fix_exactly_when_sockets_are_refused(
    privileged: bool,
) -> None:
    """The check agrees with what the kernel allows and points at the setting to change."""
    allowed = _opens(socket.SOCK_RAW if privileged else socket.SOCK_DGRAM)

    problem = icmp_permission_problem(privileged)

    if allowed:
        assert problem is None
    else:
        assert problem is not None
        assert ("CAP_NET_RAW" if privileged else "ping_group_range") in problem


async def test_icmp_probe_fails_with_permission_when_its_socket_kind_is_not_allowed(
    probe_context: ProbeContext,
) -> None:
    """Without the right to open the socket the result says why, it does not raise."""
    if not _opens(socket.SOCK_DGRAM):
        privileged = False
    elif not _opens(socket.SOCK_RAW):
        privileged = True
    else:
        pytest.skip("both raw and unprivileged ICMP sockets are allowed here")

    result = await probe_icmp(
        IcmpProbeConfig(host="127.0.0.1", privileged=privileged, timeout="1s"), probe_context
    )

    assert result.error_class == "permission"
    assert "ICMP" in (result.error_message or "")
