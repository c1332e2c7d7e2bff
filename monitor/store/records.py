"""Values that cross the store's boundary: frozen, slotted, validated on construction.

Callers never see ORM rows or SQL results, only these records, so the rest of the daemon
cannot accidentally hold a database object past its transaction, and a record built in a
test compares equal to the one read back from either engine.

Validation happens here, at the door, rather than in the database: the writer buffers
commands and writes them later, so a value the database would refuse (a naive datetime, a
NaN duration, a NUL byte PostgreSQL cannot store) must be refused while the caller can still
see the error. A record that was accepted can always be written.
"""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

from monitor.sla.availability import Outage, OutageSource
from monitor.sla.corrections import OutageCorrection
from monitor.sla.outages import OutageClosed, OutageOpened
from monitor.sla.registered import RegisteredMaintenance

__all__ = [
    "ERROR_MESSAGE_LIMIT",
    "REQUEST_ID_LIMIT",
    "Direction",
    "FolderRole",
    "FolderState",
    "ImportedOutageRow",
    "MailFact",
    "MailLocator",
    "MailboxRequest",
    "MaintenanceAction",
    "MaintenanceChange",
    "MaintenanceWindowRecord",
    "MissAnalysisRecord",
    "MissKind",
    "MonitoringSession",
    "OutageClosed",
    "OutageImportConflict",
    "OutageImportOutcome",
    "OutageOpened",
    "OutageSource",
    "ProbeResultRow",
    "ReportDelivery",
    "RequestLocator",
    "RequestRecord",
    "RequestSource",
    "RequestSync",
    "ResolutionRecord",
    "ResolutionSource",
    "StoredOutage",
    "WriteBatch",
    "checked_closed",
    "checked_correction",
    "checked_opened",
    "new_id",
    "new_outage",
]

ERROR_MESSAGE_LIMIT = 500
"""Longest error message kept per probe result; hostile servers can send megabytes."""

MaintenanceAction = Literal["create", "delete", "approve"]
MissKind = Literal["availability", "response"]

OUTAGE_SOURCES = {source.value: source for source in OutageSource}
"""Outage sources by their stored text; ``OutageSource(text)`` is slow in bulk."""

TEXT_LIMIT = 4000
"""Longest reason, cause or measures text kept: an analysis is a paragraph, not a file."""


def new_id() -> str:
    """A client-made identifier, so a write can be replayed without asking the database."""
    return str(uuid.uuid4())


