"""Look-ups in the stored conversations (`get_*`) and the ownership check (`check_*`)."""

from __future__ import annotations

from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Connection

from conversations.errors import Forbidden, UnknownConversation, UnknownVisitor
from conversations.storage._labels import AnswerTexts, read_agent_labels, read_helpful_labels
from conversations.storage.database import Database
from conversations.storage.records import LabelledQuestion
from conversations.storage.tables import (
    Conversation,
    Feedback,
    Inquiry,
    Message,
    QuestionDecision,
    Visitor,
)
from knowledge import AnswerBase

__all__ = [
    "check_conversation",
    "get_conversation",
    "get_conversation_with_message",
    "get_counts",
    "get_customer_visitor",
    "get_earlier_conversations",
    "get_feedback",
    "get_inquiries",
    "get_labelled_questions",
    "get_latest_conversation",
    "get_message",
    "get_message_by_client_id",
    "get_messages",
    "get_question_decisions",
    "get_replies",
    "get_turn_context",
    "get_visitor",
]

HISTORY_LIMIT = 200  # the most messages a client gets at once


async def get_visitor(db: Database, visitor_id: str) -> Visitor:
    """The visitor; raises UnknownVisitor."""
    async with db.reading() as session:
        visitor = await session.get(Visitor, visitor_id)
    if visitor is None:
        raise UnknownVisitor("the server does not know this visitor id")
    return visitor


async def get_customer_visitor(db: Database, customer_id: str) -> Visitor | None:
    """The visitor of a signed-in customer (a verified identity), if there is one yet."""
    async with db.reading() as session:
        found = await session.scalars(select(Visitor).where(Visitor.customer_id == customer_id))
        return found.first()


async def get_conversation(db: Database, conversation_id: str) -> Conversation | None:
    async with db.reading() as session:
        return await session.get(Conversation, conversation_id)


async def check_conversation(db: Database, visitor_id: str, conversation_id: str) -> Conversation:
    """The visitor's conversation; raises UnknownConversation or Forbidden (another visitor's)."""
    conversation = await get_conversation(db, conversation_id)
    if conversation is None:
        raise UnknownConversation(f"no conversation {conversation_id!r}")
    if conversation.visitor_id != visitor_id:
        raise Forbidden("this conversation belongs to another visitor")
    return conversation


async def get_latest_conversation(db: Database, visitor_id: str) -> Conversation | None:
    async with db.reading() as session:
        return await session.scalar(
            select(Conversation)
            .where(Conversation.visitor_id == visitor_id)
            .order_by(Conversation.updated_at.desc())
            .limit(1)
        )


async def get_messages(
    db: Database, conversation_id: str, *, after_seq: int = 0, limit: int = HISTORY_LIMIT
) -> list[Message]:
    """Messages with a seq above `after_seq`, in order; at most the last `limit` of them."""
    async with db.reading() as session:
        rows = await session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation_id, Message.seq > after_seq)
            .order_by(Message.seq.desc())
            .limit(limit)
        )
        return list(reversed(rows.all()))


async def get_turn_context(
    db: Database, conversation_id: str, *, limit: int = HISTORY_LIMIT
) -> tuple[Conversation, list[Message], dict[str, bool]]:
    """In one read: the conversation, its last `limit` messages in order, and the feedback on
    them (message id → helpful)."""
    async with db.reading() as session:
        conversation = await session.get(Conversation, conversation_id)
        if conversation is None:
            raise UnknownConversation(f"no conversation {conversation_id!r}")
        rows = await session.execute(
            select(Message, Feedback.helpful)
            .outerjoin(Feedback, Feedback.message_id == Message.id)
            .where(Message.conversation_id == conversation_id)
            .order_by(Message.seq.desc())
            .limit(limit)
        )
        pairs = list(reversed(rows.all()))
    feedback = {message.id: helpful for message, helpful in pairs if helpful is not None}
    return conversation, [message for message, _ in pairs], feedback


async def get_message(db: Database, conversation_id: str, message_id: str) -> Message | None:
    async with db.reading() as session:
        message = await session.get(Message, message_id)
    if message is None or message.conversation_id != conversation_id:
        return None
    return message


async def get_message_by_client_id(
    db: Database, conversation_id: str, client_id: str
) -> Message | None:
    async with db.reading() as session:
        return await session.scalar(
            select(Message).where(
                Message.conversation_id == conversation_id, Message.client_id == client_id
            )
        )


