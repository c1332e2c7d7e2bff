"""A month worked out by hand: May 2026 in Europe/Amsterdam, seeded into a real store.

May 2026 runs on CEST (UTC+02:00) from its first to its last instant: 31 days, 744 h,
2,678,400 s. Closed days of the Dutch calendar: Ascension Day (Thu 14 May), Whit Sunday
(24 May) and Whit Monday (Mon 25 May). Working days: 21 weekdays minus 14 and 25 May = 19,
so the business-hours window is 19 × 10 h = 190 h = 684,000 s.

Everything below is local time (+02:00) unless it says otherwise.

it-system (SLAs 24x7 at 99 % and business-hours at 100 %):

* maintenance: ``weekly-patching`` every Sunday 01:00-03:00 (3, 10, 17, 24, 31 May: 5 × 2 h
  = 10 h); ``db-upgrade`` 20 May 20:00-22:00 registered on 18 May (agreed, 2 h);
  ``emergency-patch`` 21 May 07:00-09:00 registered 09:30 that day and approved (retroactive
  but counted, 2 h, of which 08:00-09:00 in business hours); ``network-fix`` 22 May
  08:00-09:00 registered at 12:00 without approval (does NOT count).
* monitoring sessions: 30 Apr 00:00 - 26 May 12:00 and 26 May 15:00 - 1 Jun 11:59, so a
  3 h gap on Tuesday 26 May 12:00-15:00 (business hours).
* outages (probe):
  1. 30 Apr 22:00 - 1 May 02:00, across the month boundary: 2 h in May, at night.
  2. Sun 10 May 02:30-03:30: half inside weekly-patching, 0.5 h counted (24x7).
  3. Tue 12 May 10:00-11:30: 1.5 h in both windows.
  4. Wed 20 May 20:30-21:00: inside db-upgrade, 0.
  5. Thu 21 May 07:00-09:00: inside emergency-patch, 0.
  6. Fri 22 May 08:00-08:45: network-fix does not count, 0.75 h in both windows; its cause
     carries markup, which the HTML must escape.
  7. Tue 26 May 11:00-16:00, open across the monitoring gap: 5 h minus the 3 h gap = 2 h in
     both windows.

portal (SLA 24x7 at 99.5 %): monitored from 15 May 00:00 only; two outages from before
then imported from another tool (Sun 3 May 10:00-14:00 and Thu 7 May 09:00-09:30, 4.5 h);
one probe outage from Sun 31 May 23:00, still open (1 h in May).

Requests (default categories; ``business_hours`` mode, one working day = 10 h):

======  ==================  ===================  ==================  ====================
id      category            received             deadline            answered
======  ==================  ===================  ==================  ====================
E1      email               Wed 13 May 17:00     Fri 15 May 17:00    15 May 16:30 (met)
E2      email               Fri 22 May 16:00     Tue 26 May 16:00    26 May 16:00 (met)
E3      email               Sat 23 May 10:00     Tue 26 May 18:00    27 May 09:00 (late)
E4      email               Fri 29 May 17:00     Mon 1 Jun 17:00     never
E5      email               Mon 4 May 07:30      Mon 4 May 18:00     4 May 18:30 (late)
E7      email               Thu 7 May 10:00      Fri 8 May 10:00     7 May 11:00 (met)
E8      email               Sun 31 May 23:59     Mon 1 Jun 18:00     1 Jun 17:59
C1      complaint           Wed 13 May 09:00     Fri 15 May 09:00    Thu 14 May 10:00
I1      information_request Wed 13 May 17:00     Mon 18 May 17:00    18 May 16:00 (met)
X1      feedback            Mon 11 May 10:00     (not configured)    —
======  ==================  ===================  ==================  ====================

E1 and C1 skip Ascension Day, E2 and E3 skip Whit Monday. E3 arrives on a Saturday, so its
clock starts at Tuesday's opening. At ``NOT_FINAL_NOW`` (Mon 1 Jun 12:00) E4 and E8 are
pending (E8's answer lies after that instant and is not known yet); at ``FINAL_NOW``
(Wed 3 Jun 12:00) E4 is breached and E8 met.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from monitor.config import Config, parse_config
from monitor.report.outage_import import import_outages
from monitor.store import (
    MaintenanceWindowRecord,
    MonitoringSession,
    OutageClosed,
    OutageOpened,
    Store,
    WriteBatch,
    new_outage,
)
from monitor.store.records import RequestRecord

ZONE = ZoneInfo("Europe/Amsterdam")

CONFIG_TEXT = """\
timezone: Europe/Amsterdam
maintenance:
  - name: weekly-patching
    targets: [it-system]
    every: "sun 01:00-03:00"
    reason: OS patches
targets:
  - name: it-system
    description: the client's IT system
    probe: {type: http, url: "http://127.0.0.1:9/health"}
    interval: 30s
    slas:
      - {window: 24x7, objective: 0.99}
      - {window: business-hours, objective: 1.0}
  - name: portal
    probe: {type: http, url: "http://127.0.0.1:9/portal"}
    slas:
      - {window: 24x7, objective: 0.995}
