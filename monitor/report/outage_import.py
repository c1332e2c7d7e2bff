"""Importing outage history from another tool: ``sla-monitor import outages FILE.csv``.

The report of a month before the daemon ran (or of a time it did not probe) needs the
outages some other tool saw. The file: UTF-8 CSV with a header ``target,start,end,reason``,
ISO-8601 instants with an offset, an empty ``end`` for an outage still going on. An
imported outage is evidence in itself; its time counts as monitored downtime.

**All or nothing.** Every row is checked before anything is written, and every problem is
reported with its line number (not just the first): unknown targets, unreadable or naive
instants, an end not after its start, instants in the future, the same outage twice. Then
the whole file is written in one transaction (``Store.import_outages``).

**Any size.** The file is read twice, as a stream: the check keeps only three integers per
row (start, end, line), and the write sends chunks of rows as multi-row statements, so a
million rows take seconds and a few tens of megabytes, not a statement per row and the
whole file in memory. Outages of one target that overlap in the file are allowed (the
figures take the union, counting shared time once) but reported as warnings naming both
lines, in case the other tool exported one outage twice.

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
from array import array
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.errors import SlaMonitorError
from monitor.sla.intervals import as_utc
from monitor.store import ImportedOutageRow, OutageImportConflict, Store

__all__ = [
    "COLUMNS",
    "CheckedFile",
    "ImportSummary",
    "ImportedOutage",
    "Lines",
    "OutageImportError",
    "check_outages",
    "file_lines",
    "import_key",
    "import_outages",
    "store_outages",
    "text_lines",
]

COLUMNS = ("target", "start", "end", "reason")
PROBLEM_LIMIT = 1000
"""Problems listed at most; a file that is wrong on every line says so without a flood."""
OVERLAP_LIMIT = 20
"""Overlap warnings listed at most, followed by how many more there are."""
CHUNK = 5000
"""Rows per multi-row statement: large enough to amortise a round trip, small enough to
stay far below either engine's limit on bound parameters in the key lookup."""

_NAMESPACE = uuid.UUID("6f1d2f0e-6c1b-4f57-9d0c-2b8f6a3e9a41")
_KEY_PREFIX = "outage-import:v1:"
_NO_REASON = "imported outage (no reason given)"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_OPEN = 2**63 - 1  # the end of an open outage, as microseconds: later than any instant

Lines = Callable[[], Iterator[str]]
"""Opens the file afresh at each call and yields its lines (``newline=""`` semantics)."""


def text_lines(text: str) -> Lines:
    """The lines of a file already in memory."""
    return lambda: iter(io.StringIO(text, newline=""))


def file_lines(path: Path) -> Lines:
    """The lines of ``path``, read as a stream (UTF-8, a byte-order mark allowed)."""

    def read() -> Iterator[str]:
        with path.open(encoding="utf-8-sig", newline="") as file:
            yield from file

    return read


class OutageImportError(SlaMonitorError):
    """The file cannot be imported; ``lines`` are ``FILE:LINE: problem``, one per problem
    (the first :data:`PROBLEM_LIMIT`), ``count`` how many there are in all."""

    def __init__(self, lines: list[str], count: int | None = None) -> None:
        super().__init__("\n".join(lines))
        self.lines = tuple(lines)
        self.count = len(lines) if count is None else count


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
        return _outage_id(self.key)


def _outage_id(key: str) -> str:
    """``uuid5(_NAMESPACE, key)`` as text, spelt out: the ``UUID`` object costs a
    microsecond a row more, which a million-row import notices."""
    digest = bytearray(hashlib.sha1(_NAMESPACE.bytes + key.encode()).digest()[:16])  # noqa: S324
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    h = digest.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """A file every row of which is good: how many rows, and the overlap warnings."""

    rows: int
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ImportSummary:
    rows: int
    new: int
    closed: int
    unchanged: int
    warnings: tuple[str, ...] = ()


def _instant(text: str, field: str) -> tuple[datetime | None, str | None]:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        return None, f"{field} {text!r} is not an ISO-8601 instant (2026-05-03T10:00:00+02:00)"
    if value.tzinfo is None or value.utcoffset() is None:
        return None, f"{field} {text!r} has no UTC offset; write it as {text}+02:00 or {text}Z"
    return as_utc(value), None


def _micros(instant: datetime) -> int:
    return (instant - _EPOCH) // timedelta(microseconds=1)


def _parse(
    lines: Lines, targets: Collection[str], now: datetime, name: str
) -> Iterator[ImportedOutage | tuple[int, str]]:
    """Each row as a checked outage or as ``(line, problem)``; a bad header raises."""
    known_targets = {target: target for target in targets}
    reader = csv.reader(lines())
    try:
        header = next(reader, None)
    except UnicodeDecodeError as error:
        raise OutageImportError([f"{name}:1: not UTF-8 ({error.reason})"]) from None
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
    at_target, at_start, at_end, at_reason = (columns.index(column) for column in COLUMNS)
    width = len(columns)
    now = as_utc(now)
    configured = ", ".join(sorted(targets)) or "none"
    line = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as error:
            yield line + 1, f"not UTF-8 ({error.reason}); nothing after this line was read"
            return
        start_line, line = line + 1, reader.line_num
        if not cells or all(not c.strip() for c in cells):
            continue
        if len(cells) != width:
            yield start_line, f"expected {width} fields, found {len(cells)}"
            continue
        problems: list[str] = []
        target_text = cells[at_target].strip()
        target = known_targets.get(target_text)
        if not target_text:
            problems.append("target is empty")
        elif target is None:
            problems.append(f"unknown target {target_text!r}; configured: {configured}")
        start_text = cells[at_start].strip()
        start, problem = (
            (None, "start is empty") if not start_text else _instant(start_text, "start")
        )
        if problem:
            problems.append(problem)
        end_text = cells[at_end].strip()
        end, problem = (None, None) if not end_text else _instant(end_text, "end")
        if problem:
            problems.append(problem)
        if start is not None and start > now:
            problems.append(f"start {start_text} lies in the future")
        if end is not None and end > now:
            problems.append(
                f"end {end_text} lies in the future; leave it empty for an outage still going on"
            )
        if start is not None and end is not None and end <= start:
            problems.append(f"end {end_text} is not after start {start_text}")
        if problems or start is None or target is None:
            for problem in problems:
                yield start_line, problem
            continue
        yield ImportedOutage(start_line, target, start, end, cells[at_reason].strip() or _NO_REASON)


