"""The dispatch table and run_probe: one probe per config type, no timeouts of their own."""

from __future__ import annotations

import asyncio
import typing
from typing import Any

import pytest
from pydantic import TypeAdapter

import probes
from probes import PROBES, ProbeConfig, run_probe
from probes.base import ProbeContext
from tests.polling import eventually
from tests.servers.http import Mode, SwitchableHttpServer
from tests.servers.raw import scripted_server
from tests.servers.sip import SipMode, SipResponder

_ADAPTER: TypeAdapter[Any] = TypeAdapter(ProbeConfig)


def test_the_table_has_exactly_one_probe_for_every_config_type() -> None:
    """Every ``type`` the config accepts can be run, and nothing else is in the table."""
    union = typing.get_args(ProbeConfig)[0]
    types = {model.model_fields["type"].default for model in typing.get_args(union)}

    assert set(PROBES) == types
    assert all(getattr(probe, "__name__", "") == f"probe_{kind}" for kind, probe in PROBES.items())


def test_the_package_exports_what_its_all_lists() -> None:
    """``__all__`` names real attributes, so ``from probes import *`` cannot break."""
    assert all(hasattr(probes, name) for name in probes.__all__)
    assert {"PROBES", "run_probe", "icmp_permission_problem", "ProbeResult"} <= set(probes.__all__)


async def test_run_probe_dispatches_on_the_config_type(
    http_server: SwitchableHttpServer, probe_context: ProbeContext
) -> None:
    """A parsed config of any kind runs the matching probe."""
    http_config = _ADAPTER.validate_python({"type": "http", "url": http_server.url})
    tcp_config = _ADAPTER.validate_python(
        {"type": "tcp", "host": "127.0.0.1", "port": http_server.port}
    )

    http_result = await run_probe(http_config, probe_context)
    tcp_result = await run_probe(tcp_config, probe_context)

    assert http_result.details["status_code"] == 200
    assert tcp_result.details["peer"] == "127.0.0.1"


def _silent_configs(port: int) -> dict[str, dict[str, object]]:
    return {
        "smtp": {"type": "smtp", "host": "127.0.0.1", "port": port},
        "imap": {"type": "imap", "host": "127.0.0.1", "port": port},
        "tls": {"type": "tls", "host": "127.0.0.1", "port": port},
        "sip-tcp": {"type": "sip", "host": "127.0.0.1", "port": port, "transport": "tcp"},
    }


@pytest.mark.parametrize("kind", ["smtp", "imap", "tls", "sip-tcp", "sip-udp", "http"])
async def test_a_cancelled_probe_raises_cancelled_error_instead_of_returning(
    kind: str,
    probe_context: ProbeContext,
    http_server: SwitchableHttpServer,
    sip_peer: SipResponder,
) -> None:
    """Shutdown cancels in-flight probes; none may swallow the cancellation as a failure."""
    await http_server.set_mode(Mode.SLOW)
    sip_peer.mode = SipMode.SILENT
    async with scripted_server(b"", hold=True) as silent:
        configs = _silent_configs(silent.port)
        configs["sip-udp"] = {"type": "sip", "host": "127.0.0.1", "port": sip_peer.port}
        configs["http"] = {"type": "http", "url": http_server.url}
        config = _ADAPTER.validate_python(configs[kind])
        task = asyncio.create_task(run_probe(config, probe_context))

        def reached() -> bool:
            if kind == "http":
                return http_server.requests_served > 0
            if kind == "sip-udp":
                return bool(sip_peer.requests)
            return silent.connections > 0

        await eventually(reached, f"the {kind} probe to reach its server")
        task.cancel()

        with pytest.raises(asyncio.CancelledError):
            await task
