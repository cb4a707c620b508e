"""The e-mail channel's tables (migration 0013): each inbound mail as received (kept before
the sending server is told 250, so none is lost), its attachments, and the outbox of mails
to send (one row per cause, so none is sent twice).

A mail, its attachments and its outgoing mails are deleted with their conversation (the
foreign keys cascade), so a visitor's erasure takes them too.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from handoff.tables import Base

__all__ = ["MailAttachment", "MailIn", "MailOut"]


class MailIn(Base):
    """A received mail, keyed by its Message-ID (or the one made for it). `status`:
    `pending` until a worker claims it (`processing` until `claimed_until`), then
    `acknowledged` (its `case_number` given and its acknowledgement queued, decision 0124)
    until a worker answers it (`answering`), then `done` (registered: `conversation_id`);
    or `skipped` (`reason`). A reply to an open case goes from `processing` to `done`.
    `raw` is emptied once it is done or skipped: what the agent needs is in the
    conversation and the attachments."""

    __tablename__ = "mails_in"
    __table_args__ = (Index("ix_mails_in_status", "status", "claimed_until"),)

    message_id: Mapped[str] = mapped_column(String(250), primary_key=True)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    envelope_from: Mapped[str | None] = mapped_column(String(320))
    from_addr: Mapped[str | None] = mapped_column(String(320), index=True)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(200))
    case_number: Mapped[str | None] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_until: Mapped[dt.datetime | None]
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    received_at: Mapped[dt.datetime]
    done_at: Mapped[dt.datetime | None]


class MailAttachment(Base):
    """A file of a received mail; `data` is None when it was left out (`skipped`: why,
    e.g. `too_large`), so that the agent sees its name and size all the same."""

    __tablename__ = "mail_attachments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[str] = mapped_column(
        ForeignKey("mails_in.message_id", ondelete="CASCADE"), index=True
    )
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(128))
    size: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[str | None] = mapped_column(String(32))
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime]


class MailOut(Base):
    """A mail to send. `cause` says what made it (`auto:<Message-ID>` the automatic answer
    or acknowledgement of a mail, `agent:<message id>` an agent's reply) and is unique, so
    a cause is written once and sent once. `status`: `pending` (next try at `next_try_at`),
    `sending` (claimed until `claimed_until`), `sent`. `automatic` marks the channel's own
    answers, counted by the per-sender limit."""

    __tablename__ = "mails_out"
    __table_args__ = (
        Index("ix_mails_out_due", "status", "next_try_at"),
        Index("ix_mails_out_recipient", "to_addr", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    cause: Mapped[str] = mapped_column(String(260), unique=True)
    conversation_id: Mapped[str | None] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    automatic: Mapped[bool]
    to_addr: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(400))
    body: Mapped[str] = mapped_column(Text)
    lang: Mapped[str] = mapped_column(String(8))
    message_id: Mapped[str] = mapped_column(String(250), unique=True)  # ours, for threading
    in_reply_to: Mapped[str | None] = mapped_column(String(250))
    references: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    next_try_at: Mapped[dt.datetime]
    claimed_until: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    sent_at: Mapped[dt.datetime | None]
