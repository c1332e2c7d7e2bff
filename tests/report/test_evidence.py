"""October with 1.1 % and 0 % coverage: every format says "insufficient evidence", not met."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

import pytest

from monitor.config import parse_config
from monitor.figures.evidence import Evidence
from monitor.report import build_report, render
from monitor.report.model import Report
from monitor.sla.months import Month
from tests.report import seed
from tests.report.test_seeded_month import figures_of

OCTOBER = Month(2026, 10)
CONFIG = parse_config(
    """
timezone: Europe/Amsterdam
targets:
  - name: it-system
    probe: {type: http, url: "http://127.0.0.1:9/"}
    slas: [{window: 24x7, objective: 0.99}]
  - name: desk-mail
    probe: {type: tcp, host: 127.0.0.1, port: 9}
    schedule: business-hours
    slas: [{window: business-hours, objective: 1.0}]
  - name: desk-phone
    probe: {type: tcp, host: 127.0.0.1, port: 9}
    schedule: business-hours
    slas: [{window: business-hours, objective: 1.0, evidence: {min_coverage: 0.0}}]
"""
)
REASON_IT = "insufficient evidence: coverage 1.1 % < 95 %"
REASON_MAIL = "insufficient evidence: coverage 0.0 % < 95 %"


def october_report() -> Report:
    """it-system probed 8.2 of 745 h; the desk channels never probed at all."""
    period = OCTOBER.interval(CONFIG.zone)
    probed = ((period.start, period.start + timedelta(hours=8.2)),)
    evidence = Evidence(span=period, sessions={"it-system": probed})
    return build_report(CONFIG, OCTOBER, evidence, (), datetime(2026, 11, 10, tzinfo=seed.ZONE))


def test_the_json_gives_met_null_coverage_and_the_reason() -> None:
    """met null with evidence {min_coverage, sufficient, reason}; a 0 threshold is judged."""
    entries = {e["target"]: e for e in json.loads(render(october_report(), "json"))["availability"]}
    it = entries["it-system"]
    assert it["met"] is None
    assert it["coverage"] == pytest.approx(8.2 / 745, rel=1e-12)
    assert it["evidence"] == {"min_coverage": 0.95, "sufficient": False, "reason": REASON_IT}
    assert entries["desk-mail"]["met"] is None
    assert entries["desk-mail"]["evidence"]["reason"] == REASON_MAIL
    phone = entries["desk-phone"]
    assert (phone["met"], phone["evidence"]["sufficient"], phone["evidence"]["reason"]) == (
        True,
        True,
        None,
    )


def test_the_csv_marks_the_met_column() -> None:
    """ "insufficient evidence" where true or false would be."""
    rows = list(csv.DictReader(io.StringIO(render(october_report(), "csv"), newline="")))
    met = {row["name"]: row["met"] for row in rows if row["kind"] == "availability"}
    assert met == {
        "it-system": "insufficient evidence",
        "desk-mail": "insufficient evidence",
        "desk-phone": "true",
    }


def test_the_html_shows_a_mark_with_the_reason_instead_of_a_tick() -> None:
    """No "✓ met" for an unjudged figure, in the summary tally nor in the target's table."""
    html = render(october_report(), "html")
    shown = figures_of(html).figures
    assert shown["a:it-system:24x7:met"] == [f"⚠ insufficient evidence{REASON_IT}"]
    assert shown["a:desk-mail:business-hours:met"] == [f"⚠ insufficient evidence{REASON_MAIL}"]
    assert shown["a:desk-phone:business-hours:met"] == ["✓ met"]
    assert shown["tally"][0].startswith(
        "5 of 7 service levels met their norm; 2 without sufficient evidence"
    )


def test_an_unjudged_figure_is_not_a_miss() -> None:
    """The 3.2.6 analysis list holds missed figures only."""
    assert [m.name for m in october_report().misses if m.kind == "availability"] == []
