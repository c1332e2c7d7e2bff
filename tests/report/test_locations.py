"""A month seen from three probe locations, in a real SQLite store, and its HTML and CSV
report (docs/rules.md#quorum): the counted outage names who saw it, the location-only
failures are listed and never downtime, and the time nobody monitored is the grey.

May 2026, ``web`` probed from a, b and c (quorum 2 of 3), all three in session the whole
month except where said:

* a sees the target down 10 May 02:30-03:30 (HTTP 503), b 02:35-03:30: one counted outage
  02:35-03:30 (55 min) seen from a and b; a's first five minutes are its own;
* b alone sees it down 12 May 10:00-10:20 (connect timeout): a location-only failure;
* c is away 20 May 12:00-14:00 and b 13:00-14:00: one hour with a alone monitoring
  (degraded vantage), counted by the rule all the same;
* b and c are away 25 May 08:00-09:00 while a's canary fails: nobody monitors, an hour
  unmonitored although a's session runs on.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from monitor.config import Config, parse_config
from monitor.report import Report, load_report, render
from monitor.report.csv_format import COLUMNS, LOCATION_COLUMNS
from monitor.sla.months import Month
from monitor.sla.outages import OutageClosed, OutageOpened
from monitor.sla.vantage import CANARY
from monitor.store import MonitoringSession, Store, WriteBatch
from tests.report.test_seeded_month import figures_of

ZONE = ZoneInfo("Europe/Amsterdam")
MAY = Month(2026, 5)

CONFIG_TEXT = """\
timezone: Europe/Amsterdam
locations:
  - name: a
    canary: {type: tcp, host: 127.0.0.1, port: 9}
  - {name: b}
  - {name: c}
targets:
  - name: web
    probe: {type: http, url: "http://127.0.0.1:9/"}
    slas: [{window: 24x7, objective: 0.99}]
"""

DUTCH = """\
report:
  language: nl
"""


def local(day: int, hour: int = 0, minute: int = 0, month: int = 5) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE)


NOW = local(3, 12, month=6)
"""After the month: its figures no longer run."""

SESSIONS = {
    "a": ((local(30, month=4), local(1, month=6)),),
    "b": (
        (local(30, month=4), local(20, 13)),
        (local(20, 14), local(25, 8)),
        (local(25, 9), local(1, month=6)),
    ),
    "c": (
        (local(30, month=4), local(20, 12)),
        (local(20, 14), local(25, 8)),
        (local(25, 9), local(1, month=6)),
    ),
}

OUTAGES = {
    "a": (("web", "a-1", local(10, 2, 30), local(10, 3, 30), "HTTP 503"),
          (CANARY, "a-canary", local(25, 8), local(25, 9), "connect refused")),
    "b": (("web", "b-1", local(10, 2, 35), local(10, 3, 30), "HTTP 503"),
          ("web", "b-2", local(12, 10), local(12, 10, 20), "connect timeout")),
}  # fmt: skip


@dataclass(frozen=True)
class Month3:
    store: Store
    config: Config
    dutch: Config


async def record(url: str, location: str) -> None:
    """What one location's process writes: its sessions and its own outages."""
    store = await Store.open(url, location=location)
    try:
        events: list[OutageOpened | OutageClosed] = []
        for target, outage_id, start, end, cause in OUTAGES.get(location, ()):
            events += [
                OutageOpened(target, outage_id, start, cause),
                OutageClosed(target, outage_id, end),
            ]
        sessions = tuple(
            MonitoringSession(f"s-{location}-{n}", "web", start, end)
            for n, (start, end) in enumerate(SESSIONS[location])
        )
        await store.write_batch(WriteBatch(outage_events=tuple(events), sessions=sessions))
    finally:
        await store.close()


@pytest.fixture
async def three(tmp_path: Path) -> AsyncIterator[Month3]:
    """May 2026 from locations a, b and c, each written through its own store."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    for location in "abc":
        await record(url, location)
    path = tmp_path / "sla-monitor.yaml"
    path.write_text(CONFIG_TEXT, encoding="utf-8")
    store = await Store.open(url, location="a")
    try:
        yield Month3(store, parse_config(CONFIG_TEXT, str(path)), parse_config(CONFIG_TEXT + DUTCH))
    finally:
        await store.close()


@pytest.fixture
async def english(three: Month3) -> Report:
    """The month's report in English, after the month."""
    return await load_report(three.store, three.config, MAY, NOW)


@pytest.fixture
async def dutch(three: Month3) -> Report:
    """The same report in Dutch."""
    return await load_report(three.store, three.dutch, MAY, NOW)


