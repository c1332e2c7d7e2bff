"""The two ways of making an HTTP probe's exchange: which one is taken, and that they agree.

Every test in ``test_http.py`` already runs on both paths; here the same real servers are
probed through both in one test and the outcomes compared field by field.
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import aiohttp
import pytest
import structlog
from aiohttp import web
from yarl import URL

from monitor.probing.runner import probe_once
from probes import run_probe
from probes._http1 import LeanHttp
from probes.base import ProbeContext, ProbeResult
from probes.config import HttpProbeConfig
from probes.http import probe_http
from tests.servers.http import Mode, SwitchableHttpServer
from tests.servers.raw import scripted_server, unused_port
from tests.servers.tls import CertificateSet


def http(url: str, **settings: object) -> HttpProbeConfig:
    return HttpProbeConfig.model_validate({"url": url, "timeout": "5s", **settings})


def contexts(session: aiohttp.ClientSession) -> tuple[ProbeContext, ProbeContext, LeanHttp]:
    """One context per path over the same session: aiohttp's, and the lean one."""

    def clock() -> datetime:
        return datetime.now(UTC)

    lean = LeanHttp()
    plain = ProbeContext(http=session, clock=clock, monotonic=time.monotonic)
    return plain, ProbeContext(session, clock, time.monotonic, lean_http=lean), lean


def outcome(result: ProbeResult) -> tuple[object, ...]:
    """What must be the same on both paths (messages and durations may differ)."""
    keys = ("status_code", "http_version", "redirects", "body_bytes_read", "body_truncated")
    return (
        result.ok,
        result.error_class,
        result.cert_expiry,
        *(result.details.get(key) for key in keys),
    )


async def both(config: HttpProbeConfig, session: aiohttp.ClientSession) -> list[tuple[object, ...]]:
    """The outcome on aiohttp's path, then on the lean path (which must have been taken)."""
    plain, lean_context, lean = contexts(session)
    log = structlog.get_logger("tests")
    on_aiohttp = await probe_once(run_probe, config, plain, datetime.now(UTC), log)
    on_lean = await probe_once(run_probe, config, lean_context, datetime.now(UTC), log)
    assert lean.exchanges >= 1
    return [outcome(on_aiohttp), outcome(on_lean)]


async def test_a_plain_http_probe_takes_the_lean_path(
    http_server: SwitchableHttpServer, http_session: aiohttp.ClientSession
) -> None:
    """A URL without credentials goes through the lean exchange, one request per probe."""
    _, context, lean = contexts(http_session)

    result = await probe_http(http(http_server.url), context)

    assert result.ok, result.cause
    assert lean.exchanges == 1
    assert http_server.connections_accepted == 1


@pytest.mark.parametrize(
    ("mode", "settings"),
    [
        (Mode.UP, {}),
        (Mode.UP, {"method": "HEAD"}),
        (Mode.UP, {"body_contains": "OK"}),
        (Mode.UP, {"body_contains": "missing"}),
        (Mode.UP, {"body_regex": "^O.$"}),
        (Mode.UP, {"body_json": {"path": "$.state", "expect": "up"}}),
        (Mode.ERROR500, {}),
        (Mode.ERROR500, {"expect_status": [500]}),
        (Mode.DOWN, {}),
        (Mode.GARBAGE, {}),
        (Mode.REDIRECT, {}),
        (Mode.REDIRECT, {"follow_redirects": False}),
        (Mode.REDIRECT_LOOP, {}),
        (Mode.ENDLESS, {"max_body_bytes": 1000}),
        (Mode.HUGE, {"max_body_bytes": 1000}),
        (Mode.SLOW, {"timeout": "0.3s"}),
    ],
    ids=lambda value: str(value) if isinstance(value, Mode) else "-".join(map(str, value)),
)
async def test_both_http_paths_agree_on_the_outcome(
    mode: Mode,
    settings: dict[str, object],
    http_server: SwitchableHttpServer,
    http_session: aiohttp.ClientSession,
) -> None:
    """Status, body checks, redirects, caps, refusal, garbage and timeout: the same result."""
    await http_server.set_mode(mode)
    path = "health" if mode is Mode.REDIRECT else ""

    aiohttp_outcome, lean_outcome = await both(
        http(http_server.url + path, **settings), http_session
    )

    assert lean_outcome == aiohttp_outcome


