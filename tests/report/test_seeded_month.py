"""Every figure of the seeded May 2026 in JSON, CSV and HTML agrees with the hand arithmetic.

The month and its evidence are described in ``seed.py``; the arithmetic is written out next
to each expected number below. "h" is an hour of 3,600 s.
"""

from __future__ import annotations

import csv
import io
import json
from fractions import Fraction
from html.parser import HTMLParser
from typing import Any

import pytest

from monitor.report import Report, load_report, render
from monitor.report.json_format import report_to_dict
from tests.report import seed
from tests.report.conftest import MAY
from tests.report.seed import Seeded

H = 3600

# -- availability, worked by hand ---------------------------------------------------------

# it-system, 24x7. T = 31 d × 24 h = 744 h = 2,678,400 s.
# M = weekly-patching 5 × 2 h + db-upgrade 2 h + emergency-patch (approved) 2 h = 14 h;
#     network-fix is retroactive and unapproved, so it does not count.
# U = the session gap on 26 May 12:00-15:00 = 3 h.
# D = outage 1 (2 h in May) + 2 (03:00-03:30 outside patching: 0.5 h) + 3 (1.5 h) + 4 (0)
#     + 5 (0) + 6 (0.75 h) + 7 (5 h − 3 h gap = 2 h) = 6.75 h = 24,300 s.
# A = 1 − 24,300 / 2,678,400 = 0.990927… ≥ 0.99: met.
# Budget = 1 % × 2,678,400 = 26,784 s; left 26,784 − 24,300 = 2,484 s = 41 min 24 s.
# Expected report JSON, compared key by key with what the renderer wrote (Any).
IT_24X7: dict[str, Any] = {
    "window_seconds": 744 * H,
    "unplanned_downtime_seconds": 6.75 * H,
    "maintenance_seconds": 14 * H,
    "unmonitored_seconds": 3 * H,
    "availability": 1 - Fraction(24_300, 2_678_400),
    "met": True,
    "budget_seconds": 26_784,
    "budget_remaining_seconds": 2_484,
    "coverage": 1 - Fraction(10_800, 2_678_400),
}
# it-system, business-hours (100 %). T = 19 working days × 10 h = 190 h = 684,000 s
# (21 weekdays minus Ascension Day 14 May and Whit Monday 25 May).
# M = emergency-patch 08:00-09:00 on Thu 21 May = 1 h (the Sunday windows and db-upgrade
#     lie outside opening hours).
# U = 26 May 12:00-15:00 = 3 h (a Tuesday).
# D = outage 3 (1.5 h) + 6 (0.75 h) + 7 (11:00-12:00 and 15:00-16:00: 2 h) = 4.25 h = 15,300 s
#     (outage 1 is at night on Fri 1 May, 2 on a Sunday, 4 after closing, 5 in maintenance).
# A = 1 − 15,300 / 684,000 = 0.977631…: missed. Budget 0; left −15,300 s.
IT_BUSINESS: dict[str, Any] = {
    "window_seconds": 190 * H,
    "unplanned_downtime_seconds": 4.25 * H,
    "maintenance_seconds": 1 * H,
    "unmonitored_seconds": 3 * H,
    "availability": 1 - Fraction(15_300, 684_000),
    "met": False,
    "budget_seconds": 0,
    "budget_remaining_seconds": -15_300,
    "coverage": 1 - Fraction(10_800, 684_000),
}
# portal, 24x7 at 99.5 %. T = 2,678,400 s. M = 0.
# D = imported 4 h (3 May) + 0.5 h (7 May) + the open probe outage from 31 May 23:00 to the
#     month's end, 1 h = 5.5 h = 19,800 s.
# U = 1-15 May without sessions = 14 d = 336 h, minus the imported 4.5 h (evidence in
#     itself) = 331.5 h = 1,193,400 s.
# A = 1 − 19,800 / 2,678,400 = 0.992607… < 0.995: missed. Coverage 412.5 / 744 = 55.4 % is
#     below the evidence threshold of 95 %, but the unmeasured time cannot make up for the
#     measured downtime: the miss stands, with the reason beside it.
# Budget = 0.5 % × 2,678,400 = 13,392 s; left 13,392 − 19,800 = −6,408 s.
PORTAL: dict[str, Any] = {
    "window_seconds": 744 * H,
    "unplanned_downtime_seconds": 5.5 * H,
    "maintenance_seconds": 0,
    "unmonitored_seconds": 331.5 * H,
    "availability": 1 - Fraction(19_800, 2_678_400),
    "met": False,
    "evidence": {
        "min_coverage": 0.95,
        "sufficient": False,
        "reason": "insufficient evidence: coverage 55.4 % < 95 %; "
        "the measured downtime alone already misses the objective",
    },
    "budget_seconds": 13_392,
    "budget_remaining_seconds": -6_408,
    "coverage": 1 - Fraction(1_193_400, 2_678_400),
}
AVAILABILITY = {
    ("it-system", "24x7"): (0.99, IT_24X7),
    ("it-system", "business-hours"): (1.0, IT_BUSINESS),
    ("portal", "24x7"): (0.995, PORTAL),
}

