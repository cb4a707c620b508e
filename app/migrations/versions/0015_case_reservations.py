"""case_reservations, mails_in.case_number: a case number given before there is a case

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 16:00:00.000000

An e-mail is acknowledged with its case number as soon as it is taken in, before the bot has
read it (decision 0124). The number comes from the case counter and is noted on the mail
(`mails_in.case_number`); when the mail is registered it is kept for its conversation
(`case_reservations`), whose first case takes it (and the row goes).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mails_in") as batch:
        batch.add_column(sa.Column("case_number", sa.String(length=16), nullable=True))
    op.create_table(
        "case_reservations",
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_case_reservations_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("conversation_id", name=op.f("pk_case_reservations")),
        sa.UniqueConstraint("number", name=op.f("uq_case_reservations_number")),
    )


def downgrade() -> None:
    op.drop_table("case_reservations")
    with op.batch_alter_table("mails_in") as batch:
        batch.drop_column("case_number")
