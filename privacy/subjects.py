"""Whose data: a visitor (by id), a person (by e-mail address or phone number), a site's
verified customer (by customer id) or the visitor of a case (by case number), and the rows
that are theirs.

A visitor is the widget's visitor id. An e-mail address reaches every visitor whose case
carries it as the contact address or whose own messages contain it; a customer id every
visitor the site's signed identity linked to it (`visitors.customer_id`) and the visitor of
every case opened under it (`cases.customer_id`); a phone number the visitor a channel linked
it to. An address, a phone number or a customer id also reaches the visitor a channel (e-mail,
phone, the channel API) linked it to as a customer reference (`customer_refs`, decision 0120);
a case number the visitor of that case (what
an admin has in hand: the console shows only the public `v_…` id). Their data is then the
whole of those visitors' data (decision 0110).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from channels import BadCustomer, customer_ref
from channels.tables import CustomerRef
from conversations.identity import MAX_CUSTOMER_ID
from conversations.storage import Conversation, Message, Visitor
from handoff.numbers import CASE_NUMBER
from handoff.tables import Case, CaseReservation
from privacy.errors import BadSubject

__all__ = ["Subject", "find_visitors"]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_VISITOR = re.compile(r"[A-Za-z0-9_-]{1,32}")
_KINDS = ("visitor", "email", "phone", "customer", "case")


@dataclass(frozen=True)
class Subject:
    """A visitor id, an e-mail address, a phone number, a customer id or a case number
    (exactly one)."""

    visitor: str | None = None
    email: str | None = None
    customer: str | None = None
    case: str | None = None
    phone: str | None = None

    def __post_init__(self) -> None:
        given = [kind for kind in _KINDS if getattr(self, kind) is not None]
        if len(given) != 1:
            raise BadSubject(
                "give exactly one of a visitor id, an e-mail address, a phone number, a "
                "customer id and a case number"
            )
        if self.visitor is not None and not _VISITOR.fullmatch(self.visitor):
            raise BadSubject(f"{self.visitor!r} is not a visitor id (1–32 letters, digits, - or _)")
        if self.email is not None:
            if len(self.email) > 320 or not _EMAIL.fullmatch(self.email):
                raise BadSubject(f"{self.email!r} is not an e-mail address")
            object.__setattr__(self, "email", self.email.strip().casefold())
        if self.customer is not None and (
            not self.customer
            or len(self.customer) > MAX_CUSTOMER_ID
            or not self.customer.isprintable()
        ):
            raise BadSubject(
                f"{self.customer!r} is not a customer id (1 to {MAX_CUSTOMER_ID} printable "
                "characters, as the site signs it)"
            )
        if self.phone is not None:
            try:
                object.__setattr__(self, "phone", customer_ref("phone", self.phone)[4:])
            except BadCustomer as exc:
                raise BadSubject(f"{self.phone!r} is not a phone number") from exc
        if self.case is not None:
            if not CASE_NUMBER.fullmatch(self.case.strip()):
                raise BadSubject(f"{self.case!r} is not a case number like S-2026-000123")
            object.__setattr__(self, "case", self.case.strip())

    @property
    def kind(self) -> str:
        """Which kind of subject: visitor, email, phone, customer or case (what the audit log keeps;
        never the id or address itself)."""
        return next(kind for kind in _KINDS if getattr(self, kind) is not None)

    def as_json(self) -> dict[str, str]:
        return {self.kind: str(getattr(self, self.kind))}


async def find_visitors(session: AsyncSession, subject: Subject) -> list[str]:
    """The ids of the subject's visitors (those that exist), sorted."""
    if subject.visitor is not None:
        exists = await session.get(Visitor, subject.visitor)
        return [subject.visitor] if exists is not None else []
    if subject.phone is not None:
        by_ref = select(CustomerRef.visitor_id).where(CustomerRef.ref == "tel:" + subject.phone)
        return sorted(set(await session.scalars(by_ref)))
    if subject.customer is not None:
        linked = union(
            select(Visitor.id).where(Visitor.customer_id == subject.customer),
            select(Case.visitor_id).where(Case.customer_id == subject.customer),
            select(CustomerRef.visitor_id).where(CustomerRef.ref == "id:" + subject.customer),
        ).subquery()
        rows = await session.scalars(select(Visitor.id).where(Visitor.id.in_(select(linked))))
        return sorted(set(rows))
    if subject.case is not None:
        # A number given to an e-mail before it had a case (decision 0124) names the
        # conversation the bot answered: the customer quotes it all the same.
        of_case = union(
            select(Case.visitor_id).where(Case.number == subject.case),
            select(Conversation.visitor_id)
            .join(CaseReservation, CaseReservation.conversation_id == Conversation.id)
            .where(CaseReservation.number == subject.case),
        ).subquery()
        rows = await session.scalars(select(Visitor.id).where(Visitor.id.in_(select(of_case))))
        return sorted(set(rows))
    email = str(subject.email)
    like = "%" + email.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    by_case = select(Case.visitor_id).where(func.lower(Case.contact_email) == email)
    by_message = (
        select(Conversation.visitor_id)
        .join(Message, Message.conversation_id == Conversation.id)
        .where(Message.role == "visitor", func.lower(Message.text).like(like, escape="\\"))
    )
    rows = await session.scalars(
        select(Conversation.visitor_id)
        .where(or_(Conversation.visitor_id.in_(by_case), Conversation.visitor_id.in_(by_message)))
        .distinct()
    )
    by_ref = select(CustomerRef.visitor_id).where(CustomerRef.ref == "email:" + email)
    return sorted(set(rows) | set(await session.scalars(by_ref)))
