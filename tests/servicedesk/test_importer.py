"""The CSV format of ``import requests``: every bad line named, nothing guessed."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from monitor.servicedesk.importer import RequestImportError, parse_requests_csv

CATEGORIES = {"email", "complaint", "escalation", "information_request"}


def parse(text: str | bytes) -> list[object]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return list(parse_requests_csv(data, categories=CATEGORIES))


def problems(text: str | bytes) -> list[str]:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(RequestImportError) as raised:
        parse_requests_csv(data, categories=CATEGORIES)
    return [str(problem) for problem in raised.value.problems]


def test_a_good_file_gives_one_record_per_row_in_utc() -> None:
    """Offsets of any zone, Z, and an empty answered_at for an unanswered request."""
    records = parse_requests_csv(
        b"id,category,received_at,answered_at\n"
        b"INC-1,email,2026-03-02T10:00:00+01:00,2026-03-02T15:30:00+01:00\n"
        b"INC-2,complaint,2026-03-03T08:00:00Z,\n",
        categories=CATEGORIES,
        channel="topdesk",
    )

    assert [(r.id, r.category, r.received_at, r.answered_at) for r in records] == [
        (
            "INC-1",
            "email",
            datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
            datetime(2026, 3, 2, 14, 30, tzinfo=UTC),
        ),
        ("INC-2", "complaint", datetime(2026, 3, 3, 8, 0, tzinfo=UTC), None),
    ]
    assert {(r.source, r.channel) for r in records} == {("import", "topdesk")}


def test_a_byte_order_mark_crlf_blank_lines_and_column_order_are_accepted() -> None:
    """What Excel and ticket-system exports look like."""
    records = parse(
        "\ufeffreceived_at,ID,answered_at,category\r\n"
        "\r\n"
        "2026-03-02T10:00:00+01:00,INC-1,,email\r\n"
    )
    assert len(records) == 1


def test_every_bad_row_is_reported_with_its_line_number() -> None:
    """Not just the first problem: the whole file is checked, in file order."""
    found = problems(
        "id,category,received_at,answered_at\n"
        "INC-1,email,2026-03-02T10:00:00+01:00,\n"
        "INC-2,portal,2026-03-02T10:00:00+01:00,\n"
        "INC-3,email,2026-03-02T10:00:00,\n"
        "INC-4,email,2 maart,\n"
        ",email,2026-03-02T10:00:00+01:00,\n"
        "INC-6,email,2026-03-02T10:00:00+01:00,2026-03-02T09:00:00+01:00\n"
        "INC-7,email,2026-03-02T10:00:00+01:00\n"
        "INC-1,email,2026-03-02T11:00:00+01:00,\n"
        "INC-9,email,,\n"
    )

    assert found == [
        "line 3: unknown category 'portal' (configured: complaint, email, escalation, "
        "information_request)",
        "line 4: received_at '2026-03-02T10:00:00' has no offset (write e.g. "
        "2026-03-02T10:00:00+02:00 or 2026-03-02T10:00:00Z)",
        "line 5: received_at '2 maart' is not an ISO-8601 instant",
        "line 6: id is empty",
        "line 7: answered_at is before received_at",
        "line 8: expected 4 fields, found 3",
        "line 9: id 'INC-1' is also on line 2",
        "line 10: received_at is empty",
    ]


def test_line_numbers_count_physical_lines_across_quoted_newlines() -> None:
    """A quoted field spanning lines moves the numbering on, as an editor shows it."""
    found = problems(
        'id,category,received_at,answered_at\n"INC\n1",email,2026-03-02T10:00:00+01:00,\n'
        "INC-2,nope,2026-03-02T10:00:00+01:00,\n"
    )
    assert found == [
        "line 4: unknown category 'nope' (configured: complaint, email, escalation, "
        "information_request)"
    ]


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("id,category,received_at", "line 1: header: missing column(s) answered_at"),
        ("id,category,received_at,answered_at,agent", "line 1: header: unknown column(s) 'agent'"),
        ("id,id,category,received_at,answered_at", "line 1: header: repeated column(s) id"),
    ],
)
def test_a_wrong_header_is_reported_and_nothing_is_read(header: str, message: str) -> None:
    """The columns are a public contract: missing, unknown or repeated ones are named."""
    [found] = problems(f"{header}\nINC-1,email,2026-03-02T10:00:00+01:00,\n")
    assert found.startswith(message)


def test_an_empty_file_is_a_problem_not_an_empty_import() -> None:
    """A truncated export must not look like a month without requests."""
    assert problems("") == [
        "line 1: the file is empty; expected the header id,category,received_at,answered_at"
    ]


def test_bytes_that_are_not_utf8_are_reported_with_their_line() -> None:
    """A Latin-1 export is refused where it is wrong, not mangled silently."""
    found = problems(
        b"id,category,received_at,answered_at\nINC-\xe9,email,2026-03-02T10:00:00+01:00,\n"
    )
    assert found == ["line 2: not UTF-8 (byte 0xe9)"]


def test_broken_csv_quoting_is_reported_with_its_line() -> None:
    """An unbalanced quote stops the reader; the line says where."""
    found = problems('id,category,received_at,answered_at\nINC-1,"email,x\n')
    assert len(found) == 1
    assert found[0].startswith("line ")
    assert "not valid CSV" in found[0]


def test_an_optional_resolved_at_column_carries_each_requests_resolution() -> None:
    """3.2.40: resolved_at is read where given, empty while unresolved."""
    records = parse(
        "id,category,received_at,answered_at,resolved_at\n"
        "K-1,complaint,2026-06-01T08:00:00+02:00,2026-06-01T09:00:00+02:00,"
        "2026-06-02T10:06:00+02:00\n"
        "K-2,complaint,2026-06-01T08:00:00+02:00,,\n"
    )
    assert [getattr(r, "resolved_at", None) for r in records] == [
        datetime(2026, 6, 2, 8, 6, tzinfo=UTC),
        None,
    ]


def test_a_resolution_before_receipt_or_without_offset_is_named_with_its_line() -> None:
    """A bad resolved_at is a problem of its row, like a bad answered_at."""
    found = problems(
        "id,category,received_at,answered_at,resolved_at\n"
        "K-1,complaint,2026-06-01T08:00:00+02:00,,2026-05-31T08:00:00+02:00\n"
        "K-2,complaint,2026-06-01T08:00:00+02:00,,2026-06-02T10:00\n"
    )
    assert found == [
        "line 2: resolved_at is before received_at",
        "line 3: resolved_at '2026-06-02T10:00' has no offset "
        "(write e.g. 2026-06-02T10:00+02:00 or 2026-06-02T10:00Z)",
    ]
