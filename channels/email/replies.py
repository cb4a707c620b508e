"""An agent's reply goes out by e-mail: in an e-mail case always, and in a widget case when
the visitor left an address (the case's contact e-mail) and has not been seen for a while
after the reply (the promise "we will send the answer to your e-mail too").

Replies are found in the database, not in the hub's events, so none is missed across a
restart: each round looks at the agent messages of cases changed in the last day that have
no outbox row yet (`agent:<message id>` is unique, so a reply is written and sent once).
A widget visitor's address is linked to the visitor (`do_link_refs`), so the visitor's
answer by e-mail joins the case.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from sqlalchemy import and_, exists, literal, or_, select
from sqlalchemy.exc import IntegrityError

from channels.customers import customer_ref, do_link_refs
from channels.email.intake import EmailConfig, mail_subject
from channels.email.tables import MailIn, MailOut
from channels.email.texts import mail_language, say
from channels.errors import BadCustomer
from channels.tables import CustomerRef
from conversations.services import Services
from conversations.storage import Conversation, Message, Visitor
from handoff.tables import Case

__all__ = ["LOOK_BACK", "do_mail_agent_replies"]

log = logging.getLogger(__name__)

LOOK_BACK = dt.timedelta(days=1)


async def do_mail_agent_replies(
    services: Services, config: EmailConfig, *, widget_after: dt.timedelta, limit: int = 100
) -> int:
    """One round: put every agent reply that should go out by e-mail in the outbox; how
    many were put there."""
    now = services.clock()
    since = now - LOOK_BACK
    not_queued = ~exists().where(MailOut.cause == literal("agent:") + Message.id)
    async with services.db.reading() as session:
        rows = (
            await session.execute(
                select(Message, Case, Conversation.channel, Conversation.visitor_id)
                .join(Case, Case.conversation_id == Message.conversation_id)
                .join(Conversation, Conversation.id == Message.conversation_id)
                .join(Visitor, Visitor.id == Conversation.visitor_id)
                .where(
                    Case.updated_at > since,
                    Message.role == "agent",
                    Message.created_at > since,
                    Message.created_at >= Case.created_at,  # the case the reply was in
                    or_(Case.resolved_at.is_(None), Message.created_at <= Case.resolved_at),
                    not_queued,
                    or_(
                        Conversation.channel == "email",
                        and_(
                            Conversation.channel == "widget",
                            Case.contact_email.is_not(None),
                            Visitor.last_seen_at < Message.created_at,
                            Message.created_at <= now - widget_after,
                        ),
                    ),
                )
                .order_by(Message.created_at)
                .limit(limit)
            )
        ).all()
    queued = 0
    seen: set[str] = set()
    for message, case, channel, visitor_id in rows:
        if message.id in seen:
            continue
        seen.add(message.id)
        if await _queue(services, config, message, case, channel, visitor_id):
            queued += 1
    return queued


async def _queue(
    services: Services,
    config: EmailConfig,
    message: Message,
    case: Case,
    channel: str,
    visitor_id: str,
) -> bool:
    now = services.clock()
    async with services.db.reading() as session:
        last_in = (
            await session.execute(
                select(MailIn.message_id, MailIn.from_addr)
                .where(MailIn.conversation_id == message.conversation_id, MailIn.status == "done")
                .order_by(MailIn.received_at.desc())
                .limit(1)
            )
        ).first()
        last_out = await session.scalar(
            select(MailOut)
            .where(MailOut.conversation_id == message.conversation_id)
            .order_by(MailOut.created_at.desc())
            .limit(1)
        )
        ref = await session.scalar(
            select(CustomerRef.ref)
            .where(CustomerRef.visitor_id == visitor_id, CustomerRef.ref.like("email:%"))
            .limit(1)
        )
    if channel == "email":
        to_addr = (last_in.from_addr if last_in else None) or (ref or "")[len("email:") :]
    else:
        to_addr = (case.contact_email or "").strip().lower()
    if not to_addr:
        log.warning("the agent's reply %s has no address to go to", message.id)
        return False
    if channel != "email":
        try:
            await do_link_refs(services.db, visitor_id, [customer_ref("email", to_addr)], now)
        except BadCustomer:
            log.warning("case %s has a contact e-mail that is no address", case.number)
            return False
    lang = mail_language(case.language, message.lang)
    previous = last_out.subject if last_out is not None else ""
    thread = [x for x in ((last_out.references or "").split() if last_out else []) if x]
    if last_out is not None:
        thread.append(last_out.message_id)
    if last_in is not None and last_in.message_id not in thread:
        thread.append(last_in.message_id)
    body = f"{message.text}\n\n{say('agent_footer', lang, case=case.number)}"
    try:
        async with services.db.writing() as session, session.begin():
            session.add(
                MailOut(
                    id=uuid.uuid4().hex,
                    cause="agent:" + message.id,
                    conversation_id=message.conversation_id,
                    automatic=False,
                    to_addr=to_addr,
                    subject=mail_subject(previous, case.number, lang),
                    body=body,
                    lang=lang,
                    message_id=f"<samsvar-{uuid.uuid4().hex}@{config.domain}>",
                    in_reply_to=thread[-1] if thread else None,
                    references=" ".join(thread[-10:]) or None,
                    status="pending",
                    attempts=0,
                    next_try_at=now,
                    created_at=now,
                )
            )
    except IntegrityError:
        return False  # another process wrote it first
    log.info("the agent's reply in case %s goes to %s by e-mail", case.number, to_addr)
    return True