# Counted seconds per outage and window, in the order the outages start.
IT_OUTAGES_24X7 = [2 * H, 0.5 * H, 1.5 * H, 0, 0, 0.75 * H, 2 * H]
IT_OUTAGES_BUSINESS = [0, 0, 1.5 * H, 0, 0, 0.75 * H, 2 * H]
PORTAL_OUTAGES = [4 * H, 0.5 * H, 1 * H]

# -- response, worked by hand (see the table in seed.py) ----------------------------------

# At Mon 1 Jun 12:00: email met E1 E2 E7, breached E3 E5, pending E4 E8 -> 3 / 5 = 0.6 < 0.8.
RESPONSE = {
    "email": (0.8, 1, 7, 3, 2, 2, 0.6, False),
    "complaint": (1.0, 1, 1, 1, 0, 0, 1.0, True),
    "escalation": (1.0, 1, 0, 0, 0, 0, None, None),
    "information_request": (1.0, 2, 1, 1, 0, 0, 1.0, True),
}
DEADLINES = {
    "E1": ("2026-05-15T17:00:00+02:00", "met"),  # skips Ascension Day
    "E2": ("2026-05-26T16:00:00+02:00", "met"),  # skips Whit Monday; answered at the deadline
    "E3": ("2026-05-26T18:00:00+02:00", "breached"),  # Saturday: clock starts Tue 08:00
    "E4": ("2026-06-01T17:00:00+02:00", "pending"),
    "E5": ("2026-05-04T18:00:00+02:00", "breached"),  # before opening: until closing
    "E7": ("2026-05-08T10:00:00+02:00", "met"),
    "E8": ("2026-06-01T18:00:00+02:00", "pending"),  # its 17:59 answer is after "now"
    "C1": ("2026-05-15T09:00:00+02:00", "met"),  # answered on Ascension Day itself
    "I1": ("2026-05-18T17:00:00+02:00", "met"),  # two working days across 14 May
}


def exact(value: Fraction | float) -> Any:
    """The float the core computes for a ratio, to the last bit a float can hold."""
    return pytest.approx(float(value), rel=0, abs=1e-15)


# -- JSON -----------------------------------------------------------------------------------


def test_the_json_has_every_field_design_section_3_names(may_report: Report) -> None:
    """Top level, availability, outage, response and request entries carry the contract."""
    data = json.loads(render(may_report, "json"))
    assert {
        "month", "timezone", "generated_at", "final", "policies", "holidays",
        "availability", "response",
    } <= data.keys()  # fmt: skip
    for entry in data["availability"]:
        assert {
            "target", "window", "objective", "window_seconds", "unplanned_downtime_seconds",
            "maintenance_seconds", "unmonitored_seconds", "availability", "met", "outages",
        } <= entry.keys()  # fmt: skip
        for outage in entry["outages"]:
            assert {"start", "end", "counted_seconds", "cause", "source"} <= outage.keys()
    for entry in data["response"]:
        assert {
            "category", "objective", "days", "received", "met", "breached", "pending",
            "ratio", "objective_met", "requests",
        } <= entry.keys()  # fmt: skip
        for request in entry["requests"]:
            assert {"id", "received_at", "deadline", "answered_at", "outcome"} <= request.keys()


