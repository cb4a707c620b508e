"""A message from a channel without a dialogue (e-mail, the channel API, a phone platform),
taken in once and answered once: the same `conversations` operations as the widget's, on a
conversation whose `channel` makes the bot answer or hand off (decision 0120).

Exactly once: the channel's own id of the message (`key`: an e-mail's `Message-ID`, an API
call's `Idempotency-Key`) is stored with the conversation it starts, in the same transaction,
and the message gets a client id made from it. A second delivery (a retry, a mail server that
delivers again, a process that died half-way) finds the conversation, stores nothing new, and
gets the first delivery's replies; a turn cut off by a crash is finished by the pending turns
(decision 0103) like any other.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from channels.customers import do_find_customer
from channels.errors import BadChannel, WrongCustomer
from channels.tables import InboundKey
from conversations.errors import Forbidden
from conversations.services import Services
from conversations.storage import Conversation, Message, check_conversation, do_create_conversation
from handoff import get_latest_case

__all__ = ["Inbound", "InboundResult", "check_channel", "do_inbound"]

_CHANNEL = re.compile(r"[a-z0-9][a-z0-9_\-]{0,15}")


def check_channel(name: str) -> str:
    """A channel name as stored (1–16 of a-z, 0-9, - and _); raises BadChannel. `widget`
    is the chat's own and cannot be used for a channel without a dialogue."""
    if not _CHANNEL.fullmatch(name) or name == "widget":
        raise BadChannel(
            f"channel {name[:40]!r} must be 1–16 of a-z, 0-9, - and _, and not 'widget'"
        )
    return name


@dataclass(frozen=True)
class Inbound:
    """One message from a channel: `refs` the customer's references (stored form, see
    `channels.customers`), `key` the channel's own id of the message, `conversation_id` the
    conversation it continues (a reply in a thread), `lang` a hint of its language."""

    channel: str
    refs: Sequence[str]
    text: str
    key: str
    conversation_id: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class InboundResult:
    """What became of it: the conversation and the message; the replies stored for it (the
    curated answer, or the hand-off and its acknowledgement; none when it joined a case an
    agent already has); `decision` (`answer`, `handoff`, or None when it joined an open
    case); `case_number` when the conversation has a case; `duplicate` when it was taken in
    before."""

    conversation_id: str
    visitor_id: str
    message: Message
    replies: list[Message]
    decision: str | None
    answer_id: str | None
    case_number: str | None
    duplicate: bool


def _client_id(channel: str, key: str) -> str:
    return "in-" + hashlib.sha256(f"{channel}\n{key}".encode()).hexdigest()[:40]


async def do_inbound(
    services: Services,
    inbound: Inbound,
    *,
    before_answer: Callable[[str], Awaitable[None]] | None = None,
) -> InboundResult:
    """Take in one message and answer it (the bot runs in its threads); raises BadChannel,
    BadCustomer, WrongCustomer, or the conversation errors of a message (InvalidText,
    RateLimited). `before_answer(conversation_id)` runs once the message is stored and
    before the bot reads it (the e-mail channel keeps the acknowledged case number for the
    conversation there, decision 0124)."""
    channel = check_channel(inbound.channel)
    chat, db = services.chat, services.db
    text = chat.check_text(inbound.text)
    # Without a key of the channel's own, the same words from the same customer are one
    # message (never the same words from two customers).
    key = inbound.key.strip()[:200] or _client_id(channel, "\n".join([*inbound.refs, text]))
    client_id = _client_id(channel, key)
    now = services.clock()
    async with chat.locks.hold(f"inbound:{channel}:{key}"):
        async with db.reading() as session:
            known = await session.get(InboundKey, (channel, key))
        if known is not None:
            conversation = await _conversation(services, known.conversation_id)
            visitor_id, client_id = conversation.visitor_id, known.client_id
        else:
            visitor_id = await do_find_customer(db, chat.locks, inbound.refs, now)
            if inbound.conversation_id is not None:
                try:
                    conversation = await check_conversation(db, visitor_id, inbound.conversation_id)
                except Forbidden as exc:
                    raise WrongCustomer(
                        "the conversation this message continues belongs to another customer"
                    ) from exc
                await _add_key(services, channel, key, conversation.id, client_id)
            else:
                conversation = await do_create_conversation(
                    db,
                    visitor_id,
                    now,
                    language=inbound.lang,
                    channel=channel,
                    with_rows=lambda c: [
                        InboundKey(
                            channel=channel,
                            key=key,
                            conversation_id=c.id,
                            client_id=client_id,
                            created_at=now,
                        )
                    ],
                )
        stored = await chat.do_send(visitor_id, conversation.id, client_id, text)
    if before_answer is not None:
        await before_answer(conversation.id)
    replies, _new = await chat.do_reply(stored, None, lang=inbound.lang)
    async with db.reading() as session:
        case = await get_latest_case(session, conversation.id)
    first = next((r for r in replies if r.role == "bot" and r.decision), None)
    return InboundResult(
        conversation.id,
        visitor_id,
        stored.message,
        replies,
        first.decision if first is not None else None,
        first.answer_id if first is not None else None,
        case.number if case is not None else None,
        stored.duplicate,
    )


async def _conversation(services: Services, conversation_id: str) -> Conversation:
    async with services.db.reading() as session:
        conversation = await session.get(Conversation, conversation_id)
    assert conversation is not None  # the key is deleted with its conversation
    return conversation


async def _add_key(
    services: Services, channel: str, key: str, conversation_id: str, client_id: str
) -> None:
    async with services.db.writing() as session, session.begin():
        session.add(
            InboundKey(
                channel=channel,
                key=key,
                conversation_id=conversation_id,
                client_id=client_id,
                created_at=services.clock(),
            )
        )
