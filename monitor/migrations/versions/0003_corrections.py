"""Outage corrections, miss analyses, and who registered and approved maintenance.

Revision ID: 0003
Revises: 0002
Create Date: 2026-06-01

``outage_corrections`` lays append-only corrections (annotate, dispute, close, void) over
stored outages without touching them; ``miss_analyses`` keeps the 3.2.6 analysis of a missed
service level. ``maintenance_windows`` gains ``requested_by`` (the person a request named;
``registered_by`` becomes the registering token's name, so older rows keep their text in
both) and ``approved_at``; the audit trail gains the action ``approve``.

Types are spelled out here rather than imported from ``monitor.store.schema``: a
migration must keep producing the same schema when the application code moves on.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ACTIONS_BEFORE = "action IN ('create', 'delete')"
_ACTIONS_AFTER = "action IN ('create', 'delete', 'approve')"


def _id() -> sa.Column[int]:
    return sa.Column(
        "id",
        sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
        nullable=False,
        autoincrement=True,
    )


def upgrade() -> None:
    op.create_table(
        "outage_corrections",
        _id(),
        sa.Column("outage_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('annotate', 'dispute', 'close', 'void')", name="ck_outage_corrections_kind"
        ),
        sa.ForeignKeyConstraint(
            ["outage_id"], ["outages.id"], name="fk_outage_corrections_outage_id_outages"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_outage_corrections"),
    )
    op.create_index("ix_outage_corrections_outage_id", "outage_corrections", ["outage_id"])
    op.create_table(
        "miss_analyses",
        _id(),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("window", sa.Text(), nullable=True),
        sa.Column("cause", sa.Text(), nullable=False),
        sa.Column("measures", sa.Text(), nullable=False),
        sa.Column("author", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('availability', 'response')", name="ck_miss_analyses_kind"),
        sa.PrimaryKeyConstraint("id", name="pk_miss_analyses"),
    )
    op.create_index("ix_miss_analyses_month", "miss_analyses", ["month"])
    with op.batch_alter_table("maintenance_windows") as batch:
        batch.add_column(sa.Column("requested_by", sa.Text(), nullable=True))
        batch.add_column(sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE maintenance_windows SET requested_by = registered_by")
    with op.batch_alter_table("maintenance_changes", recreate="auto") as batch:
        batch.drop_constraint("ck_maintenance_changes_action", type_="check")
        batch.create_check_constraint("ck_maintenance_changes_action", _ACTIONS_AFTER)


def downgrade() -> None:
    op.execute("DELETE FROM maintenance_changes WHERE action = 'approve'")
    with op.batch_alter_table("maintenance_changes", recreate="auto") as batch:
        batch.drop_constraint("ck_maintenance_changes_action", type_="check")
        batch.create_check_constraint("ck_maintenance_changes_action", _ACTIONS_BEFORE)
    with op.batch_alter_table("maintenance_windows") as batch:
        batch.drop_column("approved_at")
        batch.drop_column("requested_by")
    op.drop_index("ix_miss_analyses_month", table_name="miss_analyses")
    op.drop_table("miss_analyses")
    op.drop_index("ix_outage_corrections_outage_id", table_name="outage_corrections")
    op.drop_table("outage_corrections")
