"""Per-location evidence: results, outages and monitoring sessions carry their location.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28

Several probe locations share one store (docs/rules.md#quorum); each keeps its own results,
outages and sessions, and the counted outages are derived from all of them. Rows written
before this revision were written by the one process there was: they become location
``local``, the default of ``SLA_MONITOR_LOCATION``. A single-location installation reads all
evidence whatever its location is called, so its figures do not change; see
docs/operations.md for relabelling old rows when a second location is added. Probe results
are now unique per target, location and start: two locations may probe at one instant.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("probe_results", "outages", "monitoring_sessions")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(
                sa.Column("location", sa.Text(), nullable=False, server_default="local")
            )
    with op.batch_alter_table("probe_results") as batch:
        batch.drop_constraint("uq_probe_results_target_started_at", type_="unique")
        batch.create_unique_constraint(
            "uq_probe_results_target_location_started_at", ["target", "location", "started_at"]
        )


def downgrade() -> None:
    with op.batch_alter_table("probe_results") as batch:
        batch.drop_constraint("uq_probe_results_target_location_started_at", type_="unique")
        batch.create_unique_constraint(
            "uq_probe_results_target_started_at", ["target", "started_at"]
        )
    for table in reversed(_TABLES):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("location")
