"""The TLS probe against a loopback TLS server with certificates made for the test."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
import trustme

from probes.base import ProbeContext
from probes.config import TlsProbeConfig
from probes.tls import probe_tls
from tests.servers.raw import scripted_server, unused_port
from tests.servers.tls import CertificateSet, server_context, tls_server


def tls(port: int, certificates: CertificateSet | None, **settings: object) -> TlsProbeConfig:
    values: dict[str, object] = {"host": "127.0.0.1", "port": port, "timeout": "5s"}
    if certificates is not None:
        values["ca_file"] = str(certificates.ca_file)
    return TlsProbeConfig.model_validate({**values, **settings})


async def test_tls_probe_succeeds_and_records_expiry_when_certificate_is_valid(
    tls_certificates: CertificateSet, probe_context: ProbeContext
) -> None:
    """A valid certificate passes; its notAfter and the days left are recorded."""
    context = tls_certificates.server_context(tls_certificates.valid)
    async with tls_server(context) as server:
        result = await probe_tls(tls(server.port, tls_certificates), probe_context)

    assert result.ok, result.cause
    assert result.cert_expiry == tls_certificates.valid_not_after
    assert 89 < float(result.details["days_left"] or 0) <= 90
    assert str(result.details["tls_version"]).startswith("TLSv1.")


async def test_tls_probe_fails_with_tls_certificate_when_certificate_is_expired(
    tls_certificates: CertificateSet, probe_context: ProbeContext
) -> None:
    """An expired certificate is rejected by verification and says why."""
    context = tls_certificates.server_context(tls_certificates.expired)
    async with tls_server(context) as server:
        result = await probe_tls(tls(server.port, tls_certificates), probe_context)

    assert not result.ok
    assert result.error_class == "tls_certificate"
    assert "expired" in (result.error_message or "")


async def test_tls_probe_fails_with_tls_hostname_when_certificate_is_for_another_host(
    tls_certificates: CertificateSet, probe_context: ProbeContext
) -> None:
    """A trusted certificate for a different name is a hostname failure, not a chain one."""
    context = tls_certificates.server_context(tls_certificates.wrong_host)
    async with tls_server(context) as server:
        by_address = await probe_tls(tls(server.port, tls_certificates), probe_context)
        by_name = await probe_tls(
            tls(server.port, tls_certificates, server_name="localhost"), probe_context
        )

    assert (by_address.error_class, by_name.error_class) == ("tls_hostname", "tls_hostname")


async def test_tls_probe_fails_with_tls_certificate_when_the_ca_is_not_trusted(
    tls_certificates: CertificateSet, probe_context: ProbeContext
) -> None:
    """Without ca_file the system trust store decides, and it does not know the test CA."""
    context = tls_certificates.server_context(tls_certificates.valid)
    async with tls_server(context) as server:
        result = await probe_tls(tls(server.port, None), probe_context)

    assert result.error_class == "tls_certificate"


async def test_tls_probe_fails_with_tls_expiring_when_fewer_days_are_left_than_required(
    tls_certificates: CertificateSet, probe_context: ProbeContext
) -> None:
    """A certificate valid for five more days fails min_days_left 14 but passes 3."""
    context = tls_certificates.server_context(tls_certificates.expiring)
    async with tls_server(context) as server:
        strict = await probe_tls(
            tls(server.port, tls_certificates, min_days_left=14), probe_context
        )
        lenient = await probe_tls(
            tls(server.port, tls_certificates, min_days_left=3), probe_context
        )

    assert strict.error_class == "tls_expiring"
    assert strict.cert_expiry is not None
    assert strict.cert_expiry > datetime.now(UTC)
    assert lenient.ok, lenient.cause


async def test_tls_probe_without_verification_still_fails_an_expired_certificate(
    tls_certificates: CertificateSet, probe_context: ProbeContext
) -> None:
    """verify: false skips chain and name, never the calendar."""
    context = tls_certificates.server_context(tls_certificates.expired)
    async with tls_server(context) as server:
        result = await probe_tls(tls(server.port, None, verify=False), probe_context)

    assert result.error_class == "tls_expiring"
    assert "expired" in (result.error_message or "")
    assert result.cert_expiry is not None
    assert result.cert_expiry < datetime.now(UTC)


async def test_tls_probe_without_verification_accepts_an_unknown_ca(
    probe_context: ProbeContext,
) -> None:
    """A self-made CA nobody trusts is fine when verification is off."""
    other_ca = trustme.CA()
    leaf = other_ca.issue_cert("localhost", "127.0.0.1")
    context = server_context(leaf)
    async with tls_server(context) as server:
        result = await probe_tls(tls(server.port, None, verify=False), probe_context)

    assert result.ok, result.cause
    assert result.cert_expiry is not None


async def test_tls_probe_fails_with_tls_handshake_when_server_does_not_speak_tls(
    probe_context: ProbeContext,
) -> None:
    """Plain-text bytes where a ServerHello belongs end in a handshake failure."""
    async with scripted_server(b"220 smtp.test ESMTP ready\r\n" * 20, hold=True) as server:
        result = await probe_tls(tls(server.port, None), probe_context)

    assert not result.ok
    assert result.error_class == "tls_handshake", result.cause


async def test_tls_probe_fails_with_connection_refused_when_nothing_listens(
    probe_context: ProbeContext,
) -> None:
    """No listener is refused before TLS is even tried."""
    result = await probe_tls(tls(unused_port(), None), probe_context)

    assert result.error_class == "connection_refused"


async def test_tls_probe_is_cut_off_by_the_runner_timeout_when_server_never_answers(
    probe_context: ProbeContext,
) -> None:
    """A listener that accepts and stays silent holds the handshake until the runner stops it."""
    async with scripted_server(b"", hold=True) as server:
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.3):
                await probe_tls(tls(server.port, None), probe_context)