def test_the_json_top_level_says_which_month_zone_and_rules_it_used(may_report: Report) -> None:
    """May 2026, Amsterdam, generated 1 June 12:00 +02:00, not final, its holidays."""
    data = json.loads(render(may_report, "json"))
    assert data["month"] == "2026-05"
    assert data["timezone"] == "Europe/Amsterdam"
    assert data["generated_at"] == "2026-06-01T12:00:00+02:00"
    assert data["final"] is False
    # Information requests (two days) decide last: received 31 May 24:00 -> 2 Jun 18:00.
    assert data["last_deadline"] == "2026-06-02T18:00:00+02:00"
    assert data["policies"] == {
        "maintenance": "count_as_available",
        "unmonitored": "count_as_available",
        "business_day": "business_hours",
        "servicedesk_calendar": "business-hours",
    }
    assert data["holidays"] == ["2026-05-14", "2026-05-24", "2026-05-25"]
    assert data["uncategorised_requests"] == [{"category": "feedback", "received": 1}]


def test_every_json_availability_figure_matches_the_hand_arithmetic(may_report: Report) -> None:
    """T, D, M, U, A, met, budget and coverage of all three SLAs, exactly."""
    data = json.loads(render(may_report, "json"))
    found = {(e["target"], e["window"]): e for e in data["availability"]}
    assert list(found) == list(AVAILABILITY)
    for key, (objective, expected) in AVAILABILITY.items():
        entry = found[key]
        assert entry["objective"] == objective
        for field, value in expected.items():
            if isinstance(value, Fraction):
                assert entry[field] == exact(value), (key, field)
            else:
                assert entry[field] == value, (key, field)


def test_every_json_outage_carries_the_seconds_it_counted(may_report: Report) -> None:
    """Per window, the counted seconds of each outage add up to D; instants keep +02:00."""
    data = json.loads(render(may_report, "json"))
    found = {(e["target"], e["window"]): e for e in data["availability"]}
    for key, expected in (
        (("it-system", "24x7"), IT_OUTAGES_24X7),
        (("it-system", "business-hours"), IT_OUTAGES_BUSINESS),
        (("portal", "24x7"), PORTAL_OUTAGES),
    ):
        outages = found[key]["outages"]
        assert [o["counted_seconds"] for o in outages] == expected, key
        assert sum(expected) == found[key]["unplanned_downtime_seconds"]
    first = found[("it-system", "24x7")]["outages"][0]
    assert (first["start"], first["end"], first["source"], first["cause"]) == (
        "2026-04-30T22:00:00+02:00",
        "2026-05-01T02:00:00+02:00",
        "probe",
        "HTTP 503",
    )
    portal = found[("portal", "24x7")]["outages"]
    assert [o["source"] for o in portal] == ["import", "import", "probe"]
    assert portal[1]["start"] == "2026-05-07T09:00:00+02:00"  # imported as 07:00Z
    assert portal[2]["end"] is None  # still open


def test_every_json_response_figure_and_request_matches_the_hand_arithmetic(
    may_report: Report,
) -> None:
    """Counts, ratios, verdicts, deadlines and outcomes of every category and request."""
    data = json.loads(render(may_report, "json"))
    found = {e["category"]: e for e in data["response"]}
    assert list(found) == list(RESPONSE)
    for category, expected in RESPONSE.items():
        entry = found[category]
        assert (
            entry["objective"], entry["days"], entry["received"], entry["met"],
            entry["breached"], entry["pending"], entry["ratio"], entry["objective_met"],
        ) == expected, category  # fmt: skip
    requests = {r["id"]: r for e in data["response"] for r in e["requests"]}
    assert {i: (r["deadline"], r["outcome"]) for i, r in requests.items()} == DEADLINES
    assert requests["E3"]["received_at"] == "2026-05-23T10:00:00+02:00"
    assert requests["E3"]["answered_at"] == "2026-05-27T09:00:00+02:00"
    # E8's answer (1 Jun 17:59) lies after generated_at and is not shown, like its outcome.
    assert requests["E8"]["answered_at"] is None
    assert requests["E4"]["answered_at"] is None
    assert {r["source"] for r in requests.values()} == {"mailbox"}


