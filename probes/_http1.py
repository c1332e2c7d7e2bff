"""The lean HTTP/1.1 exchange: one request on a fresh connection, and nothing else.

aiohttp's client is built for sessions (pools, cookies, tracing, middlewares, streaming
responses); for one request on a fresh connection that machinery costs several times the
protocol work. A probe needs less: resolve (cached, like aiohttp's ``ttl_dns_cache``),
connect (happy eyeballs through ``aiohappyeyeballs``, as aiohttp does), TLS, one request,
the status line, the headers and a capped body, then hang up. This module does exactly that,
with the response parsed by ``httptools`` (the llhttp parser, the same C parser aiohttp and
uvicorn use): over an asyncio transport with TLS, on the socket's own reader and writer
callbacks without (see :class:`_PlainConnection`).

What costs CPU per probe is kept out of the repeated path: a target's URL is parsed once, its
addresses (an IP literal too) are looked up once per ``dns_ttl``, and a single address is
connected to directly; only several addresses go through happy eyeballs.

What the caller sees matches aiohttp's client: the same request headers (``Host``,
``Accept``, ``User-Agent`` and the configured ones, ``Connection: close``), the same error
exceptions for the classifier (``OSError`` and ``ssl`` errors from connecting, a
``ProbeError`` for what aiohttp reports as its own errors), bodies decompressed when the
server sends gzip or deflate anyway (the request asks for ``identity``).
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
import ssl
import sys
import time
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

import aiohappyeyeballs
import httptools
from aiohttp.http import SERVER_SOFTWARE
from yarl import URL

from probes._util import ProbeError

__all__ = ["Answer", "LeanHttp", "PlainUrl"]

_HAPPY_EYEBALLS_DELAY: Final = 0.25  # aiohttp's default
_DNS_CACHE_SIZE: Final = 4096
_READ_SIZE: Final = 256 * 1024  # what an asyncio socket transport reads at a time
_URL_CACHE_SIZE: Final = 65536
_MAX_HEAD_BYTES: Final = 64 * 1024
"""Status line and headers; a peer that never ends them costs at most this (and the body cap)."""
_CHARSET = re.compile(r";\s*charset\s*=\s*\"?([^\";\s]+)", re.IGNORECASE)
_AddrInfo = tuple[int, int, int, str, tuple[object, ...]]


@dataclass(frozen=True, slots=True)
class Answer:
    """One response: status, version, headers (names in lower case) and the capped body."""

    status: int
    version: str
    headers: Mapping[str, str]
    body: bytes
    truncated: bool
    broken: ProbeError | None = None
    """Set when the body broke off after the headers: what aiohttp raises while reading it."""

    @property
    def charset(self) -> str | None:
        match = _CHARSET.search(self.headers.get("content-type", ""))
        return match.group(1) if match else None


@dataclass(frozen=True, slots=True)
class PlainUrl:
    """What one exchange needs of a URL, taken from it once.

    A parsed :class:`~yarl.URL` with the properties read from it (each cached in a dict of
    its own) is about 800 bytes; the daemon keeps one per target, 8 MB at 10,000 targets.
    This keeps the five strings an exchange reads; :meth:`url` parses the text again for
    the rare redirect.
    """

    text: str
    scheme: str
    host: str
    port: int
    host_header: str
    path_qs: str

    @classmethod
    def of(cls, url: URL, text: str | None = None) -> PlainUrl:
        """``text``: the string ``url`` was parsed from, kept instead of a second copy."""
        return cls(
            text=str(url) if text is None else text,
            scheme=sys.intern(url.scheme),
            host=sys.intern(url.raw_host or ""),
            port=url.port or 0,
            host_header=url.host_port_subcomponent or "",
            path_qs=url.raw_path_qs or "/",
        )

    def url(self) -> URL:
        return URL(self.text)


class LeanHttp:
    """The connections of the lean path, and the DNS answers they share for ``dns_ttl`` s.

    One instance per daemon (or ``probe`` command), passed to the probes in their context.
    """

    def __init__(
        self, *, dns_ttl: float = 60.0, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._dns_ttl = dns_ttl
        self._monotonic = monotonic
        self._dns: dict[tuple[str, int], tuple[float, list[_AddrInfo]]] = {}
        self._urls: dict[str, PlainUrl | None] = {}
        self._exchanges = 0

    @property
    def exchanges(self) -> int:
        """Exchanges begun on this path since start, each redirect hop one, failed or not."""
        return self._exchanges

    def plain_url(self, text: str) -> PlainUrl | None:
        """``text`` parsed when this path can take it: valid, with a host and no credentials.

        Remembered per text: a target's URL is the same at every probe, and parsing it again
        costs more than the rest of the request's preparation.
        """
        if text in self._urls:
            return self._urls[text]
        try:
            url: URL | None = URL(text)
        except ValueError:
            url = None  # aiohttp's error says what is wrong with it
        if url is not None and (
            not url.raw_host or url.raw_user is not None or url.raw_password is not None
        ):
            url = None
        if len(self._urls) >= _URL_CACHE_SIZE:  # reloads may bring ever new URLs
            self._urls.clear()
        plain = None if url is None else PlainUrl.of(url, text)
        self._urls[text] = plain
        return plain

    async def fetch(
        self,
        method: str,
        url: PlainUrl,
        headers: Mapping[str, str],
        *,
        ssl_context: ssl.SSLContext | None,
        max_body_bytes: int,
        handshake_timeout: float,
        handshakes: list[ssl.SSLObject],
    ) -> Answer:
        """Send one request on a new connection and read the answer; the connection ends here.

        The TLS object of the connection is appended to ``handshakes`` as soon as the
        handshake is done, so the certificate counts even when the answer then fails.
        """
        self._exchanges += 1
        loop = asyncio.get_running_loop()
        request = _request_bytes(method, url, headers)
        response = _Response(loop, max_body_bytes, head_only=method == "HEAD")
        if ssl_context is None:
            return await self._fetch_plain(loop, url, request, response)
        try:
            transport = await self._connect(loop, url, ssl_context, response, handshake_timeout)
        except BaseException:
            response.answer.cancel()  # a connection closed on the way reports nothing later
            raise
        handshakes.append(transport.get_extra_info("ssl_object"))
        try:
            transport.write(request)
            return await response.answer
        finally:
            transport.abort()  # never reused, and an endless body stops here

    async def _fetch_plain(
        self, loop: asyncio.AbstractEventLoop, url: PlainUrl, request: bytes, response: _Response
    ) -> Answer:
        """The exchange without TLS, on the socket itself (see :class:`_PlainConnection`)."""
        infos = self._cached(url)
        if infos is None:
            infos = await self._resolve(url)
        if len(infos) == 1:
            family, kind, proto, _, address = infos[0]
            sock = socket.socket(family, kind, proto)
            connection = _PlainConnection(loop, sock, address, request, response)
        else:
            sock = await aiohappyeyeballs.start_connection(
                infos, happy_eyeballs_delay=_HAPPY_EYEBALLS_DELAY
            )
            connection = _PlainConnection(loop, sock, None, request, response)
        try:
            connection.start()
            return await response.answer
        finally:
            connection.close()  # never reused, and an endless body stops here

    async def _connect(
        self,
        loop: asyncio.AbstractEventLoop,
        url: PlainUrl,
        ssl_context: ssl.SSLContext,
        response: _Response,
        within: float,
    ) -> asyncio.Transport:
        """A TLS connection; the caller's timeout bounds the whole probe, only the handshake
        gets its own."""
        infos = self._cached(url)
        if infos is None:
            infos = await self._resolve(url)
        if len(infos) == 1:
            sock = await _connect_one(loop, infos[0])
        else:
            sock = await aiohappyeyeballs.start_connection(
                infos, happy_eyeballs_delay=_HAPPY_EYEBALLS_DELAY
            )
        try:
            transport, _ = await loop.create_connection(
                lambda: response,
                sock=sock,
                ssl=ssl_context,
                server_hostname=url.host.rstrip("."),
                ssl_handshake_timeout=within,
            )
        except BaseException:
            sock.close()
            raise
        return transport

    def _cached(self, url: PlainUrl) -> Sequence[_AddrInfo] | None:
        """The addresses to connect to when they are known and fresh.

        An IP literal is remembered like a resolved name: telling the two apart costs more
        than looking the answer up.
        """
        cached = self._dns.get((url.host, url.port))
        if cached is not None and cached[0] > self._monotonic():
            return cached[1]
        return None

    async def _resolve(self, url: PlainUrl) -> Sequence[_AddrInfo]:
        host, port = url.host, url.port
        infos = _literal(host, port)
        if infos is None:
            loop = asyncio.get_running_loop()
            found = await loop.getaddrinfo(
                host, port, type=socket.SOCK_STREAM, flags=socket.AI_ADDRCONFIG
            )
            infos = [(f, t, p, c, tuple(a)) for f, t, p, c, a in found]
        now = self._monotonic()
        if len(self._dns) >= _DNS_CACHE_SIZE:  # redirects may name ever new hosts
            self._dns = {key: value for key, value in self._dns.items() if value[0] > now}
        self._dns[(host, port)] = (now + self._dns_ttl, infos)
        return infos


async def _connect_one(loop: asyncio.AbstractEventLoop, info: _AddrInfo) -> socket.socket:
    """A connected socket to the one address there is: what ``aiohappyeyeballs`` does for a
    single address, without its bookkeeping for a race. Its error is the connect's own."""
    family, kind, proto, _, address = info
    sock = socket.socket(family, kind, proto)
    try:
        sock.setblocking(False)
        await loop.sock_connect(sock, address)
    except BaseException:
        sock.close()
        raise
    return sock


