"""The daemon's HTTP server: health and metrics without the API, TLS, clean start failures."""

from __future__ import annotations

import asyncio
import gzip
import json
import ssl
import zlib
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from monitor.config import Config
from monitor.promtext import Chunk
from monitor.server.api import ApiContext, ApiTokens
from monitor.server.web import Readiness, create_app, start_server
from monitor.settings import Settings, build_ssl_context
from monitor.store import Store
from tests.servers.tls import CertificateSet


def render_metrics() -> str:
    return "# TYPE sla_test_up gauge\nsla_test_up 1\n"


async def test_without_an_api_the_server_is_metrics_and_health_as_before() -> None:
    """create_app without an ApiContext keeps working: no API routes, no token rules."""
    problem: list[str | None] = [None]
    app = create_app(render_metrics, [Readiness("store", lambda: problem[0])])
    runner = await start_server(app, "127.0.0.1", 0)
    host, port = runner.addresses[0][:2]
    base = f"http://{host}:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{base}/metrics") as response:
                assert response.status == 200
                assert "sla_test_up 1\n" in await response.text()
            async with session.get(f"{base}/-/healthy") as response:
                assert (response.status, await response.text()) == (200, "OK\n")
            problem[0] = "1200 writes waiting for the database"
            async with session.get(f"{base}/-/ready") as response:
                assert response.status == 503
                assert await response.text() == "store: 1200 writes waiting for the database\n"
            async with session.get(f"{base}/api/v1/status") as response:
                assert response.status == 404
    finally:
        await runner.cleanup()


async def test_the_server_speaks_https_with_the_configured_certificate(
    tls_certificates: CertificateSet, tmp_path: Path, store_for_web: Store
) -> None:
    """SLA_MONITOR_TLS_* files give an HTTPS server a verifying client accepts; plain HTTP
    to the same port gets no answer."""
    cert, key = tls_certificates.write_pair(tls_certificates.valid, tmp_path, "server")
    context = build_ssl_context(Settings(tls_cert_file=cert, tls_key_file=key))
    assert context is not None
    api = ApiContext(store=store_for_web, config=Config, tokens=ApiTokens())
    runner = await start_server(
        create_app(render_metrics, [], api), "127.0.0.1", 0, ssl_context=context
    )
    port = runner.addresses[0][1]
    try:
        client = tls_certificates.client_context()
        async with aiohttp.ClientSession() as session:
            async with session.get(f"https://localhost:{port}/api/v1/status", ssl=client) as r:
                assert r.status == 200
                assert (await r.json())["targets"] == []
            async with session.get(f"https://127.0.0.1:{port}/metrics", ssl=client) as r:
                assert "sla_test_up 1\n" in await r.text()
            with pytest.raises(aiohttp.ClientError):
                async with session.get(f"http://127.0.0.1:{port}/-/healthy") as r:
                    await r.read()
    finally:
        await runner.cleanup()


async def test_a_port_in_use_fails_start_up_without_leaking_the_runner() -> None:
    """The second server on one port raises; the first keeps serving."""
    first = await start_server(create_app(render_metrics, []), "127.0.0.1", 0)
    port = first.addresses[0][1]
    try:
        with pytest.raises(OSError, match=r"(?i)address already in use"):
            await start_server(create_app(render_metrics, []), "127.0.0.1", port)
        async with (
            aiohttp.ClientSession() as session,
            session.get(f"http://127.0.0.1:{port}/-/healthy") as response,
        ):
            assert response.status == 200
    finally:
        await first.cleanup()


def test_build_ssl_context_refuses_old_protocols(
    tls_certificates: CertificateSet, tmp_path: Path
) -> None:
    """TLS 1.2 is the floor; plain HTTP when no files are configured."""
    assert build_ssl_context(Settings()) is None
    cert, key = tls_certificates.write_pair(tls_certificates.valid, tmp_path, "server")
    context = build_ssl_context(Settings(tls_cert_file=cert, tls_key_file=key))
    assert context is not None
    assert context.minimum_version >= ssl.TLSVersion.TLSv1_2


@pytest.fixture
async def store_for_web(tmp_path: Path) -> AsyncIterator[Store]:
    async with await Store.open(f"sqlite+aiosqlite:///{tmp_path}/web.db") as store:
        yield store


async def test_a_request_aiohttp_refuses_is_answered_in_the_json_error_shape() -> None:
    """A header over aiohttp's limit: 400 with ``{"error", "detail"}``, not aiohttp's text."""
    runner = await start_server(create_app(render_metrics, []), "127.0.0.1", 0)
    host, port = runner.addresses[0][:2]
    try:
        reader, writer = await asyncio.open_connection(host, port)
        writer.write(f"GET /metrics HTTP/1.1\r\nHost: a\r\nX-Pad: {'y' * 9000}\r\n\r\n".encode())
        async with asyncio.timeout(10):
            answer = await reader.read()
        writer.close()
    finally:
        await runner.cleanup()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.split(b" ", 2)[1] == b"400"
    assert b"Content-Type: application/json" in head
    assert json.loads(body) == {
        "error": "bad_request",
        "detail": "the request line or a header is longer than the server accepts",
    }


@pytest.mark.parametrize("kept_first", [False, True])
async def test_a_scraper_that_accepts_gzip_gets_the_same_page_compressed(kept_first: bool) -> None:
    """With Accept-Encoding: gzip (as Prometheus sends) the page arrives as one gzip member
    that both a whole-body and a streaming decoder read back to the plain page; without it
    the page is plain. Kept (deflated only) and fresh chunks mix in one body, the kept one
    leading it or further down."""
    kept = Chunk.compressed("# TYPE sla_kept gauge\n" + "sla_kept 1.0\n" * 5000)
    fresh = Chunk.of("# TYPE sla_fresh gauge\nsla_fresh 2.0\n")
    page = (kept, fresh, Chunk.of("")) if kept_first else (fresh, kept, Chunk.of(""))
    runner = await start_server(create_app(lambda: page, []), "127.0.0.1", 0)
    host, port = runner.addresses[0][:2]
    plain = b"".join(c.plain() for c in page)
    assert plain.count(b"sla_kept 1.0\n") == 5000
    try:
        async with aiohttp.ClientSession(auto_decompress=False) as session:
            url = f"http://{host}:{port}/metrics"
            async with session.get(url, headers={"Accept-Encoding": "gzip"}) as response:
                assert response.headers["Content-Encoding"] == "gzip"
                body = await response.read()
            async with session.get(url, headers={"Accept-Encoding": "identity"}) as response:
                assert "Content-Encoding" not in response.headers
                assert await response.read() == plain
    finally:
        await runner.cleanup()
    assert gzip.decompress(body) == plain
    streaming = zlib.decompressobj(16 + zlib.MAX_WBITS)
    assert streaming.decompress(body) + streaming.flush() == plain
    assert streaming.eof
    assert not streaming.unused_data