"""

INJECTED_CAUSE = '<script>console.error("injected")</script> core switch & "uplink"'

IMPORT_CSV = """\
target,start,end,reason
portal,2026-05-03T10:00:00+02:00,2026-05-03T14:00:00+02:00,hosting provider outage (Nagios)
portal,2026-05-07T07:00:00Z,2026-05-07T07:30:00Z,DNS failure
"""


def local(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE)


NOT_FINAL_NOW = local(6, 1, 12)
FINAL_NOW = local(6, 3, 12)


def config(tmp_path: Path) -> Config:
    path = tmp_path / "sla-monitor.yaml"
    path.write_text(CONFIG_TEXT, encoding="utf-8")
    return parse_config(CONFIG_TEXT, str(path))


PROBE_OUTAGES = (
    ("it-system", local(4, 30, 22), local(5, 1, 2), "HTTP 503"),
    ("it-system", local(5, 10, 2, 30), local(5, 10, 3, 30), "connect timeout"),
    ("it-system", local(5, 12, 10), local(5, 12, 11, 30), "HTTP 500"),
    ("it-system", local(5, 20, 20, 30), local(5, 20, 21), "database restart"),
    ("it-system", local(5, 21, 7), local(5, 21, 9), "kernel patch reboot"),
    ("it-system", local(5, 22, 8), local(5, 22, 8, 45), INJECTED_CAUSE),
    ("it-system", local(5, 26, 11), local(5, 26, 16), "HTTP 502"),
    ("portal", local(5, 31, 23), None, "connect refused"),
)

SESSIONS = (
    ("it-system", local(4, 30), local(5, 26, 12)),
    ("it-system", local(5, 26, 15), local(6, 1, 11, 59)),
    ("portal", local(5, 15), local(6, 1, 11, 59)),
)

REGISTERED = (
    # name, start, end, registered_at, approved_by
    ("db-upgrade", local(5, 20, 20), local(5, 20, 22), local(5, 18, 10), None),
    ("emergency-patch", local(5, 21, 7), local(5, 21, 9), local(5, 21, 9, 30), "J. Jansen"),
    ("network-fix", local(5, 22, 8), local(5, 22, 9), local(5, 22, 12), None),
)

REQUESTS = (
    ("E1", "email", local(5, 13, 17), local(5, 15, 16, 30)),
    ("E2", "email", local(5, 22, 16), local(5, 26, 16)),
    ("E3", "email", local(5, 23, 10), local(5, 27, 9)),
    ("E4", "email", local(5, 29, 17), None),
    ("E5", "email", local(5, 4, 7, 30), local(5, 4, 18, 30)),
    ("E7", "email", local(5, 7, 10), local(5, 7, 11)),
    ("E8", "email", local(5, 31, 23, 59), local(6, 1, 17, 59)),
    ("C1", "complaint", local(5, 13, 9), local(5, 14, 10)),
    ("I1", "information_request", local(5, 13, 17), local(5, 18, 16)),
    ("X1", "feedback", local(5, 11, 10), None),
)


async def seed(store: Store, cfg: Config) -> None:
    """Write the month above into ``store`` through the store's own write paths."""
    events: list[OutageOpened | OutageClosed] = []
    for target, start, end, cause in PROBE_OUTAGES:
        opened = new_outage(target, start, cause)
        events.append(opened)
        if end is not None:
            events.append(OutageClosed(opened.target, opened.id, end))
    await store.write_batch(
        WriteBatch(
            outage_events=tuple(events),
            sessions=tuple(MonitoringSession(f"s-{t}-{s:%d%H}", t, s, e) for t, s, e in SESSIONS),
        )
    )
    for name, start, end, registered_at, approved_by in REGISTERED:
        await store.add_maintenance_window(
            MaintenanceWindowRecord.new(
                name=name,
                targets=["it-system"],
                start=start,
                end=end,
                registered_at=registered_at,
                registered_by="ops@provider.example",
                reason=f"{name} reason",
                approved_by=approved_by,
            )
        )
    summary = await import_outages(
        store, IMPORT_CSV, [t.name for t in cfg.targets], NOT_FINAL_NOW, "history.csv"
    )
    assert (summary.new, summary.rows) == (2, 2)
    await store.upsert_requests(
        [
            RequestRecord(
                id=request_id,
                category=category,
                received_at=received,
                answered_at=answered,
                source="mailbox",
                channel="ekv-desk",
            )
            for request_id, category, received, answered in REQUESTS
        ]
    )


@dataclass(frozen=True)
class Seeded:
    store: Store
    config: Config
    url: str
    config_path: Path


@contextlib.asynccontextmanager
async def seeded_store(directory: Path) -> AsyncIterator[Seeded]:
    """May 2026 as worked out above, in a fresh SQLite store in ``directory``."""
    url = f"sqlite+aiosqlite:///{directory / 'store.db'}"
    cfg = config(directory)
    store = await Store.open(url)
    try:
        await seed(store, cfg)
        yield Seeded(store, cfg, url, directory / "sla-monitor.yaml")
    finally:
        await store.close()
