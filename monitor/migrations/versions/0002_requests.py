"""Service-desk requests, mailbox scanning state, message facts and links, store settings.

Revision ID: 0002
Revises: 0001
Create Date: 2026-05-20

Requirements 3.2.9, 3.2.13, 3.2.14 and 3.2.39 are judged from ``requests``; the mailbox
source keeps its reading position in ``mailbox_state``, what it learnt from each message in
``mail_messages`` (digests and instants only: no address, subject or body) and the keys that
tie messages into threads in ``mail_links``. ``store_meta`` holds per-installation values
such as the key of the sender hash.

Types are spelled out here rather than imported from ``monitor.store.schema``: a
migration must keep producing the same schema when the application code moves on.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _instant(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _digest(name: str, *, nullable: bool = True) -> sa.Column[str]:
    return sa.Column(name, sa.String(64), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "requests",
        sa.Column("id", sa.String(200), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        _instant("received_at"),
        _instant("answered_at", nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("channel", sa.Text(), nullable=True),
        _digest("sender_hash"),
        _digest("thread_key"),
        _instant("created_at"),
        _instant("updated_at"),
        sa.CheckConstraint("source IN ('mailbox', 'import', 'webhook')", name="ck_requests_source"),
        sa.PrimaryKeyConstraint("id", name="pk_requests"),
    )
    op.create_index("ix_requests_received_at", "requests", ["received_at"])
    op.create_index("ix_requests_source_channel", "requests", ["source", "channel"])
    op.create_index("ix_requests_thread_key", "requests", ["thread_key"])
    op.create_table(
        "mailbox_state",
        sa.Column("mailbox", sa.Text(), nullable=False),
        sa.Column("folder", sa.Text(), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("last_uid", sa.BigInteger(), nullable=False),
        _instant("updated_at"),
        sa.PrimaryKeyConstraint("mailbox", "folder", name="pk_mailbox_state"),
    )
    op.create_table(
        "mail_messages",
        sa.Column("mailbox", sa.Text(), nullable=False),
        sa.Column("folder", sa.Text(), nullable=False),
        sa.Column("uidvalidity", sa.BigInteger(), nullable=False),
        sa.Column("uid", sa.BigInteger(), nullable=False),
        sa.Column("role", sa.String(8), nullable=False),
        _digest("fingerprint", nullable=False),
        _digest("message_key", nullable=False),
        sa.Column("synthetic_id", sa.Boolean(), nullable=False),
        sa.Column("aliases", sa.Text(), nullable=False),
        sa.Column("refs", sa.Text(), nullable=False),
        _digest("ticket_key"),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("automatic", sa.String(32), nullable=True),
        _instant("internaldate", nullable=True),
        _instant("date_header", nullable=True),
        sa.Column("category", sa.Text(), nullable=True),
        _digest("sender_hash"),
        sa.Column("threaded", sa.Boolean(), nullable=False),
        _instant("scanned_at"),
        sa.CheckConstraint("role IN ('inbox', 'sent')", name="ck_mail_messages_role"),
        sa.CheckConstraint(
            "direction IN ('inbound', 'outbound')", name="ck_mail_messages_direction"
        ),
        sa.PrimaryKeyConstraint("mailbox", "folder", "uidvalidity", "uid", name="pk_mail_messages"),
    )
    op.create_index(
        "ix_mail_messages_mailbox_fingerprint", "mail_messages", ["mailbox", "fingerprint"]
    )
    op.create_index("ix_mail_messages_mailbox_threaded", "mail_messages", ["mailbox", "threaded"])
    op.create_table(
        "mail_links",
        sa.Column("mailbox", sa.Text(), nullable=False),
        sa.Column("key", sa.String(66), nullable=False),
        _digest("fingerprint", nullable=False),
        sa.PrimaryKeyConstraint("mailbox", "key", "fingerprint", name="pk_mail_links"),
    )
    op.create_index("ix_mail_links_mailbox_fingerprint", "mail_links", ["mailbox", "fingerprint"])
    op.create_table(
        "store_meta",
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        _instant("created_at"),
        sa.PrimaryKeyConstraint("name", name="pk_store_meta"),
    )


def downgrade() -> None:
    op.drop_table("store_meta")
    op.drop_index("ix_mail_links_mailbox_fingerprint", table_name="mail_links")
    op.drop_table("mail_links")
    op.drop_index("ix_mail_messages_mailbox_threaded", table_name="mail_messages")
    op.drop_index("ix_mail_messages_mailbox_fingerprint", table_name="mail_messages")
    op.drop_table("mail_messages")
    op.drop_table("mailbox_state")
    op.drop_index("ix_requests_thread_key", table_name="requests")
    op.drop_index("ix_requests_source_channel", table_name="requests")
    op.drop_index("ix_requests_received_at", table_name="requests")
    op.drop_table("requests")
