"""A mail's attachments as the agent sees them: listed with the case (name, type, size, and
whether it was left out), and one fetched by its id within the case's conversation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from channels.email.tables import MailAttachment, MailIn
from conversations.messages import timestamp
from conversations.storage import Database

__all__ = ["get_attachment", "get_attachments_json"]


async def get_attachments_json(db: Database, conversation_id: str) -> list[dict[str, Any]]:
    """The attachments of every mail of the conversation, oldest mail first."""
    async with db.reading() as session:
        rows = (
            await session.execute(
                select(MailAttachment, MailIn.received_at)
                .join(MailIn, MailIn.message_id == MailAttachment.message_id)
                .where(MailAttachment.conversation_id == conversation_id)
                .order_by(MailIn.received_at, MailAttachment.position)
            )
        ).all()
    return [
        {
            "id": a.id,
            "name": a.name,
            "content_type": a.content_type,
            "size": a.size,
            "skipped": a.skipped,
            "mail": a.message_id,
            "received_at": timestamp(received),
        }
        for a, received in rows
    ]


async def get_attachment(
    db: Database, conversation_id: str, attachment_id: int
) -> MailAttachment | None:
    """The attachment `attachment_id` if it belongs to the conversation (else None)."""
    async with db.reading() as session:
        return await session.scalar(
            select(MailAttachment).where(
                MailAttachment.id == attachment_id,
                MailAttachment.conversation_id == conversation_id,
            )
        )
