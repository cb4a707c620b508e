"""The hand-off tables: cases, their numbers, events and notes; agents, their teams and
sign-ins.

They have their own declarative base and `MetaData` (handoff imports nothing of `app`);
`app`'s Alembic environment migrates both metadata objects together. A case refers to its
conversation and visitor by id (the conversation tables are app's). Times are aware UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "METADATA",
    "NAMING",
    "Agent",
    "AgentSignIn",
    "AgentTeam",
    "AuditEntry",
    "Base",
    "Case",
    "CaseCounter",
    "CaseEvent",
    "CaseNote",
    "CaseReservation",
    "UtcDateTime",
]

ID = 32
URL = 2048

#: Cases in these statuses wait in the queue.
WAITING = ("queued", "reopened")
#: Cases in these statuses are an agent's (they count towards `max_chats`).
HELD = ("assigned", "waiting_on_visitor")


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
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


#: The names of indexes and constraints, the same on every database.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
METADATA = MetaData(naming_convention=NAMING)


class Base(DeclarativeBase):
    """The one declarative base of the whole database: the hand-off's tables here, the
    conversations' in `conversations.storage.tables`, one time type (`UtcDateTime`)."""

    metadata = METADATA
    type_annotation_map = {  # noqa: RUF012 (SQLAlchemy reads it from the class)
        dt.datetime: UtcDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class Agent(Base):
    __tablename__ = "agents"

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # signs in with it, casefolded
    display_name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(256))
    totp_secret: Mapped[str | None] = mapped_column(String(64))  # base32; None: no second factor
    totp_last_step: Mapped[int | None] = mapped_column(Integer)  # the last code's time step
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    max_chats: Mapped[int] = mapped_column(Integer, default=3)
    status: Mapped[str] = mapped_column(String(16), default="offline")  # online | away | offline
    status_at: Mapped[dt.datetime]
    last_assigned_at: Mapped[dt.datetime | None]  # round robin among equally loaded agents
    created_at: Mapped[dt.datetime]


class AgentTeam(Base):
    __tablename__ = "agent_teams"

    agent_id: Mapped[str] = mapped_column(
        ForeignKey("agents.id", ondelete="CASCADE"), primary_key=True
    )
    team: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)


class AgentSignIn(Base):
    """A signed-in browser: the SHA-256 of its cookie's random token."""

    __tablename__ = "agent_sign_ins"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime]
    expires_at: Mapped[dt.datetime]


class CaseCounter(Base):
    """The last case number given in a year (numbers are gapless per year)."""

    __tablename__ = "case_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class CaseReservation(Base):
    """A case number given to a conversation before it has a case (an e-mail is
    acknowledged with its number before the bot has read it, decision 0124): the first case
    the conversation opens takes the number, and the row goes. A number is given once, from
    the same counter as the cases', so it never names two conversations."""

    __tablename__ = "case_reservations"

    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[str] = mapped_column(String(16), unique=True)
    created_at: Mapped[dt.datetime]


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # The queue is read one (status, urgency) group at a time in waiting order, straight
        # from this index; team and agent are in it so that filtering and counting never read
        # the rows (see handoff.queries.get_queue).
        Index(
            "ix_cases_waiting",
            "status",
            "urgency_rank",
            "waiting_since",
            "number",
            "team",
            "agent_id",
        ),
        Index("ix_cases_agent_status", "agent_id", "status"),
        Index("ix_cases_visitor_created", "visitor_id", "created_at"),
        Index("ix_cases_customer_created", "customer_id", "created_at"),
        # At most one open case per conversation: a resend can never open a second one.
        Index(
            "uq_cases_open_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=text("status != 'resolved'"),
            postgresql_where=text("status != 'resolved'"),
        ),
    )

    id: Mapped[str] = mapped_column(String(ID), primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)  # S-2026-000123
    conversation_id: Mapped[str] = mapped_column(String(ID), index=True)
    visitor_id: Mapped[str] = mapped_column(String(ID))  # a credential: never shown to agents
    customer_id: Mapped[str | None] = mapped_column(String(128))  # a verified identity's
    status: Mapped[str] = mapped_column(String(24))
    team: Mapped[str] = mapped_column(String(64))
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    urgency: Mapped[str] = mapped_column(String(8))
    urgency_rank: Mapped[int] = mapped_column(Integer)  # 0 low … 3 urgent
    urgency_reasons: Mapped[list[Any]] = mapped_column(default=list)  # [{rule, level, detail}]
    reason: Mapped[str] = mapped_column(String(24))
    question: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    page_url: Mapped[str | None] = mapped_column(String(URL))
    topic: Mapped[str | None] = mapped_column(String(128))
    tried: Mapped[list[Any]] = mapped_column(default=list)
    fields: Mapped[list[Any]] = mapped_column(default=list)  # [{name, status, value}]
    # A guided flow's way to the hand-off: [{step, label}], questions, decisions, the ending.
    path: Mapped[list[Any]] = mapped_column(default=list, server_default=text("'[]'"))
    failures: Mapped[int] = mapped_column(Integer, default=0)
    attributes: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the visitor's, then
    summary: Mapped[str | None] = mapped_column(Text)
    contact_email: Mapped[str | None] = mapped_column(String(320))
    off_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    previous_agent_id: Mapped[str | None] = mapped_column(String(ID))  # who had it last
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    rated_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    waiting_since: Mapped[dt.datetime]
    assigned_at: Mapped[dt.datetime | None]
    answered_at: Mapped[dt.datetime | None]  # the agent's reply since the last assignment
    first_response_at: Mapped[dt.datetime | None]
    last_message_at: Mapped[dt.datetime]
    resolved_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime]


class CaseEvent(Base):
    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    agent_id: Mapped[str | None] = mapped_column(String(ID))
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[dt.datetime]


class CaseNote(Base):
    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("agents.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime]


class AuditEntry(Base):
    """One action of an agent or admin (or of the operator on the command line), kept for
    admins to read (`handoff.audit`). `agent_id` has no foreign key: the entry outlives the
    agent."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime]
    action: Mapped[str] = mapped_column(String(32))
    agent_id: Mapped[str | None] = mapped_column(String(ID))  # who did it (None: CLI, unknown)
    actor: Mapped[str | None] = mapped_column(String(64))  # the agent's name, or "cli"
    address: Mapped[str | None] = mapped_column(String(64))  # the client address
    target: Mapped[str | None] = mapped_column(String(64))  # a case id, an agent, a visitor
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
