"""schemathesis fuzzes the live API against the OpenAPI document it serves.

The daemon's app runs on 127.0.0.1 in a thread of its own (schemathesis calls synchronously
through ``requests``), with a real SQLite store, a write token and a read token, so every
operation is exercised with protection on. Each generated request must not end in a 5xx,
must return a documented status with a body matching the documented schema, must reject
data the document calls invalid, and must refuse the request without its token.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import schemathesis
import schemathesis.specs.openapi.checks  # registers the OpenAPI checks
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS as REGISTERED
from schemathesis.core.parameters import ParameterLocation

from monitor.config import parse_config
from monitor.server.api import ApiContext, ApiTokens, openapi_document
from monitor.server.web import create_app, start_server
from monitor.store import Store
from tests.server.api.conftest import (
    CATEGORIES,
    CONFIG_TEXT,
    READ_TOKEN,
    WRITE_TOKEN,
    bearer,
    render_metrics,
)

# The registry also holds check classes, which call_and_validate accepts beside functions.
CHECKS: list[Any] = list(REGISTERED.get_all())
"""Every check schemathesis has (``--checks all``): besides no 5xx and documented
statuses, bodies and headers, valid data must be accepted, invalid data refused, unknown
methods answered 405 with ``Allow``, and tokens enforced."""


@dataclass(frozen=True)
class LiveApi:
    url: str
    headers: dict[str, str]


@pytest.fixture(scope="module")
def live_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApi]:
    """The API on 127.0.0.1:<free port>, served from its own event loop in a thread."""
    database = tmp_path_factory.mktemp("fuzz") / "fuzz.db"
    ready: dict[str, Any] = {}
    started = threading.Event()

    async def serve() -> None:
        loop = asyncio.get_running_loop()
        stop = asyncio.Event()
        ready["stop"] = lambda: loop.call_soon_threadsafe(stop.set)
        config = parse_config(CONFIG_TEXT, "fuzz.yaml")
        async with await Store.open(f"sqlite+aiosqlite:///{database}") as store:
            api = ApiContext(
                store=store,
                config=lambda: config,
                tokens=ApiTokens.of(write=[WRITE_TOKEN], read=[READ_TOKEN]),
            )
            runner = await start_server(create_app(render_metrics, [], api), "127.0.0.1", 0)
            try:
                host, port = runner.addresses[0][:2]
                ready["url"] = f"http://{host}:{port}"
                started.set()
                await stop.wait()
            finally:
                await runner.cleanup()

    def run() -> None:
        try:
            asyncio.run(serve())
        except BaseException as error:  # surface start-up failures to the waiting test
            ready["error"] = error
            started.set()

    thread = threading.Thread(target=run, name="live-api", daemon=True)
    thread.start()
    assert started.wait(30), "the API did not start within 30 s"
    if "error" in ready:
        raise ready["error"]
    try:
        yield LiveApi(ready["url"], bearer(WRITE_TOKEN))
    finally:
        ready["stop"]()
        thread.join(30)


DOCUMENT = openapi_document(["mail", "web"], reads_protected=True, categories=CATEGORIES)
# Loaded from the dict rather than lazily from the live URL: schemathesis' from_fixture
# reaches into a pytest private (Node._nodeid) that pytest 9 removed. A test below pins the
# live daemon to serve exactly this document.
schema = schemathesis.openapi.from_dict(DOCUMENT)
# Schema-valid data may still break a rule JSON Schema cannot state, across fields or
# against the clock: until after since, end after start, nothing answered in the future, a
# window that has started, one ``by`` for a withdrawal. The API answers those with the
# documented 400 (query) or 422 (body) naming the field; everything else must succeed.
schema.config.checks.positive_data_acceptance.expected_statuses = [
    *schema.config.checks.positive_data_acceptance.expected_statuses,
    "400",
    "422",
]


@schema.parametrize()
@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_request_the_document_allows_or_forbids_breaks_the_api(
    case: schemathesis.Case[Any], live_api: LiveApi
) -> None:
    """Every schemathesis check passes: the document and the API agree in both directions."""
    # The token goes into the case, so schemathesis re-validates what it sends; a case whose
    # headers are negative on purpose (no Authorization) is sent as generated and must be
    # refused, not repaired by the test.
    meta = case.meta
    if meta is None or not meta.is_negative_at(ParameterLocation.HEADER):
        case.headers.update(live_api.headers)
    case.call_and_validate(base_url=live_api.url, checks=CHECKS, timeout=10)


def test_the_fuzzed_document_is_the_one_the_daemon_serves(live_api: LiveApi) -> None:
    """Same targets in the enum, same read protection: the fuzzing covers the real contract."""
    response = requests.get(
        f"{live_api.url}/api/v1/openapi.json", headers=live_api.headers, timeout=10
    )
    assert response.status_code == 200
    assert response.json() == DOCUMENT
