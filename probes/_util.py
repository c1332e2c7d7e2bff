"""What every probe needs and none should repeat: timing, error classes, TLS and line I/O.

Like blackbox_exporter's ``prober/utils.go``, this keeps each protocol module down to its own
dialogue. The error classes are part of the product's contract: they become the outage's
cause and a metric label, so they are a small fixed set of words, and everything a peer can
influence (reason phrases, banners) is cut short and flattened to one line before it is kept.
"""

from __future__ import annotations

import asyncio
import errno
import socket
import ssl
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Final, Protocol

from probes.base import Detail, ProbeContext, ProbeResult

__all__ = [
    "LINE_LIMIT",
    "Attempt",
    "LineServer",
    "ProbeError",
    "cert_not_after",
    "classify",
    "client_ssl_context",
    "close_stream",
    "earliest_expiry",
    "one_line",
    "open_line_stream",
    "peer_cert_expiry",
    "read_line",
    "record_peer_certs",
    "scrub",
    "start_tls",
]

LINE_LIMIT: Final = 16 * 1024
"""Longest protocol line a probe reads; longer is hostile or broken, not a slow server."""

_MESSAGE_LIMIT: Final = 300

# OpenSSL verification codes that mean "valid certificate, but not for this name".
_X509_V_ERR_HOSTNAME_MISMATCH: Final = 62
_X509_V_ERR_IP_ADDRESS_MISMATCH: Final = 64

_UNREACHABLE: Final = frozenset({errno.EHOSTUNREACH, errno.ENETUNREACH, errno.EHOSTDOWN})


class ProbeError(Exception):
    """A classified failure raised deep inside a dialogue and turned into a result at the top.

    Raising keeps the protocol code linear (read, check, read, check) instead of threading a
    result through every helper.
    """

    def __init__(self, error_class: str, message: str) -> None:
        super().__init__(message)
        self.error_class = error_class
        self.message = message


def one_line(text: str, limit: int = _MESSAGE_LIMIT) -> str:
    """Flatten peer-controlled text so a hostile banner cannot forge log lines or bloat rows."""
    flat = "".join(char if char.isprintable() else " " for char in text)
    flat = " ".join(flat.split())
    if len(flat) > limit:
        return flat[: limit - 1] + "…"
    return flat


