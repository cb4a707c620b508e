"""A customer across channels: references (e-mail address, phone number, the operator's own
id) that all lead to one visitor, whose conversations and cases the agent sees together.

A reference is stored as `kind:value` with the value normalised: `email:kari@example.no`
(lower case), `tel:+4791234567` (digits, `+` and the country code where known), `id:K-1001`
(as the operator wrote it). The operator's own id is also a signed-in widget customer's id
(`visitors.customer_id`, decision 0111), so a customer who chats signed in and later calls
or writes is the same visitor. The first reference seen makes the visitor; every other
reference given with it is linked to that visitor; a reference already linked to another
visitor stays where it is (two customers are never merged behind the agent's back).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from bot import is_email_address
from channels.errors import BadCustomer
from channels.tables import CustomerRef
from conversations.locks import Locks
from conversations.storage import Conversation, Database, Visitor, do_create_visitor
from handoff.tables import Case

__all__ = [
    "KINDS",
    "CustomerHistory",
    "customer_ref",
    "do_find_customer",
    "do_link_refs",
    "find_customer",
    "get_customer_history",
    "get_customer_refs",
    "guess_ref",
]

KINDS = ("email", "phone", "id")
_PHONE = re.compile(r"\+?[0-9][0-9 ().\-/]{3,24}")
_ID = re.compile(r"[\w.@+\-/:#]{1,128}")


def customer_ref(kind: str, value: str, *, country: str | None = None) -> str:
    """The stored reference for `value` of `kind` (`email`, `phone` or `id`); raises
    BadCustomer saying what is wrong. `country` (like `+47`) is put before a phone number
    given without one."""
    value = value.strip()
    if kind == "email":
        if not is_email_address(value):
            raise BadCustomer(f"customer email {value[:60]!r} is not an e-mail address")
        return "email:" + value.lower()
    if kind == "phone":
        if not _PHONE.fullmatch(value):
            raise BadCustomer(f"customer phone {value[:60]!r} is not a phone number")
        digits = re.sub(r"[^0-9]", "", value)
        if value.startswith("+"):
            number = "+" + digits
        elif digits.startswith("00"):
            number = "+" + digits[2:]
        elif country:
            number = country + digits.lstrip("0")
        else:
            number = digits
        if not 5 <= len(number.lstrip("+")) <= 15:
            raise BadCustomer(f"customer phone {value[:60]!r} has not 5–15 digits")
        return "tel:" + number
    if kind == "id":
        if not _ID.fullmatch(value):
            raise BadCustomer(
                f"customer id {value[:60]!r} must be 1–128 letters, digits or . @ + - / : #"
            )
        return "id:" + value
    raise BadCustomer(f"unknown kind of customer reference {kind!r}; use one of {KINDS}")


def guess_ref(text: str, *, country: str | None = None) -> str:
    """A reference from what an agent typed: an e-mail address, else a phone number, else
    the operator's id."""
    text = text.strip()
    if is_email_address(text):
        return customer_ref("email", text)
    if _PHONE.fullmatch(text) and sum(c.isdigit() for c in text) >= 5:
        return customer_ref("phone", text, country=country)
    return customer_ref("id", text)


def _customer_id(ref: str) -> str | None:
    """The signed-in widget customer's id a reference names (`id:` references)."""
    return ref[3:] if ref.startswith("id:") else None


def _lock_name(ref: str) -> str:
    """The lock of a reference; an `id:` reference shares the widget's lock of that signed-in
    customer (`conversations.visits`), so a chat and a channel never make two visitors."""
    customer_id = _customer_id(ref)
    return f"customer:{customer_id}" if customer_id is not None else f"customer:{ref}"


async def _visitor_of(db: Database, ref: str) -> str | None:
    async with db.reading() as session:
        found = await session.get(CustomerRef, ref)
        if found is not None:
            return found.visitor_id
        customer_id = _customer_id(ref)
        if customer_id is not None:
            return await session.scalar(
                select(Visitor.id).where(Visitor.customer_id == customer_id)
            )
    return None


async def find_customer(db: Database, ref: str) -> str | None:
    """The visitor a stored reference leads to, or None (nothing is created)."""
    return await _visitor_of(db, ref)


