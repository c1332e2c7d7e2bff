"""Each month judged by the norm and band in force in it, in every report format."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta
from typing import Any

import pytest

from monitor.config import Config, parse_config
from monitor.figures.evidence import Evidence
from monitor.report import build_report, render
from monitor.report.model import Report
from monitor.sla.availability import Outage
from monitor.sla.months import Month
from monitor.sla.norms import BandOutcome
from tests.report import seed

DECEMBER, JANUARY, JUNE = Month(2026, 12), Month(2027, 1), Month(2026, 6)

GROWTH = """
targets:
  - name: it-system
    probe: {type: http, url: "http://127.0.0.1:9/"}
    slas:
      - window: 24x7
        objective: [{from: 2026-01, value: 0.99}, {from: 2027-01, value: 0.995}]
        band: %s
"""
BAND_2026 = "{bonus_at_or_above: 0.995, malus_below: 0.985}"
PLAIN = GROWTH.replace("[{from: 2026-01, value: 0.99}, {from: 2027-01, value: 0.995}]", "0.99")
"""The configuration as it stood during 2026: one norm, one band."""
NO_BAND = PLAIN.split("        band:")[0]


def _config(text: str) -> Config:
    return parse_config(text)


def _month_report(config: Config, month: Month, outages: dict[str, float], probed: float) -> Report:
    """``outages`` maps a target to hours down from the 10th at 10:00; every target was probed
    for the first ``probed`` share of the month."""
    period = month.interval(config.zone)
    start = datetime(month.year, month.month, 10, 10, tzinfo=seed.ZONE)
    watched = ((period.start, period.start + (period.end - period.start) * probed),)
    evidence = Evidence(
        span=period,
        outages={
            name: (Outage(start=start, end=start + timedelta(hours=h), cause="down", id=name),)
            for name, h in outages.items()
        },
        sessions=dict.fromkeys(outages, watched),
    )
    now = datetime(month.next().year + 1, 1, 1, tzinfo=seed.ZONE)
    return build_report(config, month, evidence, (), now)


def _figures(report: Report) -> list[tuple[float, float, bool | None, BandOutcome | None]]:
    return [(e.objective, e.availability, e.met, e.outcome) for e in report.availability]


def test_the_same_availability_meets_the_old_norm_in_december_and_misses_the_new_in_january() -> (
    None
):
    """6 h down in 744 h is 99.19 %: met against 99 % in December, missed against 99.5 % after."""
    config = _config(GROWTH % BAND_2026)
    december = _month_report(config, DECEMBER, {"it-system": 6}, 1.0)
    january = _month_report(config, JANUARY, {"it-system": 6}, 1.0)
    assert december.availability[0].availability == pytest.approx(1 - 6 / 744, abs=1e-15)
    assert january.availability[0].availability == december.availability[0].availability
    assert (december.availability[0].objective, december.availability[0].met) == (0.99, True)
    assert (january.availability[0].objective, january.availability[0].met) == (0.995, False)
    assert [m.objective for m in january.misses] == [0.995]
    assert december.availability[0].description.growth_path == (
        "from 2026-01 99 %; from 2027-01 99.5 %"
    )
    assert december.availability[0].description.norm == "at least 99 % per calendar month"


def test_adding_next_years_norm_never_changes_a_past_months_figure_or_verdict() -> None:
    """December 2026 at 99.19 %, between the old 99 % and the new 99.5 %: the same figure,
    norm, verdict and band outcome before and after the config gains its 2027 entries."""
    before = _config(PLAIN % BAND_2026)
    after = _config(
        GROWTH
        % (
            "[{from: 2026-01, bonus_at_or_above: 0.995, malus_below: 0.985},"
            " {from: 2027-01, bonus_at_or_above: 0.999, malus_below: 0.992}]"
        )
    )
    old = _month_report(before, DECEMBER, {"it-system": 6}, 1.0)
    new = _month_report(after, DECEMBER, {"it-system": 6}, 1.0)
    assert _figures(old) == _figures(new) == [(0.99, 1 - 6 / 744, True, BandOutcome.NEUTRAL)]
    fields = ("objective", "availability", "met", "band", "outcome", "budget_seconds")
    old_json, new_json = (json.loads(render(r, "json"))["availability"][0] for r in (old, new))
    assert {k: old_json[k] for k in fields} == {k: new_json[k] for k in fields}
    assert _figures(_month_report(after, JANUARY, {"it-system": 6}, 1.0)) == [
        (0.995, 1 - 6 / 744, False, BandOutcome.MALUS)
    ]


BANDS = """
targets:
"""
for _name in ("bonus", "neutral", "malus", "unknown", "proven"):
    BANDS += f"""
  - name: {_name}
    probe: {{type: http, url: "http://127.0.0.1:9/"}}
    slas:
      - window: 24x7
        objective: 0.99
        band: {{bonus_at_or_above: 0.995, malus_below: 0.985,
                labels: {{bonus: "bonus 2 %", malus: "malus 5 %"}}}}
