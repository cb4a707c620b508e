"""Every change to the stored conversations: each `do_*` is one transaction, all or nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.errors import ConversationError, Forbidden, UnknownConversation
from conversations.storage.database import Database
from conversations.storage.records import (
    NewInquiry,
    NewMessage,
    NewQuestionDecision,
    PageInfo,
    new_id,
    new_message_id,
    question_key,
)
from conversations.storage.tables import (
    Conversation,
    Feedback,
    Inquiry,
    InquiryVector,
    Message,
    PageView,
    PendingTurn,
    QuestionDecision,
    Visitor,
)

__all__ = [
    "NEW_VISIT_AFTER",
    "TurnClaim",
    "do_add_message",
    "do_case_change",
    "do_claim_turns",
    "do_create_conversation",
    "do_create_visitor",
    "do_finish_turn",
    "do_link_customer",
    "do_record_feedback",
    "do_record_page_view",
    "do_record_question_decisions",
    "do_release_turn",
    "do_renew_turns",
    "do_store_replies",
    "do_touch_visitor",
    "finish_turn",
]

T = TypeVar("T")
NEW_VISIT_AFTER = dt.timedelta(minutes=30)  # the usual web-analytics visit boundary


def _masked(text: str) -> str:
    """`bot.mask_personal_data`, imported on first use: commands that only read the
    database (`samsvar report`) import this package without the bot and its model."""
    from bot import mask_personal_data

    return mask_personal_data(text)


async def do_create_visitor(
    db: Database, now: dt.datetime, *, customer_id: str | None = None
) -> Visitor:
    """A new visitor; with `customer_id` (a verified identity), the customer's visitor."""
    visitor = Visitor(
        id=new_id(),
        created_at=now,
        last_seen_at=now,
        visits=1,
        attributes={},
        customer_id=customer_id,
    )
    async with db.writing() as session, session.begin():
        session.add(visitor)
    return visitor


async def do_link_customer(db: Database, visitor: Visitor, customer_id: str) -> Visitor:
    """Make an anonymous visitor the customer's (a verified identity; the caller holds the
    customer's lock and knows the customer has no visitor yet)."""
    async with db.writing() as session, session.begin():
        await session.execute(
            update(Visitor)
            .where(Visitor.id == visitor.id, Visitor.customer_id.is_(None))
            .values(customer_id=customer_id)
        )
    visitor.customer_id = customer_id
    return visitor


async def do_touch_visitor(db: Database, visitor: Visitor, now: dt.datetime) -> Visitor:
    """Note that the visitor is here; a gap of 30 minutes or more starts a new visit."""
    visits = visitor.visits + (1 if now - visitor.last_seen_at >= NEW_VISIT_AFTER else 0)
    async with db.writing() as session, session.begin():
        await session.execute(
            update(Visitor).where(Visitor.id == visitor.id).values(last_seen_at=now, visits=visits)
        )
    visitor.last_seen_at, visitor.visits = now, visits
    return visitor


async def do_create_conversation(
    db: Database,
    visitor_id: str,
    now: dt.datetime,
    *,
    page_url: str | None = None,
    language: str | None = None,
    channel: str = "widget",
    with_rows: Callable[[Conversation], Iterable[object]] | None = None,
) -> Conversation:
    """A new conversation; `with_rows` gives rows to add in the same transaction (a
    channel's key of the message that starts it)."""
    conversation = Conversation(
        id=new_id(),
        visitor_id=visitor_id,
        status="bot",
        channel=channel,
        language=language,
        page_url=page_url,
        last_seq=0,
        human_notice_sent=False,
        started_at=now,
        updated_at=now,
    )
    async with db.writing() as session, session.begin():
        session.add(conversation)
        if with_rows is not None:
            await session.flush()
            session.add_all(with_rows(conversation))
    return conversation


async def _take_seqs(
    session: AsyncSession, conversation_id: str, count: int, changes: dict[str, object]
) -> int:
    """Take the conversation's next `count` seqs and apply `changes` to it, in one statement
    (which locks its row until the transaction ends); returns the last seq taken."""
    result = await session.execute(
        update(Conversation)
        .where(Conversation.id == conversation_id)
        .values(last_seq=Conversation.last_seq + count, **changes)
        .returning(Conversation.last_seq)
    )
    return int(result.scalar_one())


