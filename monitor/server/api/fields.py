"""The field types of the API's bodies, each carrying its rule twice in one place: the check
the server runs and the JSON schema the OpenAPI document publishes.

A constraint pydantic enforces itself (lengths, month pattern) is published by pydantic; a
check that runs as a validator (control characters, an address's shape, RFC 3339 text) adds
the pattern that says the same to the schema, so a generated client and schemathesis learn
exactly what the server refuses. Messages name the field, never the value: a body may hold
an address or a name that must not reach a log.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import datetime
from typing import Annotated, Any, Final

from pydantic import AfterValidator, AwareDatetime, BeforeValidator, Field, PlainSerializer
from pydantic.json_schema import WithJsonSchema

from monitor.server.api.params import RFC3339_PATTERN, check_instant, check_rfc3339
from monitor.store.records import TEXT_LIMIT

__all__ = [
    "ID_PATTERN",
    "LINE_LIMIT",
    "REASON_LIMIT",
    "SENDER_LIMIT",
    "SENDER_PATTERN",
    "Category",
    "Instant",
    "Line",
    "LocalInstant",
    "MonthText",
    "Name",
    "Paragraph",
    "Reason",
    "Sender",
    "TargetName",
    "WindowId",
]

LINE_LIMIT: Final = 200
REASON_LIMIT: Final = 2000
ID_PATTERN: Final = "^[A-Za-z0-9._-]{1,36}$"
"""The ids the API hands out (windows, outages): a path id outside it is simply not found."""

SENDER_LIMIT: Final = 254
"""Longest address SMTP can carry (RFC 5321's path limit minus the angle brackets)."""

SENDER_PATTERN: Final = "^[^@\\u0000-\\u0020\\u007F-\\u00A0]+@[^@\\u0000-\\u0020\\u007F-\\u00A0]+$"
"""One ``@`` between two parts without spaces or control characters. Deliberately loose: the
address is only hashed, so it need not be deliverable, only recognisably an address."""

_LINE_PATTERN: Final = "^[^\\u0000-\\u001F\\u007F-\\u009F]*$"
_PARAGRAPH_PATTERN: Final = "^[^\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]*$"
_SENDER: Final = re.compile(SENDER_PATTERN)


def _line(value: str) -> str:
    # Controls are checked before stripping: "name\n" is refused, not quietly repaired.
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise ValueError("must be one line without control characters")
    # Format characters (Cf) are invisible: a right-to-left override makes a name read
    # differently from what is stored, a zero-width space makes two names that look the
    # same differ. A name in an audit trail must be what it looks like.
    hidden = next((ch for ch in value if unicodedata.category(ch) == "Cf"), None)
    if hidden is not None:
        raise ValueError(
            f"must not contain invisible formatting characters such as U+{ord(hidden):04X} "
            f"({unicodedata.name(hidden, 'unnamed')})"
        )
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


def _paragraph(value: str, *, blank: str = "must not be blank") -> str:
    """Text of one or more lines: no control characters but line breaks and tabs."""
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\t" for ch in value):
        raise ValueError("must not contain control characters other than line breaks and tabs")
    value = value.strip()
    if not value:
        raise ValueError(blank)
    return value


def _address(value: str) -> str:
    # The message names no input: an address must not be echoed into an error or a log.
    if not _SENDER.fullmatch(value):
        raise ValueError("must be an e-mail address (local@domain, without spaces)")
    return value


def _text(limit: int, pattern: str, description: str) -> Any:
    return Field(
        min_length=1,
        max_length=limit,
        description=description,
        json_schema_extra={"pattern": pattern},
    )


Line = Annotated[
    str,
    _text(
        LINE_LIMIT,
        _LINE_PATTERN,
        "One line; surrounding spaces are removed, and a blank value is refused.",
    ),
    AfterValidator(_line),
]
Reason = Annotated[
    str,
    _text(REASON_LIMIT, _PARAGRAPH_PATTERN, "Why; may span lines. A blank value is refused."),
    AfterValidator(
        functools.partial(_paragraph, blank="must not be blank; say why the window is needed")
    ),
]
Paragraph = Annotated[
    str,
    _text(TEXT_LIMIT, _PARAGRAPH_PATTERN, "May span lines; a blank value is refused."),
    AfterValidator(_paragraph),
]
Instant = Annotated[
    AwareDatetime,
    Field(description="RFC 3339 with offset.", json_schema_extra={"pattern": RFC3339_PATTERN}),
    BeforeValidator(check_rfc3339),
    AfterValidator(check_instant),
]
"""An instant a client sends: RFC 3339 text with offset, from 1970 on, kept in UTC."""

LocalInstant = Annotated[
    datetime,
    PlainSerializer(datetime.isoformat, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "ISO-8601 with offset, in the configured time zone.",
        }
    ),
]
"""An instant the API returns, already in the configured zone: ``2026-06-14T02:00:00+02:00``,
the clock time the report prints."""

TargetName = Annotated[str, Field(min_length=1, description="A configured target.")]
Category = Annotated[
    str,
    Field(
        min_length=1,
        description="A configured service-desk category (servicedesk.categories).",
    ),
]
Sender = Annotated[
    str,
    Field(
        min_length=3,
        max_length=SENDER_LIMIT,
        description="The sender's e-mail address. Stored only as a keyed hash (AVG/GDPR); "
        "never returned or logged.",
        json_schema_extra={"pattern": SENDER_PATTERN},
    ),
    AfterValidator(_address),
]
MonthText = Annotated[str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Name = Annotated[str, Field(min_length=1, max_length=LINE_LIMIT)]
WindowId = Annotated[str, Field(json_schema_extra={"pattern": ID_PATTERN})]
