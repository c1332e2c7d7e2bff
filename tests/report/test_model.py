"""The pure report model and the way figures are written for people."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from monitor.config import parse_config
from monitor.figures.evidence import Evidence
from monitor.figures.maker import FigureMaker
from monitor.report import build_report, month_is_final
from monitor.report._text import duration_text, objective_text, percent_text
from monitor.sla.availability import Outage
from monitor.sla.months import Month
from tests.report import seed
from tests.report.conftest import MAY
from tests.report.seed import Seeded

OCTOBER = Month(2026, 10)
CONFIG = parse_config(
    "targets:\n"
    "  - name: app\n"
    '    probe: {type: http, url: "http://127.0.0.1:9/"}\n'
    "    slas: [{window: 24x7, objective: 0.999}]\n"
)


@dataclass(frozen=True)
class FakeRequest:
    """Anything with these six attributes is a request to the report."""

    id: str
    category: str
    received_at: datetime
    answered_at: datetime | None
    source: str = "webhook"
    resolved_at: datetime | None = None


@pytest.mark.parametrize(
    ("ratio", "text"),
    [
        (0.99, "99.000 %"),  # not 98.999 from binary arithmetic
        (0.9899996, "98.999 %"),  # rounded down: never reads as meeting 99 %
        (1.0, "100.000 %"),
        (0.6, "60.000 %"),
        (0.0, "0.000 %"),
    ],
)
def test_percentages_are_rounded_down_to_three_places(ratio: float, text: str) -> None:
    """A figure is never printed better than it is."""
    assert percent_text(ratio) == text


@pytest.mark.parametrize(("ratio", "text"), [(0.99, "99 %"), (0.995, "99.5 %"), (1.0, "100 %")])
def test_norms_are_written_as_in_the_contract(ratio: float, text: str) -> None:
    """0.99 is "99 %", as 3.2.10 writes it."""
    assert objective_text(ratio) == text


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (45, "45 s"),
        (2_484, "41 min 24 s"),
        (24_300, "6 h 45 min"),
        (26_784, "7 h 26 min 24 s"),
        (-6_408, "−1 h 46 min 48 s"),
        (2_678_400, "744 h 00 min"),
    ],
)
def test_durations_are_hours_minutes_and_seconds(seconds: int, text: str) -> None:
    """Hours do not roll into days: a month's window reads as 744 h."""
    assert duration_text(timedelta(seconds=seconds)) == text


def test_a_month_with_the_autumn_clock_change_lasts_745_hours() -> None:
    """October 2026 gains the hour of 25 October; an outage across that night counts 3 h."""
    start = datetime(2026, 10, 25, 1, 0, tzinfo=seed.ZONE)  # 01:00 CEST = 23:00 UTC
    end = datetime(2026, 10, 25, 3, 0, tzinfo=seed.ZONE)  # 03:00 CET = 02:00 UTC
    outage = Outage(start=start, end=end, cause="power", id="o1")
    period = OCTOBER.interval(CONFIG.zone)
    watched = ((period.start, period.end),)
    evidence = Evidence(span=period, outages={"app": (outage,)}, sessions={"app": watched})
    report = build_report(CONFIG, OCTOBER, evidence, (), datetime(2026, 11, 10, tzinfo=seed.ZONE))
    figure = report.availability[0].figure
    assert figure.window == timedelta(hours=745)
    assert figure.unplanned_downtime == timedelta(hours=3)
    assert report.availability[0].availability == pytest.approx(1 - 3 / 745, rel=0, abs=1e-15)


def test_requests_are_judged_only_in_their_month_and_configured_category() -> None:
    """A request from April is left out; an unknown category is counted apart, not judged."""
    may_first = seed.local(5, 4, 9)
    requests = [
        FakeRequest("a", "email", may_first, may_first + timedelta(hours=1)),
        FakeRequest("b", "email", seed.local(4, 30, 9), None),
        FakeRequest("c", "chat", may_first, None),
    ]
    period = MAY.interval(CONFIG.zone)
    report = build_report(CONFIG, MAY, Evidence(span=period), requests, seed.FINAL_NOW)
    email = report.response[0]
    assert [v.request.id for v in email.result.verdicts] == ["a"]
    assert email.sources == {"a": "webhook"}
    assert report.uncategorised == (("chat", 1),)


async def test_the_report_uses_the_figures_the_live_metrics_use(seeded: Seeded) -> None:
    """Every availability figure is the FigureMaker's, object for object equal."""
    from monitor.figures.evidence import load_evidence

    period = MAY.interval(seeded.config.zone)
    evidence = await load_evidence(seeded.store, period)
    report = build_report(seeded.config, MAY, evidence, (), seed.NOT_FINAL_NOW)
    maker = FigureMaker(seeded.config)
    live = [
        f.figure
        for target in seeded.config.targets
        for f in maker.month_figures(target, MAY, evidence, seed.NOT_FINAL_NOW)
    ]
    assert [entry.figure for entry in report.availability] == live


def test_finality_of_the_export_schedule_is_the_reports_finality() -> None:
    """month_is_final and build_report agree at the instants around the last deadline."""
    period = MAY.interval(CONFIG.zone)
    last = seed.local(6, 2, 18)
    for now in (seed.local(5, 31, 12), last, last + timedelta(microseconds=1)):
        built = build_report(CONFIG, MAY, Evidence(span=period), (), now)
        assert built.final == month_is_final(CONFIG, MAY, now)
    assert month_is_final(CONFIG, MAY, last + timedelta(microseconds=1))
    assert not month_is_final(CONFIG, MAY, last)