def test_maintenance_lists_retroactive_registrations_with_their_approval(
    may_report: Report,
) -> None:
    """Five patch nights, db-upgrade in advance, emergency-patch approved, network-fix not."""
    data = json.loads(render(may_report, "json"))
    lines = [
        (m["name"], m["counted"], m["retroactive"], m["approved_by"]) for m in data["maintenance"]
    ]
    assert lines == [
        ("weekly-patching", True, False, None),
        ("weekly-patching", True, False, None),
        ("weekly-patching", True, False, None),
        ("db-upgrade", True, False, None),
        ("emergency-patch", True, True, "J. Jansen"),
        ("network-fix", False, True, None),
        ("weekly-patching", True, False, None),
        ("weekly-patching", True, False, None),
    ]
    network_fix = data["maintenance"][5]
    assert network_fix["registered_at"] == "2026-05-22T12:00:00+02:00"
    assert network_fix["registered_by"] == "ops@provider.example"


def test_misses_name_the_outages_and_late_requests_behind_each(may_report: Report) -> None:
    """3.2.6: business hours (3 outages), portal (3 outages), email (E5, E3 late)."""
    misses = {(m.kind, m.name, m.window): m for m in may_report.misses}
    assert list(misses) == [
        ("availability", "it-system", "business-hours"),
        ("availability", "portal", "24x7"),
        ("response", "email", None),
    ]
    business = misses[("availability", "it-system", "business-hours")]
    assert [c.outage.cause for c in business.outages] == [
        "HTTP 500",
        seed.INJECTED_CAUSE,
        "HTTP 502",
    ]
    assert [v.request.id for v in misses[("response", "email", None)].requests] == ["E5", "E3"]
    assert json.loads(render(may_report, "json"))["misses"][2]["request_ids"] == ["E5", "E3"]


async def test_the_month_is_final_once_its_last_deadline_has_passed(seeded: Seeded) -> None:
    """On Wed 3 June E4 is overdue and E8's 17:59 answer counts: email 4 / 7, final."""
    report = await load_report(seeded.store, seeded.config, MAY, seed.FINAL_NOW)
    data = report_to_dict(report)
    assert data["final"] is True
    email = data["response"][0]
    assert (email["met"], email["breached"], email["pending"]) == (4, 3, 0)
    assert email["ratio"] == exact(Fraction(4, 7))
    outcomes = {r["id"]: r["outcome"] for r in email["requests"]}
    assert (outcomes["E4"], outcomes["E8"]) == ("breached", "met")
    # Availability does not move after the month's end.
    assert data["availability"][0]["availability"] == exact(IT_24X7["availability"])


# -- CSV ------------------------------------------------------------------------------------


def test_every_csv_row_matches_the_hand_arithmetic(may_report: Report) -> None:
    """One row per figure: three availability SLAs and four categories, exact values."""
    rows = [
        row
        for row in csv.DictReader(io.StringIO(render(may_report, "csv"), newline=""))
        if row["kind"] != "late_request"
    ]
    assert [(r["kind"], r["name"], r["window"]) for r in rows] == [
        ("availability", "it-system", "24x7"),
        ("availability", "it-system", "business-hours"),
        ("availability", "portal", "24x7"),
        ("response", "email", "business-hours"),
        ("response", "complaint", "business-hours"),
        ("response", "escalation", "business-hours"),
        ("response", "information_request", "business-hours"),
    ]
    for row in rows[:3]:
        objective, expected = AVAILABILITY[(row["name"], row["window"])]
        assert float(row["objective"]) == objective
        assert float(row["value"]) == exact(expected["availability"])
        assert (
            row["met"]
            == {True: "true", False: "false", None: "insufficient evidence"}[expected["met"]]
        )
        for field in (
            "window_seconds",
            "unplanned_downtime_seconds",
            "maintenance_seconds",
            "unmonitored_seconds",
        ):
            assert float(row[field]) == expected[field], (row["name"], field)
        assert float(row["coverage"]) == exact(expected["coverage"])
    for row in rows[3:]:
        objective, days, received, met, breached, pending, ratio, ok = RESPONSE[row["name"]]
        assert float(row["objective"]) == objective
        assert (row["days"], row["received"], row["requests_met"]) == (
            str(days),
            str(received),
            str(met),
        )
        assert (row["breached"], row["pending"]) == (str(breached), str(pending))
        assert row["value"] == ("" if ratio is None else repr(ratio))
        assert row["met"] == {None: "", True: "true", False: "false"}[ok]
    assert {r["month"] for r in rows} == {"2026-05"}
    assert {r["final"] for r in rows} == {"false"}