def _literal(host: str, port: int) -> list[_AddrInfo] | None:
    """An IP address needs no resolver (aiohttp skips it too)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None
    if address.version == 6:
        return [(socket.AF_INET6, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (host, port, 0, 0))]
    return [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (host, port))]


def _request_bytes(method: str, url: PlainUrl, headers: Mapping[str, str]) -> bytes:
    """The request aiohttp would send, with ``Connection: close`` and no body."""
    fields = {
        "Host": url.host_header,
        "Accept": "*/*",
        "Accept-Encoding": "identity",
        "User-Agent": SERVER_SOFTWARE,
    }
    names = {name.lower(): name for name in fields}
    for name, value in headers.items():
        fields.pop(names.get(name.lower(), name), None)
        fields[name] = value
        names[name.lower()] = name
    fields.pop(names.get("connection", "Connection"), None)
    fields["Connection"] = "close"
    lines = [f"{method} {url.path_qs} HTTP/1.1"]
    for name, value in fields.items():
        if "\r" in name or "\n" in name or "\r" in value or "\n" in value:
            raise ValueError(f"line break in the request header {name!r}")
        lines.append(f"{name}: {value}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1", errors="strict")


class _PlainConnection:
    """One plain exchange driven by callbacks on its socket: connect, send, read; no transport.

    Creating an asyncio transport, with the futures and callbacks of ``sock_connect`` and
    ``create_connection`` around it, costs as much CPU as the rest of a probe's exchange. One
    small request and one answer need no more than a writer and a reader callback. The
    errors ``response`` sees are the ones ``sock_connect`` and asyncio's socket transport
    report: ``OSError`` from connect, send and receive, the end of the stream as end of file.
    """

    __slots__ = (
        "_address",
        "_fd",
        "_loop",
        "_pending",
        "_reading",
        "_response",
        "_sock",
        "_writing",
    )

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        sock: socket.socket,
        address: tuple[object, ...] | None,
        request: bytes,
        response: _Response,
    ) -> None:
        """``address`` is where to connect ``sock`` to, ``None`` when it is connected."""
        sock.setblocking(False)
        self._loop = loop
        self._sock = sock
        self._fd = sock.fileno()
        self._address = address
        self._pending = request
        self._response = response
        self._reading = self._writing = False

    def start(self) -> None:
        """Begin; a connect that fails at once raises here, like ``sock_connect``."""
        if self._address is not None:
            try:
                self._sock.connect(self._address)
            except (BlockingIOError, InterruptedError):
                self._writing = True
                self._loop.add_writer(self._fd, self._writable)
                return
            self._address = None
        self._send()

    def close(self) -> None:
        self._stop()
        self._sock.close()

    def _writable(self) -> None:
        if self._address is not None:  # connecting
            try:
                error = self._sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            except (BlockingIOError, InterruptedError):
                return  # not yet: called again
            except OSError as exception:
                self._lost(exception)
                return
            if error != 0:
                self._lost(OSError(error, f"Connect call failed {self._address}"))
                return
            self._address = None
        self._send()

    def _send(self) -> None:
        try:
            sent = self._sock.send(self._pending)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError as exception:
            self._lost(exception)
            return
        self._pending = self._pending[sent:]
        if self._pending:
            if not self._writing:
                self._writing = True
                self._loop.add_writer(self._fd, self._writable)
            return
        if self._writing:
            self._writing = False
            self._loop.remove_writer(self._fd)
        self._reading = True
        self._loop.add_reader(self._fd, self._readable)

    def _readable(self) -> None:
        try:
            data = self._sock.recv(_READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exception:
            self._lost(exception)
            return
        if data:
            self._response.data_received(data)
            if self._response.answer.done():
                self._stop()  # enough read: the rest of an endless body stays unread
        else:
            self._stop()
            self._response.eof_received()

    def _lost(self, exception: OSError) -> None:
        self._stop()
        self._response.connection_lost(exception)

    def _stop(self) -> None:
        """No more callbacks: the outcome is settled (``close`` follows from the caller)."""
        if self._reading:
            self._reading = False
            self._loop.remove_reader(self._fd)
        if self._writing:
            self._writing = False
            self._loop.remove_writer(self._fd)


class _Response(asyncio.Protocol):
    """Parses one response as it arrives and resolves ``answer`` once it is complete enough:
    the whole message, or the headers of a HEAD answer, or ``cap`` body bytes."""

    def __init__(self, loop: asyncio.AbstractEventLoop, cap: int, *, head_only: bool) -> None:
        self.answer: asyncio.Future[Answer] = loop.create_future()
        self._cap = cap
        self._head_only = head_only
        self._parser = httptools.HttpResponseParser(self)
        self._headers: dict[str, str] = {}
        self._body = bytearray()
        self._status = 0
        self._version = ""
        self._headers_done = False
        self._complete = False
        self._overflow = False
        self._head_bytes = 0

    # -- transport events ---------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if self.answer.done():
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            self._complete = True
        except httptools.HttpParserError as error:
            self._fail(ProbeError("protocol", f"malformed response: {error}"))
            return
        if self._headers_done and (self._complete or len(self._body) >= self._cap):
            self._finish()
        elif not self._headers_done:
            self._head_bytes += len(data)
            if self._head_bytes > _MAX_HEAD_BYTES:
                self._fail(ProbeError("protocol", f"headers longer than {_MAX_HEAD_BYTES} bytes"))

    def eof_received(self) -> bool:
        self._ended(None)
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self._ended(exc)

    def _ended(self, exc: Exception | None) -> None:
        if self.answer.done():
            return
        if self._headers_done and not self._has_length():
            self._complete = True  # a body delimited by the end of the connection
            self._finish()
        elif self._headers_done:
            self._finish(
                ProbeError("protocol", "broken response body: the connection closed before its end")
            )
        elif isinstance(exc, OSError):
            self._fail(exc)
        else:
            self._fail(
                ProbeError(
                    "connection_error",
                    "server closed the connection without a complete response",
                )
            )

    # -- parser callbacks ---------------------------------------------------------------

    def on_header(self, name: bytes, value: bytes) -> None:
        key = name.decode("latin-1").lower()
        text = value.decode("latin-1")
        known = self._headers.get(key)
        self._headers[key] = text if known is None else f"{known}, {text}"

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        if 100 <= status < 200 and status != 101:
            self._headers = {}  # an interim answer; the real one follows
            return
        self._status = status
        self._version = self._parser.get_http_version()
        self._headers_done = True
        if self._head_only:
            self._complete = True

    def on_body(self, body: bytes) -> None:
        room = self._cap - len(self._body)
        if room > 0:
            self._body += body[:room]
        if len(body) > room:
            self._overflow = True

    def on_message_complete(self) -> None:
        if self._headers_done:
            self._complete = True

    # -- outcome ------------------------------------------------------------------------

    def _has_length(self) -> bool:
        return "content-length" in self._headers or "chunked" in self._headers.get(
            "transfer-encoding", ""
        )

    def _finish(self, broken: ProbeError | None = None) -> None:
        body = bytes(self._body[: self._cap])
        encoding = self._headers.get("content-encoding", "").strip().lower()
        if encoding in ("gzip", "x-gzip", "deflate") and body and broken is None:
            try:
                body = _decompress(body, encoding, self._cap)
            except ProbeError as error:
                broken = error
        self.answer.set_result(
            Answer(
                status=self._status,
                version=self._version,
                headers=self._headers,
                body=body,
                truncated=self._overflow or not self._complete,
                broken=broken,
            )
        )

    def _fail(self, error: BaseException) -> None:
        if not self.answer.done():
            self.answer.set_exception(error)


def _decompress(body: bytes, encoding: str, cap: int) -> bytes:
    """What aiohttp's reader would have decoded; a broken stream is a protocol failure."""
    wbits = zlib.MAX_WBITS | 16 if "gzip" in encoding else zlib.MAX_WBITS
    try:
        return zlib.decompressobj(wbits).decompress(body, cap)
    except zlib.error:
        if encoding != "deflate":
            raise ProbeError("protocol", "broken response body: bad gzip data") from None
    try:  # "deflate" is raw deflate for some servers, as aiohttp tolerates
        return zlib.decompressobj(-zlib.MAX_WBITS).decompress(body, cap)
    except zlib.error:
        raise ProbeError("protocol", "broken response body: bad deflate data") from None
