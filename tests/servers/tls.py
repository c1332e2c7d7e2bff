"""Certificates made for the test run (trustme) and a TLS server that only shakes hands.

:func:`make_certificates` issues, from one throw-away CA: a valid leaf for ``localhost``,
``127.0.0.1`` and ``::1``; the same names but expired; one for another host only; and one
that expires in five days. ``ca_file`` is the CA in PEM for probes' ``ca_file`` settings.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import trustme

__all__ = [
    "CertificateSet",
    "TlsEndpoint",
    "make_certificates",
    "server_context",
    "tls_server",
]

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class CertificateSet:
    ca: trustme.CA
    ca_file: Path
    valid: trustme.LeafCert
    expired: trustme.LeafCert
    wrong_host: trustme.LeafCert
    expiring: trustme.LeafCert
    valid_not_after: datetime
    """``notAfter`` of ``valid``, to compare with what probes record."""

    def server_context(self, leaf: trustme.LeafCert) -> ssl.SSLContext:
        return server_context(leaf)

    def client_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.SERVER_AUTH)
        self.ca.configure_trust(context)
        return context

    def write_pair(self, leaf: trustme.LeafCert, directory: Path, name: str) -> tuple[Path, Path]:
        """Write ``name.crt`` (chain) and ``name.key`` for servers configured by file."""
        cert, key = directory / f"{name}.crt", directory / f"{name}.key"
        cert.write_bytes(b"".join(blob.bytes() for blob in leaf.cert_chain_pems))
        leaf.private_key_pem.write_to_path(str(key))
        return cert, key


def server_context(leaf: trustme.LeafCert) -> ssl.SSLContext:
    """A server-side context presenting ``leaf`` (and its chain)."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    leaf.configure_cert(context)
    return context


def make_certificates(directory: Path) -> CertificateSet:
    now = datetime.now(UTC).replace(microsecond=0)
    ca = trustme.CA()
    ca_file = directory / "test-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    valid_not_after = now + timedelta(days=90)
    return CertificateSet(
        ca=ca,
        ca_file=ca_file,
        valid=ca.issue_cert(
            *LOOPBACK_NAMES, not_before=now - timedelta(days=1), not_after=valid_not_after
        ),
        expired=ca.issue_cert(
            *LOOPBACK_NAMES,
            not_before=now - timedelta(days=60),
            not_after=now - timedelta(days=1),
        ),
        wrong_host=ca.issue_cert(
            "wrong.example", not_before=now - timedelta(days=1), not_after=valid_not_after
        ),
        expiring=ca.issue_cert(
            *LOOPBACK_NAMES, not_before=now - timedelta(days=1), not_after=now + timedelta(days=5)
        ),
        valid_not_after=valid_not_after,
    )


@dataclass(frozen=True)
class TlsEndpoint:
    host: str
    port: int


@contextlib.asynccontextmanager
async def tls_server(
    context: ssl.SSLContext, host: str = "127.0.0.1"
) -> AsyncIterator[TlsEndpoint]:
    """Accept TLS connections, wait for the client to hang up; nothing else is spoken."""
    writers: set[asyncio.StreamWriter] = set()
    handlers: set[asyncio.Task[Any]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writers.add(writer)
        task = asyncio.current_task()
        if task is not None:
            handlers.add(task)
        try:
            with contextlib.suppress(Exception):
                await reader.read()
        finally:
            writer.transport.abort()
            writers.discard(writer)

    server = await asyncio.start_server(handle, host, 0, ssl=context)
    try:
        yield TlsEndpoint(host, int(server.sockets[0].getsockname()[1]))
    finally:
        server.close()
        for writer in list(writers):
            writer.transport.abort()
        await asyncio.gather(*handlers, return_exceptions=True)
        await server.wait_closed()
