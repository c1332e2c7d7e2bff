"""The year view (3.2.4): twelve monthly figures per PI, each against its own month's norm."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from monitor.cli import main
from monitor.config import Config, parse_config
from monitor.report.load import load_year
from monitor.report.year import CellState, YearCell, YearReport, months_of
from monitor.report.year_format import render_year
from monitor.report.year_view import trend_chart
from monitor.sla.availability import OutageSource
from monitor.sla.norms import BandOutcome
from monitor.store import MissAnalysisRecord, Store, new_outage
from tests.report import seed
from tests.report.chromium import chromium_problem, visit
from tests.report.pdf import flat, page_count, page_texts

CONFIG_TEXT = """\
evidence: {min_coverage: 0.0}
targets:
  - name: web
    probe: {type: tcp, host: 127.0.0.1, port: 9}
    slas:
      - window: 24x7
        objective: [{from: 2026-01, value: 0.99}, {from: 2026-04, value: 0.995}]
        band: {bonus_at_or_above: 0.999, malus_below: 0.99, labels: {malus: "malus 5 %"}}
"""
CONFIG = parse_config(CONFIG_TEXT, "year-test.yaml")
NOW = datetime(2026, 5, 20, 12, tzinfo=seed.ZONE)
DOWN = {2: 10, 3: 4, 4: 3}
"""Hours of imported outage on the 10th of February (672 h), March (743 h: the clock
change) and April (720 h)."""


async def _fill(store: Store) -> None:
    for month, hours in DOWN.items():
        start = datetime(2026, month, 10, 10, tzinfo=seed.ZONE)
        outage = new_outage("web", start, "HTTP 503", OutageSource.IMPORT)
        await store.open_outage(outage)
        await store.close_outage(outage.id, start + timedelta(hours=hours))
    await store.add_miss_analysis(
        MissAnalysisRecord(
            "2026-02", "availability", "web", "24x7", "disk full", "alert on disk", "ops", NOW
        )
    )


DUTCH = "report: {language: nl}\n"
"""The year's configuration with the report in Dutch."""


async def _year(tmp_path: Path, config: Config = CONFIG) -> YearReport:
    async with await Store.open(f"sqlite+aiosqlite:///{tmp_path}/year.db") as store:
        await _fill(store)
        return await load_year(store, config, 2026, NOW)


async def test_each_month_is_its_monthly_figure_against_the_norm_then_in_force(
    tmp_path: Path,
) -> None:
    """January 100 % (bonus), February 10 h down (98.51 %: missed, malus), March 4 h of 743 (99.46 %
    against 99 %: met, neutral), April 3 h (99.58 % against the new 99.5 %: met), May running,
    June to December not yet measured."""
    year = await _year(tmp_path)
    web = year.pis[0]
    assert web.key == ("availability", "web", "24x7")
    measured = [(c.objective, c.value, c.met, c.outcome) for c in web.cells[:5]]
    assert measured == [
        (0.99, 1.0, True, BandOutcome.BONUS),
        (0.99, 1 - 10 / 672, False, BandOutcome.MALUS),
        (0.99, 1 - 4 / 743, True, BandOutcome.NEUTRAL),
        (0.995, 1 - 3 / 720, True, BandOutcome.NEUTRAL),
        (0.995, 1.0, True, BandOutcome.BONUS),
    ]
    assert [c.final for c in web.cells[:5]] == [True, True, True, True, False]
    assert {c.state for c in web.cells[5:]} == {CellState.NOT_YET_MEASURED}
    assert all(c.met is None and c.value is None for c in web.cells[5:])
    assert (web.judged, web.met, web.missed) == (5, 4, 1)
    assert [p.key for p in year.pis[1:]] == [
        ("response", name, None)
        for name in ("email", "complaint", "escalation", "information_request")
    ]
    assert not year.final