def test_every_late_request_has_a_csv_row_after_the_figures(may_report: Report) -> None:
    """E5 and E3 (breached at 1 June 12:00) each get a row with receipt, deadline, answer and
    outcome; the seeded rows were stored without a mailbox scan, so no locator is known."""
    rows = list(csv.DictReader(io.StringIO(render(may_report, "csv"), newline="")))
    late = [row for row in rows if row["kind"] == "late_request"]
    assert rows[-len(late) :] == late
    assert [(r["name"], r["request_id"], r["outcome"], r["source"]) for r in late] == [
        ("email", "E5", "breached", "mailbox"),
        ("email", "E3", "breached", "mailbox"),
    ]
    assert (late[1]["received_at"], late[1]["deadline"], late[1]["answered_at"]) == (
        "2026-05-23T10:00:00+02:00",
        "2026-05-26T18:00:00+02:00",
        "2026-05-27T09:00:00+02:00",
    )
    for row in late:
        assert (row["window"], row["days"], row["value"], row["met"]) == (
            "business-hours",
            "1",
            "",
            "",
        )
        located = [c for c in row if c.startswith(("request_", "answer_")) and c != "request_id"]
        assert [row[c] for c in located] == [""] * 10


# -- HTML -----------------------------------------------------------------------------------


class _Figures(HTMLParser):
    """Text of every element with a ``data-key``, and all text for escaping checks."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, list[str]] = {}
        self._key: str | None = None
        self._depth = 0
        self._text: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self.scripts += 1
        if self._key is not None:
            self._depth += 1
            return
        key = dict(attrs).get("data-key")
        if key is not None:
            self._key, self._depth, self._text = key, 1, []

    def handle_endtag(self, tag: str) -> None:
        if self._key is None:
            return
        self._depth -= 1
        if self._depth == 0:
            self.figures.setdefault(self._key, []).append("".join(self._text).strip())
            self._key = None

    def handle_data(self, data: str) -> None:
        if self._key is not None:
            self._text.append(data)


def figures_of(html: str) -> _Figures:
    parser = _Figures()
    parser.feed(html)
    parser.close()
    return parser


def test_every_html_availability_figure_matches_the_hand_arithmetic(may_report: Report) -> None:
    """The tables print T, D, M, U, coverage, A (rounded down) and the budget left."""
    shown = figures_of(render(may_report, "html")).figures

    def row(target: str, window: str) -> dict[str, str]:
        names = ("window", "downtime", "maintenance", "unmonitored", "coverage",
                 "availability", "budget", "met", "summary")  # fmt: skip
        return {name: shown[f"a:{target}:{window}:{name}"][0] for name in names}

    assert row("it-system", "24x7") == {
        "window": "744 h 00 min",
        "downtime": "6 h 45 min",
        "maintenance": "14 h 00 min",
        "unmonitored": "3 h 00 min",
        "coverage": "99.596 %",  # 1 − 3 / 744 = 0.995967…
        "availability": "99.092 %",  # 0.990927…
        "budget": "41 min 24 s",  # 2,484 s
        "met": "✓ met",
        "summary": "99.092 %",
    }
    assert row("it-system", "business-hours") == {
        "window": "190 h 00 min",
        "downtime": "4 h 15 min",
        "maintenance": "1 h 00 min",
        "unmonitored": "3 h 00 min",
        "coverage": "98.421 %",  # 1 − 3 / 190 = 0.984210…
        "availability": "97.763 %",  # 0.977631…
        "budget": "−4 h 15 min",
        "met": "✗ missed",
        "summary": "97.763 %",
    }
    assert row("portal", "24x7") == {
        "window": "744 h 00 min",
        "downtime": "5 h 30 min",
        "maintenance": "0 s",
        "unmonitored": "331 h 30 min",
        "coverage": "55.443 %",  # 412.5 / 744 = 0.554435…
        "availability": "99.260 %",  # 0.992607…
        "budget": "−1 h 46 min 48 s",  # −6,408 s
        "met": "✗ missed"
        "insufficient evidence: coverage 55.4 % < 95 %; "
        "the measured downtime alone already misses the objective",
        "summary": "99.260 %",
    }


def test_every_html_response_figure_matches_the_hand_arithmetic(may_report: Report) -> None:
    """Per category: received, met, breached, pending, ratio and verdict."""
    shown = figures_of(render(may_report, "html")).figures
    for category, (_, _, received, met, breached, pending, ratio, ok) in RESPONSE.items():
        values = {
            name: shown[f"r:{category}:{name}"][0]
            for name in ("received", "met", "breached", "pending", "ratio", "objective_met")
        }
        assert values == {
            "received": str(received),
            "met": str(met),
            "breached": str(breached),
            "pending": str(pending),
            "ratio": "—" if ratio is None else f"{ratio * 100:.3f} %",
            "objective_met": {None: "no decided requests", True: "✓ met", False: "✗ missed"}[ok],
        }, category


def test_the_html_says_prominently_that_the_month_is_not_final(may_report: Report) -> None:
    """A banner with the reason and the instant it becomes final, and a print watermark."""
    html = render(may_report, "html")
    shown = figures_of(html).figures
    banner = shown["final"][0]
    assert banner.startswith("NOT FINAL.")
    assert "2 service-desk requests are still within their deadlines" in banner
    assert "2026-06-02 18:00" in banner
    assert '<div class="watermark" aria-hidden="true">NOT FINAL</div>' in html
    assert "<title>Service Level Report 2026-05 (NOT FINAL)</title>" in html
    assert shown["tally"] == ["4 of 7 service levels met their norm; 3 missed (see section 2)."]


def test_the_html_lists_policies_and_the_resolved_holidays(may_report: Report) -> None:
    """The policies in force and Ascension Day, Whit Sunday and Whit Monday."""
    html = render(may_report, "html")
    shown = figures_of(html).figures
    assert shown["holiday"] == ["2026-05-14", "2026-05-24", "2026-05-25"]
    assert shown["policy:maintenance"] == ["count_as_available"]
    assert shown["policy:unmonitored"] == ["count_as_available"]
    assert shown["policy:business_day"] == ["business_hours"]
    assert "Ascension Day" in html
    assert "Pentecost Monday" in html


def test_the_html_escapes_text_from_the_evidence(may_report: Report) -> None:
    """An outage cause with markup is shown as text and never becomes an element."""
    html = render(may_report, "html")
    assert figures_of(html).scripts == 0
    assert "&lt;script&gt;console.error(&quot;injected&quot;)&lt;/script&gt;" in html
    assert "core switch &amp; &quot;uplink&quot;" in html


def test_the_html_is_self_contained(may_report: Report) -> None:
    """No script, no link, no external reference: it reads the same offline and on paper."""
    html = render(may_report, "html")
    for needle in ("<script", "<link", "src=", "http://", "https://", "@import", "url(http"):
        assert needle not in html, needle
    assert "@media print" in html
    assert "@page" in html


def test_the_html_carries_the_3_2_15_description_of_every_service_level(
    may_report: Report,
) -> None:
    """Indicator, norm, bandwidth, growth path, method and frequency, per service level."""
    html = render(may_report, "html")
    assert html.count('<div class="describe">') == 3 + 4
    assert "at least 99.5 % per calendar month" in html
    assert "error budget 7 h 26 min 24 s this month" in html  # 26,784 s
    assert "Requests of category information_request answered within 2 working days" in html
    data = report_to_dict(may_report)
    email = data["response"][0]["description"]
    assert email["requirement"] == "3.2.9"
    assert email["norm"] == "at least 80 % of the requests received in the month"
    assert data["availability"][0]["description"]["measurement_frequency"].startswith(
        "probed every 30 s"
    )


async def test_the_same_evidence_and_instant_give_the_same_report(seeded: Seeded) -> None:
    """A report recomputed for the same instant is byte for byte the same, in all formats."""
    first = await load_report(seeded.store, seeded.config, MAY, seed.NOT_FINAL_NOW)
    second = await load_report(seeded.store, seeded.config, MAY, seed.NOT_FINAL_NOW)
    for name in ("json", "csv", "html"):
        assert render(first, name) == render(second, name)
