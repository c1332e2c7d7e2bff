"""Where a mail request and its answer lie: the fingerprints of both messages.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

A late request must be found by the desk for its 3.2.6 analysis, yet the store keeps no
subject, body or address. ``requests.request_key`` and ``requests.answer_key`` are the
fingerprints of the request and answer messages; with ``mail_messages`` they give the
mailbox, folder, UIDVALIDITY, UID and INTERNALDATE of each. Every stored message is marked
unthreaded, so the next scan of each mailbox recomputes its requests and fills both keys.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("request_key", sa.String(64), nullable=True))
        batch.add_column(sa.Column("answer_key", sa.String(64), nullable=True))
    op.execute(sa.text("UPDATE mail_messages SET threaded = :no").bindparams(no=False))


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("answer_key")
        batch.drop_column("request_key")
