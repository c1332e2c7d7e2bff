"""The report in Dutch with its header and requirement ids, in HTML, JSON and CSV."""

from __future__ import annotations

import csv
import io
import json
import re

from monitor.config import parse_config
from monitor.report import Report, load_report, render
from tests.report import seed
from tests.report.conftest import MAY
from tests.report.seed import Seeded


def _cell(html: str, key: str) -> str:
    match = re.search(rf'data-key="{re.escape(key)}">([^<]*)<', html)
    assert match is not None, key
    return match.group(1)


def test_the_dutch_report_has_dutch_headings_and_labels(dutch_may_report: Report) -> None:
    """Every section heading, the stamp and the verdicts in the contract's Dutch terms."""
    html = render(dutch_may_report, "html")
    assert '<html lang="nl">' in html
    for heading in (
        "<h2>1. Samenvatting</h2>",
        "<h2>2. Niet-behaalde service levels</h2>",
        "<h2>3. Beschikbaarheid per doel</h2>",
        "<h2>4. Onderhoud</h2>",
        "<h2>5. Reactietijd servicedesk</h2>",
        "<h2>6. Beschrijving van de service levels (3.2.15)</h2>",
        "<h2>7. Uitgangspunten en kalenders</h2>",
    ):
        assert heading in html
    assert "<strong>NIET DEFINITIEF.</strong>" in html
    assert "✗ niet behaald" in html
    assert "✓ behaald" in html
    assert "<th>Gerealiseerd</th>" in html
    assert '<th scope="row">Meetmethode</th>' in html
    assert "Hemelvaartsdag" in html  # the holiday list in Dutch too
    for english in ("Summary", "Missed service levels", "✓ met", "Measurement method", "NOT"):
        assert english not in html


def test_dutch_figures_dates_and_the_header_read_the_dutch_way(dutch_may_report: Report) -> None:
    """Decimal comma, day-month-year, the month written out; the parties and the contract."""
    html = render(dutch_may_report, "html")
    assert _cell(html, "a:it-system:24x7:availability") == "99,092 %"
    assert _cell(html, "a:it-system:business-hours:summary") == "97,763 %"
    assert _cell(html, "a:it-system:24x7:downtime") == "6 u 45 min"
    assert _cell(html, "r:email:ratio") == "60,000 %"
    assert _cell(html, "header:supplier") == "Dienstverlener B.V."
    assert _cell(html, "header:client") == "Stichting Opdrachtgever"
    assert _cell(html, "header:contract_reference") == "OVK-2026-017"
    assert _cell(html, "header:period") == "1 mei 2026 – 31 mei 2026"
    assert _cell(html, "header:generated") == "1 juni 2026 12:00"
    assert _cell(html, "header:final") == "niet definitief; definitief na 2 juni 2026 18:00"
    assert _cell(html, "generated_at") == "01-06-2026 12:00"
    assert 'Service Level Rapportage <span class="month">mei 2026</span>' in html


def test_every_row_carries_its_requirement_id(dutch_may_report: Report) -> None:
    """Availability rows 3.2.10, the categories their own ids, in summary and detail."""
    html = render(dutch_may_report, "html")
    for window in ("24x7", "business-hours"):
        assert _cell(html, f"a:it-system:{window}:requirement") == "3.2.10"
    assert _cell(html, "a:portal:24x7:requirement") == "3.2.10"
    for category, requirement in (
        ("email", "3.2.9"),
        ("complaint", "3.2.14"),
        ("escalation", "3.2.13"),
        ("information_request", "3.2.39"),
    ):
        assert _cell(html, f"r:{category}:requirement") == requirement


async def test_requirement_ids_come_from_the_configuration_and_the_probe(
    seeded: Seeded,
) -> None:
    """An SLA or a category may name its own id; a desk channel (sip, smtp, imap) defaults to
    3.2.7, 3.2.8; JSON and CSV carry the ids as new fields."""
    text = seed.CONFIG_TEXT.replace(
        "{window: business-hours, objective: 1.0}",
        '{window: business-hours, objective: 1.0, requirement: "3.2.10a"}',
    ) + (
        "  - name: desk-phone\n"
        "    probe: {type: sip, host: 127.0.0.1, port: 9}\n"
        "    slas: [{window: business-hours, objective: 1.0}]\n"
        "servicedesk:\n"
        "  categories:\n"
        '    portal: {days: 1, objective: 0.8, requirement: "3.2.9"}\n'
    )
    config = parse_config(text, str(seeded.config_path))
    report = await load_report(seeded.store, config, MAY, seed.FINAL_NOW)
    data = json.loads(render(report, "json"))
    assert [(a["target"], a["window"], a["requirement"]) for a in data["availability"]] == [
        ("it-system", "24x7", "3.2.10"),
        ("it-system", "business-hours", "3.2.10a"),
        ("portal", "24x7", "3.2.10"),
        ("desk-phone", "business-hours", "3.2.7, 3.2.8"),
    ]
    assert {r["category"]: r["requirement"] for r in data["response"]} == {
        "email": "3.2.9",
        "complaint": "3.2.14",
        "escalation": "3.2.13",
        "information_request": "3.2.39",
        "portal": "3.2.9",
    }
    rows = list(csv.DictReader(io.StringIO(render(report, "csv"))))
    assert [(r["kind"], r["name"], r["requirement"]) for r in rows][:5] == [
        ("availability", "it-system", "3.2.10"),
        ("availability", "it-system", "3.2.10a"),
        ("availability", "portal", "3.2.10"),
        ("availability", "desk-phone", "3.2.7, 3.2.8"),
        ("response", "email", "3.2.9"),
    ]
    assert all(r["requirement"] for r in rows)


def test_the_json_of_a_dutch_report_keeps_its_field_names_and_adds_the_header(
    dutch_may_report: Report,
) -> None:
    """Machine interfaces do not translate: same names and values, new fields beside them."""
    data = json.loads(render(dutch_may_report, "json"))
    assert data["language"] == "nl"
    assert data["header"] == {
        "supplier": "Dienstverlener B.V.",
        "client": "Stichting Opdrachtgever",
        "contract_reference": "OVK-2026-017",
    }
    assert data["final"] is False
    assert data["final_at"] == "2026-06-02T18:00:00+02:00"
    assert data["availability"][0]["availability"] == 0.9909274193548387
    assert data["response"][0]["category"] == "email"
    header = next(csv.reader(io.StringIO(render(dutch_may_report, "csv"))))
    assert header[:3] == ["month", "final", "kind"]
    assert header[-1] == "requirement"


def test_an_english_report_says_final_since_and_names_no_missing_party(
    may_report: Report,
) -> None:
    """Without a header in the configuration the parties' lines are left out, never blank."""
    html = render(may_report, "html")
    assert 'data-key="header:supplier"' not in html
    assert _cell(html, "header:period") == "1 May 2026 – 31 May 2026"
    assert _cell(html, "header:final") == "not final; final after 2 June 2026 18:00"
    data = json.loads(render(may_report, "json"))
    assert data["header"] == {"supplier": None, "client": None, "contract_reference": None}
    assert data["language"] == "en"
