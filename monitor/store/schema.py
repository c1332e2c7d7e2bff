"""The store's tables, as SQLAlchemy Core metadata shared by the code and the migrations.

Core rather than the ORM: every access is a bulk insert, an upsert or a range query whose
rows become frozen records straight away, so an identity map and unit of work would only
add cost on the probe path.

The Alembic migrations in ``monitor/migrations/versions`` must produce exactly this
metadata; ``tests/store/test_migrations.py`` compares them on both engines.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

__all__ = [
    "DEFAULT_LOCATION",
    "UTCDateTime",
    "from_row",
    "mail_links",
    "mail_messages",
    "mailbox_state",
    "maintenance_changes",
    "maintenance_windows",
    "metadata",
    "miss_analyses",
    "monitoring_sessions",
    "outage_corrections",
    "outages",
    "probe_results",
    "report_deliveries",
    "request_resolutions",
    "requests",
    "store_meta",
]

_Value = TypeVar("_Value")


def from_row(kind: type[_Value], row: sa.RowMapping, **given: Any) -> _Value:
    """The frozen value ``kind`` whose fields are the row's columns of the same names;
    ``given`` supplies the fields that need more than a copy, and a field without a column
    keeps its default. Values are validated by ``kind`` itself, as any other caller's."""
    values = {
        f.name: row[f.name]
        for f in dataclasses.fields(kind)  # type: ignore[arg-type]
        if f.name not in given and f.name in row
    }
    return kind(**values, **given)