@pytest.mark.parametrize("leaf", ["valid", "expired", "wrong_host"])
@pytest.mark.parametrize("trusted", [True, False], ids=["known-ca", "unknown-ca"])
async def test_both_http_paths_agree_on_tls_outcomes_and_certificate_expiry(
    leaf: str,
    trusted: bool,
    tls_certificates: CertificateSet,
    http_session: aiohttp.ClientSession,
) -> None:
    """Verified, rejected for its CA, expired, for another host: the same class and expiry."""
    context = tls_certificates.server_context(getattr(tls_certificates, leaf))
    ca_file = str(tls_certificates.ca_file) if trusted else None
    async with SwitchableHttpServer(ssl_context=context) as server:
        for settings in ({"ca_file": ca_file}, {"verify_tls": False}):
            aiohttp_outcome, lean_outcome = await both(http(server.url, **settings), http_session)
            assert lean_outcome == aiohttp_outcome, settings


@contextlib.asynccontextmanager
async def serving(
    handle: Callable[[web.Request], Awaitable[web.StreamResponse]],
) -> AsyncIterator[str]:
    """A loopback aiohttp server answering every GET with ``handle``; its base URL."""
    app = web.Application()
    app.router.add_get("/{tail:.*}", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}/"
    finally:
        await runner.cleanup()


@pytest.fixture
async def recording_server() -> AsyncIterator[tuple[str, list[dict[str, str]]]]:
    """A loopback server that keeps each request's headers and always answers gzip."""
    seen: list[dict[str, str]] = []

    async def handle(request: web.Request) -> web.Response:
        seen.append(dict(request.headers))
        body = gzip.compress(b'{"state": "up", "text": "hello from a gzip body"}')
        return web.Response(
            body=body, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}
        )

    async with serving(handle) as url:
        yield url, seen


async def test_both_http_paths_read_a_gzip_body_the_server_sends_unasked(
    recording_server: tuple[str, list[dict[str, str]]], http_session: aiohttp.ClientSession
) -> None:
    """A compressed answer is checked on its decompressed text, on either path."""
    url, _ = recording_server
    config = http(url, body_contains="hello from", body_json={"path": "$.state", "expect": "up"})

    aiohttp_outcome, lean_outcome = await both(config, http_session)

    assert lean_outcome == aiohttp_outcome
    assert lean_outcome[0] is True


async def test_a_url_with_credentials_takes_aiohttp_and_sends_basic_authentication(
    recording_server: tuple[str, list[dict[str, str]]], http_session: aiohttp.ClientSession
) -> None:
    """Credentials in the URL are aiohttp's feature: the lean path is left alone."""
    url, seen = recording_server
    _, context, lean = contexts(http_session)

    result = await probe_http(http(url.replace("://", "://probe:secret@")), context)

    assert result.ok, result.cause
    assert lean.exchanges == 0
    assert seen[-1]["Authorization"].startswith("Basic ")


async def test_the_lean_path_sends_the_configured_headers_and_connection_close(
    recording_server: tuple[str, list[dict[str, str]]], http_session: aiohttp.ClientSession
) -> None:
    """Configured headers replace the defaults; the connection is always closed after."""
    url, seen = recording_server
    _, context, lean = contexts(http_session)

    config = http(url + "x?y=1", headers={"user-agent": "probe/1", "X-Token": "abc"})
    result = await probe_http(config, context)

    assert result.ok, result.cause
    assert lean.exchanges == 1
    headers = seen[-1]
    assert headers["User-Agent"] == "probe/1"
    assert headers["X-Token"] == "abc"
    assert headers["Connection"] == "close"
    assert headers["Host"] == url.split("/")[2]


async def test_both_http_paths_agree_on_a_host_name_that_must_be_resolved(
    http_server: SwitchableHttpServer, http_session: aiohttp.ClientSession
) -> None:
    """``localhost`` goes through the resolver (and happy eyeballs) on both paths."""
    config = http(http_server.url.replace("127.0.0.1", "localhost"))

    aiohttp_outcome, lean_outcome = await both(config, http_session)

    assert lean_outcome == aiohttp_outcome
    assert lean_outcome[0] is True


async def test_both_http_paths_agree_on_a_name_that_does_not_resolve(
    http_session: aiohttp.ClientSession,
) -> None:
    """An unresolvable name is a dns failure on either path."""
    config = http("http://no-such-host.invalid/")

    aiohttp_outcome, lean_outcome = await both(config, http_session)

    assert lean_outcome == aiohttp_outcome
    assert lean_outcome[1] == "dns"


