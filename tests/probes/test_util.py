"""The shared helpers: certificate dates, error classes and peer text clean-up."""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
from datetime import UTC, datetime

import pytest
from cryptography import x509
from hypothesis import given
from hypothesis import strategies as st

from probes._util import ProbeError, cert_not_after, classify, one_line, scrub
from tests.servers.tls import CertificateSet


@pytest.mark.parametrize("leaf", ["valid", "expired", "wrong_host", "expiring"])
def test_cert_not_after_agrees_with_cryptography(
    leaf: str, tls_certificates: CertificateSet
) -> None:
    """The small DER reader finds the same notAfter as a full X.509 parser."""
    pem = getattr(tls_certificates, leaf).cert_chain_pems[0].bytes()
    certificate = x509.load_pem_x509_certificate(pem)
    der = ssl.PEM_cert_to_DER_cert(pem.decode())

    assert cert_not_after(der) == certificate.not_valid_after_utc


def test_cert_not_after_reads_generalized_time_after_2049(
    tls_certificates: CertificateSet,
) -> None:
    """Dates from 2050 on are GeneralizedTime in DER and must not wrap to 1950."""
    leaf = tls_certificates.ca.issue_cert(
        "far.example", not_after=datetime(2061, 3, 4, 5, 6, 7, tzinfo=UTC)
    )
    der = ssl.PEM_cert_to_DER_cert(leaf.cert_chain_pems[0].bytes().decode())

    assert cert_not_after(der) == datetime(2061, 3, 4, 5, 6, 7, tzinfo=UTC)


@given(st.binary(max_size=600))
def test_cert_not_after_returns_none_instead_of_raising_on_any_bytes(der: bytes) -> None:
    """A hostile or broken certificate can never crash the probe that reads it."""
    result = cert_not_after(der)

    assert result is None or result.tzinfo is UTC


def _verification_error(code: int, message: str) -> ssl.SSLCertVerificationError:
    error = ssl.SSLCertVerificationError(1, message)
    error.verify_code = code
    error.verify_message = message
    return error


@pytest.mark.parametrize(
    ("error", "error_class"),
    [
        (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), "connection_refused"),
        (ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"), "connection_error"),
        (OSError(errno.EHOSTUNREACH, "No route to host"), "unreachable"),
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "dns"),
        (TimeoutError(), "timeout"),
        (asyncio.IncompleteReadError(b"", 10), "connection_error"),
        (_verification_error(10, "certificate has expired"), "tls_certificate"),
        (_verification_error(62, "Hostname mismatch"), "tls_hostname"),
        (_verification_error(64, "IP address mismatch"), "tls_hostname"),
        (ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"), "tls_handshake"),
        (ProbeError("auth", "login rejected"), "auth"),
        (ValueError("surprise"), "error"),
    ],
)
def test_classify_gives_each_kind_of_error_its_stable_class(
    error: Exception, error_class: str
) -> None:
    """Error classes are labels and outage causes, so each cause maps to a fixed word."""
    found, message = classify(error)

    assert found == error_class
    assert message


def test_one_line_flattens_and_shortens_peer_text() -> None:
    """Control characters and line breaks from a peer cannot forge log lines or bloat rows."""
    text = one_line("220 evil\r\nInjected: yes\x00\x1b[31m" + "x" * 1000, limit=40)

    assert "\n" not in text
    assert "\r" not in text
    assert "\x1b" not in text
    assert len(text) == 40
    assert text.startswith("220 evil Injected: yes")


def test_scrub_removes_every_occurrence_of_each_secret() -> None:
    """A secret echoed twice is removed twice; empty secrets change nothing."""
    assert scrub("pw=hunter2 again hunter2", "hunter2", None, "") == "pw=*** again ***"
