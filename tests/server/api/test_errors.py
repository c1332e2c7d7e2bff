"""Failures outside the client's control: a store that is away, a handler that breaks."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from monitor.config import Config
from monitor.server.api import ApiContext, ApiTokens, add_api_routes
from monitor.store import Store, create_engine
from tests.server.api.conftest import NOW, WRITE_TOKEN, bearer, window_body


@pytest.fixture
async def unreachable(config: Config) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    """The API over a PostgreSQL URL whose port nobody listens on: every query is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    store = Store(create_engine(f"postgresql+asyncpg://sla@127.0.0.1:{port}/sla"))
    app = web.Application()
    add_api_routes(
        app,
        ApiContext(
            store=store,
            config=lambda: config,
            tokens=ApiTokens.of(write=[WRITE_TOKEN]),
            clock=lambda: NOW,
        ),
    )
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        yield client
    await store.close()


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/outages"),
        ("GET", "/api/v1/maintenance"),
        ("POST", "/api/v1/maintenance"),
        ("GET", "/api/v1/maintenance/6f1c3c1e-0000-4000-8000-000000000000"),
    ],
)
async def test_a_store_that_is_away_is_a_503_the_client_may_retry(
    unreachable: TestClient[web.Request, web.Application], method: str, path: str
) -> None:
    """Not a 500: the request was fine; Retry-After says when to try again."""
    response = await unreachable.request(method, path, json=window_body(), headers=bearer())
    assert response.status == 503
    assert response.headers["Retry-After"] == "10"
    body = await response.json()
    assert body["error"] == "store_unavailable"
    assert "127.0.0.1" not in body["detail"]


async def test_the_status_needs_no_store_and_keeps_answering(
    unreachable: TestClient[web.Request, web.Application],
) -> None:
    """Status is served from memory (snapshot and live states), like /metrics."""
    response = await unreachable.get("/api/v1/status")
    assert response.status == 200


async def test_an_unexpected_failure_is_a_500_without_internals(
    store: Store, config: Config
) -> None:
    """A bug in a callable the daemon hands in becomes a generic 500 in the error shape."""

    def broken() -> None:
        raise KeyError("internal detail")

    app = web.Application()
    add_api_routes(
        app,
        ApiContext(
            store=store,
            config=lambda: config,
            tokens=ApiTokens(),
            snapshot=broken,
        ),
    )
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        response = await client.get("/api/v1/status")
        assert response.status == 500
        body = await response.json()
    assert body["error"] == "internal_error"
    assert "internal detail" not in body["detail"]
