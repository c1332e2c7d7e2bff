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
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

__all__ = [
    "ERROR_MESSAGE_LIMIT",
    "MaintenanceAction",
    "MaintenanceChange",
    "MaintenanceWindowRecord",
    "MonitoringSession",
    "OutageClosed",
    "OutageOpened",
    "OutageSource",
    "ProbeResultRow",
    "StoredOutage",
    "WriteBatch",
    "new_id",
]

ERROR_MESSAGE_LIMIT = 500
"""Longest error message kept per probe result; hostile servers can send megabytes."""

OutageSource = Literal["probe", "import"]
MaintenanceAction = Literal["create", "delete"]

_OUTAGE_SOURCES: frozenset[str] = frozenset(("probe", "import"))


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


def _check_id(value: str, what: str) -> None:
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


@dataclass(frozen=True, slots=True)
class OutageOpened:
    """Command: a target went down at ``start``; ``id`` is chosen by the caller."""

    id: str
    target: str
    start: datetime
    cause: str
    source: OutageSource = "probe"
    import_key: str | None = None

    def __post_init__(self) -> None:
        _check_id(self.id, "outage id")
        if not self.target:
            raise ValueError("outage without a target")
        if self.source not in _OUTAGE_SOURCES:
            raise ValueError(f"outage source must be 'probe' or 'import', got {self.source!r}")
        object.__setattr__(self, "target", clean_text(self.target))
        object.__setattr__(self, "start", utc(self.start, "outage start"))
        object.__setattr__(self, "cause", clean_text(self.cause, 1000))
        if self.import_key is not None:
            object.__setattr__(self, "import_key", clean_text(self.import_key))

    @classmethod
    def new(
        cls, target: str, start: datetime, cause: str, source: OutageSource = "probe"
    ) -> OutageOpened:
        """An outage with a fresh client-made id, which the caller keeps to close it later."""
        return cls(id=new_id(), target=target, start=start, cause=cause, source=source)


@dataclass(frozen=True, slots=True)
class OutageClosed:
    """Command: the outage ``outage_id`` ended at ``end`` (the first successful probe)."""

    outage_id: str
    end: datetime

    def __post_init__(self) -> None:
        _check_id(self.outage_id, "outage id")
        object.__setattr__(self, "end", utc(self.end, "outage end"))


@dataclass(frozen=True, slots=True)
class StoredOutage:
    """An outage as the store keeps it; ``end is None`` means it is still going on."""

    id: str
    target: str
    start: datetime
    end: datetime | None
    cause: str
    source: OutageSource
    import_key: str | None
    opened_at: datetime
    updated_at: datetime

    @property
    def is_open(self) -> bool:
        return self.end is None


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

    def __post_init__(self) -> None:
        _check_id(self.id, "session id")
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

    def __post_init__(self) -> None:
        _check_id(self.id, "maintenance window id")
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
    ) -> MaintenanceWindowRecord:
        """A window with a fresh client-made id, so a retried API call can be de-duplicated."""
        return cls(
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


@dataclass(frozen=True, slots=True)
class MaintenanceChange:
    """One audit row: who created or deleted which window when, and what it looked like."""

    id: int
    window_id: str
    action: MaintenanceAction
    at: datetime
    who: str
    payload: Mapping[str, object] = field(default_factory=dict)


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
