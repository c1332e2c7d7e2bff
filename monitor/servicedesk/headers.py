"""Reading the header of a desk message, whatever state it is in. Pure: no I/O.

Requirements 3.2.9, 3.2.13, 3.2.14 and 3.2.39 are measured from mail that customers,
their mail servers and their autoresponders wrote, so nothing here may assume the header is
well formed ("a missing or duplicate Message-ID, encoded or broken headers, or a
strange MIME structure is handled, never a crash"):

* The header is split by the standard library's feed parser, which records defects instead
  of raising; every value is then decoded on its own, under :data:`_PARSER_FAILURES`, with a
  plainer fallback at each step (RFC 2047 via ``email.policy.default``, then
  ``email.header``, then the raw text). Raw 8-bit header bytes are read as UTF-8 and,
  failing that, as Windows-1252, the two encodings such mail is in practice.
* Every message gets an identity. A message without a Message-ID, or with two different
  ones, gets a synthetic id from a digest of its stable headers and its INTERNALDATE, the
  same on every scan; the ids it did declare stay available as aliases, so replies that
  quote one of them still find their thread.
* The result is a frozen value: the message id, the ids it refers to, the sender and
  recipient addresses (lower-cased), the decoded subject, the Date header, and the
  decoded values of the few fields :mod:`monitor.servicedesk.classify` looks at.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.errors import MessageError
from email.header import decode_header
from email.parser import BytesHeaderParser
from email.utils import getaddresses, parsedate_to_datetime

__all__ = [
    "MAX_HEADER_BYTES",
    "MAX_REFERENCES",
    "MessageHeaders",
    "parse_headers",
]

MAX_HEADER_BYTES = 256 * 1024
"""Header bytes read at most; what a hostile sender adds beyond this is ignored."""

MAX_REFERENCES = 100
"""References kept per message: the thread's root and the most recent ones."""

SYNTHETIC_DOMAIN = "synthetic.sla-monitor.invalid"

