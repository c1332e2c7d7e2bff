"""The SMTP probe against aiosmtpd on loopback, and against broken peers."""

from __future__ import annotations

import asyncio

import pytest

from probes.base import ProbeContext
from probes.config import SmtpProbeConfig
from probes.smtp import probe_smtp
from tests.servers.raw import scripted_server, unused_port
from tests.servers.smtp import SmtpServer, smtp_server
from tests.servers.tls import CertificateSet


def smtp(port: int, **settings: object) -> SmtpProbeConfig:
    return SmtpProbeConfig.model_validate(
        {"host": "127.0.0.1", "port": port, "timeout": "5s", **settings}
    )


async def test_smtp_probe_succeeds_on_banner_and_ehlo(
    smtp_plain: SmtpServer, probe_context: ProbeContext
) -> None:
    """220 banner and 250 to EHLO are enough; no mail is sent."""
    result = await probe_smtp(smtp(smtp_plain.port), probe_context)

    assert result.ok, result.cause
    assert "smtp.test" in str(result.details["banner"])
    assert result.details["starttls"] is False
    assert result.details["quit_code"] == 221
    assert smtp_plain.messages == []


async def test_smtp_probe_upgrades_with_starttls_and_records_the_certificate(
    smtp_starttls: SmtpServer, tls_certificates: CertificateSet, probe_context: ProbeContext
) -> None:
    """STARTTLS is negotiated, EHLO repeated inside TLS, and the expiry recorded."""
    config = smtp(smtp_starttls.port, starttls=True, ca_file=str(tls_certificates.ca_file))

    result = await probe_smtp(config, probe_context)

    assert result.ok, result.cause
    assert result.details["starttls"] is True
    assert str(result.details["tls_version"]).startswith("TLSv1.")
    assert result.cert_expiry == tls_certificates.valid_not_after


async def test_smtp_probe_fails_with_protocol_when_starttls_is_required_but_not_offered(
    smtp_plain: SmtpServer, probe_context: ProbeContext
) -> None:
    """Asking for STARTTLS from a server without it must not silently go on in plain text."""
    result = await probe_smtp(smtp(smtp_plain.port, starttls=True), probe_context)

    assert result.error_class == "protocol"
    assert "STARTTLS" in (result.error_message or "")
    assert result.details["starttls_offered"] is False


async def test_smtp_probe_speaks_implicit_tls(
    tls_certificates: CertificateSet, probe_context: ProbeContext
) -> None:
    """tls: true (port 465 style) wraps the connection before the banner."""
    context = tls_certificates.server_context(tls_certificates.valid)
    async with smtp_server(implicit_tls=context) as server:
        config = smtp(server.port, tls=True, ca_file=str(tls_certificates.ca_file))
        result = await probe_smtp(config, probe_context)

    assert result.ok, result.cause
    assert result.cert_expiry == tls_certificates.valid_not_after


async def test_smtp_probe_fails_with_tls_hostname_when_starttls_certificate_is_for_another_host(
    tls_certificates: CertificateSet, probe_context: ProbeContext
) -> None:
    """Certificate checks apply after STARTTLS as they do to any TLS connection."""
    context = tls_certificates.server_context(tls_certificates.wrong_host)
    async with smtp_server(starttls=context) as server:
        config = smtp(server.port, starttls=True, ca_file=str(tls_certificates.ca_file))
        result = await probe_smtp(config, probe_context)

    assert result.error_class == "tls_hostname"


@pytest.mark.parametrize(
    ("script", "error_class"),
    [
        (b"HTTP/1.1 400 Bad Request\r\n\r\n", "protocol"),
        (b"554 5.3.2 service not available\r\n", "status"),
        (b"220-first line\r\n220-second\r\n", "connection_error"),
        (b"x" * 100_000, "protocol"),
    ],
    ids=["garbage", "refusing-banner", "cut-off-banner", "endless-line"],
)
async def test_smtp_probe_classifies_broken_banners(
    script: bytes, error_class: str, probe_context: ProbeContext
) -> None:
    """Garbage, a refusal, a banner cut off by a hang-up and a line without end."""
    async with scripted_server(script) as server:
        result = await probe_smtp(smtp(server.port), probe_context)

    assert not result.ok
    assert result.error_class == error_class, result.cause


async def test_smtp_probe_fails_with_status_when_ehlo_is_rejected(
    probe_context: ProbeContext,
) -> None:
    """A banner is not enough: EHLO must be answered with 250."""
    script = b"220 smtp.test ready\r\n502 5.5.1 EHLO not implemented\r\n"
    async with scripted_server(script, hold=True) as server:
        result = await probe_smtp(smtp(server.port), probe_context)

    assert result.error_class == "status"
    assert "EHLO" in (result.error_message or "")


async def test_smtp_probe_fails_with_connection_refused_when_nothing_listens(
    probe_context: ProbeContext,
) -> None:
    """A closed port is refused."""
    result = await probe_smtp(smtp(unused_port()), probe_context)

    assert result.error_class == "connection_refused"


async def test_smtp_probe_is_cut_off_by_the_runner_timeout_when_server_stays_silent(
    probe_context: ProbeContext,
) -> None:
    """A server that accepts and never greets is ended by the runner's timeout."""
    async with scripted_server(b"", hold=True) as server:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.3):
                await probe_smtp(smtp(server.port), probe_context)
