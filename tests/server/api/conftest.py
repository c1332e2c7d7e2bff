"""Fixtures for the API tests: a real SQLite store in tmp_path, a fixed clock, a small config,
and the API served by aiohttp's test server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from monitor.config import Config, parse_config
from monitor.live.snapshot import SlaSnapshot
from monitor.server.api import ApiContext, ApiTokens, TargetState
from monitor.server.web import Readiness, create_app
from monitor.store import Store
from tests.report.conftest import seeded  # noqa: F401  (the report handler tests use it)

WRITE_TOKEN = "write-token-0123456789abcdef"
READ_TOKEN = "read-token-0123456789abcdef"
OTHER_TOKEN = "not-a-configured-token-0000"

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
"""Wednesday 10 June 2026, 14:00 in Amsterdam."""

CATEGORIES = ["complaint", "email", "escalation", "information_request"]
"""The contract's request categories, which the test config gets by default."""

CONFIG_TEXT = """\
timezone: Europe/Amsterdam
targets:
  - name: web
    probe: {type: http, url: "http://127.0.0.1:9/health"}
    slas:
      - {window: 24x7, objective: 0.99}
      - {window: business-hours, objective: 1.0}
  - name: mail
    probe: {type: tcp, host: 127.0.0.1, port: 25}
    slas:
      - {window: 24x7, objective: 0.995}
"""


def render_metrics() -> str:
    """Stands in for the daemon's exposition renderer."""
    return "# TYPE sla_test_up gauge\nsla_test_up 1\n"


def bearer(token: str = WRITE_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class Clock:
    """A clock the test moves by hand."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, by: timedelta) -> None:
        self.now += by


@dataclass
class Harness:
    client: TestClient[Any, Any]
    store: Store
    clock: Clock
    config: Config
    changes: list[datetime] = field(default_factory=list)
    request_changes: list[datetime] = field(default_factory=list)

    async def register(self, token: str = WRITE_TOKEN, **overrides: Any) -> Any:
        """POST a window (a valid future one unless overridden); returns the response."""
        body = window_body(**overrides)
        return await self.client.post("/api/v1/maintenance", json=body, headers=bearer(token))


def window_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "release-2026-06",
        "targets": ["web"],
        "start": "2026-06-14T02:00:00+02:00",
        "end": "2026-06-14T06:00:00+02:00",
        "reason": "Release 2026.06",
        "requested_by": "ops@example.nl",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


@pytest.fixture
def config() -> Config:
    return parse_config(CONFIG_TEXT, "api-test.yaml")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    async with await Store.open(f"sqlite+aiosqlite:///{tmp_path}/api.db") as opened:
        yield opened


METRICS_TEXT = "# TYPE sla_test_gauge gauge\nsla_test_gauge 1.0\n"
"""A fixed body, so the /metrics token rules can be checked without a daemon."""

MakeHarness = Callable[..., AbstractAsyncContextManager[Harness]]


@pytest.fixture
def make_harness(store: Store, config: Config) -> MakeHarness:
    """Serve the API with the given tokens, snapshot and target states."""

    @asynccontextmanager
    async def make(
        tokens: ApiTokens | None = None,
        snapshot: SlaSnapshot | Callable[[], SlaSnapshot | None] | None = None,
        states: Mapping[str, TargetState] | None = None,
        clock: Clock | None = None,
        on_change: Callable[[], None] | None = None,
    ) -> AsyncIterator[Harness]:
        clock = clock or Clock()
        changes: list[datetime] = []
        request_changes: list[datetime] = []
        api = ApiContext(
            store=store,
            config=lambda: config,
            tokens=tokens if tokens is not None else ApiTokens.of(write=[WRITE_TOKEN]),
            snapshot=snapshot if callable(snapshot) else (lambda: snapshot),
            targets=lambda: states or {},
            clock=clock,
            on_maintenance_change=on_change or (lambda: changes.append(clock())),
            on_requests_change=lambda: request_changes.append(clock()),
        )
        app = create_app(lambda: METRICS_TEXT, [Readiness("always", lambda: None)], api)
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            yield Harness(client, store, clock, config, changes, request_changes)

    return make


@pytest.fixture
async def harness(make_harness: MakeHarness) -> AsyncIterator[Harness]:
    """The API with one write token, no read protection, at :data:`NOW`."""
    async with make_harness() as made:
        yield made
