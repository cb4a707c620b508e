"""The tables: visitors, conversations, messages, inquiries, page views, feedback, and the
content team's decisions on questions learnt from them.

They share one declarative base and one time type with the hand-off's tables
(`handoff.tables.Base`, `UtcDateTime`): times are stored as UTC and read back as aware
datetimes on every database (SQLite keeps no time zone). A case belongs to its conversation
(a foreign key, deleted with it). Ids are opaque strings issued by the server (see
docs/api.md, "Identities"). Changing a table means a new migration in `app/migrations/versions/`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Mapped, mapped_column

from handoff.tables import Base, Case, UtcDateTime

__all__ = [
    "Base",
    "Conversation",
    "Feedback",
    "Inquiry",
    "InquiryVector",
    "Message",
    "PageView",
    "PendingTurn",
    "QuestionDecision",
    "UtcDateTime",
    "Visitor",
]

ID = 32  # visitor and conversation ids are 22 characters, message ids 24
URL = 2048


# The cases belong to their conversation: a foreign key that `handoff` cannot name (it knows
# nothing of conversations), added to its table here, where both tables are known.
class Visitor(Base):
    __tablename__ = "visitors"
    __table_args__ = (Index("uq_visitors_customer_id", "customer_id", unique=True),)

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    created_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    visits: Mapped[int] = mapped_column(Integer, default=1)  # activity with gaps < 30 minutes
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)  # operator-set
    # The site's id of its signed-in customer, from a signed identity the server checked
    # (conversations.identity): every device of the customer goes on as this visitor.
    customer_id: Mapped[str | None] = mapped_column(String(128))


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_visitor_updated", "visitor_id", "updated_at"),
        # insights: a period's visitors, from the index alone
        Index("ix_conversations_started_at", "started_at", "visitor_id"),
    )

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(32), default="bot")  # bot | waiting_human | …
    # Where it came in: `widget` (a chat), or a channel without a dialogue (`email`,
    # `phone`, `desk`, or a channel API's name), where the bot answers or hands off.
    channel: Mapped[str] = mapped_column(String(16), default="widget", server_default="widget")
    language: Mapped[str | None] = mapped_column(String(8))
    page_url: Mapped[str | None] = mapped_column(String(URL))
    last_seq: Mapped[int] = mapped_column(Integer, default=0)  # the seq of its last message
    human_notice_sent: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (
        UniqueConstraint("conversation_id", "seq"),
        UniqueConstraint("conversation_id", "client_id"),
        # the channels' webhooks find agents' replies by time (migration 0014)
        Index("ix_messages_created_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # visitor | bot | agent | system
    kind: Mapped[str] = mapped_column(String(16), default="text")  # text | choice | human
    text: Mapped[str] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String(8))
    client_id: Mapped[str | None] = mapped_column(String(64))
    reply_to: Mapped[str | None] = mapped_column(String(ID), index=True)  # a visitor message
    decision: Mapped[str | None] = mapped_column(String(16))
    answer_id: Mapped[str | None] = mapped_column(String(128))
    choices: Mapped[list[Any]] = mapped_column(default=list)
    links: Mapped[list[Any]] = mapped_column(default=list)
    flags: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime]


class PendingTurn(Base):
    """A visitor message that was acknowledged and has no reply yet: written in the same
    transaction as the message, deleted when its turn is done. A process works on a turn while
    its claim lasts (`claimed_until`, renewed while it works); a claim that ran out belongs to a
    process that died, and any process takes the turn up again."""

    __tablename__ = "pending_turns"
    __table_args__ = (Index("ix_pending_turns_claimed_until", "claimed_until"),)

    message_id: Mapped[str] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True
    )
    conversation_id: Mapped[str] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    claimed_by: Mapped[str] = mapped_column(String(32))  # the process working on it
    claimed_until: Mapped[dt.datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime]


class Inquiry(Base):
    """One registered question (a turn), from any channel."""

    __tablename__ = "inquiries"
    __table_args__ = (
        # Insights counts a period's inquiries from this index alone (no row is read); it
        # replaced ix_inquiries_created_at, whose column it starts with.
        Index(
            "ix_inquiries_insights",
            "created_at",
            "kind",
            "decision",
            "language",
            "channel",
            "answer_id",
            "conversation_id",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), index=True
    )
    message_id: Mapped[str | None] = mapped_column(String(ID), index=True)  # visitor's message
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    decision: Mapped[str] = mapped_column(String(16))
    answer_id: Mapped[str | None] = mapped_column(String(128))
    confidence: Mapped[float] = mapped_column(Float)
    page_url: Mapped[str | None] = mapped_column(String(URL))
    channel: Mapped[str] = mapped_column(String(16))
    # The visitor message's kind: `text` (a question in their words), or a click (`choice`,
    # `human`, `skip`); insights counts questions, not clicks.
    kind: Mapped[str] = mapped_column(String(16), default="text", server_default="text")
    ms: Mapped[float] = mapped_column(Float)  # time the bot took
    created_at: Mapped[dt.datetime]  # indexed first in ix_inquiries_insights
    # What the optional LLM did (docs/llm.md, "Counting"); all false or empty without one.
    by_llm: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    citations: Mapped[list[Any]] = mapped_column(default=list, server_default=sql_text("'[]'"))
    machine_translated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    source_lang: Mapped[str | None] = mapped_column(String(8))
    llm_fallback: Mapped[str | None] = mapped_column(String(32))
    retracted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    rewritten: Mapped[str | None] = mapped_column(Text)


class PageView(Base):
    __tablename__ = "page_views"
    __table_args__ = (Index("ix_page_views_visitor_created", "visitor_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id", ondelete="CASCADE"))
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL")
    )
    url: Mapped[str] = mapped_column(String(URL))
    title: Mapped[str | None] = mapped_column(String(512))
    referrer: Mapped[str | None] = mapped_column(String(URL))
    lang: Mapped[str | None] = mapped_column(String(16))
    seconds_on_page: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[dt.datetime]
    updated_at: Mapped[dt.datetime]


class Feedback(Base):
    """The visitor's "did this help?" on one bot answer (the first click counts)."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    message_id: Mapped[str] = mapped_column(String(ID), unique=True)
    answer_id: Mapped[str | None] = mapped_column(String(128))
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime]