_FOLD = re.compile(r"\r?\n(?=[ \t])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SURROGATE = re.compile("[\udc80-\udcff]")  # 8-bit bytes the parser kept as surrogates
_BRACKETED = re.compile(r"<([^<>]*)>")
_SPACE = re.compile(r"\s+")
_ADDRESS = re.compile(r"[^\s<>()\[\]\\,;:\"@]+@[^\s<>()\[\]\\,;:\"@]+\.[^\s<>()\[\]\\,;:\"@]+")
_RECIPIENT_FIELDS = ("to", "cc", "delivered-to", "x-original-to", "envelope-to")
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(2200, 1, 1, tzinfo=UTC)
_PARSER_FAILURES = (ValueError, LookupError, TypeError, AttributeError, MessageError)
"""What the standard library's header code raises on hostile input (``UnicodeError`` is a
``ValueError``, ``IndexError`` a ``LookupError``; the last three are bugs of its parsers
that broken mail has triggered): each is answered with a plainer reading, never a crash."""


@dataclass(frozen=True, slots=True)
class MessageHeaders:
    """What a message's header says about its identity, its thread, its people and itself."""

    message_id: str
    """``<...>``: the Message-ID, or a synthetic one (see ``synthetic_id``)."""
    synthetic_id: bool
    aliases: tuple[str, ...]
    """Message-IDs the message declared besides ``message_id`` (a duplicated header)."""
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    from_address: str | None
    """The first From address, lower-cased; ``None`` when there is none that parses."""
    subject: str
    date: datetime | None
    """The Date header in UTC: the sender's clock, used only without an INTERNALDATE."""
    fingerprint: str
    """SHA-256 of the stable headers: equal for two copies of one message (the inbox and
    the sent copy, or one mail delivered twice), different for different messages that
    share a Message-ID."""
    fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Decoded values by lower-cased field name."""
    recipient_fields: tuple[str, ...] = ()
    """Raw To, Cc, Delivered-To, X-Original-To and Envelope-To values."""

    @property
    def recipients(self) -> tuple[str, ...]:
        """The recipient addresses, lower-cased; parsed on demand, because only a desk with
        recipient rules needs them and address parsing is the costliest step of a scan."""
        return _addresses(self.recipient_fields)

    @property
    def refs(self) -> tuple[str, ...]:
        """The ids this message answers: In-Reply-To first, then References."""
        seen = dict.fromkeys((*self.in_reply_to, *self.references))
        return tuple(seen)

    def values(self, name: str) -> tuple[str, ...]:
        """Every decoded value of the field ``name`` (any case), in header order."""
        return self.fields.get(name.lower(), ())

    def first(self, name: str) -> str | None:
        found = self.values(name)
        return found[0] if found else None


def parse_headers(raw: bytes | str, internaldate: datetime | None = None) -> MessageHeaders:
    """Read ``raw`` (a header block, or a whole message of which only the header is used).

    Never raises: whatever the input, the result has a message id. ``internaldate`` (the
    server's receipt instant) goes into a synthetic id, so two header-identical messages
    without Message-ID that arrived at different instants stay two messages.
    """
    data = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else bytes(raw)
    items = _raw_items(data[:MAX_HEADER_BYTES])
    raw_values: dict[str, list[str]] = {}
    for name, value in items:
        raw_values.setdefault(name.strip().lower(), []).append(_unfold(value))
    fields = {
        name: tuple(_decoded(value) for value in values) for name, values in raw_values.items()
    }

    declared = _unique(_message_ids(v) for v in raw_values.get("message-id", ()))
    in_reply_to = _unique(_message_ids(v) for v in raw_values.get("in-reply-to", ()))
    references = _unique(_message_ids(v) for v in raw_values.get("references", ()))
    if len(references) > MAX_REFERENCES:
        references = (references[0], *references[-(MAX_REFERENCES - 1) :])
    from_addresses = _addresses(raw_values.get("from", ()))
    recipient_fields = tuple(v for name in _RECIPIENT_FIELDS for v in raw_values.get(name, ()))
    subject = fields.get("subject", ("",))[0]
    date_text = _first(raw_values, "date")
    date = _date(date_text)

    synthetic = len(declared) != 1
    if synthetic:
        stable = [
            *(_first(raw_values, name) for name in ("from", "to", "cc", "date", "subject")),
            _instant_text(internaldate),
        ]
        message_id = f"<{_digest(['synthetic', *stable])[:40]}@{SYNTHETIC_DOMAIN}>"
        aliases = declared
    else:
        message_id = declared[0]
        aliases = ()
    sender = from_addresses[0] if from_addresses else None
    # Raw (undecoded) texts: a later Python that decodes RFC 2047 a little differently must
    # not give a stored message a new fingerprint, or a rescan would count it twice.
    fingerprint = _digest(
        [message_id, sender or _first(raw_values, "from"), date_text, _first(raw_values, "subject")]
    )
    return MessageHeaders(
        message_id=message_id,
        synthetic_id=synthetic,
        aliases=aliases,
        in_reply_to=in_reply_to,
        references=references,
        from_address=sender,
        subject=subject,
        date=date,
        fingerprint=fingerprint,
        fields=fields,
        recipient_fields=recipient_fields,
    )


def _raw_items(data: bytes) -> list[tuple[str, str]]:
    """(name, raw value) pairs in order; the feed parser files broken lines as defects.

    Split under ``compat32``: the values come out raw either way, and ``policy.default``
    would also build header objects for Content-Type while splitting, which triples the
    cost of the scan's hottest line. Decoding is done per value afterwards.
    """
    try:
        message = BytesHeaderParser(policy=policy.compat32).parsebytes(data)
        return [(str(name), str(value)) for name, value in message.raw_items()]
    except _PARSER_FAILURES:  # the parser is meant never to raise; if it does, read by hand
        return _split_by_hand(data.decode("ascii", "surrogateescape"))


def _split_by_hand(text: str) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for line in re.split(r"\r?\n", text):
        if not line.strip():
            if items:
                break
            continue
        if line[0] in " \t" and items:
            name, value = items[-1]
            items[-1] = (name, f"{value} {line.strip()}")
        elif ":" in line:
            name, _, value = line.partition(":")
            items.append((name, value.strip()))
    return items


def _unfold(value: str) -> str:
    """RFC 5322 unfolding, and 8-bit bytes (kept by the parser as surrogates) decoded."""
    text = _FOLD.sub("", value).replace("\r", "").replace("\n", " ").strip()
    if _SURROGATE.search(text):
        data = text.encode("ascii", "surrogateescape")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", "replace")
    return _CONTROL.sub("", text)


def _decoded(value: str) -> str:
    """RFC 2047 encoded words decoded; the best readable text when decoding fails."""
    if "=?" not in value:
        return value
    # Malformed encoded words: fall through to the older decoder below.
    with contextlib.suppress(*_PARSER_FAILURES):
        return _CONTROL.sub("", str(policy.default.header_factory("subject", value)))
    try:
        parts: list[str] = []
        for chunk, charset in decode_header(value):
            if isinstance(chunk, str):
                parts.append(chunk)
                continue
            try:
                parts.append(chunk.decode(charset or "ascii", "replace"))
            except LookupError:  # an unknown charset name
                parts.append(chunk.decode("cp1252", "replace"))
        return _CONTROL.sub("", "".join(parts))
    except _PARSER_FAILURES:
        return value


def _message_ids(value: str) -> tuple[str, ...]:
    """``<id>`` tokens; without brackets (broken mailers), the tokens that contain an @."""
    found = [_SPACE.sub("", inner) for inner in _BRACKETED.findall(value)]
    if not found:
        found = [token.strip("<>") for token in re.split(r"[\s,]+", value) if "@" in token]
    return tuple(f"<{inner}>" for inner in found if inner)


def _addresses(values: Iterable[str]) -> tuple[str, ...]:
    found: list[str] = []
    for value in values:
        try:
            pairs = getaddresses([value])
        except _PARSER_FAILURES:
            pairs = []
        parsed = [addr.strip().lower() for _name, addr in pairs if _ADDRESS.fullmatch(addr.strip())]
        if not parsed:
            parsed = [match.lower() for match in _ADDRESS.findall(value)]
        found.extend(parsed)
    return tuple(dict.fromkeys(found))


def _date(text: str) -> datetime | None:
    if not text:
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except _PARSER_FAILURES:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)  # "-0000": UTC, origin zone unknown (RFC 5322)
    try:
        parsed = parsed.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return parsed if _EARLIEST <= parsed < _LATEST else None


def _unique(groups: Iterable[tuple[str, ...]]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for group in groups for item in group))


def _first(values: Mapping[str, list[str]], name: str) -> str:
    found = values.get(name)
    return found[0] if found else ""


def _instant_text(instant: datetime | None) -> str:
    if instant is None or instant.utcoffset() is None:
        return ""
    return instant.astimezone(UTC).isoformat()


def _digest(parts: Iterable[str]) -> str:
    joined = "\x1f".join(parts)
    return hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()
