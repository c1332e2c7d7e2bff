"""The report shows corrections next to the outage they changed and a miss's analysis."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from monitor.config import parse_config
from monitor.report.csv_format import render_csv
from monitor.report.json_format import report_to_dict
from monitor.report.load import load_report
from monitor.sla.months import Month
from monitor.store import MissAnalysisRecord, OutageCorrectionRecord, OutageOpened, Store

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
        false = OutageOpened.new(
            "web", datetime(2026, 5, 4, 10, tzinfo=UTC), "false alarm", "import"
        )
        real = OutageOpened.new("web", datetime(2026, 5, 6, 10, tzinfo=UTC), "HTTP 503", "import")
        for outage in (false, real):
            await store.open_outage(outage)
        await store.close_outage(false.id, datetime(2026, 5, 4, 12, tzinfo=UTC))
        await store.close_outage(real.id, datetime(2026, 5, 6, 11, tzinfo=UTC))
        await store.add_outage_correction(
            OutageCorrectionRecord(false.id, "void", "probe host lost its route", "ops", NOW)
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