def _row(new: NewMessage, conversation_id: str, seq: int, now: dt.datetime) -> Message:
    return Message(
        id=new_message_id(),
        conversation_id=conversation_id,
        seq=seq,
        role=new.role,
        kind=new.kind,
        text=_masked(new.text),  # decision 0110: cards and ids never stored
        lang=new.lang,
        client_id=new.client_id,
        reply_to=new.reply_to,
        decision=new.decision,
        answer_id=new.answer_id,
        choices=list(new.choices),
        links=list(new.links),
        flags=dict(new.flags),
        created_at=now,
    )


async def _owned(session: AsyncSession, visitor_id: str, conversation_id: str) -> Conversation:
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        raise UnknownConversation(f"no conversation {conversation_id!r}")
    if conversation.visitor_id != visitor_id:
        raise Forbidden("this conversation belongs to another visitor")
    return conversation


async def _by_client_id(
    session: AsyncSession, conversation_id: str, client_id: str
) -> Message | None:
    return await session.scalar(
        select(Message).where(
            Message.conversation_id == conversation_id, Message.client_id == client_id
        )
    )


async def do_add_message(
    db: Database,
    visitor_id: str,
    conversation_id: str,
    new: NewMessage,
    now: dt.datetime,
    *,
    check: Callable[[], None] | None = None,
    claim: TurnClaim | None = None,
) -> tuple[Message, Conversation, bool]:
    """Store one visitor message with the next seq; returns (message, conversation, duplicate).

    One transaction: `check()` runs first (e.g. the rate limit) and may raise a
    ConversationError to store nothing, unless the message is already stored; the
    conversation must be the visitor's (else UnknownConversation or Forbidden); a message whose
    `client_id` the conversation already has is not stored again: the stored one comes back
    with duplicate=True (also when two copies race, through the unique constraint).

    With a `claim`, the message is also recorded as a pending turn, claimed by that process
    (in the same transaction: an acknowledged message is never without its pending turn).
    """
    try:
        async with db.writing() as session, session.begin():
            if check is not None:
                try:
                    check()
                except ConversationError:
                    found = await _stored_copy(session, visitor_id, conversation_id, new)
                    if found is None:
                        raise
                    return (*found, True)
            conversation = await session.scalar(
                update(Conversation)
                .where(Conversation.id == conversation_id, Conversation.visitor_id == visitor_id)
                .values(last_seq=Conversation.last_seq + 1, updated_at=now)
                .returning(Conversation)
            )
            if conversation is None:
                await _owned(session, visitor_id, conversation_id)  # raises: unknown or not theirs
            assert conversation is not None
            message = _row(new, conversation_id, conversation.last_seq, now)
            session.add(message)
            if claim is not None:
                await session.flush()  # the message first: the pending turn refers to it
                session.add(
                    PendingTurn(
                        message_id=message.id,
                        conversation_id=conversation_id,
                        claimed_by=claim.owner,
                        claimed_until=claim.until,
                        attempts=1,
                        created_at=now,
                    )
                )
        return message, conversation, False
    except IntegrityError:
        if new.client_id is None:
            raise
        async with db.reading() as session:
            found = await _stored_copy(session, visitor_id, conversation_id, new)
        assert found is not None
        return (*found, True)


async def _stored_copy(
    session: AsyncSession, visitor_id: str, conversation_id: str, new: NewMessage
) -> tuple[Message, Conversation] | None:
    if new.client_id is None:
        return None
    found = await _by_client_id(session, conversation_id, new.client_id)
    if found is None:
        return None
    return found, await _owned(session, visitor_id, conversation_id)


async def do_store_replies(
    db: Database,
    conversation_id: str,
    replies: Sequence[NewMessage],
    now: dt.datetime,
    *,
    inquiry: NewInquiry | None = None,
    inquiry_message_id: str | None = None,
    status: str | None = None,
    language: str | None = None,
    human_notice_sent: bool | None = None,
    answered: str | None = None,
) -> list[Message]:
    """Store the bot's replies to one turn, its inquiry and the conversation's new status.

    `language` (the detected one) is set on the conversation and on the visitor's message
    `inquiry_message_id`; the pending turn of the visitor message `answered` is done.
    """
    changes: dict[str, object] = {"updated_at": now}
    for name, value in (
        ("status", status),
        ("language", language),
        ("human_notice_sent", human_notice_sent),
    ):
        if value is not None:
            changes[name] = value
    async with db.writing() as session, session.begin():
        last = await _take_seqs(session, conversation_id, len(replies), changes)
        first = last - len(replies) + 1
        stored = [_row(r, conversation_id, first + n, now) for n, r in enumerate(replies)]
        session.add_all(stored)
        if inquiry is not None:
            await _add_inquiry(session, inquiry, conversation_id, inquiry_message_id, now)
        if inquiry_message_id is not None and language is not None:
            await session.execute(
                update(Message).where(Message.id == inquiry_message_id).values(lang=language)
            )
        if answered is not None:
            await finish_turn(session, answered)
    return stored


