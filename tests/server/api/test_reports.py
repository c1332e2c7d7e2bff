"""``GET /api/v1/reports/{YYYY-MM}`` on a real aiohttp server on loopback."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from monitor.server.api.reports import negotiate, report_handler
from tests.report import seed
from tests.report.seed import Seeded


@pytest.fixture
async def seeded(tmp_path: Path) -> AsyncIterator[Seeded]:
    """May 2026 as worked out in ``tests/report/seed.py``, in a fresh SQLite store."""
    async with seed.seeded_store(tmp_path) as seeded:
        yield seeded


@pytest.fixture
async def base_url(seeded: Seeded) -> AsyncIterator[str]:
    """The handler mounted as the daemon mounts it, on 127.0.0.1 and a free port."""
    app = web.Application()
    handler = report_handler(seeded.store, lambda: seeded.config, lambda: seed.NOT_FINAL_NOW)
    app.router.add_get("/api/v1/reports/{month}", handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"http://127.0.0.1:{port}/api/v1/reports"
    finally:
        await runner.cleanup()


async def test_the_report_is_json_unless_asked_otherwise(base_url: str) -> None:
    """No Accept header: the month's JSON (docs/interfaces.md), not cached, named for download."""
    async with aiohttp.ClientSession() as client, client.get(f"{base_url}/2026-05") as response:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        assert response.headers["Cache-Control"] == "no-store"
        assert 'filename="sla-report-2026-05.json"' in response.headers["Content-Disposition"]
        data = await response.json()
    assert (data["month"], data["final"]) == ("2026-05", False)
    assert data["availability"][1]["unplanned_downtime_seconds"] == 15_300.0


@pytest.mark.parametrize(
    ("query", "accept", "content_type", "start"),
    [
        ("?format=csv", None, "text/csv; charset=utf-8; header=present", "month,final,kind"),
        ("?format=html", "application/json", "text/html; charset=utf-8", "<!DOCTYPE html>"),
        ("", "text/html,application/xhtml+xml;q=0.9", "text/html; charset=utf-8", "<!DOCTYPE"),
        ("", "text/csv", "text/csv; charset=utf-8; header=present", "month,final,kind"),
        ("", "text/html;q=0.5, application/json", "application/json; charset=utf-8", "{"),
    ],
)
async def test_the_format_follows_the_query_or_the_accept_header(
    base_url: str, query: str, accept: str | None, content_type: str, start: str
) -> None:
    """``?format=`` wins over ``Accept``; ``Accept`` is ranked by quality."""
    headers = {"Accept": accept} if accept else {}
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"{base_url}/2026-05{query}", headers=headers) as response,
    ):
        assert response.status == 200
        assert response.headers["Content-Type"] == content_type
        body = await response.text()
    assert body.startswith(start)
    if content_type.startswith("text/csv"):
        rows = list(csv.DictReader(io.StringIO(body, newline="")))
        assert rows[0]["value"] == repr(1 - 24_300 / 2_678_400)


@pytest.mark.parametrize(
    ("path", "headers", "status", "error", "detail"),
    [
        ("/2026-13", {}, 400, "bad_request", "'2026-13' is not a month of the form YYYY-MM"),
        ("/may", {}, 400, "bad_request", "'may' is not a month of the form YYYY-MM"),
        ("/0001-01", {}, 400, "bad_request", "0001-01 lies outside the years 1970 to 9998"),
        ("/9999-12", {}, 400, "bad_request", "9999-12 lies outside the years 1970 to 9998"),
        ("/2026-05?format=pdf", {}, 400, "bad_request", "unknown format 'pdf'; use one of"),
        (
            "/2026-05?format=json&format=csv",
            {},
            400,
            "bad_request",
            "query parameter format given more than once",
        ),
        ("/2026-05?fromat=csv", {}, 400, "bad_request", "unknown query parameter 'fromat'"),
        ("/2026-05", {"Accept": "image/png"}, 406, "not_acceptable", "available as"),
        ("/2026-07", {}, 404, "not_found", "the month 2026-07 has not started yet"),
    ],
)
async def test_bad_requests_get_the_apis_error_shape(
    base_url: str, path: str, headers: dict[str, str], status: int, error: str, detail: str
) -> None:
    """A bad month (also one no datetime can hold), a repeated or unknown parameter is 400, a
    month not begun 404."""
    async with (
        aiohttp.ClientSession() as client,
        client.get(f"{base_url}{path}", headers=headers) as response,
    ):
        assert response.status == status
        body = await response.json()
    assert body["error"] == error
    assert detail in body["detail"]


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, "json"),
        ("*/*", "json"),
        ("text/*", "html"),
        ("text/csv;q=0, */*;q=0.1", "json"),
        ("application/pdf", None),
        ("text/html;q=abc", None),
    ],
)
def test_accept_headers_choose_the_format_by_quality(
    accept: str | None, chosen: str | None
) -> None:
    """Wildcards resolve to JSON (or HTML for text/*); q=0 and bad q values exclude."""
    assert negotiate(accept) == chosen