@pytest.mark.parametrize(
    ("send", "hold"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nhello", False),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort", False),
        (b"", False),
        (b"HTTP/1.1 200 OK\r\nX-Filler: " + b"a" * 200_000, True),
    ],
    ids=["body-ended-by-close", "body-shorter-than-declared", "closed-at-once", "endless-header"],
)
async def test_both_http_paths_agree_on_answers_that_end_oddly(
    send: bytes, hold: bool, http_session: aiohttp.ClientSession
) -> None:
    """Raw answers: a body delimited by the close, cut short, nothing, a header without end."""
    async with scripted_server(send, hold=hold) as endpoint:
        config = http(f"http://127.0.0.1:{endpoint.port}/", max_body_bytes=1000)
        aiohttp_outcome, lean_outcome = await both(config, http_session)

    assert lean_outcome == aiohttp_outcome


@pytest.fixture
async def redirect_to(https_server: SwitchableHttpServer) -> AsyncIterator[str]:
    """A plain loopback server whose every answer is a redirect to the HTTPS server."""

    async def handle(request: web.Request) -> web.Response:
        raise web.HTTPFound(https_server.url)

    async with serving(handle) as url:
        yield url


async def test_a_plain_http_probe_redirected_to_https_records_the_certificate_expiry(
    redirect_to: str, tls_certificates: CertificateSet, http_session: aiohttp.ClientSession
) -> None:
    """The certificate of an HTTPS hop counts although the probe began without TLS."""
    config = http(redirect_to, ca_file=str(tls_certificates.ca_file))

    aiohttp_outcome, lean_outcome = await both(config, http_session)

    assert lean_outcome == aiohttp_outcome
    assert lean_outcome[:3] == (True, None, tls_certificates.valid_not_after)


@pytest.fixture
async def whole_request_server() -> AsyncIterator[tuple[str, list[int]]]:
    """A loopback server that reads each request to its blank line, then answers 200.

    It keeps the length of each request's ``X-Filler`` value, so a test sees it arrive whole.
    """
    lengths: list[int] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            filler = head.partition(b"\r\nX-Filler: ")[2].partition(b"\r\n")[0]
            lengths.append(len(filler))
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK")
            await writer.drain()
        finally:
            writer.transport.abort()

    server = await asyncio.start_server(handle, "127.0.0.1", 0, limit=2**24)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/", lengths
    finally:
        server.close()
        await server.wait_closed()


async def test_a_request_larger_than_the_socket_buffers_is_sent_whole_on_both_paths(
    whole_request_server: tuple[str, list[int]], http_session: aiohttp.ClientSession
) -> None:
    """A request of megabytes leaves in several sends and still arrives complete."""
    url, lengths = whole_request_server
    filler = "a" * (8 * 1024 * 1024)

    aiohttp_outcome, lean_outcome = await both(
        http(url, headers={"X-Filler": filler}), http_session
    )

    assert lean_outcome == aiohttp_outcome
    assert lean_outcome[0] is True
    assert lengths == [len(filler), len(filler)]


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]"], ids=["ipv4", "ipv6"])
async def test_both_http_paths_agree_on_a_refused_connection_to_an_ip_address(
    host: str, http_session: aiohttp.ClientSession
) -> None:
    """Nothing listening on an IPv4 or IPv6 literal: connection_refused on either path."""
    port = unused_port(host=host.strip("[]"))

    aiohttp_outcome, lean_outcome = await both(http(f"http://{host}:{port}/"), http_session)

    assert lean_outcome == aiohttp_outcome
    assert lean_outcome[:2] == (False, "connection_refused")


def test_the_lean_path_keeps_what_an_exchange_needs_of_a_url_as_a_few_strings() -> None:
    """A target's URL is parsed once into host, port, Host header and path; the text stays."""
    lean = LeanHttp()
    text = "http://Portal.Example.test:8080/a b?q=1"

    plain = lean.plain_url(text)

    assert plain is not None
    assert lean.plain_url(text) is plain
    assert (plain.scheme, plain.host, plain.port) == ("http", "portal.example.test", 8080)
    assert plain.host_header == "portal.example.test:8080"
    assert plain.path_qs == "/a%20b?q=1"
    assert plain.text is text
    assert plain.url() == URL(text)
    secure = lean.plain_url("https://portal.example.test")
    assert secure is not None
    assert (secure.port, secure.host_header, secure.path_qs) == (443, "portal.example.test", "/")
    assert lean.plain_url("http://user:pw@portal.example.test/") is None
