"""Whose data: a visitor (by id) or a person (by e-mail address), and the rows that are theirs.

A visitor is the widget's visitor id. An e-mail address reaches every visitor whose case
carries it as the contact address or whose own messages contain it; their data is then the
whole of those visitors' data (decision 0110).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.storage import Conversation, Message, Visitor
from handoff.tables import Case
from privacy.errors import BadSubject

__all__ = ["Subject", "find_visitors"]

_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_VISITOR = re.compile(r"[A-Za-z0-9_-]{1,32}")


@dataclass(frozen=True)
class Subject:
    """A visitor id or an e-mail address (exactly one)."""

    visitor: str | None = None
    email: str | None = None

    def __post_init__(self) -> None:
        if (self.visitor is None) == (self.email is None):
            raise BadSubject("give exactly one of a visitor id and an e-mail address")
        if self.visitor is not None and not _VISITOR.fullmatch(self.visitor):
            raise BadSubject(f"{self.visitor!r} is not a visitor id (1–32 letters, digits, - or _)")
        if self.email is not None:
            if len(self.email) > 320 or not _EMAIL.fullmatch(self.email):
                raise BadSubject(f"{self.email!r} is not an e-mail address")
            object.__setattr__(self, "email", self.email.strip().casefold())

    def as_json(self) -> dict[str, str]:
        return {"visitor": self.visitor} if self.visitor else {"email": str(self.email)}


async def find_visitors(session: AsyncSession, subject: Subject) -> list[str]:
    """The ids of the subject's visitors (those that exist), sorted."""
    if subject.visitor is not None:
        exists = await session.get(Visitor, subject.visitor)
        return [subject.visitor] if exists is not None else []
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
    return sorted(set(rows))