def utc(instant: datetime, what: str) -> datetime:
    """``instant`` in UTC; a naive datetime is refused because its meaning is a guess."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {instant.isoformat()}")
    return instant.astimezone(UTC)


def clean_text(text: str, limit: int | None = None) -> str:
    """Make ``text`` storable on both engines and bounded in size.

    PostgreSQL rejects NUL characters in text, and lone surrogates (what a
    ``surrogateescape`` decode leaves behind) cannot be encoded as UTF-8 at all; both turn
    into U+FFFD so one odd byte from a probed server never blocks a whole batch.
    """
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    if "\x00" in text:
        text = text.replace("\x00", "\ufffd")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = "".join("\ufffd" if "\ud800" <= ch <= "\udfff" else ch for ch in text)
    return text


def check_id(value: str, what: str) -> None:
    if not value or len(value) > 36:
        raise ValueError(f"{what} must be a non-empty id of at most 36 characters: {value!r}")


@dataclass(frozen=True, slots=True)
class ProbeResultRow:
    """One raw probe result as stored; ``(target, started_at)`` identifies it.

    The natural key makes replaying a batch harmless without a client-made id per row: one
    target is never probed twice at the same microsecond, because runs never overlap.
    """

    target: str
    started_at: datetime
    duration_seconds: float
    ok: bool
    error_class: str | None = None
    error_message: str | None = None
    location: str = "local"
    """The probe location that ran it; the store writes its own location."""

    def __post_init__(self) -> None:
        if not self.target:
            raise ValueError("probe result without a target")
        object.__setattr__(self, "target", clean_text(self.target))
        object.__setattr__(self, "started_at", utc(self.started_at, "started_at"))
        duration = float(self.duration_seconds)
        if not math.isfinite(duration) or duration < 0:
            raise ValueError(f"duration_seconds must be finite and >= 0, got {duration!r}")
        object.__setattr__(self, "duration_seconds", duration)
        if self.error_class is not None:
            object.__setattr__(self, "error_class", clean_text(self.error_class, 100))
        if self.error_message is not None:
            message = clean_text(self.error_message, ERROR_MESSAGE_LIMIT)
            object.__setattr__(self, "error_message", message)


def checked_opened(outage: OutageOpened) -> OutageOpened:
    """An opened outage as the store keeps it: a usable id and target, a known source, its
    texts cleaned and its start in UTC (a naive one is refused, at the door, while the
    caller can still see the error)."""
    check_id(outage.id, "outage id")
    if not outage.target:
        raise ValueError("outage without a target")
    source = OUTAGE_SOURCES.get(outage.source)
    if source is None:
        raise ValueError(f"outage source must be 'probe' or 'import', got {outage.source!r}")
    return replace(
        outage,
        target=clean_text(outage.target),
        start=utc(outage.start, "outage start"),
        cause=clean_text(outage.cause, 1000),
        source=source,
        import_key=None if outage.import_key is None else clean_text(outage.import_key),
    )


def checked_closed(closed: OutageClosed) -> OutageClosed:
    """A closed outage as the store takes it: a usable id and the end in UTC."""
    check_id(closed.outage_id, "outage id")
    return replace(closed, end=utc(closed.end, "outage end"))


def new_outage(
    target: str, start: datetime, cause: str, source: OutageSource = OutageSource.PROBE
) -> OutageOpened:
    """An outage with a fresh client-made id, which the caller keeps to close it later."""
    return checked_opened(OutageOpened(target, new_id(), start, cause, source))


@dataclass(frozen=True, slots=True)
class ImportedOutageRow:
    """One outage of an import file, ready to store: ``import_key`` identifies it, ``end``
    is ``None`` while it goes on, ``line`` is where the file has it (for a conflict).

    Lighter than :class:`OutageOpened` plus :class:`OutageClosed`, because a million of
    these pass through one import: the importer has checked target and instants already.
    """

    id: str
    import_key: str
    target: str
    start: datetime
    end: datetime | None
    cause: str
    line: int

    def __post_init__(self) -> None:
        check_id(self.id, "outage id")
        if not self.target or not self.import_key:
            raise ValueError("an imported outage needs a target and an import key")
        if self.start.tzinfo is not UTC:
            object.__setattr__(self, "start", utc(self.start, "outage start"))
        if self.end is not None and self.end.tzinfo is not UTC:
            object.__setattr__(self, "end", utc(self.end, "outage end"))
        object.__setattr__(self, "cause", clean_text(self.cause, 1000))


@dataclass(frozen=True, slots=True)
class OutageImportConflict:
    """A row whose key is stored with an end the row would change (never done silently)."""

    row: ImportedOutageRow
    stored_end: datetime | None


@dataclass(frozen=True, slots=True)
class OutageImportOutcome:
    """What an import did, or (``conflicts`` not empty) why it wrote nothing at all."""

    new: int
    closed: int
    unchanged: int
    conflicts: tuple[OutageImportConflict, ...] = ()


@dataclass(frozen=True, slots=True)
class StoredOutage:
    """The core's :class:`Outage` of ``target`` as the store keeps it, with the row's audit:
    the import key of an imported one, and when the row was written and last changed.

    The outage comes without corrections: they are laid over it by whoever reads them
    (:meth:`Store.outage_corrections`). ``id`` … ``source`` read through to it.
    """

    target: str
    outage: Outage
    import_key: str | None
    opened_at: datetime
    updated_at: datetime
    location: str = "local"
    """The probe location that recorded it (docs/rules.md#quorum)."""

    @property
    def id(self) -> str:
        return self.outage.id

    @property
    def start(self) -> datetime:
        return self.outage.start

    @property
    def end(self) -> datetime | None:
        """``None`` while the outage is still going on."""
        return self.outage.end

    @property
    def cause(self) -> str:
        return self.outage.cause

    @property
    def source(self) -> OutageSource:
        return self.outage.source

    @property
    def is_open(self) -> bool:
        return self.outage.end is None


@dataclass(frozen=True, slots=True)
class MonitoringSession:
    """A stretch of uninterrupted probing of one target: ``[started_at, last_seen_at]``.

    Time outside every session is unmonitored, so a restart or a stalled daemon shows up as
    a gap between sessions instead of being silently counted as up or down.
    """

    id: str
    target: str
    started_at: datetime
    last_seen_at: datetime
    location: str = "local"
    """The probe location that probed; the store writes its own location."""

    def __post_init__(self) -> None:
        check_id(self.id, "session id")
        if not self.target:
            raise ValueError("session without a target")
        object.__setattr__(self, "target", clean_text(self.target))
        started_at = utc(self.started_at, "started_at")
        last_seen_at = utc(self.last_seen_at, "last_seen_at")
        if last_seen_at < started_at:
            raise ValueError(f"session last seen {last_seen_at} before it started {started_at}")
        object.__setattr__(self, "started_at", started_at)
        object.__setattr__(self, "last_seen_at", last_seen_at)

    @classmethod
    def begin(cls, target: str, started_at: datetime) -> MonitoringSession:
        """A new session with a fresh client-made id, seen only at its start so far."""
        return cls(id=new_id(), target=target, started_at=started_at, last_seen_at=started_at)


@dataclass(frozen=True, slots=True)
class MaintenanceWindowRecord:
    """A maintenance window registered through the API, kept (and soft-deleted) for audit.

    ``registered_at`` is kept because a window registered after it started only counts with
    an ``approved_by``; the report lists such windows as retroactive reclassifications.
    """

    id: str
    name: str
    targets: tuple[str, ...]
    start: datetime
    end: datetime
    registered_at: datetime
    registered_by: str
    reason: str = ""
    approved_by: str | None = None
    deleted_at: datetime | None = None
    deleted_by: str | None = None
    requested_by: str | None = None
    approved_at: datetime | None = None

    def __post_init__(self) -> None:
        check_id(self.id, "maintenance window id")
        if not self.name:
            raise ValueError("maintenance window without a name")
        targets = tuple(clean_text(t) for t in self.targets)
        if not targets or not all(targets):
            raise ValueError("maintenance window needs at least one non-empty target name")
        object.__setattr__(self, "targets", targets)
        start = utc(self.start, "maintenance start")
        end = utc(self.end, "maintenance end")
        if end <= start:
            raise ValueError(f"maintenance window ends at {end}, not after its start {start}")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)
        object.__setattr__(self, "registered_at", utc(self.registered_at, "registered_at"))
        if self.deleted_at is not None:
            object.__setattr__(self, "deleted_at", utc(self.deleted_at, "deleted_at"))
        if self.approved_at is not None:
            object.__setattr__(self, "approved_at", utc(self.approved_at, "approved_at"))

    @classmethod
    def new(
        cls,
        *,
        name: str,
        targets: Iterable[str],
        start: datetime,
        end: datetime,
        registered_at: datetime,
        registered_by: str,
        reason: str = "",
        approved_by: str | None = None,
        requested_by: str | None = None,
    ) -> MaintenanceWindowRecord:
        """A window with a fresh client-made id, so a retried API call can be de-duplicated."""
        return cls(
            requested_by=requested_by,
            id=new_id(),
            name=name,
            targets=tuple(targets),
            start=start,
            end=end,
            registered_at=registered_at,
            registered_by=registered_by,
            reason=reason,
            approved_by=approved_by,
        )

    def applies_to(self, target: str) -> bool:
        return target in self.targets

    @property
    def registered(self) -> RegisteredMaintenance:
        """The window as the rules read it (3.2.10); the audit (reason, requester, deletion)
        and the targets' order stay here."""
        return RegisteredMaintenance(
            id=self.id,
            name=self.name,
            targets=frozenset(self.targets),
            start=self.start,
            end=self.end,
            registered_at=self.registered_at,
            approved_by=self.approved_by,
            registered_by=self.registered_by,
            approved_at=self.approved_at,
        )