"""


def _june() -> tuple[Report, Report]:
    """June 2026 (720 h): bonus 3 h down (99.58 %), neutral 6 h (99.17 %), malus 12 h
    (98.33 %) with full coverage; unknown 1 h and proven 12 h with only 10 of 30 days probed."""
    config = _config(BANDS)
    full = _month_report(config, JUNE, {"bonus": 3, "neutral": 6, "malus": 12}, 1.0)
    third = _month_report(config, JUNE, {"unknown": 1, "proven": 12}, 1 / 3)
    return full, third


def test_a_month_in_each_band_and_one_without_enough_evidence() -> None:
    """Bonus, neutral and malus by the figure; 1 h down at 33 % coverage could still be any
    band (null); 12 h down already proves malus at 33 % coverage, as it proves the miss."""
    full, third = _june()
    outcomes = {
        e.target: (e.met, e.outcome)
        for report, names in ((full, ("bonus", "neutral", "malus")), (third, ("unknown", "proven")))
        for e in report.availability
        if e.target in names
    }
    assert outcomes == {
        "bonus": (True, BandOutcome.BONUS),
        "neutral": (True, BandOutcome.NEUTRAL),
        "malus": (False, BandOutcome.MALUS),
        "unknown": (None, None),
        "proven": (False, BandOutcome.MALUS),
    }


def _json_outcomes(report: Report) -> dict[str, Any]:
    entries = json.loads(render(report, "json"))["availability"]
    return {e["target"]: (e["outcome"], e["outcome_label"]) for e in entries if e["outcome"]}


def test_the_json_csv_and_html_carry_the_outcome_and_its_label() -> None:
    """outcome/outcome_label in JSON, band_outcome columns in CSV, a badge in the HTML."""
    full, third = _june()
    assert _json_outcomes(full) == {
        "bonus": ("bonus", "bonus 2 %"),
        "neutral": ("neutral", None),
        "malus": ("malus", "malus 5 %"),
    }
    entry = json.loads(render(full, "json"))["availability"][0]
    assert entry["band"] == {
        "bonus_at_or_above": 0.995,
        "malus_below": 0.985,
        "labels": {"bonus": "bonus 2 %", "malus": "malus 5 %"},
    }
    unknown = json.loads(render(third, "json"))["availability"]
    assert [
        (e["target"], e["outcome"]) for e in unknown if e["target"] in ("unknown", "proven")
    ] == [
        ("unknown", None),
        ("proven", "malus"),
    ]
    rows = list(csv.DictReader(io.StringIO(render(full, "csv"))))
    assert {r["name"]: (r["band_outcome"], r["band_outcome_label"]) for r in rows[:3]} == {
        "bonus": ("bonus", "bonus 2 %"),
        "neutral": ("neutral", ""),
        "malus": ("malus", "malus 5 %"),
    }
    html = render(full, "html")
    assert 'data-key="a:bonus:24x7:outcome">bonus (bonus 2 %)</span>' in html
    assert 'data-key="a:malus:24x7:outcome">malus (malus 5 %)</span>' in html
    assert "band outcome unknown" in render(third, "html")


def test_a_pi_without_a_band_has_null_outcome_fields_and_empty_columns() -> None:
    """No band configured: the new JSON fields are null, the CSV columns empty."""
    report = _month_report(_config(NO_BAND), DECEMBER, {"it-system": 6}, 1.0)
    entry = json.loads(render(report, "json"))["availability"][0]
    assert (entry["band"], entry["outcome"], entry["outcome_label"]) == (None, None, None)
    row = next(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert (row["band_outcome"], row["band_outcome_label"]) == ("", "")


def test_a_dutch_report_writes_the_band_outcome_in_dutch_and_the_label_as_configured() -> None:
    """neutraal, bonus (bonus 2 %) and an unknown outcome as "bonus/malus onbekend"."""
    config = _config(BANDS + "report: {language: nl}\n")
    full = _month_report(config, JUNE, {"bonus": 3, "neutral": 6, "malus": 12}, 1.0)
    third = _month_report(config, JUNE, {"unknown": 1, "proven": 12}, 1 / 3)
    html = render(full, "html")
    assert 'data-key="a:bonus:24x7:outcome">bonus (bonus 2 %)</span>' in html
    assert 'data-key="a:neutral:24x7:outcome">neutraal</span>' in html
    assert 'data-key="a:malus:24x7:outcome">malus (malus 5 %)</span>' in html
    unknown = render(third, "html")
    assert "bonus/malus onbekend" in unknown
    assert "band outcome unknown" not in unknown
