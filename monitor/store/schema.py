"""The store's tables, as SQLAlchemy Core metadata shared by the code and the migrations.

Core rather than the ORM: every access is a bulk insert, an upsert or a range query whose
rows become frozen records straight away, so an identity map and unit of work would only
add cost on the probe path.

The Alembic migrations in ``monitor/migrations/versions`` must produce exactly this
metadata; ``tests/store/test_migrations.py`` compares them on both engines.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Dialect

__all__ = [
    "UTCDateTime",
    "maintenance_changes",
    "maintenance_windows",
    "metadata",
    "monitoring_sessions",
    "outages",
    "probe_results",
]

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
    # Unique, not just an index: it is the natural key that makes replayed inserts no-ops.
    sa.UniqueConstraint("target", "started_at"),
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
    sa.CheckConstraint("source IN ('probe', 'import')", name="source"),
    sa.UniqueConstraint("import_key"),
    sa.Index(None, "target", "start"),
)

monitoring_sessions = sa.Table(
    "monitoring_sessions",
    metadata,
    sa.Column("id", _Id, primary_key=True),
    sa.Column("target", sa.Text(), nullable=False),
    sa.Column("started_at", UTCDateTime(), nullable=False),
    sa.Column("last_seen_at", UTCDateTime(), nullable=False),
    sa.Index(None, "target", "started_at"),
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
    sa.CheckConstraint("action IN ('create', 'delete')", name="action"),
    sa.Index(None, "window_id"),
)
