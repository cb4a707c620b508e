"""Mail in, durably: a received mail is stored (`do_store_mail`) before the sending server
hears 250, and a worker (`do_take_mails`) takes each stored mail in once.

A worker claims a mail for a lease (`processing` until `claimed_until`), as a turn is claimed
(decision 0103): a worker that dies half-way leaves the claim to run out, and the next round
takes the mail up again. Every step of taking it in is idempotent, so doing it again does
nothing twice: `channels.do_inbound` registers the inquiry once per Message-ID, the automatic
mail is one outbox row per mail (`auto:<Message-ID>`), and the attachments are written with
the mail's `done` in one transaction.

Loops are kept out (decision 0121): no automatic mail answers a machine's mail
(`Auto-Submitted` other than `no`, `Precedence: bulk/junk/list`, a list's mail, an
auto-responder, a bounce), our own address, or a sender who already got `per_sender_hour`
automatic mails in the last hour. Auto-replies, bounces, our own mail and mail without a
sender are not inquiries: they are logged with the sender and the reason, and kept as
`skipped` rows with only their Message-ID (so a second delivery is known). Other
machine mail (a web form's `auto-generated` mail, a list) is registered without an answer.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import email.parser
import email.policy
import hashlib
import logging
import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from bot import MAX_MESSAGE_CHARS
from channels.customers import customer_ref
from channels.email.parse import ATTACHMENT_LIMIT, ParsedMail, parse_mail, synthetic_id
from channels.email.tables import MailAttachment, MailIn, MailOut
from channels.email.texts import mail_language, say
from channels.errors import ChannelError, WrongCustomer
from channels.inbound import Inbound, InboundResult, do_inbound
from channels.tables import CustomerRef
from conversations.errors import ConversationError, RateLimited
from conversations.services import Services
from conversations.storage import Conversation, Database
from handoff.numbers import CASE_NUMBER
from handoff.tables import Case

__all__ = [
    "EmailConfig",
    "TakeOutcome",
    "do_store_mail",
    "do_take_mail",
    "do_take_mails",
    "mail_subject",
]

log = logging.getLogger(__name__)

_SKIP = {"auto-replied": "auto_reply", "autoreply": "auto_reply", "bounce": "bounce"}
_NO_REPLY = {"auto-submitted", "precedence", "list"}
_REPLY_PREFIX = re.compile(r"^\s*((re|sv|vs|aw|ang|antw|vl|fw|fwd|vs)\s*:\s*)+", re.IGNORECASE)


@dataclass(frozen=True)
class EmailConfig:
    """The e-mail channel's settings: `address` is the support address and the sender of
    every mail; `attachment_limit` bytes per attachment; `per_sender_hour` automatic mails
    to one address an hour; `lease` how long a worker holds a mail."""

    address: str
    attachment_limit: int = ATTACHMENT_LIMIT
    per_sender_hour: int = 5
    lease: dt.timedelta = dt.timedelta(seconds=30)
    batch: int = 8

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2] or "localhost"


@dataclass(frozen=True)
class TakeOutcome:
    """What became of a mail: `done` (taken in; `reply` the outbox row's cause, or None
    with `no_reply` saying why not) or `skipped` (`reason`), or `later` (try again)."""

    message_id: str
    status: str
    reason: str | None = None
    result: InboundResult | None = None
    reply: str | None = None


def _message_id_of(raw: bytes) -> str:
    try:
        headers = email.parser.BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
        found = re.search(r"<[^<>\s]{1,240}>", str(headers.get("Message-ID") or ""))
    except Exception:
        found = None
    return found.group(0) if found else synthetic_id(raw)


async def do_store_mail(
    db: Database, raw: bytes, envelope_from: str | None, now: dt.datetime
) -> tuple[str, bool]:
    """Keep a received mail until it is taken in: (its Message-ID, whether it is new). A
    mail already kept (a second delivery of the same Message-ID) is not kept again."""
    message_id = _message_id_of(raw)
    try:
        async with db.writing() as session, session.begin():
            session.add(
                MailIn(
                    message_id=message_id,
                    raw=raw,
                    envelope_from=None if envelope_from is None else envelope_from[:320],
                    status="pending",
                    attempts=0,
                    received_at=now,
                )
            )
    except IntegrityError:
        return message_id, False
    return message_id, True


async def _claim(db: Database, now: dt.datetime, lease: dt.timedelta, limit: int) -> list[MailIn]:
    """Claim up to `limit` due mails, oldest first, in one transaction (on PostgreSQL the
    rows another worker is claiming are skipped, not waited for)."""
    due = or_(
        MailIn.status == "pending",
        MailIn.status == "processing",
    )
    free = or_(MailIn.claimed_until.is_(None), MailIn.claimed_until <= now)
    async with db.writing() as session, session.begin():
        rows = list(
            (
                await session.scalars(
                    select(MailIn)
                    .where(due, free)
                    .order_by(MailIn.received_at)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            ).all()
        )
        for row in rows:
            row.status = "processing"
            row.claimed_until = now + lease
            row.attempts += 1
    return rows


async def do_take_mails(services: Services, config: EmailConfig) -> list[TakeOutcome]:
    """One round: claim up to `config.batch` due mails and take each in (together)."""
    rows = await _claim(services.db, services.clock(), config.lease, config.batch)
    outcomes = await asyncio.gather(
        *(_take_safely(services, config, row) for row in rows), return_exceptions=False
    )
    return list(outcomes)


async def _take_safely(services: Services, config: EmailConfig, row: MailIn) -> TakeOutcome:
    try:
        return await do_take_mail(services, config, row)
    except Exception:  # left claimed: taken up again when the lease runs out
        log.exception("mail %s could not be taken in; it is tried again later", row.message_id)
        return TakeOutcome(row.message_id, "later", "error")


async def do_take_mail(services: Services, config: EmailConfig, row: MailIn) -> TakeOutcome:
    """Take one claimed mail in: parse it, keep loops out, register it (`do_inbound`),
    keep its attachments, and put its automatic mail in the outbox."""
    parsed = parse_mail(
        row.raw, attachment_limit=config.attachment_limit, envelope_from=row.envelope_from
    )
    skip = _skip_reason(parsed, config)
    if skip is not None:
        return await _skipped(services, row, parsed, skip)
    assert parsed.from_addr is not None
    ref = customer_ref("email", parsed.from_addr)
    text = _text_of(parsed)
    if not text:
        return await _skipped(services, row, parsed, "empty")
    try:
        result, joined = await _register(services, parsed, ref, text)
    except RateLimited as exc:
        later = services.clock() + dt.timedelta(seconds=max(1, exc.retry_after))
        await _update(services.db, row.message_id, status="pending", claimed_until=later)
        return TakeOutcome(row.message_id, "later", "rate_limited")
    except (ChannelError, ConversationError) as exc:
        return await _skipped(services, row, parsed, getattr(exc, "code", "invalid"))
    no_reply = "automatic:" + parsed.automatic if parsed.automatic in _NO_REPLY else None
    reply = None
    if no_reply is None:
        reply, no_reply = await _queue_reply(services, config, parsed, result, joined)
    await _done(services, row, parsed, result, no_reply)
    if no_reply is not None:
        log.info("mail %s taken in with no automatic mail: %s", row.message_id, no_reply)
    return TakeOutcome(row.message_id, "done", no_reply, result, reply)


def _skip_reason(parsed: ParsedMail, config: EmailConfig) -> str | None:
    if parsed.from_addr is None:
        return "no_sender"
    if parsed.from_addr == config.address.lower():
        return "own_address"
    if parsed.automatic in _SKIP:
        return _SKIP[parsed.automatic]
    return None


def _text_of(parsed: ParsedMail) -> str:
    text = parsed.text or _REPLY_PREFIX.sub("", parsed.subject).strip()
    if not text and parsed.attachments:
        text = "[" + ", ".join(a.name for a in parsed.attachments) + "]"
    return text[:MAX_MESSAGE_CHARS].strip()


async def _register(
    services: Services, parsed: ParsedMail, ref: str, text: str
) -> tuple[InboundResult, bool]:
    """(the result, whether the mail joined a case that was open before it)."""
    conversation_id = await _thread(services, parsed, ref)
    if conversation_id is not None:
        try:
            await _to_a_person(services, conversation_id, parsed.message_id)
            result = await do_inbound(
                services,
                Inbound("email", (ref,), text, parsed.message_id, conversation_id, parsed.language),
            )
            return result, result.case_number is not None
        except WrongCustomer:
            log.info("mail %s names another customer's conversation", parsed.message_id)
    result = await do_inbound(
        services, Inbound("email", (ref,), text, parsed.message_id, None, parsed.language)
    )
    return result, False


async def _thread(services: Services, parsed: ParsedMail, ref: str) -> str | None:
    """The conversation a reply continues: the one of a mail it answers (ours or the
    customer's), else the case whose number is in the subject; either only when the
    conversation is the sender's own (a stranger's reply starts a conversation of its own
    and touches nobody else's)."""
    async with services.db.reading() as session:
        visitor_id = await session.scalar(
            select(CustomerRef.visitor_id).where(CustomerRef.ref == ref)
        )
        if visitor_id is None:
            return None
        own = select(Conversation.id).where(Conversation.visitor_id == visitor_id)
        if parsed.thread_ids:
            ours = await session.execute(
                select(MailOut.message_id, MailOut.conversation_id).where(
                    MailOut.message_id.in_(parsed.thread_ids), MailOut.conversation_id.in_(own)
                )
            )
            theirs = await session.execute(
                select(MailIn.message_id, MailIn.conversation_id).where(
                    MailIn.message_id.in_(parsed.thread_ids), MailIn.conversation_id.in_(own)
                )
            )
            found = dict(ours.all()) | dict(theirs.all())
            for message_id in parsed.thread_ids:
                if found.get(message_id):
                    return str(found[message_id])
        numbers = [m.group(0) for m in CASE_NUMBER.finditer(parsed.subject)]
        if not numbers:
            return None
        case = await session.scalar(
            select(Case)
            .join(Conversation, Conversation.id == Case.conversation_id)
            .where(Case.number.in_(numbers), Conversation.visitor_id == visitor_id)
            .limit(1)
        )
        return case.conversation_id if case is not None else None


async def _to_a_person(services: Services, conversation_id: str, message_id: str) -> None:
    """A reply to our mail reaches a person, as the mail says: the conversation is handed
    off first (as a click on "talk to a person"), so the reply joins the case."""
    case = await services.handoffs.case_for(conversation_id)
    if case is not None and case.get("status") != "resolved":
        return
    async with services.db.reading() as session:
        conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        return
    client_id = "hu-" + hashlib.sha256(message_id.encode()).hexdigest()[:40]
    stored = await services.chat.do_ask_human(conversation.visitor_id, conversation_id, client_id)
    await services.chat.do_reply(stored, None)


def mail_subject(subject: str, case_number: str | None, lang: str) -> str:
    """Our subject: "Re: " and theirs (or a plain one), with the case number in brackets."""
    base = _REPLY_PREFIX.sub("", subject).strip() or say("subject", lang)
    if case_number and case_number not in base:
        base = f"{base} [{case_number}]"
    return ("Re: " + base)[:400]


async def _queue_reply(
    services: Services,
    config: EmailConfig,
    parsed: ParsedMail,
    result: InboundResult,
    joined: bool,
) -> tuple[str | None, str | None]:
    """Put the mail's one automatic mail in the outbox: (its cause, or None and why not)."""
    assert parsed.from_addr is not None
    cause = "auto:" + parsed.message_id
    now = services.clock()
    async with services.chat.locks.hold(f"mail-to:{parsed.from_addr}"):
        async with services.db.reading() as session:
            if await session.scalar(select(MailOut.id).where(MailOut.cause == cause)):
                return cause, None
            sent = await session.scalar(
                select(func.count())
                .select_from(MailOut)
                .where(
                    MailOut.to_addr == parsed.from_addr,
                    MailOut.automatic.is_(True),
                    MailOut.created_at > now - dt.timedelta(hours=1),
                )
            )
        if (sent or 0) >= config.per_sender_hour:
            return None, "per_sender_limit"
        body, lang = _reply_body(services, parsed, result, joined)
        try:
            async with services.db.writing() as session, session.begin():
                session.add(
                    MailOut(
                        id=uuid.uuid4().hex,
                        cause=cause,
                        conversation_id=result.conversation_id,
                        automatic=True,
                        to_addr=parsed.from_addr,
                        subject=mail_subject(parsed.subject, result.case_number, lang),
                        body=body,
                        lang=lang,
                        message_id=f"<samsvar-{uuid.uuid4().hex}@{config.domain}>",
                        in_reply_to=parsed.message_id,
                        references=" ".join([*parsed.references[-9:], parsed.message_id]),
                        status="pending",
                        attempts=0,
                        next_try_at=now,
                        created_at=now,
                    )
                )
        except IntegrityError:  # another worker wrote it first
            pass
    return cause, None


def _reply_body(
    services: Services, parsed: ParsedMail, result: InboundResult, joined: bool
) -> tuple[str, str]:
    bot_reply = next((r for r in result.replies if r.role == "bot" and r.decision), None)
    default = services.runner.bot.base.config.default_language
    lang = mail_language(
        bot_reply.lang if bot_reply is not None else None,
        result.message.lang,
        parsed.language,
        default,
    )
    if result.decision == "answer" and bot_reply is not None and not joined:
        links = "".join(f"\n{link}" for link in bot_reply.links if isinstance(link, str))
        return f"{bot_reply.text}{links}\n\n{say('answer_footer', lang)}", lang
    case = result.case_number or ""
    if joined and case:
        return say("added", lang, case=case), lang
    return say("acknowledgement", lang, case=case), lang


async def _done(
    services: Services,
    row: MailIn,
    parsed: ParsedMail,
    result: InboundResult,
    no_reply: str | None,
) -> None:
    now = services.clock()
    async with services.db.writing() as session, session.begin():
        await session.execute(
            delete(MailAttachment).where(MailAttachment.message_id == row.message_id)
        )
        for position, attachment in enumerate(parsed.attachments):
            session.add(
                MailAttachment(
                    message_id=row.message_id,
                    conversation_id=result.conversation_id,
                    position=position,
                    name=attachment.name,
                    content_type=attachment.content_type[:128],
                    size=attachment.size,
                    skipped=attachment.skipped,
                    data=attachment.data,
                    created_at=now,
                )
            )
        await session.execute(
            update(MailIn)
            .where(MailIn.message_id == row.message_id)
            .values(
                status="done",
                reason=no_reply,
                raw=b"",
                from_addr=parsed.from_addr,
                conversation_id=result.conversation_id,
                claimed_until=None,
                done_at=now,
            )
        )


async def _skipped(services: Services, row: MailIn, parsed: ParsedMail, reason: str) -> TakeOutcome:
    log.info(
        "mail %s from %s skipped: %s (%s)",
        row.message_id,
        parsed.from_addr or "no sender",
        reason,
        parsed.subject[:80] or "no subject",
    )
    await _update(
        services.db,
        row.message_id,
        status="skipped",
        reason=reason,
        raw=b"",
        from_addr=None,  # nothing personal is kept of a mail that is no inquiry (0121)
        envelope_from=None,
        claimed_until=None,
        done_at=services.clock(),
    )
    return TakeOutcome(row.message_id, "skipped", reason)


async def _update(db: Database, message_id: str, **values: Any) -> None:
    async with db.writing() as session, session.begin():
        await session.execute(
            update(MailIn).where(MailIn.message_id == message_id).values(**values)
        )
