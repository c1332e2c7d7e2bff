"""The report shows corrections next to the outage they changed and a miss's analysis."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.config import parse_config
from monitor.report.csv_format import render_csv
from monitor.report.html_format import render_html
from monitor.report.json_format import report_to_dict
from monitor.report.load import load_report
from monitor.sla.availability import OutageSource
from monitor.sla.corrections import CorrectionKind, OutageCorrection
from monitor.sla.months import Month
from monitor.store import (
    MaintenanceWindowRecord,
    MissAnalysisRecord,
    Store,
    new_outage,
)
from tests.report.chromium import chromium_problem, visit

CONFIG = parse_config(
    """\
targets:
  - name: web
    probe: {type: tcp, host: 127.0.0.1, port: 9}
    slas:
      - {window: 24x7, objective: 0.999}
""",
    "report-test.yaml",
)
MAY = Month(2026, 5)
NOW = datetime(2026, 6, 20, tzinfo=UTC)


async def test_a_voided_outage_shows_its_correction_and_counts_nothing(tmp_path: Path) -> None:
    """counted_seconds follows the corrections; the correction is listed on the outage
    (imported outages, so the month needs no monitoring sessions)."""
    async with await Store.open(f"sqlite+aiosqlite:///{tmp_path}/r.db") as store:
        false = new_outage(
            "web", datetime(2026, 5, 4, 10, tzinfo=UTC), "false alarm", OutageSource.IMPORT
        )
        real = new_outage(
            "web", datetime(2026, 5, 6, 10, tzinfo=UTC), "HTTP 503", OutageSource.IMPORT
        )
        for outage in (false, real):
            await store.open_outage(outage)
        await store.close_outage(false.id, datetime(2026, 5, 4, 12, tzinfo=UTC))
        await store.close_outage(real.id, datetime(2026, 5, 6, 11, tzinfo=UTC))
        await store.add_outage_correction(
            false.id, OutageCorrection("void", "probe host lost its route", "ops", NOW)
        )
        await store.add_miss_analysis(
            MissAnalysisRecord(
                "2026-05",
                "availability",
                "web",
                "24x7",
                "disk full",
                "alerting on disk",
                "ops",
                NOW,
            )
        )
        report = await load_report(store, CONFIG, MAY, NOW)
    data = report_to_dict(report)
    entry = data["availability"][0]
    outages = {o["id"]: o for o in entry["outages"]}
    assert outages[false.id]["counted_seconds"] == 0
    assert outages[false.id]["voided"] is True
    assert [(c["kind"], c["actor"]) for c in outages[false.id]["corrections"]] == [("void", "ops")]
    assert outages[real.id]["counted_seconds"] == 3600
    assert entry["unplanned_downtime_seconds"] == 3600
    assert entry["met"] is False
    assert [a["cause"] for a in entry["analysis"]] == ["disk full"]
    assert [a["measures"] for a in data["misses"][0]["analysis"]] == ["alerting on disk"]
    assert "disk full — alerting on disk (ops)" in render_csv(report)


async def _corrected_month(store: Store) -> dict[str, str]:
    """May 2026 of ``web`` with every kind of correction, an approved retroactive window and
    an analysis; texts carry markup so the test sees them escaped. Returns the outage ids."""
    false = new_outage(
        "web", datetime(2026, 5, 4, 10, tzinfo=UTC), "false alarm", OutageSource.IMPORT
    )
    ghost = new_outage(
        "web", datetime(2026, 5, 10, 8, tzinfo=UTC), "left open", OutageSource.IMPORT
    )
    real = new_outage("web", datetime(2026, 5, 6, 10, tzinfo=UTC), "HTTP 503", OutageSource.IMPORT)
    for outage in (false, ghost, real):
        await store.open_outage(outage)
    await store.close_outage(false.id, datetime(2026, 5, 4, 12, tzinfo=UTC))
    await store.close_outage(real.id, datetime(2026, 5, 6, 11, tzinfo=UTC))
    corrections: tuple[tuple[str, CorrectionKind, str, str, datetime | None], ...] = (
        (false.id, "void", "probe host lost its route <b>", "ops", None),
        (ghost.id, "close", "left open by a second process", "ops", datetime(2026, 5, 10, 9, 30)),
        (real.id, "dispute", "client says <b>not</b> down", "client-jansen", None),
    )
    for outage_id, kind, reason, actor, at in corrections:
        await store.add_outage_correction(
            outage_id,
            OutageCorrection(kind, reason, actor, NOW, at=at.replace(tzinfo=UTC) if at else None),
        )
    window = MaintenanceWindowRecord.new(
        name="hotfix <db>",
        targets=["web"],
        start=datetime(2026, 5, 6, 10, 30, tzinfo=UTC),
        end=datetime(2026, 5, 6, 11, 30, tzinfo=UTC),
        registered_at=datetime(2026, 5, 6, 10, 45, tzinfo=UTC),
        registered_by="ops-token",
        requested_by="jan@provider.example",
        reason="emergency patch",
    )
    await store.add_maintenance_window(window)
    await store.approve_maintenance_window(
        window.id, at=datetime(2026, 5, 7, 9, tzinfo=UTC), who="client-jansen"
    )
    await store.add_miss_analysis(
        MissAnalysisRecord(
            "2026-05",
            "availability",
            "web",
            "24x7",
            'disk "full" & <slow>',
            "alert at 80 %\nweekly review",
            "ops <lead>",
            NOW,
        )
    )
    return {"false": false.id, "ghost": ghost.id, "real": real.id, "window": window.id}


def _shown(html: str, key: str) -> str:
    """The text of the element whose data-key is ``key`` (markup inside it removed)."""
    match = re.search(rf'data-key="{re.escape(key)}">(.*?)</(?:td|li|p|div)>', html, re.S)
    assert match is not None, key
    return re.sub(r"<[^>]+>", "", match.group(1))


async def test_the_html_shows_each_correction_window_and_analysis_next_to_its_figure(
    tmp_path: Path,
) -> None:
    """Voided, closed and disputed outages carry their trail; the approved retroactive
    window names who registered and approved it; the analysis sits under the miss."""
    async with await Store.open(f"sqlite+aiosqlite:///{tmp_path}/r.db") as store:
        ids = await _corrected_month(store)
        report = await load_report(store, CONFIG, MAY, NOW)
    html = render_html(report)
    # Counted: the ghost 08:00-09:30 (1 h 30 min) and the real outage outside the approved
    # window, 10:00-10:30 (30 min); the voided one nothing.
    counted = {c.outage.id: c.counted for c in report.availability[0].figure.outages}
    assert counted == {
        ids["false"]: timedelta(0),
        ids["ghost"]: timedelta(minutes=90),
        ids["real"]: timedelta(minutes=30),
    }
    voided_row = re.search(r'<tr class="import voided corrected">(.*?)</tr>', html, re.S)
    assert voided_row is not None
    assert "2026-05-04 12:00" in voided_row.group(1)
    assert '<td class="num">0 s</td>' in voided_row.group(1)
    assert _shown(html, f"correction:{ids['false']}:void") == (
        "voided: counts 0 s in every figure by ops on 2026-06-20 02:00: "
        "probe host lost its route &lt;b&gt;"
    )
    assert _shown(html, f"correction:{ids['ghost']}:close").startswith(
        "closed at 2026-05-10 11:30 by ops"
    )
    assert '2026-05-10 11:30<small class="measured">measured: still open</small>' in html
    assert _shown(html, f"correction:{ids['real']}:dispute").endswith(
        "client says &lt;b&gt;not&lt;/b&gt; down"
    )
    assert _shown(html, "corrected:web").startswith(
        "These figures read 3 outages through corrections: 1 voided (counted as 0 s), "
        "1 closed at a corrected end, 1 disputed (still counted)."
    )
    window = ids["window"]
    assert _shown(html, f"m:{window}:standing") == (
        "retroactive, approved: forgives all downtime inside it"
    )
    assert _shown(html, f"m:{window}:registered") == (
        "2026-05-06 12:45 by ops-token, requested by jan@provider.example"
    )
    assert _shown(html, f"m:{window}:approved") == "client-jansen, 2026-05-07 11:00"
    assert "hotfix &lt;db&gt;" in html
    misses = html[html.index('id="misses"') : html.index('id="availability"')]
    analysis = _shown(misses, "analysis:availability:web:24x7")
    assert "disk &quot;full&quot; &amp; &lt;slow&gt;" in analysis
    assert "alert at 80 %\nweekly review" in analysis
    assert "Recorded by ops &lt;lead&gt; on 2026-06-20 02:00." in analysis
    for raw in ("<b>", "<slow>", "<db>", "<lead>"):
        assert raw not in html


async def test_the_corrected_html_loads_in_chromium_without_errors(tmp_path: Path) -> None:
    """The new markup (trails, badges, analyses) renders in a real browser, fetching nothing."""
    problem = chromium_problem()
    if problem is not None:
        pytest.fail(problem, pytrace=False)
    async with await Store.open(f"sqlite+aiosqlite:///{tmp_path}/r.db") as store:
        await _corrected_month(store)
        report = await load_report(store, CONFIG, MAY, NOW)
    page = tmp_path / "corrected.html"
    page.write_text(render_html(report), encoding="utf-8")
    url = page.resolve().as_uri()
    seen = await visit(url)
    assert seen.errors == []
    assert seen.requested == [url]