metadata = sa.MetaData(
    # Explicit names, so both engines and every future migration agree on them.
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UTCDateTime(sa.TypeDecorator[datetime]):
    """A timestamp that goes in as an aware instant and always comes out aware UTC.

    PostgreSQL keeps ``timestamptz`` natively. SQLite has no time zones: we store naive
    UTC text there (whose string order is time order, so range queries work) and attach
    UTC again on the way out. Naive datetimes are refused on the way in; a guessed zone in
    a contractual figure is worse than an error.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"refusing to store naive datetime {value.isoformat()}")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
DEFAULT_LOCATION = "local"
"""The location of evidence recorded before locations existed, and of a lone process."""

_BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_Id = sa.String(36)

probe_results = sa.Table(
    "probe_results",
    metadata,
    sa.Column("id", _BigId, primary_key=True, autoincrement=True),
    sa.Column("target", sa.Text(), nullable=False),
    sa.Column("started_at", UTCDateTime(), nullable=False),
    sa.Column("duration_seconds", sa.Double(), nullable=False),
    sa.Column("ok", sa.Boolean(), nullable=False),
    sa.Column("error_class", sa.Text(), nullable=True),
    sa.Column("error_message", sa.Text(), nullable=True),
    # Revision 0006: the probe location that ran it (docs/rules.md#quorum).
    sa.Column("location", sa.Text(), nullable=False, server_default=DEFAULT_LOCATION),
    # Unique, not just an index: it is the natural key that makes replayed inserts no-ops.
    sa.UniqueConstraint("target", "location", "started_at"),
)

outages = sa.Table(
    "outages",
    metadata,
    sa.Column("id", _Id, primary_key=True),
    sa.Column("target", sa.Text(), nullable=False),
    sa.Column("start", UTCDateTime(), nullable=False),
    sa.Column("end", UTCDateTime(), nullable=True),
    sa.Column("cause", sa.Text(), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("import_key", sa.Text(), nullable=True),
    sa.Column("opened_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Column("location", sa.Text(), nullable=False, server_default=DEFAULT_LOCATION),
    sa.CheckConstraint("source IN ('probe', 'import')", name="source"),
    sa.UniqueConstraint("import_key"),
    sa.Index(None, "target", "start"),
    # Revision 0007: the live figures read only what changed since their previous run.
    sa.Index(None, "updated_at"),
)

monitoring_sessions = sa.Table(
    "monitoring_sessions",
    metadata,
    sa.Column("id", _Id, primary_key=True),
    sa.Column("target", sa.Text(), nullable=False),
    sa.Column("started_at", UTCDateTime(), nullable=False),
    sa.Column("last_seen_at", UTCDateTime(), nullable=False),
    sa.Column("location", sa.Text(), nullable=False, server_default=DEFAULT_LOCATION),
    # Revision 0007: stamped by the store's clock whenever the session is stored or moves
    # forward, so the live figures can read only the sessions that changed.
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.Index(None, "target", "started_at"),
    sa.Index(None, "updated_at"),
)

maintenance_windows = sa.Table(
    "maintenance_windows",
    metadata,
    sa.Column("id", _Id, primary_key=True),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("targets", sa.JSON(), nullable=False),
    sa.Column("start", UTCDateTime(), nullable=False),
    sa.Column("end", UTCDateTime(), nullable=False),
    sa.Column("registered_at", UTCDateTime(), nullable=False),
    sa.Column("registered_by", sa.Text(), nullable=False),
    sa.Column("approved_by", sa.Text(), nullable=True),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("deleted_at", UTCDateTime(), nullable=True),
    sa.Column("deleted_by", sa.Text(), nullable=True),
    # Revision 0003: ``registered_by`` is the registering token's name, ``requested_by`` the
    # person the request named; ``approved_by`` the approving token's name, at ``approved_at``.
    sa.Column("requested_by", sa.Text(), nullable=True),
    sa.Column("approved_at", UTCDateTime(), nullable=True),
    sa.Index(None, "start"),
)

maintenance_changes = sa.Table(
    "maintenance_changes",
    metadata,
    sa.Column("id", _BigId, primary_key=True, autoincrement=True),
    sa.Column(
        "window_id",
        _Id,
        sa.ForeignKey("maintenance_windows.id"),
        nullable=False,
    ),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("at", UTCDateTime(), nullable=False),
    sa.Column("who", sa.Text(), nullable=False),
    sa.Column("payload", sa.JSON(), nullable=False),
    sa.CheckConstraint("action IN ('create', 'delete', 'approve')", name="action"),
    sa.Index(None, "window_id"),
)

# -- corrections and analyses (revision 0003) -------------------------------------------------
#
# Append-only: a correction never changes the outage row it refers to, an analysis is never
# edited; a later row is a later statement, and the report shows them all.

outage_corrections = sa.Table(
    "outage_corrections",
    metadata,
    sa.Column("id", _BigId, primary_key=True, autoincrement=True),
    sa.Column("outage_id", _Id, sa.ForeignKey("outages.id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("at", UTCDateTime(), nullable=True),
    sa.Column("reason", sa.Text(), nullable=False),
    sa.Column("actor", sa.Text(), nullable=False),
    sa.Column("recorded_at", UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('annotate', 'dispute', 'close', 'void')", name="kind"),
    sa.Index(None, "outage_id"),
)

miss_analyses = sa.Table(
    "miss_analyses",
    metadata,
    sa.Column("id", _BigId, primary_key=True, autoincrement=True),
    sa.Column("month", sa.String(7), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("name", sa.Text(), nullable=False),
    sa.Column("window", sa.Text(), nullable=True),
    sa.Column("cause", sa.Text(), nullable=False),
    sa.Column("measures", sa.Text(), nullable=False),
    sa.Column("author", sa.Text(), nullable=False),
    sa.Column("recorded_at", UTCDateTime(), nullable=False),
    sa.CheckConstraint("kind IN ('availability', 'response')", name="kind"),
    sa.Index(None, "month"),
)

# -- service desk (revision 0002) ------------------------------------------------------------
#
# Privacy (AVG/GDPR): these tables hold ids, instants, categories and SHA-256
# digests. No address, subject or body is stored; the record classes refuse anything in a
# digest column that is not a digest.

_Digest = sa.String(64)
_Uid = sa.BigInteger()  # IMAP UIDs and UIDVALIDITY are unsigned 32-bit: too big for INTEGER

requests = sa.Table(
    "requests",
    metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("category", sa.Text(), nullable=False),
    sa.Column("received_at", UTCDateTime(), nullable=False),
    sa.Column("answered_at", UTCDateTime(), nullable=True),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("channel", sa.Text(), nullable=True),
    sa.Column("sender_hash", _Digest, nullable=True),
    sa.Column("thread_key", _Digest, nullable=True),
    sa.Column("request_key", _Digest, nullable=True),
    sa.Column("answer_key", _Digest, nullable=True),
    sa.Column("created_at", UTCDateTime(), nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
    sa.CheckConstraint("source IN ('mailbox', 'import', 'webhook')", name="source"),
    sa.Index(None, "received_at"),
    sa.Index(None, "source", "channel"),
    sa.Index(None, "thread_key"),
)

# -- resolutions and deliveries (revision 0005) --------------------------------------------
#
# Append-only like the corrections: a later resolution of a request is a new row, the last
# recorded one counts (3.2.40). No foreign key: a mailbox recomputation may delete and
# re-create a request row, and its resolution stays with the id.

request_resolutions = sa.Table(
    "request_resolutions",
    metadata,
    sa.Column("id", _BigId, primary_key=True, autoincrement=True),
    sa.Column("request_id", sa.String(200), nullable=False),
    sa.Column("resolved_at", UTCDateTime(), nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("actor", sa.Text(), nullable=True),
    sa.Column("recorded_at", UTCDateTime(), nullable=False),
    sa.CheckConstraint("source IN ('import', 'webhook', 'api')", name="source"),
    sa.Index(None, "request_id"),
)

report_deliveries = sa.Table(
    "report_deliveries",
    metadata,
    # When each month's report was exported (3.2.5), written once per month.
    sa.Column("month", sa.String(7), primary_key=True),
    sa.Column("exported_at", UTCDateTime(), nullable=False),
    sa.Column("final", sa.Boolean(), nullable=False),
)

mailbox_state = sa.Table(
    "mailbox_state",
    metadata,
    sa.Column("mailbox", sa.Text(), primary_key=True),
    sa.Column("folder", sa.Text(), primary_key=True),
    sa.Column("uidvalidity", _Uid, nullable=False),
    sa.Column("last_uid", _Uid, nullable=False),
    sa.Column("updated_at", UTCDateTime(), nullable=False),
)

mail_messages = sa.Table(
    "mail_messages",
    metadata,
    sa.Column("mailbox", sa.Text(), primary_key=True),
    sa.Column("folder", sa.Text(), primary_key=True),
    sa.Column("uidvalidity", _Uid, primary_key=True),
    sa.Column("uid", _Uid, primary_key=True),
    sa.Column("role", sa.String(8), nullable=False),
    sa.Column("fingerprint", _Digest, nullable=False),
    sa.Column("message_key", _Digest, nullable=False),
    sa.Column("synthetic_id", sa.Boolean(), nullable=False),
    # Digests separated by spaces: read back 50,000 at a time, a split is far cheaper than
    # JSON, and the column stays readable in a SQL shell.
    sa.Column("aliases", sa.Text(), nullable=False),
    sa.Column("refs", sa.Text(), nullable=False),
    sa.Column("ticket_key", _Digest, nullable=True),
    sa.Column("direction", sa.String(8), nullable=False),
    sa.Column("automatic", sa.String(32), nullable=True),
    sa.Column("internaldate", UTCDateTime(), nullable=True),
    sa.Column("date_header", UTCDateTime(), nullable=True),
    sa.Column("category", sa.Text(), nullable=True),
    sa.Column("sender_hash", _Digest, nullable=True),
    # False until the fact's thread was recomputed: a crash between storing a batch and
    # recomputing leaves the work visible, and only the threads it touches are redone.
    sa.Column("threaded", sa.Boolean(), nullable=False),
    sa.Column("scanned_at", UTCDateTime(), nullable=False),
    sa.CheckConstraint("role IN ('inbox', 'sent')", name="role"),
    sa.CheckConstraint("direction IN ('inbound', 'outbound')", name="direction"),
    sa.Index(None, "mailbox", "fingerprint"),
    sa.Index(None, "mailbox", "threaded"),
)

mail_links = sa.Table(
    "mail_links",
    metadata,
    # What ties messages into threads, one row per (key, message): "m:" + the digest of a
    # Message-ID the message has or refers to, "t:" + the digest of its ticket token. Two
    # messages sharing a key may be in one thread; following keys from the new messages
    # finds every thread new mail can touch, so only those are recomputed.
    sa.Column("mailbox", sa.Text(), primary_key=True),
    sa.Column("key", sa.String(66), primary_key=True),
    sa.Column("fingerprint", _Digest, primary_key=True),
    sa.Index(None, "mailbox", "fingerprint"),
)

store_meta = sa.Table(
    "store_meta",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text(), nullable=False),
    sa.Column("created_at", UTCDateTime(), nullable=False),
)
