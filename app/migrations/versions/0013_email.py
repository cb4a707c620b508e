"""email: received mails, their attachments, the outbox

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 14:00:00.000000

`mails_in` keeps each received mail (keyed by its Message-ID) before the sending server is
told 250, until a worker has taken it in; `mail_attachments` its files (a file over the
limit is a row without data); `mails_out` the mails to send, one per cause. All three go
with their conversation (decision 0121).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIME = sa.DateTime(timezone=True)


def _conversation_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["conversation_id"],
        ["conversations.id"],
        name=op.f(f"fk_{table}_conversation_id_conversations"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "mails_in",
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("envelope_from", sa.String(length=320), nullable=True),
        sa.Column("from_addr", sa.String(length=320), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_until", TIME, nullable=True),
        sa.Column("conversation_id", sa.String(length=32), nullable=True),
        sa.Column("received_at", TIME, nullable=False),
        sa.Column("done_at", TIME, nullable=True),
        _conversation_fk("mails_in"),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_mails_in")),
    )
    op.create_index("ix_mails_in_status", "mails_in", ["status", "claimed_until"])
    op.create_index(op.f("ix_mails_in_from_addr"), "mails_in", ["from_addr"])
    op.create_index(op.f("ix_mails_in_conversation_id"), "mails_in", ["conversation_id"])
    op.create_table(
        "mail_attachments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=128), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.String(length=32), nullable=True),
        sa.Column("data", sa.LargeBinary(), nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["mails_in.message_id"],
            name=op.f("fk_mail_attachments_message_id_mails_in"),
            ondelete="CASCADE",
        ),
        _conversation_fk("mail_attachments"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_attachments")),
    )
    op.create_index(op.f("ix_mail_attachments_message_id"), "mail_attachments", ["message_id"])
    op.create_index(
        op.f("ix_mail_attachments_conversation_id"), "mail_attachments", ["conversation_id"]
    )
    op.create_table(
        "mails_out",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("cause", sa.String(length=260), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=True),
        sa.Column("automatic", sa.Boolean(), nullable=False),
        sa.Column("to_addr", sa.String(length=320), nullable=False),
        sa.Column("subject", sa.String(length=400), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("message_id", sa.String(length=250), nullable=False),
        sa.Column("in_reply_to", sa.String(length=250), nullable=True),
        sa.Column("references", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("next_try_at", TIME, nullable=False),
        sa.Column("claimed_until", TIME, nullable=True),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("sent_at", TIME, nullable=True),
        _conversation_fk("mails_out"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mails_out")),
        sa.UniqueConstraint("cause", name=op.f("uq_mails_out_cause")),
        sa.UniqueConstraint("message_id", name=op.f("uq_mails_out_message_id")),
    )
    op.create_index("ix_mails_out_due", "mails_out", ["status", "next_try_at"])
    op.create_index("ix_mails_out_recipient", "mails_out", ["to_addr", "created_at"])
    op.create_index(op.f("ix_mails_out_conversation_id"), "mails_out", ["conversation_id"])


def downgrade() -> None:
    op.drop_table("mails_out")
    op.drop_table("mail_attachments")
    op.drop_table("mails_in")
