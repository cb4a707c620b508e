"""The tables of the channels: the customer references that link a customer's visitor across
channels, and the keys that make an inbound message idempotent.

They share the declarative base and time type of every other table (`handoff.tables.Base`),
so `app`'s Alembic migrates them with the rest (migration 0012).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from handoff.tables import Base

__all__ = ["CustomerRef", "InboundKey"]


class CustomerRef(Base):
    """One reference to a customer (`email:ola@example.no`, `tel:+4791234567`, `id:K-1001`),
    linked to the visitor that every channel's conversations of that customer belong to."""

    __tablename__ = "customer_refs"
    __table_args__ = (Index("ix_customer_refs_visitor", "visitor_id"),)

    ref: Mapped[str] = mapped_column(String(160), primary_key=True)
    visitor_id: Mapped[str] = mapped_column(ForeignKey("visitors.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime]


class InboundKey(Base):
    """An inbound message already taken in: a channel's own id of it (an e-mail's
    `Message-ID`, an API call's `Idempotency-Key`), so that a second delivery finds the first
    instead of registering the inquiry twice."""

    __tablename__ = "inbound_keys"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    # The visitor message's client id in that conversation (unique there): a second
    # delivery stores nothing new and gets the first one's replies.
    client_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime]