async def get_conversation_with_message(
    db: Database, visitor_id: str, client_id: str, *, recent: int = 3
) -> Conversation | None:
    """The visitor's conversation (one of the `recent` last active) that has a message with
    this client id: where a resend belongs when the client never learnt the conversation."""
    async with db.reading() as session:
        latest = (
            select(Conversation.id)
            .where(Conversation.visitor_id == visitor_id)
            .order_by(Conversation.updated_at.desc())
            .limit(recent)
            .scalar_subquery()
        )
        return await session.scalar(
            select(Conversation)
            .join(Message, Message.conversation_id == Conversation.id)
            .where(Conversation.id.in_(latest), Message.client_id == client_id)
            .limit(1)
        )


async def get_replies(db: Database, message_id: str) -> list[Message]:
    """The bot's replies to one visitor message, in order."""
    async with db.reading() as session:
        rows = await session.scalars(
            select(Message).where(Message.reply_to == message_id).order_by(Message.seq)
        )
        return list(rows.all())


async def get_feedback(db: Database, conversation_id: str) -> dict[str, bool]:
    """message id → helpful, for the conversation's answers that got feedback."""
    async with db.reading() as session:
        rows = await session.execute(
            select(Feedback.message_id, Feedback.helpful).where(
                Feedback.conversation_id == conversation_id
            )
        )
        return {message_id: helpful for message_id, helpful in rows.all()}


async def get_earlier_conversations(
    db: Database, visitor_id: str, exclude_id: str, *, limit: int = 5
) -> list[tuple[Conversation, list[Message]]]:
    """The visitor's other conversations in which they wrote something, most recent first,
    each with its bot messages (most recent first)."""
    async with db.reading() as session:
        spoke = select(Message.conversation_id).where(Message.role == "visitor")
        conversations = (
            await session.scalars(
                select(Conversation)
                .where(
                    Conversation.visitor_id == visitor_id,
                    Conversation.id != exclude_id,
                    Conversation.id.in_(spoke),
                )
                .order_by(Conversation.updated_at.desc())
                .limit(limit)
            )
        ).all()
        result = []
        for conversation in conversations:
            bot = await session.scalars(
                select(Message)
                .where(Message.conversation_id == conversation.id, Message.role == "bot")
                .order_by(Message.seq.desc())
                .limit(20)
            )
            result.append((conversation, list(bot.all())))
        return result


async def get_inquiries(db: Database, conversation_id: str) -> list[Inquiry]:
    async with db.reading() as session:
        rows = await session.scalars(
            select(Inquiry).where(Inquiry.conversation_id == conversation_id).order_by(Inquiry.id)
        )
        return list(rows.all())


async def get_counts(db: Database) -> dict[str, int]:
    """How many rows each table has (for checks and benchmarks)."""
    counts: dict[str, int] = {}
    async with db.reading() as session:
        for name, table in (("conversations", Conversation), ("messages", Message)):
            counts[name] = int(await session.scalar(select(func.count()).select_from(table)) or 0)
        counts["inquiries"] = int(
            await session.scalar(select(func.count()).select_from(Inquiry)) or 0
        )
    return counts


async def get_labelled_questions(
    db: Database, base: AnswerBase, *, limit: int = 5000
) -> list[LabelledQuestion]:
    """Visitor questions whose right answer is known, the most recent first: at most `limit`
    from the visitors' "helpful" feedback and `limit` from agents who sent a curated answer
    (the rules are in `conversations.storage._labels`). Answers the base no longer has are left
    out."""
    texts = AnswerTexts(base)
    async with db.reading() as session:
        labels = await read_helpful_labels(session, limit)
        labels += await read_agent_labels(session, texts, limit)
    known = {answer.id for answer in base.answers}
    labels = [label for label in labels if label.answer_id in known and label.question.strip()]
    return sorted(labels, key=lambda label: label.at, reverse=True)


def _has_table(connection: Connection, name: str) -> bool:
    return bool(inspect(connection).has_table(name))


async def get_question_decisions(db: Database) -> dict[tuple[str, str], str]:
    """(question key, answer id) → `accepted` or `rejected`, for every decision recorded
    (`records.question_key`); empty on a database not yet migrated to hold them."""
    async with db.reading() as session:
        connection = await session.connection()
        if not await connection.run_sync(_has_table, QuestionDecision.__tablename__):
            return {}
        rows = await session.execute(
            select(
                QuestionDecision.question_key, QuestionDecision.answer_id, QuestionDecision.decision
            )
        )
        return {(key, answer_id): decision for key, answer_id, decision in rows.all()}
