"""The HTML report opens in a real browser (Debian chromium, headless) without an error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from monitor.report import Report, render
from tests.report.chromium import chromium_problem, visit

ROOT = Path(__file__).resolve().parents[2]
ARTIFACT = ROOT / "test-artifacts" / "report-screenshot.png"


@pytest.fixture(autouse=True)
def _chromium() -> None:
    problem = chromium_problem()
    if problem is not None:
        pytest.fail(problem, pytrace=False)


async def test_the_html_report_loads_in_chromium_without_errors(
    may_report: Report, tmp_path: Path
) -> None:
    """No exception, no console error, no request but the file itself; a screenshot is kept."""
    page = tmp_path / "sla-report-2026-05.html"
    page.write_text(render(may_report, "html"), encoding="utf-8")
    url = page.resolve().as_uri()
    seen = await visit(url)
    assert seen.errors == []
    assert seen.requested == [url]
    # A full page: summary, misses, two timelines, maintenance, requests, descriptions.
    assert seen.height > 3000
    assert seen.screenshot.startswith(b"\x89PNG\r\n\x1a\n")
    shot = tmp_path / "report-screenshot.png"
    shot.write_bytes(seen.screenshot)
    ARTIFACT.parent.mkdir(exist_ok=True)
    shutil.copyfile(shot, ARTIFACT)


async def test_the_browser_check_does_see_console_errors_and_exceptions(tmp_path: Path) -> None:
    """The harness is not blind: a page that logs an error and throws is caught twice."""
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><title>x</title><script>console.error('boom');"
        "undefined_function();</script>",
        encoding="utf-8",
    )
    seen = await visit(page.resolve().as_uri())
    assert any("console.error: boom" in e for e in seen.errors)
    assert any(e.startswith("exception:") for e in seen.errors)