def outage_rows(html: str) -> list[str]:
    """The text of the target's outage rows, tags dropped."""
    table = html.split('<table class="outages">', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr class="probe">(.*?)</tr>', table)
    return [re.sub(r"<[^>]+>", "|", row) for row in rows]


def test_the_html_lists_the_counted_outage_with_the_locations_that_saw_it(
    english: Report,
) -> None:
    """One counted outage, 02:35-03:30, seen from a and b; no row for a location's own."""
    html = render(english, "html")
    [row] = outage_rows(html)
    assert "2026-05-10 02:35" in row
    assert "2026-05-10 03:30" in row
    assert "|55 min|" in row
    assert "seen from a, b" in row
    shown = figures_of(html).figures
    assert shown["a:web:24x7:downtime"] == ["55 min"]


def test_the_html_shows_the_quorum_and_each_locations_own_time(english: Report) -> None:
    """Quorum 2 of 3; per location its unmonitored and location-only failure time."""
    shown = figures_of(render(english, "html")).figures
    assert shown["locations:web:quorum"][0].startswith(
        "Quorum in force: 2 of 3 locations (a, b, c)."
    )
    per_location = {
        name: (
            shown[f"locations:web:{name}:unmonitored"][0],
            shown[f"locations:web:{name}:location_only"][0],
        )
        for name in "abc"
    }
    assert per_location == {
        "a": ("1 h 00 min", "5 min"),
        "b": ("2 h 00 min", "20 min"),
        "c": ("3 h 00 min", "0 s"),
    }
    assert shown["locations:web:unmonitored"] == [
        "No location monitoring (unmonitored): 1 h 00 min."
    ]
    assert shown["locations:web:degraded"][0].endswith(": 24/7 1 h 00 min.")


def test_the_html_lists_every_location_only_failure_with_span_and_cause(english: Report) -> None:
    """a's five minutes before b saw it, and b's twenty minutes alone: never downtime."""
    shown = figures_of(render(english, "html")).figures
    assert shown["location-failure:web:a"] == ["a2026-05-10 02:302026-05-10 02:355 minHTTP 503"]
    assert shown["location-failure:web:b"] == [
        "b2026-05-12 10:002026-05-12 10:2020 minconnect timeout"
    ]


def test_the_timeline_greys_the_time_no_location_monitored(english: Report) -> None:
    """a's session runs on 25 May 08:00-09:00 but its canary fails and b and c are away:
    the grey strip is that hour, as the figure's unmonitored time is."""
    html = render(english, "html")
    gaps = re.findall(r'class="gap" fill="#757575"><title>([^<]*)</title>', html)
    assert gaps == ["Unmonitored 2026-05-25 08:00 – 2026-05-25 09:00"]
    assert figures_of(html).figures["a:web:24x7:unmonitored"] == ["1 h 00 min"]


def test_the_dutch_html_shows_the_locations_in_dutch(dutch: Report) -> None:
    """The same block in the contract's Dutch: quorum, location-only failures, seen from."""
    html = render(dutch, "html")
    shown = figures_of(html).figures
    assert shown["locations:web:quorum"][0].startswith(
        "Geldend quorum: 2 van 3 locaties (a, b, c)."
    )
    assert shown["locations:web:b:location_only"] == ["20 min"]
    assert shown["locations:web:unmonitored"] == [
        "Door geen enkele locatie gemeten (niet gemeten): 1 u 00 min."
    ]
    assert shown["location-failure:web:b"] == [
        "b12-05-2026 10:0012-05-2026 10:2020 minconnect timeout"
    ]
    assert "<h4>Meetlocaties</h4>" in html
    assert "Locatiegebonden storingen (nooit onbeschikbaarheid)" in html
    [row] = outage_rows(html)
    assert "waargenomen vanuit a, b" in row


def csv_rows(report: Report) -> tuple[list[str], list[dict[str, str]]]:
    """The header and the rows of the report's CSV."""
    text = render(report, "csv")
    header = next(csv.reader(io.StringIO(text)))
    return header, list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_csv_adds_location_rows_and_columns_after_the_old_ones(
    english: Report, dutch: Report, language: str
) -> None:
    """The old columns keep their order; the location columns follow; the availability row
    carries the quorum and the degraded vantage, in English in every report language."""
    header, rows = csv_rows(english if language == "en" else dutch)
    assert header == [*COLUMNS, *LOCATION_COLUMNS]
    [figure] = [r for r in rows if r["kind"] == "availability"]
    assert (figure["unplanned_downtime_seconds"], figure["unmonitored_seconds"]) == (
        "3300.0",
        "3600.0",
    )
    assert (figure["quorum"], figure["degraded_vantage_seconds"]) == ("2", "3600.0")
    located = {
        r["location"]: (r["unmonitored_seconds"], r["location_only_failure_seconds"])
        for r in rows
        if r["kind"] == "location"
    }
    assert located == {
        "a": ("3600.0", "300.0"),
        "b": ("7200.0", "1200.0"),
        "c": ("10800.0", "0.0"),
    }
    failures = [
        (r["name"], r["location"], r["start"], r["end"], r["location_only_failure_seconds"],
         r["cause"])
        for r in rows
        if r["kind"] == "location_only_failure"
    ]  # fmt: skip
    assert failures == [
        ("web", "a", "2026-05-10T02:30:00+02:00", "2026-05-10T02:35:00+02:00", "300.0",
         "HTTP 503"),
        ("web", "b", "2026-05-12T10:00:00+02:00", "2026-05-12T10:20:00+02:00", "1200.0",
         "connect timeout"),
    ]  # fmt: skip
    assert [r["kind"] for r in rows][-5:] == ["location"] * 3 + ["location_only_failure"] * 2


async def test_a_miss_names_the_locations_that_saw_its_outage(three: Month3) -> None:
    """With a 99.99 % norm the 55 minutes miss it; the miss lists the outage and its
    locations, as the target's table does."""
    strict = parse_config(CONFIG_TEXT.replace("objective: 0.99", "objective: 0.9999"))
    html = render(await load_report(three.store, strict, MAY, NOW), "html")
    misses = html.split('<section id="misses">', 1)[1].split("</section>", 1)[0]
    [row] = re.findall(r'<tr class="probe">(.*?)</tr>', misses)
    assert "2026-05-10 02:35" in row
    assert "seen from a, b" in row