async def _add_inquiry(
    session: AsyncSession,
    inquiry: NewInquiry,
    conversation_id: str,
    message_id: str | None,
    now: dt.datetime,
) -> None:
    """The inquiry's row, and its query vector's when the turn gave one (one more row, in
    the same transaction; nothing is embedded here)."""
    row = _inquiry_row(inquiry, conversation_id, message_id, now)
    session.add(row)
    if inquiry.query_vector is not None and inquiry.vector_model and inquiry.kind == "text":
        await session.flush()
        session.add(
            InquiryVector(
                inquiry_id=row.id, model=inquiry.vector_model, vector=inquiry.query_vector
            )
        )


def _inquiry_row(
    inquiry: NewInquiry, conversation_id: str, message_id: str | None, now: dt.datetime
) -> Inquiry:
    return Inquiry(
        conversation_id=conversation_id,
        message_id=message_id,
        text=_masked(inquiry.text),
        language=inquiry.language,
        decision=inquiry.decision,
        answer_id=inquiry.answer_id,
        confidence=inquiry.confidence,
        page_url=inquiry.page_url,
        channel=inquiry.channel,
        kind=inquiry.kind,
        ms=inquiry.ms,
        created_at=now,
        by_llm=inquiry.by_llm,
        citations=list(inquiry.citations),
        machine_translated=inquiry.machine_translated,
        source_lang=inquiry.source_lang,
        llm_fallback=inquiry.llm_fallback,
        retracted=inquiry.retracted,
        rewritten=None if inquiry.rewritten is None else _masked(inquiry.rewritten),
    )


async def do_record_page_view(
    db: Database,
    visitor_id: str,
    conversation_id: str | None,
    page: PageInfo,
    now: dt.datetime,
) -> PageView:
    """Record that the visitor is on `page`.

    A report of the page the visitor was last on, with at least as many seconds on it, is the
    same view reported again (a timer): it updates that view (and links it to the
    conversation that started on it since). Anything else is a new view.
    """
    async with db.writing() as session, session.begin():
        last = await session.scalar(
            select(PageView)
            .where(PageView.visitor_id == visitor_id)
            .order_by(PageView.id.desc())
            .limit(1)
        )
        same = (
            last is not None
            and last.url == page.url
            and last.conversation_id in (None, conversation_id)
            and page.seconds_on_page > 0
            and page.seconds_on_page >= last.seconds_on_page
        )
        if same and last is not None:
            last.seconds_on_page = page.seconds_on_page
            last.updated_at = now
            last.conversation_id = conversation_id  # a conversation may have started on it
            view = last
        else:
            view = PageView(
                visitor_id=visitor_id,
                conversation_id=conversation_id,
                url=page.url,
                title=page.title,
                referrer=page.referrer,
                lang=page.lang,
                seconds_on_page=page.seconds_on_page,
                created_at=now,
                updated_at=now,
            )
            session.add(view)
        if conversation_id is not None:
            await session.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id)
                .values(page_url=page.url)
            )
    return view


async def do_record_feedback(
    db: Database,
    conversation_id: str,
    message: Message,
    helpful: bool,
    now: dt.datetime,
) -> bool:
    """Record the visitor's feedback on a bot answer; False when it was given before."""
    row = Feedback(
        conversation_id=conversation_id,
        message_id=message.id,
        answer_id=message.answer_id,
        helpful=helpful,
        created_at=now,
    )
    try:
        async with db.writing() as session, session.begin():
            if await session.scalar(select(Feedback).where(Feedback.message_id == message.id)):
                return False
            session.add(row)
    except IntegrityError:
        return False
    return True


