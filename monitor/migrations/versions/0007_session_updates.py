"""When each monitoring session last changed, and indexes to find what changed.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28

The live figures read only the outages and sessions changed since their previous run
(:class:`monitor.figures.reading.EvidenceReader`) instead of the whole month on every run.
Outages have carried ``updated_at`` from the start; sessions gain it here. A session written
before this revision last changed when it was last seen, so ``last_seen_at`` is its stamp.

Types are spelled out here rather than imported from ``monitor.store.schema``: a
migration must keep producing the same schema when the application code moves on.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("monitoring_sessions") as batch:
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE monitoring_sessions SET updated_at = last_seen_at")
    with op.batch_alter_table("monitoring_sessions") as batch:
        batch.alter_column("updated_at", existing_type=sa.DateTime(timezone=True), nullable=False)
    op.create_index("ix_monitoring_sessions_updated_at", "monitoring_sessions", ["updated_at"])
    op.create_index("ix_outages_updated_at", "outages", ["updated_at"])


def downgrade() -> None:
    op.drop_index("ix_outages_updated_at", table_name="outages")
    op.drop_index("ix_monitoring_sessions_updated_at", table_name="monitoring_sessions")
    with op.batch_alter_table("monitoring_sessions") as batch:
        batch.drop_column("updated_at")
