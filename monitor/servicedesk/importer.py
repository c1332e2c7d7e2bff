"""Requests from a ticket system's CSV export. Pure: lines of bytes in, records or a list
of problems out.

The format is ``id,category,received_at,answered_at``: UTF-8 (a byte-order mark, as Excel
writes it, is accepted), a header row, instants in ISO-8601 with an offset, an empty
``answered_at`` for a request still unanswered. An optional ``resolved_at`` column carries
when the request was resolved (3.2.40; empty while unresolved); the store appends it as the
request's resolution when it differs from the one recorded last. The figures of 3.2.9,
3.2.13, 3.2.14 and 3.2.39 are made from these rows, so a file is taken whole or not at all:

* every row is checked before anything is stored, and every problem is reported with its
  line number (the physical line in the file, so an editor jumps to it), not just the
  first one;
* an instant without an offset is a problem, not a guess: 09:00 in Amsterdam and 09:00 UTC
  are an hour apart, and so can be "met" and "breached";
* an unknown category is a problem (a request without a norm cannot be judged), as is an
  answer before the receipt, and an id that occurs twice (which row would be true?).

A file of any size streams through: :func:`check_requests` reads it once and keeps an
8-byte digest per id (to find ids that occur twice), :func:`read_requests` reads it again in
chunks for the store, which writes them in one transaction. :func:`parse_requests_csv` is the
same for a file already in memory.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from monitor.errors import SlaMonitorError
from monitor.store.records import REQUEST_ID_LIMIT, RequestRecord

__all__ = [
    "OPTIONAL_COLUMNS",
    "PROBLEM_LIMIT",
    "REQUEST_COLUMNS",
    "RawLines",
    "RequestImportError",
    "RowProblem",
    "check_requests",
    "parse_requests_csv",
    "read_requests",
]

REQUEST_COLUMNS = ("id", "category", "received_at", "answered_at")
OPTIONAL_COLUMNS = ("resolved_at",)
"""Columns a file may have after the required ones, in any position."""
PROBLEM_LIMIT = 1000
"""Problems listed at most; a file that is wrong on every line says so without a flood."""
CHUNK = 5000
"""Requests handed to the store at a time."""

RawLines = Callable[[], Iterator[bytes]]
"""Opens the file afresh at each call and yields its lines as bytes."""


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class RequestImportError(SlaMonitorError):
    """The file cannot be imported; ``problems`` lists the bad lines in file order (the
    first :data:`PROBLEM_LIMIT`), ``count`` how many problems there are in all."""

    def __init__(self, problems: list[RowProblem], count: int | None = None) -> None:
        super().__init__(f"{len(problems)} problem(s), first: {problems[0]}")
        self.problems = tuple(problems)
        self.count = len(problems) if count is None else count


class _Problems:
    """The first :data:`PROBLEM_LIMIT` problems, the count of all of them, and whether a
    header was found (a file without one is empty, not a file of zero requests)."""

    def __init__(self) -> None:
        self.kept: list[RowProblem] = []
        self.count = 0
        self.header_seen = False

    def add(self, problem: RowProblem) -> None:
        self.count += 1
        if len(self.kept) < PROBLEM_LIMIT:
            self.kept.append(problem)

    def raise_any(self) -> None:
        if self.count:
            raise RequestImportError(sorted(self.kept, key=lambda p: p.line), self.count)


def parse_requests_csv(
    data: bytes,
    *,
    categories: Collection[str],
    channel: str | None = None,
) -> list[RequestRecord]:
    """All requests of ``data``, or :class:`RequestImportError` naming every bad line."""
    lines: RawLines = lambda: iter(io.BytesIO(data))  # noqa: E731
    check_requests(lines, categories=categories, channel=channel)
    return [record for chunk in read_requests(lines, categories, channel) for record in chunk]


def check_requests(
    lines: RawLines, *, categories: Collection[str], channel: str | None = None
) -> int:
    """How many requests the file has, or :class:`RequestImportError` naming its problems.

    Ids that occur twice are found from an 8-byte digest per id; when two digests agree,
    a second read compares the ids themselves, so a digest collision is never reported.
    """
    problems = _Problems()
    digests: set[bytes] = set()
    suspects: set[bytes] = set()
    rows = 0
    for _, record in _rows(lines, categories, channel, problems):
        rows += 1
        digest = _digest(record.id)
        if digest in digests:
            suspects.add(digest)
        digests.add(digest)
    del digests
    if suspects:
        first_line: dict[str, int] = {}
        for line, record in _rows(lines, categories, channel, _Problems()):
            if _digest(record.id) not in suspects:
                continue
            earlier = first_line.setdefault(record.id, line)
            if earlier != line:
                problems.add(RowProblem(line, f"id {record.id!r} is also on line {earlier}"))
    if not problems.header_seen and not problems.count:
        problems.add(
            RowProblem(1, f"the file is empty; expected the header {','.join(REQUEST_COLUMNS)}")
        )
    problems.raise_any()
    return rows


def read_requests(
    lines: RawLines, categories: Collection[str], channel: str | None = None
) -> Iterator[list[RequestRecord]]:
    """The requests of a checked file, in chunks; a bad row (the file changed) raises."""
    problems = _Problems()
    chunk: list[RequestRecord] = []
    for _, record in _rows(lines, categories, channel, problems):
        problems.raise_any()
        chunk.append(record)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    problems.raise_any()
    if chunk:
        yield chunk


def _digest(request_id: str) -> bytes:
    return hashlib.blake2b(request_id.encode(), digest_size=8).digest()


def _rows(
    lines: RawLines,
    categories: Collection[str],
    channel: str | None,
    problems: _Problems,
) -> Iterator[tuple[int, RequestRecord]]:
    """The good rows with their line numbers; every problem goes to ``problems``."""
    reader = csv.reader(_decoded(lines(), problems), strict=True)
    columns: dict[str, int] | None = None
    line = 1
    try:
        for row in reader:
            start, line = line, reader.line_num + 1
            if not any(field.strip() for field in row):
                continue
            if columns is None:
                columns = _header(row, start, problems)
                if columns is None:
                    return
                problems.header_seen = True
                continue
            record = _record(row, start, columns, categories, channel, problems)
            if record is not None:
                yield start, record
    except csv.Error as error:
        problems.add(RowProblem(reader.line_num, f"not valid CSV: {error}"))


def _decoded(raw_lines: Iterable[bytes], problems: _Problems) -> Iterator[str]:
    """Each line as text; a line that is not UTF-8 is reported and read with U+FFFD."""
    for number, raw in enumerate(raw_lines, start=1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.add(RowProblem(number, f"not UTF-8 (byte 0x{raw[error.start]:02x})"))
            text = raw.decode("utf-8", "replace")
        yield text


def _header(row: list[str], line: int, problems: _Problems) -> dict[str, int] | None:
    names = [name.strip().lower() for name in row]
    unknown = [name for name in names if name not in (*REQUEST_COLUMNS, *OPTIONAL_COLUMNS)]
    missing = [name for name in REQUEST_COLUMNS if name not in names]
    repeated = sorted({name for name in names if names.count(name) > 1})
    issues = []
    if missing:
        issues.append(f"missing column(s) {', '.join(missing)}")
    if unknown:
        issues.append(f"unknown column(s) {', '.join(repr(u) for u in unknown)}")
    if repeated:
        issues.append(f"repeated column(s) {', '.join(repeated)}")
    if issues:
        expected = ",".join(REQUEST_COLUMNS)
        problems.add(RowProblem(line, f"header: {'; '.join(issues)} (expected {expected})"))
        return None
    return {
        name: names.index(name) for name in (*REQUEST_COLUMNS, *OPTIONAL_COLUMNS) if name in names
    }


def _record(
    row: list[str],
    line: int,
    columns: dict[str, int],
    categories: Collection[str],
    channel: str | None,
    problems: _Problems,
) -> RequestRecord | None:
    if len(row) != len(columns):
        problems.add(RowProblem(line, f"expected {len(columns)} fields, found {len(row)}"))
        return None
    value = {name: row[index].strip() for name, index in columns.items()}
    issues: list[str] = []
    if not value["id"]:
        issues.append("id is empty")
    elif len(value["id"]) > REQUEST_ID_LIMIT:
        issues.append(f"id is longer than {REQUEST_ID_LIMIT} characters")
    if value["category"] not in categories:
        known = ", ".join(sorted(categories))
        issues.append(f"unknown category {value['category']!r} (configured: {known})")
    received = _instant(value["received_at"], "received_at", issues, required=True)
    answered = _instant(value["answered_at"], "answered_at", issues, required=False)
    if received is not None and answered is not None and answered < received:
        issues.append("answered_at is before received_at")
    resolved = _instant(value.get("resolved_at", ""), "resolved_at", issues, required=False)
    if received is not None and resolved is not None and resolved < received:
        issues.append("resolved_at is before received_at")
    if issues:
        problems.add(RowProblem(line, "; ".join(issues)))
        return None
    if received is None:  # reported above; keeps the type checker informed
        return None
    try:
        return RequestRecord(
            id=value["id"],
            category=value["category"],
            received_at=received,
            answered_at=answered,
            source="import",
            channel=channel,
            resolved_at=resolved,
        )
    except ValueError as error:
        problems.add(RowProblem(line, str(error)))
        return None


def _instant(text: str, name: str, issues: list[str], *, required: bool) -> datetime | None:
    if not text:
        if required:
            issues.append(f"{name} is empty")
        return None
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        issues.append(f"{name} {text!r} is not an ISO-8601 instant")
        return None
    if instant.tzinfo is None or instant.utcoffset() is None:
        issues.append(f"{name} {text!r} has no offset (write e.g. {text}+02:00 or {text}Z)")
        return None
    return instant
