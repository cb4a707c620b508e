"""channels: the channel of a conversation, customer references, inbound keys

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 13:00:00.000000

`conversations.channel` says where a conversation came in (`widget`, `email`, `phone`,
`desk`, or a channel API's name); every conversation before this one is the widget's.
`customer_refs` links a customer's references (e-mail address, phone number, the operator's
own id) to the one visitor whose conversations and cases the agent sees together.
`inbound_keys` makes an inbound message idempotent by the channel's own id of it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(
            sa.Column("channel", sa.String(length=16), server_default="widget", nullable=False)
        )
    op.create_table(
        "customer_refs",
        sa.Column("ref", sa.String(length=160), nullable=False),
        sa.Column("visitor_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["visitor_id"],
            ["visitors.id"],
            name=op.f("fk_customer_refs_visitor_id_visitors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ref", name=op.f("pk_customer_refs")),
    )
    op.create_index("ix_customer_refs_visitor", "customer_refs", ["visitor_id"])
    op.create_table(
        "inbound_keys",
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("conversation_id", sa.String(length=32), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_inbound_keys_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("channel", "key", name=op.f("pk_inbound_keys")),
    )
    op.create_index(op.f("ix_inbound_keys_conversation_id"), "inbound_keys", ["conversation_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_inbound_keys_conversation_id"), table_name="inbound_keys")
    op.drop_table("inbound_keys")
    op.drop_index("ix_customer_refs_visitor", table_name="customer_refs")
    op.drop_table("customer_refs")
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("channel")
