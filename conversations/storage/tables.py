"""The tables: visitors, conversations, messages, inquiries, page views, feedback, and the
content team's decisions on questions learnt from them.

Times are stored as UTC and read back as aware datetimes on every database (SQLite keeps no
time zone). Ids are opaque strings issued by the server (see docs/api.md, "Identities").
Changing a table means a new migration in `app/migrations/versions/`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy import text as sql_text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "Base",
    "Conversation",
    "Feedback",
    "Inquiry",
    "Message",
    "PageView",
    "QuestionDecision",
    "Visitor",
]

ID = 32  # visitor and conversation ids are 22 characters, message ids 24
URL = 2048


class UtcDateTime(TypeDecorator[dt.datetime]):
    """An aware UTC datetime on every database; naive values are refused."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: pass an aware UTC time")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        assert isinstance(value, dt.datetime)
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads it from the class)
        dt.datetime: UtcDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class Visitor(Base):
    __tablename__ = "visitors"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    created_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    visits: Mapped[int] = mapped_column(Integer, default=1)  # activity with gaps < 30 minutes
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)  # operator-set


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (Index("ix_conversations_visitor_updated", "visitor_id", "updated_at"),)

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(32), default="bot")  # bot | waiting_human | …
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


class Inquiry(Base):
    """One registered question (a turn), from any channel."""

    __tablename__ = "inquiries"

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
    ms: Mapped[float] = mapped_column(Float)  # time the bot took
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
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
