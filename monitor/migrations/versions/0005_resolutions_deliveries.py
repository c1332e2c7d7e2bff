"""Request resolutions (3.2.40) and report deliveries (3.2.5, 3.2.38).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28

``request_resolutions`` is append-only: each row says that a request was resolved at an
instant, who said so and when it was recorded; the row recorded last is the request's
resolution, and a repeat of the stored resolution adds nothing. There is no foreign key to
``requests``: a mailbox recomputation may delete and re-create a request row, and the
resolution stays with its id. ``report_deliveries`` records when each month's report was
exported, once per month.

Types are spelled out here rather than imported from ``monitor.store.schema``: a
migration must keep producing the same schema when the application code moves on.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "request_resolutions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
            autoincrement=True,
        ),
        sa.Column("request_id", sa.String(200), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("actor", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source IN ('import', 'webhook', 'api')", name="ck_request_resolutions_source"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_request_resolutions"),
    )
    op.create_index("ix_request_resolutions_request_id", "request_resolutions", ["request_id"])
    op.create_table(
        "report_deliveries",
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("exported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("final", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("month", name="pk_report_deliveries"),
    )


def downgrade() -> None:
    op.drop_table("report_deliveries")
    op.drop_index("ix_request_resolutions_request_id", table_name="request_resolutions")
    op.drop_table("request_resolutions")