def scrub(text: str, *secrets: str | None) -> str:
    """Remove secrets a peer might echo back (some servers quote the failed command)."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


class Attempt:
    """The clock of one probe run and the two ways it ends: a success or a classified failure.

    ``started_at`` comes from the injected wall clock (what the store records), the duration
    from the injected monotonic clock (what cannot jump when NTP steps the wall clock).
    """

    __slots__ = ("_context", "_start", "started_at")

    def __init__(self, context: ProbeContext) -> None:
        self._context = context
        self.started_at = context.clock()
        self._start = context.monotonic()

    def elapsed(self) -> timedelta:
        return timedelta(seconds=max(0.0, self._context.monotonic() - self._start))

    def ok(
        self,
        *,
        cert_expiry: datetime | None = None,
        details: Mapping[str, Detail] | None = None,
    ) -> ProbeResult:
        return ProbeResult(
            ok=True,
            started_at=self.started_at,
            duration=self.elapsed(),
            cert_expiry=cert_expiry,
            details=dict(details or {}),
        )

    def fail(
        self,
        error_class: str,
        message: str,
        *,
        cert_expiry: datetime | None = None,
        details: Mapping[str, Detail] | None = None,
    ) -> ProbeResult:
        return ProbeResult(
            ok=False,
            started_at=self.started_at,
            duration=self.elapsed(),
            error_class=error_class,
            error_message=one_line(message),
            cert_expiry=cert_expiry,
            details=dict(details or {}),
        )

    def fail_from(
        self,
        error: Exception,
        *,
        secrets: tuple[str | None, ...] = (),
        cert_expiry: datetime | None = None,
        details: Mapping[str, Detail] | None = None,
    ) -> ProbeResult:
        error_class, message = classify(error)
        return self.fail(
            error_class,
            scrub(message, *secrets),
            cert_expiry=cert_expiry,
            details=details,
        )


def classify(error: BaseException) -> tuple[str, str]:
    """Map an exception from sockets, TLS or a dialogue to ``(error_class, message)``.

    The order matters: ``SSLCertVerificationError`` is an ``SSLError`` is an ``OSError``, and
    in Python 3.11 ``asyncio.TimeoutError`` is ``TimeoutError``, which is an ``OSError`` too.
    """
    if isinstance(error, ProbeError):
        return error.error_class, error.message
    if isinstance(error, ssl.SSLCertVerificationError):
        reason = error.verify_message or getattr(error, "reason", None) or str(error)
        if error.verify_code in (_X509_V_ERR_HOSTNAME_MISMATCH, _X509_V_ERR_IP_ADDRESS_MISMATCH):
            return "tls_hostname", f"certificate does not match the host name: {reason}"
        return "tls_certificate", f"certificate rejected: {reason}"
    if isinstance(error, ssl.SSLError):
        return "tls_handshake", f"TLS failed: {getattr(error, 'reason', None) or error}"
    if isinstance(error, TimeoutError):
        return "timeout", str(error) or "timed out"
    if isinstance(error, asyncio.IncompleteReadError | EOFError):
        return "connection_error", "server closed the connection"
    if isinstance(error, socket.gaierror):
        return "dns", f"cannot resolve host: {error.strerror or error}"
    if isinstance(error, ConnectionRefusedError):
        return "connection_refused", "connection refused"
    if isinstance(error, OSError):
        reason = error.strerror or str(error) or type(error).__name__
        if error.errno in _UNREACHABLE:
            return "unreachable", reason
        return "connection_error", reason
    return "error", f"{type(error).__name__}: {error}"


async def read_line(reader: asyncio.StreamReader) -> bytes:
    """One line without its CRLF; a cut-off or endless line fails instead of growing.

    Streams are opened with ``limit=LINE_LIMIT``, so a peer that never sends a newline
    costs at most that much memory.
    """
    try:
        line = await reader.readuntil(b"\n")
    except asyncio.IncompleteReadError as error:
        raise ProbeError("connection_error", "server closed the connection") from error
    except asyncio.LimitOverrunError as error:
        raise ProbeError("protocol", f"line longer than {LINE_LIMIT} bytes") from error
    return line.rstrip(b"\r\n")


class LineServer(Protocol):
    """What a line-protocol probe (SMTP, IMAP) knows of the server it talks to."""

    @property
    def host(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def tls(self) -> bool: ...
    @property
    def verify_tls(self) -> bool: ...
    @property
    def ca_file(self) -> Path | None: ...
    @property
    def timeout(self) -> timedelta: ...


async def open_line_stream(
    server: LineServer,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A line-protocol connection (SMTP, IMAP), with implicit TLS when ``server.tls``.

    The line limit caps what a peer can make us buffer; the handshake timeout (the probe's
    timeout) bounds a peer that accepts the connection and then never speaks TLS.
    """
    if not server.tls:
        return await asyncio.open_connection(server.host, server.port, limit=LINE_LIMIT)
    return await asyncio.open_connection(
        server.host,
        server.port,
        limit=LINE_LIMIT,
        ssl=client_ssl_context(verify=server.verify_tls, ca_file=server.ca_file),
        server_hostname=server.host,
        ssl_handshake_timeout=server.timeout.total_seconds(),
    )


async def start_tls(writer: asyncio.StreamWriter, server: LineServer) -> ssl.SSLObject | None:
    """Upgrade a line-protocol connection after STARTTLS; the new TLS object, if any."""
    await writer.start_tls(
        client_ssl_context(verify=server.verify_tls, ca_file=server.ca_file),
        server_hostname=server.host,
        ssl_handshake_timeout=server.timeout.total_seconds(),
    )
    ssl_object: ssl.SSLObject | None = writer.get_extra_info("ssl_object")
    return ssl_object


async def close_stream(writer: asyncio.StreamWriter) -> None:
    """End a connection at once: the measurement is over, so a peer cannot stall it.

    ``close()`` on a TLS stream waits for the peer's close_notify (up to 30 s by default);
    ``abort()`` does not wait on the peer at all, which is what a probe with a budget needs.
    """
    writer.transport.abort()
    with suppress(Exception):
        await writer.wait_closed()


# --- TLS --------------------------------------------------------------------------------------

_PEERS: ContextVar[list[ssl.SSLObject] | None] = ContextVar("probes_tls_peers", default=None)


class _RecordingSSLContext(ssl.SSLContext):
    """An SSLContext that remembers the TLS objects it creates for the probe in progress.

    aiohttp returns a response whose connection is already released when the body arrived
    with the headers, so ``response.connection.transport`` cannot be relied on to reach the
    peer certificate. asyncio creates the ``SSLObject`` in a callback that runs in a copy of
    the calling task's context, so a per-probe list in a ContextVar sees exactly the
    handshakes of that probe, including every redirect hop, whatever the session does.
    """

    def wrap_bio(
        self,
        incoming: ssl.MemoryBIO,
        outgoing: ssl.MemoryBIO,
        server_side: bool = False,
        server_hostname: str | bytes | None = None,
        session: ssl.SSLSession | None = None,
    ) -> ssl.SSLObject:
        ssl_object = super().wrap_bio(incoming, outgoing, server_side, server_hostname, session)
        peers = _PEERS.get()
        if peers is not None:
            peers.append(ssl_object)
        return ssl_object


