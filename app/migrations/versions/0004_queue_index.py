"""cases: one index in the queue's order (status, urgency, waiting since, number) that also holds
the team and the agent, in place of the two queue indexes

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01 15:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

QUEUE_COLUMNS = ["status", "urgency_rank", "waiting_since", "number", "team", "agent_id"]


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_queue")
        batch_op.drop_index("ix_cases_team_queue")
        batch_op.create_index("ix_cases_waiting", QUEUE_COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_waiting")
        batch_op.create_index(
            "ix_cases_team_queue", ["team", "status", "urgency_rank", "waiting_since"], unique=False
        )
        batch_op.create_index(
            "ix_cases_queue", ["status", "urgency_rank", "waiting_since"], unique=False
        )
