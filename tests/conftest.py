"""Shared fixtures. Sections are owned by the issue that made them; add yours in its own."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import aiohttp
import pytest

from probes.base import ProbeContext
from tests.servers.dns import DnsResponder, dns_responder
from tests.servers.dovecot import DovecotServer, dovecot_problem, run_dovecot
from tests.servers.http import SwitchableHttpServer
from tests.servers.sip import SipResponder, sip_responder
from tests.servers.smtp import SmtpServer, smtp_server
from tests.servers.tls import CertificateSet, make_certificates

# ==============================================================================================
# Probes and loopback servers. Implementations live in tests/servers/.
# ==============================================================================================


@pytest.fixture
async def http_session() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain session, not the daemon's tuned one: the probe alone must ensure fresh
    connections and its own TLS settings, so the tests do not lean on session options."""
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
def probe_context(http_session: aiohttp.ClientSession) -> ProbeContext:
    return ProbeContext(
        http=http_session, clock=lambda: datetime.now(UTC), monotonic=time.monotonic
    )


@pytest.fixture
async def http_server() -> AsyncIterator[SwitchableHttpServer]:
    """An HTTP server on 127.0.0.1 in mode ``up``; switch with ``await set_mode(...)``."""
    async with SwitchableHttpServer(slow_seconds=30.0) as server:
        yield server


@pytest.fixture(scope="session")
def tls_certificates(tmp_path_factory: pytest.TempPathFactory) -> CertificateSet:
    """A throw-away CA and leaves: valid, expired, wrong host, expiring in five days."""
    return make_certificates(tmp_path_factory.mktemp("tls"))


@pytest.fixture
async def https_server(tls_certificates: CertificateSet) -> AsyncIterator[SwitchableHttpServer]:
    """The switchable server over TLS with the valid certificate."""
    context = tls_certificates.server_context(tls_certificates.valid)
    async with SwitchableHttpServer(ssl_context=context) as server:
        yield server


@pytest.fixture
async def smtp_plain() -> AsyncIterator[SmtpServer]:
    """aiosmtpd without TLS."""
    async with smtp_server() as server:
        yield server


@pytest.fixture
async def smtp_starttls(tls_certificates: CertificateSet) -> AsyncIterator[SmtpServer]:
    """aiosmtpd offering STARTTLS with the valid certificate."""
    context = tls_certificates.server_context(tls_certificates.valid)
    async with smtp_server(starttls=context) as server:
        yield server


@pytest.fixture(scope="session")
def dovecot(tls_certificates: CertificateSet) -> Iterator[DovecotServer]:
    """Debian dovecot for the whole session: IMAP with STARTTLS, IMAPS, two users.

    Skips (with the reason) where dovecot cannot run; mailbox tests share it, so they must
    not assume an empty mailbox unless they made their own folder.
    """
    problem = dovecot_problem()
    if problem is not None:
        pytest.skip(problem)
    with run_dovecot(tls_certificates) as server:
        yield server


@pytest.fixture
async def sip_peer() -> AsyncIterator[SipResponder]:
    """A SIP responder on one port for UDP and TCP, answering 200; set ``.mode`` to change."""
    async with sip_responder() as responder:
        yield responder


@pytest.fixture
async def dns_server() -> AsyncIterator[DnsResponder]:
    """A UDP DNS server with ``desk.test.`` A 192.0.2.10 and AAAA 2001:db8::10."""
    records = {
        ("desk.test.", "A"): ["192.0.2.10"],
        ("desk.test.", "AAAA"): ["2001:db8::10"],
    }
    async with dns_responder(records) as responder:
        yield responder


# ==============================================================================================
# End of the probes section.
# ==============================================================================================