async def do_find_customer(
    db: Database, locks: Locks, refs: Sequence[str], now: dt.datetime
) -> str:
    """The id of the visitor of the customer `refs` (stored references, at least one) name:
    the one the first known reference leads to, else a new one; the other references are
    linked to it. Safe against two channels finding the same new customer at once (the
    references' locks, and their primary key)."""
    if not refs:
        raise BadCustomer("give at least one customer reference (email, phone or id)")
    async with contextlib.AsyncExitStack() as held:
        # every reference's lock, in one order: two channels naming the same new customer by
        # different references (an address; the address and a phone) still wait for each other
        for name in sorted({_lock_name(ref) for ref in refs}):
            await held.enter_async_context(locks.hold(name))
        visitor_id = None
        for ref in refs:
            visitor_id = await _visitor_of(db, ref)
            if visitor_id is not None:
                break
        if visitor_id is None:
            customer_id = next((c for c in map(_customer_id, refs) if c), None)
            visitor_id = (await do_create_visitor(db, now, customer_id=customer_id)).id
        await do_link_refs(db, visitor_id, refs, now)
    return visitor_id


async def do_link_refs(
    db: Database, visitor_id: str, refs: Iterable[str], now: dt.datetime
) -> None:
    """Link each reference that leads nowhere yet to the visitor (one at a time, so that a
    reference another process linked first stays with its visitor)."""
    for ref in refs:
        if await _visitor_of(db, ref) is not None:
            continue
        try:
            async with db.writing() as session, session.begin():
                session.add(CustomerRef(ref=ref, visitor_id=visitor_id, created_at=now))
        except IntegrityError:
            continue  # linked by someone else a moment ago


async def get_customer_refs(db: Database, visitor_id: str) -> list[str]:
    """The references linked to a visitor, the signed-in customer's id among them."""
    async with db.reading() as session:
        refs = list(
            await session.scalars(
                select(CustomerRef.ref)
                .where(CustomerRef.visitor_id == visitor_id)
                .order_by(CustomerRef.ref)
            )
        )
        customer_id = await session.scalar(
            select(Visitor.customer_id).where(Visitor.id == visitor_id)
        )
    if customer_id and "id:" + customer_id not in refs:
        refs.append("id:" + customer_id)
    return refs


@dataclass(frozen=True)
class CustomerHistory:
    """What the agent sees of a customer: the references, and the conversations and cases
    of every channel, most recent first."""

    visitor_id: str
    refs: list[str]
    conversations: list[dict[str, Any]]
    cases: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        # The visitor id is a credential of the widget: never shown (decision 0111).
        return {
            "refs": self.refs,
            "conversations": self.conversations,
            "cases": self.cases,
        }


async def get_customer_history(
    db: Database, visitor_id: str, *, limit: int = 20
) -> CustomerHistory:
    """The customer's references and latest `limit` conversations and cases, from every
    channel (a signed-in customer's cases on other visitors included, by `customer_id`)."""
    refs = await get_customer_refs(db, visitor_id)
    async with db.reading() as session:
        conversations = (
            await session.scalars(
                select(Conversation)
                .where(Conversation.visitor_id == visitor_id)
                .order_by(Conversation.started_at.desc())
                .limit(limit)
            )
        ).all()
        customer_ids = [r[3:] for r in refs if r.startswith("id:")]
        where = Case.visitor_id == visitor_id
        if customer_ids:
            where = where | Case.customer_id.in_(customer_ids)
        cases = (
            await session.scalars(
                select(Case).where(where).order_by(Case.created_at.desc()).limit(limit)
            )
        ).all()
        channel_of = dict(
            (
                await session.execute(
                    select(Conversation.id, Conversation.channel).where(
                        Conversation.id.in_([c.conversation_id for c in cases])
                    )
                )
            ).all()
        )
    return CustomerHistory(
        visitor_id,
        refs,
        [
            {
                "id": c.id,
                "channel": c.channel,
                "status": c.status,
                "language": c.language,
                "started_at": c.started_at.isoformat(),
                "updated_at": c.updated_at.isoformat(),
            }
            for c in conversations
        ],
        [
            {
                "number": c.number,
                "conversation_id": c.conversation_id,
                "channel": channel_of.get(c.conversation_id, "widget"),
                "status": c.status,
                "team": c.team,
                "question": c.question,
                "created_at": c.created_at.isoformat(),
            }
            for c in cases
        ],
    )