@dataclass(frozen=True, slots=True)
class MaintenanceChange:
    """One audit row: who created or deleted which window when, and what it looked like."""

    id: int
    window_id: str
    action: MaintenanceAction
    at: datetime
    who: str
    payload: Mapping[str, object] = field(default_factory=dict)


def checked_correction(correction: OutageCorrection) -> OutageCorrection:
    """A correction as the store keeps it: reason and actor cleaned and not blank, instants
    in UTC (a naive one is refused). The store checks every correction it appends; a caller
    that wants the refusal before opening the store calls this itself."""
    return replace(
        correction,
        reason=_required_text(correction.reason, "reason"),
        actor=_required_text(correction.actor, "actor"),
        recorded_at=utc(correction.recorded_at, "recorded_at"),
        at=None if correction.at is None else utc(correction.at, "at"),
    )


@dataclass(frozen=True, slots=True)
class MissAnalysisRecord:
    """The 3.2.6 analysis of a missed service level: its cause and the measures taken.

    ``kind`` ``availability`` names a target and its SLA ``window``; ``response`` names a
    request category (``window`` is then ``None``). ``month`` is ``YYYY-MM``.
    """

    month: str
    kind: MissKind
    name: str
    window: str | None
    cause: str
    measures: str
    author: str
    recorded_at: datetime
    id: int = 0

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", self.month):
            raise ValueError(f"month must be YYYY-MM, got {self.month!r}")
        if self.kind not in ("availability", "response"):
            raise ValueError(f"kind must be availability or response, got {self.kind!r}")
        if (self.kind == "availability") != (self.window is not None):
            raise ValueError("an availability analysis names a window; a response one does not")
        _check_text(self, "name", "cause", "measures", "author")
        object.__setattr__(self, "recorded_at", utc(self.recorded_at, "recorded_at"))


