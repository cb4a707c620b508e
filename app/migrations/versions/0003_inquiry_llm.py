"""inquiries: what the optional LLM did (by_llm, citations, machine_translated, source_lang,
llm_fallback, retracted, rewritten)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("by_llm", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(
            sa.Column("citations", sa.JSON(), server_default=sa.text("'[]'"), nullable=False)
        )
        batch_op.add_column(
            sa.Column("machine_translated", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("source_lang", sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column("llm_fallback", sa.String(length=32), nullable=True))
        batch_op.add_column(
            sa.Column("retracted", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("rewritten", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inquiries", schema=None) as batch_op:
        for name in (
            "rewritten",
            "retracted",
            "llm_fallback",
            "source_lang",
            "machine_translated",
            "citations",
            "by_llm",
        ):
            batch_op.drop_column(name)
