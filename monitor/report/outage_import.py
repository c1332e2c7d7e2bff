"""Importing outage history from another tool: ``sla-monitor import outages FILE.csv``.

The report of a month before the daemon ran (or of a time it did not probe) needs the
outages some other tool saw. DESIGN §3: UTF-8 CSV with a header ``target,start,end,reason``,
ISO-8601 instants with an offset, an empty ``end`` for an outage still going on. DESIGN §2:
an imported outage is evidence in itself; its time counts as monitored downtime.

**All or nothing.** Every row is checked before anything is written, and every problem is
reported with its line number (not just the first): unknown targets, unreadable or naive
instants, an end not after its start, instants in the future, the same outage twice. Then
the whole file is written in one transaction (``Store.write_batch``).

**Re-importing changes nothing.** Each outage gets ``import_key`` = a SHA-256 of its target
and its start instant (in UTC, so ``+02:00`` and ``Z`` spellings of one instant agree) and an
id derived from that key. The reason is not part of the key: a corrected wording is the same
outage. Importing a row whose key is stored:

* with the same end: unchanged;
* with an end where the stored outage is still open: the outage is closed at that end, the
  normal life of an outage exported while it was going on;
* with any other end (a different one, or empty where an end is stored): refused as a
  conflict, naming the line and the stored end, and nothing of the file is written. An end
  that may already have been reported to the client is never changed silently; correcting
  one is a deliberate act outside this command.

The daemon never closes an imported outage (``Store.open_outages`` leaves them out), so an
open one counts until a later import gives its end.
"""

from __future__ import annotations

import csv
import hashlib
import io
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from monitor.sla.intervals import as_utc
from monitor.store import OutageClosed, OutageOpened, Store, StoredOutage, WriteBatch

__all__ = [
    "COLUMNS",
    "ImportSummary",
    "ImportedOutage",
    "OutageImportError",
    "import_key",
    "import_outages",
    "parse_outages",
    "store_outages",
]

COLUMNS = ("target", "start", "end", "reason")
_NAMESPACE = uuid.UUID("6f1d2f0e-6c1b-4f57-9d0c-2b8f6a3e9a41")
_KEY_PREFIX = "outage-import:v1:"
_NO_REASON = "imported outage (no reason given)"
_TICK = timedelta(microseconds=1)


