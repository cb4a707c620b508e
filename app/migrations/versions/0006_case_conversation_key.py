"""cases.conversation_id: a foreign key to conversations, deleted with the conversation

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 09:00:00.000000

A case whose conversation does not exist stops the migration with the number of such cases
(nothing is deleted for the operator): they must be looked at by a person.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "fk_cases_conversation_id_conversations"


def upgrade() -> None:
    orphans = op.get_bind().scalar(
        sa.text(
            "SELECT count(*) FROM cases WHERE conversation_id NOT IN (SELECT id FROM conversations)"
        )
    )
    if orphans:
        raise RuntimeError(
            f"{orphans} cases refer to conversations that do not exist; "
            "delete them or restore their conversations, then migrate again"
        )
    with op.batch_alter_table("cases") as batch:
        batch.create_foreign_key(
            NAME, "conversations", ["conversation_id"], ["id"], ondelete="CASCADE"
        )


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint(NAME, type_="foreignkey")
