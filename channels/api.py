"""The channel API's rules (decision 0122): which customer an inquiry names, what a platform
is told of the bot's decision, and what it may read back (only its key's channels).

`app/web/channel_api.py` is the HTTP wiring over these.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from channels.api_keys import ApiKeyInfo
from channels.customers import customer_ref
from channels.errors import BadCustomer
from channels.inbound import InboundResult
from conversations.errors import UnknownConversation
from conversations.messages import message_json
from conversations.storage import Conversation, Database, get_messages
from handoff import UnknownCase
from handoff.tables import Case

__all__ = [
    "case_json",
    "customer_refs",
    "get_case_for_key",
    "get_conversation_for_key",
    "inquiry_json",
]


def customer_refs(
    email: str | None, phone: str | None, customer_id: str | None, *, country: str | None = None
) -> list[str]:
    """The stored references of a customer given by e-mail address, phone number and/or the
    operator's id (at least one); raises BadCustomer saying which is wrong."""
    refs = []
    for kind, value in (("email", email), ("phone", phone), ("id", customer_id)):
        if value is not None:
            refs.append(customer_ref(kind, value, country=country))
    if not refs:
        raise BadCustomer("body field `customer`: give at least one of email, phone and id")
    return refs


def case_json(case: Case) -> dict[str, Any]:
    """A case as a platform sees it: number and status (`queued`, `assigned`,
    `waiting_on_visitor`, `resolved`, `reopened`), and when it was opened and resolved."""
    return {
        "number": case.number,
        "status": case.status,
        "team": case.team,
        "created_at": case.created_at.isoformat(),
        "resolved_at": case.resolved_at.isoformat() if case.resolved_at else None,
    }


async def _latest_case(db: Database, conversation_id: str) -> Case | None:
    async with db.reading() as session:
        return await session.scalar(
            select(Case)
            .where(Case.conversation_id == conversation_id)
            .order_by(Case.created_at.desc())
            .limit(1)
        )


async def inquiry_json(db: Database, result: InboundResult, channel: str) -> dict[str, Any]:
    """What the platform is told: the decision (`answer`: the curated answer's id, text and
    links; `handoff`: the case; null: the message joined a case already open), the replies
    as stored, the case, and the conversation to continue or poll."""
    answer = None
    if result.decision == "answer":
        reply = next(r for r in result.replies if r.role == "bot" and r.decision == "answer")
        answer = {
            "id": reply.answer_id,
            "text": reply.text,
            "lang": reply.lang,
            "links": list(reply.links or ()),
        }
    case = await _latest_case(db, result.conversation_id) if result.case_number else None
    return {
        "ok": True,
        "conversation_id": result.conversation_id,
        "channel": channel,
        "decision": result.decision,
        "answer": answer,
        "case": case_json(case) if case is not None else None,
        "replies": [message_json(m) for m in result.replies],
        "duplicate": result.duplicate,
    }


async def _conversation_for(db: Database, conversation_id: str, key: ApiKeyInfo) -> Conversation:
    async with db.reading() as session:
        conversation = await session.get(Conversation, conversation_id)
    # another channel's conversation is as unknown as one that does not exist
    if (
        conversation is None
        or conversation.channel == "widget"
        or not key.allows(conversation.channel)
    ):
        raise UnknownConversation(
            f"no conversation {conversation_id[:40]!r} on this key's channels"
        )
    return conversation


async def get_conversation_for_key(
    db: Database, conversation_id: str, key: ApiKeyInfo, *, after_seq: int = 0
) -> dict[str, Any]:
    """A conversation of one of the key's channels: its messages (after `after_seq`) and
    its case. Raises UnknownConversation (none such, or on another channel)."""
    conversation = await _conversation_for(db, conversation_id, key)
    messages = await get_messages(db, conversation.id, after_seq=after_seq)
    case = await _latest_case(db, conversation.id)
    return {
        "ok": True,
        "conversation_id": conversation.id,
        "channel": conversation.channel,
        "status": conversation.status,
        "case": case_json(case) if case is not None else None,
        "messages": [message_json(m) for m in messages],
    }


async def get_case_for_key(db: Database, number: str, key: ApiKeyInfo) -> dict[str, Any]:
    """A case of a conversation on one of the key's channels, by number. Raises UnknownCase
    (none such, or on another channel)."""
    async with db.reading() as session:
        found = (
            await session.execute(
                select(Case, Conversation.channel)
                .join(Conversation, Conversation.id == Case.conversation_id)
                .where(Case.number == number.strip())
            )
        ).first()
    if found is None or found[1] == "widget" or not key.allows(found[1]):
        raise UnknownCase(f"no case {number[:40]!r} on this key's channels")
    case, channel = found
    return {
        "ok": True,
        "conversation_id": case.conversation_id,
        "channel": channel,
        "case": case_json(case),
    }