@contextmanager
def record_peer_certs(peers: list[ssl.SSLObject]) -> Iterator[None]:
    """Append to ``peers`` the TLS objects of the handshakes made inside the block (same task).

    For a client that does not say which connections it made (aiohttp's); one that does
    (the lean path) hands its TLS objects over directly, without a context variable.
    """
    token = _PEERS.set(peers)
    try:
        yield
    finally:
        _PEERS.reset(token)


def client_ssl_context(*, verify: bool, ca_file: Path | None) -> ssl.SSLContext:
    """A client context, cached: loading the system CA bundle costs milliseconds of CPU.

    The cache key includes the CA file's modification time, so a rotated test or private CA
    is picked up without a restart. A CA file that cannot be read is a configuration error.
    """
    if ca_file is None:
        return _cached_context(verify, None, 0)
    try:
        mtime = ca_file.stat().st_mtime_ns
        return _cached_context(verify, str(ca_file), mtime)
    except (OSError, ssl.SSLError) as error:
        raise ProbeError("config", f"cannot load ca_file {ca_file}: {error}") from error


@lru_cache(maxsize=32)
def _cached_context(verify: bool, ca_file: str | None, mtime_ns: int) -> ssl.SSLContext:
    del mtime_ns  # part of the cache key only
    context = _RecordingSSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if verify:
        if ca_file is None:
            context.load_default_certs(ssl.Purpose.SERVER_AUTH)
        else:
            context.load_verify_locations(cafile=ca_file)
    else:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def peer_cert_expiry(ssl_object: ssl.SSLObject | ssl.SSLSocket | None) -> datetime | None:
    """The peer's leaf certificate ``notAfter``, verified or not; ``None`` if there is none.

    The binary form is used because ``getpeercert()`` returns an empty dict when verification
    is off, and an unverified endpoint's expiry is still worth recording.
    """
    if ssl_object is None:
        return None
    try:
        der = ssl_object.getpeercert(binary_form=True)
    except (ValueError, ssl.SSLError):
        return None  # handshake not completed
    if not der:
        return None
    return cert_not_after(der)


def earliest_expiry(ssl_objects: list[ssl.SSLObject]) -> datetime | None:
    """blackbox_exporter's ``probe_ssl_earliest_cert_expiry`` over every hop's leaf."""
    expiries = [expiry for obj in ssl_objects if (expiry := peer_cert_expiry(obj)) is not None]
    return min(expiries, default=None)


def cert_not_after(der: bytes) -> datetime | None:
    """``notAfter`` of a DER X.509 certificate, or ``None`` if it cannot be read.

    A few lines of DER walking instead of a dependency on ``cryptography``: Certificate ::=
    SEQUENCE { tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber, signature,
    issuer, validity SEQUENCE { notBefore, notAfter } ... } ... }.
    """
    try:
        _, cert_start, _ = _der_header(der, 0, 0x30)
        _, tbs_start, tbs_end = _der_header(der, cert_start, 0x30)
        position = tbs_start
        tag, _, end = _der_header(der, position, None)
        if tag == 0xA0:  # explicit version
            position = end
        for expected in (0x02, 0x30, 0x30):  # serialNumber, signature, issuer
            _, _, position = _der_header(der, position, expected)
        _, validity_start, _ = _der_header(der, position, 0x30)
        _, _, after_start = _der_header(der, validity_start, None)  # notBefore
        tag, value_start, value_end = _der_header(der, after_start, None)
        if value_end > tbs_end:
            return None
        return _der_time(tag, der[value_start:value_end].decode("ascii"))
    except (IndexError, ValueError, UnicodeDecodeError):
        return None


def _der_header(data: bytes, offset: int, expected_tag: int | None) -> tuple[int, int, int]:
    """``(tag, content_start, content_end)`` of the element at ``offset``."""
    tag = data[offset]
    if expected_tag is not None and tag != expected_tag:
        raise ValueError(f"expected DER tag {expected_tag:#x}, found {tag:#x}")
    length = data[offset + 1]
    start = offset + 2
    if length & 0x80:
        size = length & 0x7F
        if not 0 < size <= 4 or start + size > len(data):
            raise ValueError("bad DER length")
        length = int.from_bytes(data[start : start + size], "big")
        start += size
    end = start + length
    if end > len(data):
        raise ValueError("DER element runs past the end")
    return tag, start, end


def _der_time(tag: int, text: str) -> datetime:
    if tag == 0x17:  # UTCTime YYMMDDHHMMSSZ; RFC 5280: YY >= 50 means 19YY
        parsed = datetime.strptime(text, "%y%m%d%H%M%SZ").replace(tzinfo=UTC)
        if parsed.year >= 2050:
            parsed = parsed.replace(year=parsed.year - 100)
        return parsed
    if tag == 0x18:  # GeneralizedTime YYYYMMDDHHMMSSZ
        return datetime.strptime(text, "%Y%m%d%H%M%SZ").replace(tzinfo=UTC)
    raise ValueError(f"not a DER time tag: {tag:#x}")