def check_outages(lines: Lines, targets: Collection[str], now: datetime, name: str) -> CheckedFile:
    """Check every row of the file ``name``; raise with all problems at once.

    Keeps three integers per row (start, end, line, in arrays per target): enough to find
    the same outage twice (target and start) and outages that overlap.
    """
    problems: list[tuple[int, str]] = []
    count = 0
    seen: dict[str, tuple[array[int], array[int], array[int]]] = {}
    rows = 0
    for item in _parse(lines, targets, now, name):
        if isinstance(item, ImportedOutage):
            starts, ends, numbers = seen.setdefault(
                item.target, (array("q"), array("q"), array("q"))
            )
            starts.append(_micros(item.start))
            ends.append(_OPEN if item.end is None else _micros(item.end))
            numbers.append(item.line)
            rows += 1
            continue
        count += 1
        if len(problems) < PROBLEM_LIMIT:
            problems.append(item)
    overlaps: list[str] = []
    overlap_count = 0
    for target, (starts, ends, numbers) in seen.items():
        order = sorted(range(len(starts)), key=starts.__getitem__)  # stable: file order on ties
        reach, reach_line = -1, 0
        previous = -1
        first_line = 0
        for i in order:
            start, end, number = starts[i], ends[i], numbers[i]
            if start == previous:
                count += 1
                problems.append(
                    (number, f"the same outage (target and start) as line {first_line}")
                )
                continue
            previous, first_line = start, number
            if start < reach:
                overlap_count += 1
                if len(overlaps) < OVERLAP_LIMIT:
                    overlaps.append(
                        f"{name}:{number}: warning: this {target} outage overlaps the one on "
                        f"line {reach_line}; the figures count the time they share once"
                    )
            if end > reach:
                reach, reach_line = end, number
    if problems:
        problems.sort()
        shown = [f"{name}:{line}: {message}" for line, message in problems[:PROBLEM_LIMIT]]
        if count > len(shown):
            shown.append(f"{name}: {count - len(shown)} more problem(s) not shown")
        raise OutageImportError(shown, count)
    if overlap_count > len(overlaps):
        overlaps.append(
            f"{name}: warning: {overlap_count - len(overlaps)} more overlapping outage(s)"
        )
    return CheckedFile(rows=rows, warnings=tuple(overlaps))


async def import_outages(
    store: Store, text: str, targets: Collection[str], now: datetime, name: str
) -> ImportSummary:
    """Check, then write the file in one transaction; see the module docstring."""
    lines = text_lines(text)
    checked = check_outages(lines, targets, now, name)
    return await store_outages(store, lines, targets, now, name, checked)


async def store_outages(
    store: Store,
    lines: Lines,
    targets: Collection[str],
    now: datetime,
    name: str,
    checked: CheckedFile,
) -> ImportSummary:
    """Write a checked file in one transaction, or raise on a conflict with stored outages.

    The rows are read again as they are written; should the file have changed since it
    was checked, the first bad row raises and the transaction is rolled back.
    """

    def chunks() -> Iterator[list[ImportedOutageRow]]:
        chunk: list[ImportedOutageRow] = []
        for item in _parse(lines, targets, now, name):
            if not isinstance(item, ImportedOutage):
                line, problem = item
                raise OutageImportError([f"{name}:{line}: {problem} (the file changed)"])
            key = item.key
            chunk.append(
                ImportedOutageRow(
                    id=_outage_id(key),
                    import_key=key,
                    target=item.target,
                    start=item.start,
                    end=item.end,
                    cause=item.reason,
                    line=item.line,
                )
            )
            if len(chunk) == CHUNK:
                yield chunk
                chunk = []
        if chunk:
            yield chunk

    outcome = await store.import_outages(chunks())
    if outcome.conflicts:
        raise OutageImportError(
            [_conflict(name, c) for c in outcome.conflicts[:PROBLEM_LIMIT]],
            len(outcome.conflicts),
        )
    return ImportSummary(
        rows=outcome.new + outcome.closed + outcome.unchanged,
        new=outcome.new,
        closed=outcome.closed,
        unchanged=outcome.unchanged,
        warnings=checked.warnings,
    )


def _conflict(name: str, conflict: OutageImportConflict) -> str:
    row, stored_end = conflict.row, conflict.stored_end
    return (
        f"{name}:{row.line}: the {row.target} outage starting "
        f"{row.start.isoformat()} is already imported "
        f"{'as still open' if stored_end is None else f'with end {stored_end.isoformat()}'}"
        f"; the file says "
        f"{'still open' if row.end is None else f'end {row.end.isoformat()}'}. A "
        "re-import only closes an open outage; it never changes a stored end"
    )