async def test_the_one_miss_of_the_year_carries_its_analysis_in_every_format(
    tmp_path: Path,
) -> None:
    """February's miss is listed once with its 3.2.6 analysis in JSON and HTML; months not
    yet begun are "not yet measured" in all three formats, never a miss."""
    year = await _year(tmp_path)
    data = json.loads(render_year(year, "json"))
    assert [
        (m["month"], m["name"], [a["cause"] for a in m["analysis"]]) for m in data["misses"]
    ] == [("2026-02", "web", ["disk full"])]
    february = data["pis"][0]["months"][1]
    assert (february["met"], february["outcome"], february["outcome_label"]) == (
        False,
        "malus",
        "malus 5 %",
    )
    assert data["pis"][0]["outcomes"] == {"bonus": 2, "neutral": 2, "malus": 1}
    assert data["pis"][0]["months"][11] == {
        "month": "2026-12",
        "state": "not_yet_measured",
        "objective": None,
        "value": None,
        "met": None,
        "final": False,
        "outcome": None,
        "outcome_label": None,
        "reason": None,
    }
    rows = list(csv.DictReader(io.StringIO(render_year(year, "csv"))))
    assert len(rows) == 5 * 12
    assert [(r["month"], r["met"], r["band_outcome"]) for r in rows[1:3]] == [
        ("2026-02", "false", "malus"),
        ("2026-03", "true", "neutral"),
    ]
    assert {r["state"] for r in rows if r["month"] >= "2026-06"} == {"not_yet_measured"}
    html = render_year(year, "html")
    assert 'data-key="analysis:availability:web:24x7:2026-02"' in html
    assert "disk full" in html
    assert html.count('<svg class="trend"') == 5
    assert 'data-key="a:web:24x7:2026-06">not yet measured<' in html
    assert 'data-key="a:web:24x7:2026-04:norm">99.5 %<' in html
    assert "<script" not in html
    assert "http://" not in html
    assert "https://" not in html


def test_the_trend_chart_draws_the_norm_as_a_step_where_it_changes() -> None:
    """Two norm levels give two heights in the step line; missed months are red points."""
    cells = [
        YearCell(month, CellState.MEASURED, objective, 0.992, objective <= 0.992)
        for month in months_of(2026)
        for objective in (0.99 if month.month < 4 else 0.995,)
    ]
    chart = trend_chart(cells)
    heights = {float(part.split(",")[1]) for part in chart.norm.split() if "," in part}
    assert len(heights) == 2
    assert [p.kind for p in chart.points] == ["met"] * 3 + ["missed"] * 9
    assert len(chart.points) == 12


