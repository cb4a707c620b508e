"""The tables of the channels: the customer references that link a customer's visitor across
channels, the keys that make an inbound message idempotent, the channel API's keys, and the
webhooks with their deliveries and tries.

They share the declarative base and time type of every other table (`handoff.tables.Base`),
so `app`'s Alembic migrates them with the rest (migrations 0012 and 0014).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from handoff.tables import Base

__all__ = ["ApiKey", "CustomerRef", "InboundKey", "Webhook", "WebhookDelivery", "WebhookTry"]


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


class ApiKey(Base):
    """A key of the channel API: only the SHA-256 of its secret is kept (decision 0122).
    `channels` is the list of channel names it may post on, empty for all of them."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    secret_hash: Mapped[str] = mapped_column(String(64))
    channels: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str | None] = mapped_column(String(64))
    last_used_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]


class Webhook(Base):
    """Where the events of one channel's cases are sent, signed with `secret`. `scanned_to`
    is the high-water mark of the events already turned into deliveries."""

    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), index=True)
    url: Mapped[str] = mapped_column(String(2048))
    secret: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[dt.datetime]
    created_by: Mapped[str | None] = mapped_column(String(64))
    scanned_to: Mapped[dt.datetime]
    removed_at: Mapped[dt.datetime | None]


class WebhookDelivery(Base):
    """One event for one webhook: made once (`event` is unique per webhook), tried until a
    2xx came back or the tries ran out. It holds the body it sends, so it goes with the
    conversation the event is about (the erasure of a visitor removes it)."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("webhook_id", "event", name="uq_webhook_deliveries_webhook_event"),
        Index("ix_webhook_deliveries_due", "status", "next_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    webhook_id: Mapped[str] = mapped_column(ForeignKey("webhooks.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(64))  # `message:<id>`, `case_event:<id>`
    kind: Mapped[str] = mapped_column(String(24))  # agent_reply | resolved | reopened
    conversation_id: Mapped[str] = mapped_column(
        ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # pending | delivered | failed
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[dt.datetime]
    leased_until: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime]
    delivered_at: Mapped[dt.datetime | None]


class WebhookTry(Base):
    """One try of a delivery: what came back (status code), or what went wrong (error)."""

    __tablename__ = "webhook_tries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    delivery_id: Mapped[str] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[dt.datetime]
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(200))
    duration_ms: Mapped[int] = mapped_column(Integer)