class QuestionDecision(Base):
    """The content team's decision on a visitor question as a phrasing of an answer:
    `accepted` (written into the answer's file) or `rejected`; the candidate is not listed
    again. One row per (question, answer); a later decision replaces it."""

    __tablename__ = "question_decisions"
    __table_args__ = (UniqueConstraint("question_key", "answer_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    question_key: Mapped[str] = mapped_column(String(64))  # SHA-256 of the normalised question
    question: Mapped[str] = mapped_column(Text)  # as written into the file (or rejected)
    answer_id: Mapped[str] = mapped_column(String(128))
    decision: Mapped[str] = mapped_column(String(16))  # accepted | rejected
    sources: Mapped[list[Any]] = mapped_column(default=list)  # helpful, agent, assigned
    created_at: Mapped[dt.datetime]


cast(Table, Case.__table__).append_constraint(
    ForeignKeyConstraint(
        ["conversation_id"],
        [Conversation.id],
        name="fk_cases_conversation_id_conversations",
        ondelete="CASCADE",
    )
)


class InquiryVector(Base):
    """The query vector the bot computed for an unanswered question while answering it
    (float16 bytes), kept so that insights' gaps need not embed it again; `model` is the
    encoder's model version, a vector of another version is not used."""

    __tablename__ = "inquiry_vectors"

    inquiry_id: Mapped[int] = mapped_column(
        ForeignKey("inquiries.id", ondelete="CASCADE"), primary_key=True
    )
    model: Mapped[str] = mapped_column(String(128))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
