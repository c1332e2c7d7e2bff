"""Initial store: probe results, outages, monitoring sessions, maintenance windows.

Revision ID: 0001
Revises:
Create Date: 2026-05-01

Types are spelled out here rather than imported from ``monitor.store.schema``: a
migration must keep producing the same schema when the application code moves on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _instant(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "probe_results",
        sa.Column("id", _BigId, autoincrement=True, nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        _instant("started_at"),
        sa.Column("duration_seconds", sa.Double(), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error_class", sa.Text(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_probe_results"),
        sa.UniqueConstraint("target", "started_at", name="uq_probe_results_target_started_at"),
    )
    op.create_table(
        "outages",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        _instant("start"),
        _instant("end", nullable=True),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("import_key", sa.Text(), nullable=True),
        _instant("opened_at"),
        _instant("updated_at"),
        sa.CheckConstraint("source IN ('probe', 'import')", name="ck_outages_source"),
        sa.PrimaryKeyConstraint("id", name="pk_outages"),
        sa.UniqueConstraint("import_key", name="uq_outages_import_key"),
    )
    op.create_index("ix_outages_target_start", "outages", ["target", "start"])
    op.create_table(
        "monitoring_sessions",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("target", sa.Text(), nullable=False),
        _instant("started_at"),
        _instant("last_seen_at"),
        sa.PrimaryKeyConstraint("id", name="pk_monitoring_sessions"),
    )
    op.create_index(
        "ix_monitoring_sessions_target_started_at",
        "monitoring_sessions",
        ["target", "started_at"],
    )
    op.create_table(
        "maintenance_windows",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("targets", sa.JSON(), nullable=False),
        _instant("start"),
        _instant("end"),
        _instant("registered_at"),
        sa.Column("registered_by", sa.Text(), nullable=False),
        sa.Column("approved_by", sa.Text(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        _instant("deleted_at", nullable=True),
        sa.Column("deleted_by", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_maintenance_windows"),
    )
    op.create_index("ix_maintenance_windows_start", "maintenance_windows", ["start"])
    op.create_table(
        "maintenance_changes",
        sa.Column("id", _BigId, autoincrement=True, nullable=False),
        sa.Column("window_id", sa.String(36), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        _instant("at"),
        sa.Column("who", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.CheckConstraint("action IN ('create', 'delete')", name="ck_maintenance_changes_action"),
        sa.ForeignKeyConstraint(
            ["window_id"],
            ["maintenance_windows.id"],
            name="fk_maintenance_changes_window_id_maintenance_windows",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_maintenance_changes"),
    )
    op.create_index("ix_maintenance_changes_window_id", "maintenance_changes", ["window_id"])


def downgrade() -> None:
    op.drop_table("maintenance_changes")
    op.drop_table("maintenance_windows")
    op.drop_table("monitoring_sessions")
    op.drop_table("outages")
    op.drop_table("probe_results")
