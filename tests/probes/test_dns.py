"""The DNS probe against a small UDP DNS server on loopback."""

from __future__ import annotations

import asyncio

import pytest

from probes.base import ProbeContext
from probes.config import DnsProbeConfig
from probes.dns import probe_dns
from tests.servers.dns import DnsResponder


def dns_config(responder: DnsResponder, name: str, **settings: object) -> DnsProbeConfig:
    return DnsProbeConfig.model_validate(
        {
            "name": name,
            "server": responder.host,
            "port": responder.port,
            "timeout": "2s",
            **settings,
        }
    )


async def test_dns_probe_succeeds_when_the_name_resolves_to_the_expected_address(
    dns_server: DnsResponder, probe_context: ProbeContext
) -> None:
    """The answer holds only expected addresses; they and the TTL are recorded."""
    config = dns_config(dns_server, "desk.test", expect_addresses=["192.0.2.10"])

    result = await probe_dns(config, probe_context)

    assert result.ok, result.cause
    assert result.details["addresses"] == "192.0.2.10"
    assert result.details["ttl"] == 60
    assert dns_server.queries == ["desk.test. A"]


async def test_dns_probe_resolves_aaaa_and_compares_addresses_by_value(
    dns_server: DnsResponder, probe_context: ProbeContext
) -> None:
    """IPv6 addresses match whatever their spelling (2001:db8::10 == 2001:0db8:0::10)."""
    config = dns_config(
        dns_server, "desk.test", record_type="AAAA", expect_addresses=["2001:0db8:0::10"]
    )

    result = await probe_dns(config, probe_context)

    assert result.ok, result.cause
    assert result.details["addresses"] == "2001:db8::10"


async def test_dns_probe_fails_with_dns_mismatch_when_the_name_points_elsewhere(
    dns_server: DnsResponder, probe_context: ProbeContext
) -> None:
    """A record that moved to an unexpected address is a failure naming that address."""
    config = dns_config(dns_server, "desk.test", expect_addresses=["192.0.2.99"])

    result = await probe_dns(config, probe_context)

    assert not result.ok
    assert result.error_class == "dns_mismatch"
    assert "192.0.2.10" in (result.error_message or "")


async def test_dns_probe_fails_with_dns_when_the_name_does_not_exist(
    dns_server: DnsResponder, probe_context: ProbeContext
) -> None:
    """NXDOMAIN is a DNS failure, not a timeout."""
    result = await probe_dns(dns_config(dns_server, "nowhere.test"), probe_context)

    assert result.error_class == "dns"
    assert "NXDOMAIN" in (result.error_message or "")


async def test_dns_probe_fails_with_dns_when_the_name_has_no_record_of_the_type(
    dns_server: DnsResponder, probe_context: ProbeContext
) -> None:
    """An existing name without the asked record type is reported as such."""
    dns_server.records = {("v4only.test.", "A"): ["192.0.2.20"]}

    result = await probe_dns(
        dns_config(dns_server, "v4only.test", record_type="AAAA"), probe_context
    )

    assert result.error_class == "dns"
    assert "AAAA" in (result.error_message or "")


async def test_dns_probe_fails_with_timeout_on_its_own_when_the_server_is_silent(
    dns_server: DnsResponder, probe_context: ProbeContext
) -> None:
    """dnspython's lifetime is the probe timeout, so a dead server yields a timeout result."""
    dns_server.silent = True

    async with asyncio.timeout(5):
        result = await probe_dns(
            dns_config(dns_server, "desk.test", timeout="300ms"), probe_context
        )

    assert result.error_class == "timeout"


async def test_dns_probe_classifies_a_garbage_answer_instead_of_crashing(
    dns_server: DnsResponder, probe_context: ProbeContext
) -> None:
    """Bytes that are not a DNS message end in a classified failure."""
    dns_server.garbage = True

    async with asyncio.timeout(5):
        result = await probe_dns(
            dns_config(dns_server, "desk.test", timeout="500ms"), probe_context
        )

    assert not result.ok
    assert result.error_class in {"dns", "timeout"}, result.cause


@pytest.mark.parametrize("field", ["server", "expect_addresses"])
async def test_dns_probe_fails_with_config_when_an_address_setting_is_not_an_address(
    field: str, dns_server: DnsResponder, probe_context: ProbeContext
) -> None:
    """A host name where an IP address belongs is the configuration's fault."""
    value: object = "dns.example" if field == "server" else ["dns.example"]

    result = await probe_dns(dns_config(dns_server, "desk.test", **{field: value}), probe_context)

    assert result.error_class == "config", result.cause