async def do_case_change(
    db: Database,
    conversation_id: str,
    now: dt.datetime,
    change: Callable[[AsyncSession], Awaitable[tuple[T, Sequence[NewMessage], str | None]]],
    *,
    first: Sequence[NewMessage] = (),
    inquiry: NewInquiry | None = None,
    inquiry_message_id: str | None = None,
    language: str | None = None,
    answered: str | None = None,
) -> tuple[T, list[Message]]:
    """A hand-off change and the conversation's side of it, in one transaction.

    `change` runs the hand-off actions in this session and returns its result, the messages
    it adds to the conversation and the conversation's new status (None: unchanged). `first`
    (e.g. the bot's hand-off message) is stored before those messages; the inquiry and the
    language and `answered` as in `do_store_replies`. Nothing is stored when `change` raises.
    """
    async with db.writing() as session, session.begin():
        result, messages, status = await change(session)
        replies = [*first, *messages]
        changes: dict[str, object] = {"updated_at": now}
        if status is not None:
            changes["status"] = status
        if language is not None:
            changes["language"] = language
        stored: list[Message] = []
        if replies or len(changes) > 1:
            last = await _take_seqs(session, conversation_id, len(replies), changes)
            seqs = range(last - len(replies) + 1, last + 1)
            stored = [
                _row(r, conversation_id, seq, now) for r, seq in zip(replies, seqs, strict=True)
            ]
            session.add_all(stored)
        if inquiry is not None:
            await _add_inquiry(session, inquiry, conversation_id, inquiry_message_id, now)
        if answered is not None:
            await finish_turn(session, answered)
    return result, stored


# --- pending turns ------------------------------------------------------------------------


@dataclass(frozen=True)
class TurnClaim:
    """A process's claim on the turns it works on: its id, and until when the claim holds."""

    owner: str
    until: dt.datetime


async def finish_turn(session: AsyncSession, message_id: str) -> None:
    """The turn of `message_id` is done (in the caller's transaction)."""
    await session.execute(delete(PendingTurn).where(PendingTurn.message_id == message_id))


async def do_finish_turn(db: Database, message_id: str) -> None:
    """The turn of `message_id` is done, with nothing more to store."""
    async with db.writing() as session, session.begin():
        await finish_turn(session, message_id)


async def do_release_turn(db: Database, message_id: str, expired: dt.datetime) -> None:
    """Give up the claim on a turn that failed, so that it is tried again (by any process)."""
    async with db.writing() as session, session.begin():
        await session.execute(
            update(PendingTurn)
            .where(PendingTurn.message_id == message_id)
            .values(claimed_until=expired)
        )


async def do_renew_turns(db: Database, claim: TurnClaim, message_ids: Sequence[str]) -> int:
    """Extend the process's claim on the turns it is working on now; returns how many."""
    if not message_ids:
        return 0
    async with db.writing() as session, session.begin():
        result = await session.execute(
            update(PendingTurn)
            .where(
                PendingTurn.claimed_by == claim.owner,
                PendingTurn.message_id.in_(list(message_ids)),
            )
            .values(claimed_until=claim.until)
        )
    return int(getattr(result, "rowcount", 0) or 0)


async def do_claim_turns(
    db: Database, claim: TurnClaim, now: dt.datetime, *, limit: int
) -> list[PendingTurn]:
    """Claim at most `limit` turns whose claim ran out before `now` (their process died), the
    oldest first; each is claimed by one process only, however many try at once."""
    async with db.reading() as session:
        candidates = (
            await session.scalars(
                select(PendingTurn.message_id)
                .where(PendingTurn.claimed_until < now)
                .order_by(PendingTurn.created_at)
                .limit(limit)
            )
        ).all()
    taken: list[PendingTurn] = []
    for message_id in candidates:
        async with db.writing() as session, session.begin():
            row = await session.scalar(
                update(PendingTurn)
                .where(PendingTurn.message_id == message_id, PendingTurn.claimed_until < now)
                .values(
                    claimed_by=claim.owner,
                    claimed_until=claim.until,
                    attempts=PendingTurn.attempts + 1,
                )
                .returning(PendingTurn)
            )
            if row is not None:
                taken.append(row)
    return taken


async def do_record_question_decisions(
    db: Database, decisions: Sequence[NewQuestionDecision], now: dt.datetime
) -> None:
    """Record the content team's decisions on questions, in one transaction; a decision on a
    (question, answer) decided before replaces the earlier one."""
    if not decisions:
        return
    insert = pg_insert if db.dialect == "postgresql" else sqlite_insert
    async with db.writing() as session, session.begin():
        for decision in decisions:
            values = {
                "question_key": question_key(decision.question),
                "question": decision.question,
                "answer_id": decision.answer_id,
                "decision": decision.decision,
                "sources": list(decision.sources),
                "created_at": now,
            }
            statement = insert(QuestionDecision).values(**values)
            await session.execute(
                statement.on_conflict_do_update(
                    index_elements=["question_key", "answer_id"],
                    set_={
                        "question": statement.excluded.question,
                        "decision": statement.excluded.decision,
                        "sources": statement.excluded.sources,
                        "created_at": statement.excluded.created_at,
                    },
                )
            )
