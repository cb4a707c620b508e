"""identity and audit: customers of visitors and cases, agents' second factor, the audit log

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-06 10:00:00.000000

`visitors.customer_id` is the site's id of a signed-in customer whose identity the site
signed (an HMAC the server checked); at most one visitor per customer, so every device of the
customer goes on as that visitor. `cases.customer_id` keeps it on the case, for the agent and
for the customer's earlier cases. `agents.totp_secret` and `totp_last_step`: the optional
second factor. `audit_log`: what agents and admins did.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("visitors") as batch:
        batch.add_column(sa.Column("customer_id", sa.String(length=128), nullable=True))
    op.create_index("uq_visitors_customer_id", "visitors", ["customer_id"], unique=True)
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("customer_id", sa.String(length=128), nullable=True))
    op.create_index("ix_cases_customer_created", "cases", ["customer_id", "created_at"])
    with op.batch_alter_table("agents") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("agent_id", sa.String(length=32), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=True),
        sa.Column("target", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_at", table_name="audit_log")
    op.drop_table("audit_log")
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("totp_last_step")
        batch.drop_column("totp_secret")
    op.drop_index("ix_cases_customer_created", table_name="cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("customer_id")
    op.drop_index("uq_visitors_customer_id", table_name="visitors")
    with op.batch_alter_table("visitors") as batch:
        batch.drop_column("customer_id")