def _check_text(record: object, *names: str) -> None:
    for name in names:
        object.__setattr__(record, name, _required_text(str(getattr(record, name)), name))


def _required_text(text: str, name: str) -> str:
    value = clean_text(text, TEXT_LIMIT).strip()
    if not value:
        raise ValueError(f"{name} must not be blank")
    return value


@dataclass(frozen=True, slots=True)
class WriteBatch:
    """Everything the writer commits in one transaction.

    Outage events keep their order (an outage opened and closed within one batch must be
    opened first); sessions are upserts that only ever move ``last_seen_at`` forward, and
    results are keyed by ``(target, started_at)``, so neither depends on order and every
    part can be replayed after a lost acknowledgement.
    """

    results: tuple[ProbeResultRow, ...] = ()
    outage_events: tuple[OutageOpened | OutageClosed, ...] = ()
    sessions: tuple[MonitoringSession, ...] = ()

    def __len__(self) -> int:
        return len(self.results) + len(self.outage_events) + len(self.sessions)


# -- service-desk requests (3.2.9, 3.2.13, 3.2.14, 3.2.39) ---------------------------------

RequestSource = Literal["mailbox", "import", "webhook"]
Direction = Literal["inbound", "outbound"]
FolderRole = Literal["inbox", "sent"]

REQUEST_ID_LIMIT = 200
"""Longest request id; ticket systems' ids are short, and an id is a key, not a text."""

_REQUEST_SOURCES: frozenset[str] = frozenset(("mailbox", "import", "webhook"))
_HASH = re.compile(r"[0-9a-f]{64}")