def test_report_year_on_the_command_line_writes_the_year_view(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``report --year 2026 --format csv`` prints a row per PI and month; a year that has
    not begun is refused with exit 2."""
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("SLA_MONITOR_DATABASE_URL", url)
    for name in ("SLA_MONITOR_CONFIG", "SLA_MONITOR_LISTEN"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG_TEXT, encoding="utf-8")
    as_of = NOW.isoformat()
    code = main(
        ["report", "--year", "2026", "--format", "csv", "--config", str(path), "--as-of", as_of]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["state"] for r in rows[:12]] == ["measured"] * 5 + ["not_yet_measured"] * 7
    assert main(["report", "--year", "2027", "--config", str(path), "--as-of", as_of]) == 2
    assert "has not started yet" in capsys.readouterr().err
    assert os.path.exists(tmp_path / "cli.db")


async def test_the_year_page_loads_in_chromium_without_errors_or_fetches(tmp_path: Path) -> None:
    """Charts, tables and analyses render in a real browser, which asks for nothing else."""
    problem = chromium_problem()
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    page = tmp_path / "year.html"
    page.write_text(render_year(await _year(tmp_path), "html"), encoding="utf-8")
    url = page.resolve().as_uri()
    seen = await asyncio.wait_for(visit(url), timeout=120)
    assert seen.errors == []
    assert seen.requested == [url]
    assert seen.screenshot


async def test_a_dutch_year_view_has_dutch_headings_words_and_figures(tmp_path: Path) -> None:
    """``report: {language: nl}``: jaaroverzicht, Gerealiseerd, nog niet gemeten, neutraal,
    99,5 % and februari 2026, under the same data keys, with no English label left."""
    html = render_year(await _year(tmp_path, parse_config(CONFIG_TEXT + DUTCH)), "html")
    assert '<html lang="nl">' in html
    assert 'Service Level Rapportage <span class="month">2026</span>: jaaroverzicht' in html
    assert "<h2>1. Elke PI per maand</h2>" in html
    assert "<h2>2. Niet-behaalde service levels van het jaar</h2>" in html
    assert "<h3>Beschikbaarheid web · 24x7</h3>" in html
    assert "<h3>Reactietijd email</h3>" in html
    assert "<th>jan</th><th>feb</th><th>mrt</th>" in html
    for label in ("Gerealiseerd", "Norm", "Oordeel", "Bonus/malus"):
        assert f'<th scope="row">{label}</th>' in html
    assert 'data-key="a:web:24x7:2026-02">98,51 %<' in html
    assert 'data-key="a:web:24x7:2026-04:norm">99,5 %<' in html
    assert 'data-key="a:web:24x7:2026-06">nog niet gemeten<' in html
    assert 'data-key="a:web:24x7:2026-02:met"><span class="verdict missed">✗ niet behaald' in html
    assert '<span class="outcome outcome-neutral">neutraal</span>' in html
    assert '<span class="outcome outcome-malus">malus (malus 5 %)</span>' in html
    assert '<text x="38" y="42.33" class="axis" text-anchor="end" font-size="9"' in html
    assert ">99,5 %</text>" in html
    assert "<title>feb: 98,511 %</title>" in html
    assert (
        "4 van 5 beoordeelde maanden hebben de norm gehaald, 1 niet behaald; "
        "bonus/malus: 2 bonus, 2 neutraal, 1 malus."
    ) in html
    assert "februari 2026 · beschikbaarheid web · 24x7: 98,511 % tegen een norm van 99 %" in html
    assert "1 storing(en) meegeteld, 10 u 00 min onbeschikbaar" in html
    assert "Vastgelegd door ops op 20-05-2026 12:00." in html
    assert 'data-page="Pagina" data-of="van"' in html
    english = ("not yet measured", "Verdict", "the year", "judged months", "against a norm")
    assert [word for word in english if word in html] == []


def test_report_year_as_pdf_on_the_command_line_prints_every_month_and_the_norm(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``report --year 2026 --format pdf --output``: an A4 PDF in the configured language,
    numbered and stamped NIET DEFINITIEF on every page, whose text holds each measured
    month's figure, both norms and the months not yet measured."""
    url = f"sqlite+aiosqlite:///{tmp_path}/pdf.db"
    monkeypatch.setenv("SLA_MONITOR_DATABASE_URL", url)
    for name in ("SLA_MONITOR_CONFIG", "SLA_MONITOR_LISTEN"):
        monkeypatch.delenv(name, raising=False)
    asyncio.run(_filled(url))
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG_TEXT + DUTCH, encoding="utf-8")
    pdf = tmp_path / "jaaroverzicht-2026.pdf"
    argv = ["report", "--year", "2026", "--format", "pdf", "--config", str(path)]
    code = main([*argv, "--as-of", NOW.isoformat(), "--output", str(pdf)])
    assert code == 0, capsys.readouterr().err
    assert pdf.read_bytes().startswith(b"%PDF-")
    pages = page_texts(pdf)
    count = page_count(pdf)
    assert len(pages) == count
    for number, text in enumerate(pages, start=1):
        assert "NIET DEFINITIEF" in text, f"page {number} carries no stamp"
        assert f"Pagina {number} van {count}" in flat(text)
    whole = flat(" ".join(pages))
    assert "Service Level Rapportage 2026: jaaroverzicht" in whole
    figures = ["100,00 %", "98,51 %", "99,46 %", "99,58 %", "100,00 %"]
    assert [text for text in figures if text not in whole] == []
    assert "99 % 99 % 99 % 99,5 % 99,5 %" in whole
    assert "nog niet gemeten" in whole
    assert "disk full" in whole


async def _filled(url: str) -> None:
    async with await Store.open(url) as store:
        await _fill(store)


async def test_a_dutch_year_says_in_dutch_why_a_month_is_not_judged(tmp_path: Path) -> None:
    """Unmonitored January at a 50 % minimum coverage: "onvoldoende meetgegevens: dekking
    0,0 % < 50 %" in the cell, while the JSON keeps the core's English reason."""
    text = CONFIG_TEXT.replace("min_coverage: 0.0", "min_coverage: 0.5") + DUTCH
    year = await _year(tmp_path, parse_config(text))
    january = 'data-key="a:web:24x7:2026-01:met"><span class="verdict insufficient"'
    html = render_year(year, "html")
    assert f'{january} title="onvoldoende meetgegevens: dekking 0,0 % &lt; 50 %">' in html
    reason = json.loads(render_year(year, "json"))["pis"][0]["months"][0]["reason"]
    assert reason == "insufficient evidence: coverage 0.0 % < 50 %"
