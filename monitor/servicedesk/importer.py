"""Requests from a ticket system's CSV export (DESIGN §3, issue 5 item 3). Pure: bytes in,
records or a list of problems out.

The format is ``id,category,received_at,answered_at``: UTF-8 (a byte-order mark, as Excel
writes it, is accepted), a header row, instants in ISO-8601 with an offset, an empty
``answered_at`` for a request still unanswered. The figures of 3.2.9, 3.2.13, 3.2.14 and
3.2.39 are made from these rows, so a file is taken whole or not at all:

* every row is checked before anything is stored, and every problem is reported with its
  line number (the physical line in the file, so an editor jumps to it), not just the
  first one;
* an instant without an offset is a problem, not a guess: 09:00 in Amsterdam and 09:00 UTC
  are an hour apart, and so can be "met" and "breached";
* an unknown category is a problem (a request without a norm cannot be judged), as is an
  answer before the receipt, and an id that occurs twice (which row would be true?).
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from monitor.store.records import REQUEST_ID_LIMIT, RequestRecord

__all__ = ["REQUEST_COLUMNS", "RequestImportError", "RowProblem", "parse_requests_csv"]

REQUEST_COLUMNS = ("id", "category", "received_at", "answered_at")


@dataclass(frozen=True, slots=True)
class RowProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class RequestImportError(Exception):
    """The file cannot be imported; ``problems`` lists every bad line, in file order."""

    def __init__(self, problems: list[RowProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s), first: {problems[0]}")
        self.problems = tuple(problems)


def parse_requests_csv(
    data: bytes,
    *,
    categories: Collection[str],
    channel: str | None = None,
) -> list[RequestRecord]:
    """All requests of ``data``, or :class:`RequestImportError` naming every bad line."""
    problems: list[RowProblem] = []
    text = _decode(data, problems)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[_RecordLine] = []
    columns: dict[str, int] | None = None
    first_line: dict[str, int] = {}
    line = 1
    try:
        for row in reader:
            start, line = line, reader.line_num + 1
            if not any(field.strip() for field in row):
                continue
            if columns is None:
                columns = _header(row, start, problems)
                if columns is None:
                    break
                continue
            record = _record(row, start, columns, categories, channel, problems)
            if record is None:
                continue
            earlier = first_line.setdefault(record.id, start)
            if earlier != start:
                problems.append(RowProblem(start, f"id {record.id!r} is also on line {earlier}"))
                continue
            records.append(_RecordLine(start, record))
    except csv.Error as error:
        problems.append(RowProblem(reader.line_num, f"not valid CSV: {error}"))
    if columns is None and not problems:
        problems.append(
            RowProblem(1, f"the file is empty; expected the header {','.join(REQUEST_COLUMNS)}")
        )
    if problems:
        raise RequestImportError(sorted(problems, key=lambda p: p.line))
    return [item.record for item in records]


@dataclass(frozen=True, slots=True)
class _RecordLine:
    line: int
    record: RequestRecord


def _decode(data: bytes, problems: list[RowProblem]) -> str:
    with contextlib.suppress(UnicodeDecodeError):  # report every bad line below instead
        return data.decode("utf-8-sig")
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as error:
            problems.append(RowProblem(number, f"not UTF-8 (byte 0x{raw[error.start]:02x})"))
    return data.decode("utf-8-sig", "replace")


def _header(row: list[str], line: int, problems: list[RowProblem]) -> dict[str, int] | None:
    names = [name.strip().lower() for name in row]
    unknown = [name for name in names if name not in REQUEST_COLUMNS]
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
        problems.append(RowProblem(line, f"header: {'; '.join(issues)} (expected {expected})"))
        return None
    return {name: names.index(name) for name in REQUEST_COLUMNS}


def _record(
    row: list[str],
    line: int,
    columns: dict[str, int],
    categories: Collection[str],
    channel: str | None,
    problems: list[RowProblem],
) -> RequestRecord | None:
    if len(row) != len(columns):
        problems.append(RowProblem(line, f"expected {len(columns)} fields, found {len(row)}"))
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
    if issues:
        problems.append(RowProblem(line, "; ".join(issues)))
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
        )
    except ValueError as error:
        problems.append(RowProblem(line, str(error)))
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