def _check_hash(value: str, what: str) -> None:
    """Only a SHA-256 hex digest passes, so an address or a subject can never be stored in
    a hash column by mistake: privacy is enforced at the door, not by convention."""
    if not _HASH.fullmatch(value):
        raise ValueError(f"{what} must be a lower-case SHA-256 hex digest")


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One service-desk request and its answer, whatever its source (docs/rules.md#response-times).

    Requirements 3.2.9 ("binnen één werkdag te beantwoorden"), 3.2.13 (escalations), 3.2.14
    (complaints) and 3.2.39 ("binnen twee dagen te reageren op verzoeken om informatie") are
    judged from these rows alone: the id, the category, the instant of receipt and the
    instant of the first human answer. Nothing of the message itself is kept (the contract
    falls under the AVG/GDPR): ``sender_hash`` is a keyed hash of the sender's address, never
    the address.

    ``answered_at`` before ``received_at`` is refused: it is always a clock or mapping error
    in the source, and counting it as "met" would flatter the figure. ``resolved_at`` (3.2.40)
    is the request's resolution as last recorded (:class:`ResolutionRecord`), with the same
    ordering check; mail does not say when a request was resolved, so a mailbox request
    gets one only through ``POST /api/v1/requests/{id}/resolution``.
    """

    id: str
    category: str
    received_at: datetime
    answered_at: datetime | None
    source: RequestSource
    channel: str | None = None
    sender_hash: str | None = None
    resolved_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.resolved_at is not None:
            resolved = utc(self.resolved_at, "resolved_at")
            if resolved < utc(self.received_at, "received_at"):
                raise ValueError(
                    f"resolved_at {resolved.isoformat()} is before received_at "
                    f"{utc(self.received_at, 'received_at').isoformat()}"
                )
            object.__setattr__(self, "resolved_at", resolved)
        if not self.id.strip() or len(self.id) > REQUEST_ID_LIMIT:
            raise ValueError(
                f"request id must be non-empty and at most {REQUEST_ID_LIMIT} characters"
            )
        if clean_text(self.id) != self.id:
            raise ValueError("request id contains a NUL or an unencodable character")
        if not self.category or len(self.category) > 100:
            raise ValueError("request category must be a non-empty name of at most 100 characters")
        object.__setattr__(self, "category", clean_text(self.category))
        if self.source not in _REQUEST_SOURCES:
            raise ValueError(
                f"request source must be 'mailbox', 'import' or 'webhook', got {self.source!r}"
            )
        received = utc(self.received_at, "received_at")
        object.__setattr__(self, "received_at", received)
        if self.answered_at is not None:
            answered = utc(self.answered_at, "answered_at")
            if answered < received:
                raise ValueError(
                    f"answered_at {answered.isoformat()} is before received_at "
                    f"{received.isoformat()}"
                )
            object.__setattr__(self, "answered_at", answered)
        if self.channel is not None:
            object.__setattr__(self, "channel", clean_text(self.channel, 200) or None)
        if self.sender_hash is not None:
            _check_hash(self.sender_hash, "sender_hash")


ResolutionSource = Literal["import", "webhook", "api"]


@dataclass(frozen=True, slots=True)
class ResolutionRecord:
    """A statement that a request was resolved at ``resolved_at`` (3.2.40), appended.

    ``source`` says how it came (a CSV import, the webhook, the resolution endpoint) and
    ``actor`` who said so (the token's name), where known. The last recorded statement of a
    request is its resolution; earlier ones stay in the record.
    """

    request_id: str
    resolved_at: datetime
    source: ResolutionSource
    recorded_at: datetime
    actor: str | None = None

    def __post_init__(self) -> None:
        if self.source not in ("import", "webhook", "api"):
            raise ValueError(f"resolution source must be import, webhook or api: {self.source!r}")
        object.__setattr__(self, "resolved_at", utc(self.resolved_at, "resolved_at"))
        object.__setattr__(self, "recorded_at", utc(self.recorded_at, "recorded_at"))


@dataclass(frozen=True, slots=True)
class ReportDelivery:
    """When the report of ``month`` (``YYYY-MM``) was exported (3.2.5), and whether final."""

    month: str
    exported_at: datetime
    final: bool

    def __post_init__(self) -> None:
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", self.month):
            raise ValueError(f"month must be YYYY-MM, got {self.month!r}")
        object.__setattr__(self, "exported_at", utc(self.exported_at, "exported_at"))


@dataclass(frozen=True, slots=True)
class MailboxRequest:
    """A request derived from a mailbox, with the key of the thread it was found in."""

    record: RequestRecord
    thread_key: str
    request_key: str | None = None
    """Fingerprint of the request message: where the desk finds it (:class:`MailLocator`)."""
    answer_key: str | None = None
    """Fingerprint of the answer, when there is one."""

    def __post_init__(self) -> None:
        if self.record.source != "mailbox":
            raise ValueError("a mailbox request has source 'mailbox'")
        _check_hash(self.thread_key, "thread_key")
        for value, what in ((self.request_key, "request_key"), (self.answer_key, "answer_key")):
            if value is not None:
                _check_hash(value, what)


@dataclass(frozen=True, slots=True)
class MailLocator:
    """Where one message lies on the IMAP server, so the desk can open it (3.2.6 analysis)
    without the store keeping its subject, body or addresses: ``UID FETCH`` of ``uid`` in
    ``folder`` while its UIDVALIDITY is ``uidvalidity``, or a search on ``internaldate``."""

    mailbox: str
    folder: str
    uidvalidity: int
    uid: int
    internaldate: datetime | None


@dataclass(frozen=True, slots=True)
class RequestLocator:
    """The inbox copy of a mail request and the sent copy of its answer."""

    request: MailLocator
    answer: MailLocator | None = None


@dataclass(frozen=True, slots=True)
class RequestSync:
    """What a recomputation of one mailbox's requests changed."""

    changed: int
    """Requests inserted or changed."""
    removed: int
    """Requests that no longer exist, e.g. a message turned out to be a follow-up."""


@dataclass(frozen=True, slots=True)
class FolderState:
    """How far one IMAP folder has been read: everything up to ``last_uid`` under
    ``uidvalidity``. A different UIDVALIDITY means the UIDs were renumbered and the folder
    is read again from the start."""

    folder: str
    uidvalidity: int
    last_uid: int

    def __post_init__(self) -> None:
        if not self.folder:
            raise ValueError("folder state without a folder")
        if not 0 < self.uidvalidity < 2**32 or not 0 <= self.last_uid < 2**32:
            raise ValueError("UIDVALIDITY and UID are unsigned 32-bit numbers (RFC 3501)")


@dataclass(frozen=True, slots=True)
class MailFact:
    """What the figures need of one message in a desk mailbox, and nothing more.

    Identified by its place on the server (``mailbox``, ``folder``, ``uidvalidity``,
    ``uid``), so storing it again is harmless. Every identifier taken from the message is a
    SHA-256 digest: the Message-ID (``message_key``, ``aliases``), the ids it refers to
    (``refs``), the ticket token of its subject (``ticket_key``); the sender is a keyed
    hash. No address, subject or body reaches the store, yet threads can be rebuilt across
    scans, because equal identifiers have equal digests.
    """

    mailbox: str
    folder: str
    uidvalidity: int
    uid: int
    role: FolderRole
    fingerprint: str
    """Digest of the message's stable headers: one message, even when stored twice."""
    message_key: str
    synthetic_id: bool
    """The message had no usable Message-ID; ``message_key`` is made from its headers."""
    refs: tuple[str, ...]
    direction: Direction
    automatic: str | None
    """Why the message is automatic (``auto-submitted``, ``bounce``, ...), ``None`` if human."""
    internaldate: datetime | None
    date_header: datetime | None
    category: str | None = None
    sender_hash: str | None = None
    ticket_key: str | None = None
    aliases: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.mailbox or not self.folder:
            raise ValueError("mail fact without mailbox or folder")
        if not 0 < self.uidvalidity < 2**32 or not 0 < self.uid < 2**32:
            raise ValueError("UIDVALIDITY and UID are unsigned, non-zero 32-bit numbers")
        if self.role not in ("inbox", "sent"):
            raise ValueError(f"folder role must be 'inbox' or 'sent', got {self.role!r}")
        if self.direction not in ("inbound", "outbound"):
            raise ValueError(f"direction must be 'inbound' or 'outbound', got {self.direction!r}")
        if self.automatic is not None and not re.fullmatch(r"[a-z][a-z0-9-]{0,31}", self.automatic):
            raise ValueError("automatic is a short reason code like 'auto-submitted'")
        for name in ("fingerprint", "message_key"):
            _check_hash(getattr(self, name), name)
        for name in ("sender_hash", "ticket_key"):
            value = getattr(self, name)
            if value is not None:
                _check_hash(value, name)
        for ref in (*self.refs, *self.aliases):
            _check_hash(ref, "a message reference")
        for name in ("internaldate", "date_header"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, utc(value, name))
        object.__setattr__(self, "refs", tuple(self.refs))
        object.__setattr__(self, "aliases", tuple(self.aliases))

    @classmethod
    def trusted(cls, **values: Any) -> MailFact:
        """A fact read back from the store, rebuilt without validating it again.

        A recomputation reads every fact of a mailbox (50,000 and more); they were
        validated when they were stored, and validating them again would double its cost.
        Only the store calls this.
        """
        fact = object.__new__(cls)
        for name in cls.__dataclass_fields__:
            object.__setattr__(fact, name, values[name])
        return fact
