"""Resolution tiers (3.2.40) and calendar-day terms (3.2.41) in the monthly report: JSON, CSV
and HTML."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from monitor.config import Config, parse_config
from monitor.figures.evidence import Evidence
from monitor.report import build_report
from monitor.report.formats import render
from monitor.report.load import load_report
from monitor.report.model import Report
from monitor.sla.months import Month
from monitor.store import Store
from monitor.store.records import ReportDelivery
from tests.report.test_model import FakeRequest

ZONE = ZoneInfo("Europe/Amsterdam")
JUNE = Month(2026, 6)
CONFIG_TEXT = (
    "servicedesk:\n"
    "  categories:\n"
    "    complaint: {resolution: {days: 1, overrun_tiers: [0.2, 0.5]}}\n"
    "    woo_request: {days: 2, objective: 1.0, unit: calendar_days}\n"
)
CONFIG = parse_config(CONFIG_TEXT)


def local(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE)


RECEIVED = local(6, 1, 8)  # Monday: the one-working-day term ends at 18:00, ten hours later


def _june(config: Config) -> Report:
    answered = RECEIVED + timedelta(hours=1)
    requests = [
        FakeRequest("k-119", "complaint", RECEIVED, answered, resolved_at=local(6, 2, 9, 54)),
        FakeRequest("k-121", "complaint", RECEIVED, answered, resolved_at=local(6, 2, 10, 6)),
        FakeRequest("k-151", "complaint", RECEIVED, answered, resolved_at=local(6, 2, 13, 6)),
        FakeRequest("k-open", "complaint", local(6, 30, 8), answered + timedelta(days=29)),
        FakeRequest("w-1", "woo_request", local(6, 5, 10), local(6, 7, 9)),
    ]
    period = JUNE.interval(ZONE)
    return build_report(config, JUNE, Evidence(span=period), requests, local(7, 1, 11))


@pytest.fixture(scope="module")
def report() -> Report:
    """June complaints resolved at 119 %, 121 % and 151 % of the term, and one unresolved
    that is past 120 % on 1 July 11:00, when the report is made; a WOO request answered on
    Sunday."""
    return _june(CONFIG)


@pytest.fixture(scope="module")
def dutch_report() -> Report:
    """The same June, reported in Dutch (``report: {language: nl}``)."""
    return _june(parse_config(CONFIG_TEXT + "report: {language: nl}\n"))


def entry(data: dict[str, Any], category: str) -> dict[str, Any]:
    return next(e for e in data["response"] if e["category"] == category)


def test_the_json_counts_each_tier_and_judges_each_request(report: Report) -> None:
    """119 % in time, 121 % over_20, 151 % over_50; the open one pending, already over 20 %."""
    complaint = entry(json.loads(render(report, "json")), "complaint")
    assert complaint["resolution"] == {
        "days": 1,
        "unit": "working_days",
        "overrun_tiers": [0.2, 0.5],
        "tier_names": ["over_20", "over_50"],
        "counts": {"in_time": 1, "over_20": 1, "over_50": 1, "pending": 1},
        "pending_at_least": {"over_20": 1, "over_50": 0},
    }
    by_id = {r["id"]: r["resolution"] for r in complaint["requests"]}
    assert [by_id[i]["outcome"] for i in ("k-119", "k-121", "k-151", "k-open")] == [
        "in_time",
        "over_20",
        "over_50",
        "pending",
    ]
    assert by_id["k-121"]["due"] == "2026-06-01T18:00:00+02:00"
    assert by_id["k-121"]["ratio"] == pytest.approx(1.21)
    assert (by_id["k-open"]["resolved_at"], by_id["k-open"]["at_least"]) == (None, "over_20")


def test_a_calendar_day_category_says_so_and_is_judged_in_calendar_days(report: Report) -> None:
    """A WOO request from Friday 10:00 answered Sunday 09:00 is met within two calendar days."""
    data = json.loads(render(report, "json"))
    woo = entry(data, "woo_request")
    assert (woo["unit"], woo["resolution"]) == ("calendar_days", None)
    assert (woo["description"]["requirement"], woo["description"]["indicator"]) == (
        "3.2.41",
        "Requests of category woo_request answered within 2 calendar days",
    )
    [request] = woo["requests"]
    assert (request["deadline"], request["outcome"]) == ("2026-06-07T10:00:00+02:00", "met")
    assert entry(data, "email")["unit"] == "working_days"


def test_the_csv_has_a_row_per_outcome_and_per_request_past_a_tier(report: Report) -> None:
    """resolution rows carry the counts; overrun_request rows the requests behind them."""
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    counts = {r["outcome"]: r["received"] for r in rows if r["kind"] == "resolution"}
    assert counts == {"in_time": "1", "over_20": "1", "over_50": "1", "pending": "1"}
    overrun = [
        (r["request_id"], r["outcome"], r["at_least"], r["resolution_due"])
        for r in rows
        if r["kind"] == "overrun_request"
    ]
    assert overrun == [
        ("k-121", "over_20", "", "2026-06-01T18:00:00+02:00"),
        ("k-151", "over_50", "", "2026-06-01T18:00:00+02:00"),
        ("k-open", "pending", "over_20", "2026-06-30T18:00:00+02:00"),
    ]
    woo = next(r for r in rows if r["kind"] == "response" and r["name"] == "woo_request")
    assert woo["unit"] == "calendar_days"


def test_the_html_shows_the_resolution_table(report: Report) -> None:
    """The reader sees the term, the tiers and every count."""
    html = render(report, "html")
    assert "Resolution time (3.2.40)" in html
    assert "1 working day (over_20 past 20 %, over_50 past 50 %)" in html
    assert '<span data-key="z:complaint:over_50">over_50 1</span>' in html
    assert "1 already over_20" in html
    assert "2 (calendar days)" in html


def test_a_dutch_report_shows_the_resolution_table_in_dutch(dutch_report: Report) -> None:
    """Afhandeltijd, binnen termijn, overschrijding 20 %: the contract's words, the same
    counts under the same data keys, and no English outcome name left."""
    html = render(dutch_report, "html")
    assert "<h3>Afhandeltijd (3.2.40)</h3>" in html
    assert (
        "<th>Categorie</th><th>Termijn</th><th>Uitkomsten</th>"
        "<th>Open, termijn al overschreden</th>"
    ) in html
    assert (
        "1 werkdag (overschrijding 20 %: meer dan 20 % over de termijn, "
        "overschrijding 50 %: meer dan 50 % over de termijn)"
    ) in html
    assert '<span data-key="z:complaint:in_time">binnen termijn: 1</span>' in html
    assert '<span data-key="z:complaint:over_50">overschrijding 50 %: 1</span>' in html
    assert '<span data-key="z:complaint:pending">open: 1</span>' in html
    assert "1 al in overschrijding 20 %" in html
    assert "2 (kalenderdagen)" in html
    for english in ("Resolution time", "in_time 1", "over_50 1", "already", "working day"):
        assert english not in html, english


def test_a_configured_tier_name_is_printed_as_written_in_either_language() -> None:
    """``tier_names: [laat, zeer_laat]`` are the contract's own words: never translated."""
    text = CONFIG_TEXT.replace(
        "overrun_tiers: [0.2, 0.5]", "overrun_tiers: [0.2, 0.5], tier_names: [laat, zeer_laat]"
    )
    dutch = render(_june(parse_config(text + "report: {language: nl}\n")), "html")
    assert '<span data-key="z:complaint:zeer_laat">zeer_laat: 1</span>' in dutch
    assert "laat: meer dan 20 % over de termijn" in dutch
    english = render(_june(parse_config(text)), "html")
    assert "1 working day (laat past 20 %, zeer_laat past 50 %)" in english


async def test_the_report_says_when_it_is_due_and_how_the_previous_one_was_delivered(
    tmp_path: Path,
) -> None:
    """July 2026's report is due 7 August 18:00; June's was exported on 8 July: late."""
    async with await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'sla.db'}") as store:
        await store.record_delivery(ReportDelivery("2026-06", local(7, 8, 9), final=True))
        await store.record_delivery(ReportDelivery("2026-07", local(8, 4, 9), final=True))
        july = await load_report(store, CONFIG, Month(2026, 7), local(8, 3, 12))
    assert json.loads(render(july, "json"))["reporting"] == {
        "report_due": "2026-08-07T18:00:00+02:00",
        "analyses_due": "2026-08-14T18:00:00+02:00",
        "previous_month": {
            "month": "2026-06",
            "due": "2026-07-07T18:00:00+02:00",
            "delivered_at": "2026-07-08T09:00:00+02:00",
            "final": True,
            "on_time": False,
        },
    }