class OutageImportError(Exception):
    """The file cannot be imported; ``lines`` are ``FILE:LINE: problem``, one per problem."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = tuple(lines)


def import_key(target: str, start: datetime) -> str:
    """The identity of an imported outage: its target and its start instant."""
    digest = hashlib.sha256(f"{target}\n{as_utc(start).isoformat()}".encode()).hexdigest()
    return _KEY_PREFIX + digest


@dataclass(frozen=True, slots=True)
class ImportedOutage:
    """One checked row of the file."""

    line: int
    target: str
    start: datetime
    end: datetime | None
    reason: str

    @property
    def key(self) -> str:
        return import_key(self.target, self.start)

    @property
    def id(self) -> str:
        """Derived from the key, so a replayed write cannot store the outage twice."""
        return str(uuid.uuid5(_NAMESPACE, self.key))


@dataclass(frozen=True, slots=True)
class ImportSummary:
    rows: int
    new: int
    closed: int
    unchanged: int


def _instant(text: str, field: str) -> tuple[datetime | None, str | None]:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None, f"{field} {text!r} is not an ISO-8601 instant (2026-05-03T10:00:00+02:00)"
    if value.tzinfo is None or value.utcoffset() is None:
        return None, f"{field} {text!r} has no UTC offset; write it as {text}+02:00 or {text}Z"
    return as_utc(value), None


def parse_outages(
    text: str, targets: Collection[str], now: datetime, name: str
) -> list[ImportedOutage]:
    """Check every row of ``text`` (the file ``name``); raise with all problems at once."""
    problems: list[str] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if header is None:
        raise OutageImportError([f"{name}:1: the file is empty; expected {','.join(COLUMNS)}"])
    columns = [cell.strip().lower() for cell in header]
    missing = [c for c in COLUMNS if c not in columns]
    unknown = [c for c in columns if c not in COLUMNS]
    if missing or unknown or len(set(columns)) != len(columns):
        detail = "; ".join(
            part
            for part in (
                f"missing {', '.join(missing)}" if missing else "",
                f"unknown {', '.join(repr(c) for c in unknown)}" if unknown else "",
                "a column appears twice" if len(set(columns)) != len(columns) else "",
            )
            if part
        )
        raise OutageImportError([f"{name}:1: the header must be {','.join(COLUMNS)} ({detail})"])
    index = {column: columns.index(column) for column in COLUMNS}
    now = as_utc(now)
    known = sorted(targets)
    rows: list[ImportedOutage] = []
    first_line: dict[str, int] = {}
    line = reader.line_num
    for cells in reader:
        start_line, line = line + 1, reader.line_num
        if not cells or all(not c.strip() for c in cells):
            continue
        where = f"{name}:{start_line}"
        if len(cells) != len(columns):
            problems.append(f"{where}: expected {len(columns)} fields, found {len(cells)}")
            continue
        row_problems: list[str] = []
        target = cells[index["target"]].strip()
        if not target:
            row_problems.append("target is empty")
        elif target not in targets:
            row_problems.append(
                f"unknown target {target!r}; configured: {', '.join(known) or 'none'}"
            )
        start_text = cells[index["start"]].strip()
        start, problem = (
            (None, "start is empty") if not start_text else _instant(start_text, "start")
        )
        if problem:
            row_problems.append(problem)
        end_text = cells[index["end"]].strip()
        end, problem = (None, None) if not end_text else _instant(end_text, "end")
        if problem:
            row_problems.append(problem)
        if start is not None and start > now:
            row_problems.append(f"start {start_text} lies in the future")
        if end is not None and end > now:
            row_problems.append(
                f"end {end_text} lies in the future; leave it empty for an outage still going on"
            )
        if start is not None and end is not None and end <= start:
            row_problems.append(f"end {end_text} is not after start {start_text}")
        if row_problems or start is None:
            problems.extend(f"{where}: {p}" for p in row_problems)
            continue
        outage = ImportedOutage(
            start_line, target, start, end, cells[index["reason"]].strip() or _NO_REASON
        )
        earlier = first_line.setdefault(outage.key, start_line)
        if earlier != start_line:
            problems.append(f"{where}: the same outage (target and start) as line {earlier}")
            continue
        rows.append(outage)
    if problems:
        raise OutageImportError(problems)
    return rows


async def _stored(store: Store, rows: list[ImportedOutage]) -> dict[str, StoredOutage]:
    """Imported outages already stored under the keys of ``rows``."""
    if not rows:
        return {}
    keys = {row.key for row in rows}
    since = min(row.start for row in rows)
    until = max(row.start for row in rows) + _TICK
    # Every stored outage that starts in [since, until) overlaps that range, so one query
    # finds all candidates; the key picks the matches.
    return {
        outage.import_key: outage
        for outage in await store.outages(since=since, until=until)
        if outage.import_key in keys
    }


async def import_outages(
    store: Store, text: str, targets: Collection[str], now: datetime, name: str
) -> ImportSummary:
    """Check, then write the file in one transaction; see the module docstring."""
    return await store_outages(store, parse_outages(text, targets, now, name), name)


async def store_outages(store: Store, rows: list[ImportedOutage], name: str) -> ImportSummary:
    """Write checked rows in one transaction, or raise on a conflict with stored outages."""
    stored = await _stored(store, rows)
    events: list[OutageOpened | OutageClosed] = []
    closing: list[OutageClosed] = []
    conflicts: list[str] = []
    unchanged = new = 0
    for row in rows:
        known = stored.get(row.key)
        if known is None:
            new += 1
            events.append(
                OutageOpened(
                    id=row.id,
                    target=row.target,
                    start=row.start,
                    cause=row.reason,
                    source="import",
                    import_key=row.key,
                )
            )
            if row.end is not None:
                events.append(OutageClosed(row.id, row.end))
        elif known.end == row.end:
            unchanged += 1
        elif known.end is None and row.end is not None:
            closing.append(OutageClosed(known.id, row.end))
        else:
            conflicts.append(
                f"{name}:{row.line}: the {row.target} outage starting "
                f"{row.start.isoformat()} is already imported "
                f"{'as still open' if known.end is None else f'with end {known.end.isoformat()}'}"
                f"; the file says "
                f"{'still open' if row.end is None else f'end {row.end.isoformat()}'}. A "
                "re-import only closes an open outage; it never changes a stored end"
            )
    if conflicts:
        raise OutageImportError(conflicts)
    if events or closing:
        await store.write_batch(WriteBatch(outage_events=(*events, *closing)))
    return ImportSummary(rows=len(rows), new=new, closed=len(closing), unchanged=unchanged)
