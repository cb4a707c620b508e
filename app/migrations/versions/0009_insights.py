"""insights: the kind of each inquiry, conversations by start, the weekly reports

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 12:00:00.000000

`inquiries.kind` tells a visitor's typed question from a click (a choice, "talk to a person",
"skip"), so that insights counts questions; existing rows take the kind of their visitor
message. `ix_conversations_started_at` finds a period's conversations without reading them
all; `ix_inquiries_insights` holds every column the figures group by, so a period is
counted from the index alone (it replaces `ix_inquiries_created_at`, whose column it
starts with). `sent_reports` keeps each weekly report until it is sent, once.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inquiries") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=16), server_default="text", nullable=False)
        )
    op.execute(
        "UPDATE inquiries SET kind = (SELECT messages.kind FROM messages "
        "WHERE messages.id = inquiries.message_id) "
        "WHERE message_id IS NOT NULL AND EXISTS "
        "(SELECT 1 FROM messages WHERE messages.id = inquiries.message_id)"
    )
    op.create_index(
        "ix_conversations_started_at", "conversations", ["started_at", "visitor_id"], unique=False
    )
    op.drop_index("ix_inquiries_created_at", table_name="inquiries")
    op.create_index(
        "ix_inquiries_insights",
        "inquiries",
        ["created_at", "kind", "decision", "language", "channel", "answer_id", "conversation_id"],
        unique=False,
    )
    op.create_table(
        "sent_reports",
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("week", name=op.f("pk_sent_reports")),
    )


def downgrade() -> None:
    op.drop_table("sent_reports")
    op.drop_index("ix_inquiries_insights", table_name="inquiries")
    op.create_index("ix_inquiries_created_at", "inquiries", ["created_at"], unique=False)
    op.drop_index("ix_conversations_started_at", table_name="conversations")
    with op.batch_alter_table("inquiries") as batch:
        batch.drop_column("kind")
