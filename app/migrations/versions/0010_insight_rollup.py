"""insights: the rollup of closed hours, and the query vectors of unanswered questions

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 10:00:00.000000

`insight_hours`, `insight_contacts` and `insight_visits` count the inquiries and the
conversations of each closed UTC hour, so that a year's report reads thousands of rows
instead of a million (decision 0101); `insight_rollup` says how far they reach. They start
empty and are filled on demand by the first report. `inquiry_vectors` keeps the bot's query
vector of an unanswered question, so that the gaps need not embed it again.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "insight_hours",
        sa.Column("span", sa.String(length=1), nullable=False),
        sa.Column("hour", sa.String(length=13), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("answer_id", sa.String(length=128), nullable=False),
        sa.Column("inquiries", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "span",
            "hour",
            "decision",
            "language",
            "channel",
            "answer_id",
            name=op.f("pk_insight_hours"),
        ),
    )
    op.create_table(
        "insight_contacts",
        sa.Column("hour", sa.String(length=13), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("prev_hour", sa.String(length=13), nullable=False),
        sa.Column("contacts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "kind", "prev_hour", name=op.f("pk_insight_contacts")),
    )
    op.create_table(
        "insight_visits",
        sa.Column("hour", sa.String(length=13), nullable=False),
        sa.Column("prev_hour", sa.String(length=13), nullable=False),
        sa.Column("second", sa.Boolean(), nullable=False),
        sa.Column("visits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "prev_hour", "second", name=op.f("pk_insight_visits")),
    )
    op.create_table(
        "insight_rollup",
        sa.Column("name", sa.String(length=16), nullable=False),
        sa.Column("through", sa.String(length=13), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_id", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_insight_rollup")),
    )
    op.create_table(
        "inquiry_vectors",
        sa.Column("inquiry_id", sa.Integer(), nullable=False),
        sa.Column("model", sa.String(length=128), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["inquiry_id"],
            ["inquiries.id"],
            name=op.f("fk_inquiry_vectors_inquiry_id_inquiries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("inquiry_id", name=op.f("pk_inquiry_vectors")),
    )


def downgrade() -> None:
    op.drop_table("inquiry_vectors")
    op.drop_table("insight_rollup")
    op.drop_table("insight_visits")
    op.drop_table("insight_contacts")
    op.drop_table("insight_hours")
