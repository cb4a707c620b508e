"""Mail in, durably: a received mail is stored (`do_store_mail`) before the sending server
hears 250; a worker acknowledges it (`do_take_mails`), then answers it (`do_answer_mails`).

Two steps, so that a burst of mail is acknowledged in seconds, not after the bot has read
every mail before it (decision 0124). Acknowledging is cheap: a round of mails is parsed,
loops are kept out, and each new mail is given its case number (noted on the mail) and its
acknowledgement put in the outbox, in one transaction (`pending` → `acknowledged`).
Answering registers the mail as an inquiry (`channels.do_inbound`), keeps its number for
its conversation and lets the bot read it: the curated answer goes out as a second mail
when the bot is confident; otherwise the case opens with the number the acknowledgement
gave (`acknowledged` → `done`). A reply to an open case is taken in in one step: it joins
the case and is acknowledged as added (no bot).

A worker claims a mail for a lease (`processing` or `answering` until `claimed_until`), as a
turn is claimed (decision 0103): a worker that dies half-way leaves the claim to run out,
and the next round takes the mail up again. Every step is idempotent, so doing it again
does nothing twice: `do_inbound` registers the inquiry once per Message-ID, the number is
kept once per conversation, each automatic mail is one outbox row per mail and kind
(`auto:<Message-ID>`, `answer:<Message-ID>`), and the attachments are written with the
mail's status in one transaction.

Loops are kept out (decision 0121): no automatic mail answers a machine's mail
(`Auto-Submitted` other than `no`, `Precedence: bulk/junk/list`, a list's mail, an
auto-responder, a bounce), our own address, or a sender who already got `per_sender_hour`
acknowledgements in the last hour (a mail not acknowledged gets no answer mail either).
Auto-replies, bounces, our own mail and mail without a sender are not inquiries: they are
logged with the sender and the reason, and kept as `skipped` rows with only their
Message-ID (so a second delivery is known). Other machine mail (a web form's
`auto-generated` mail, a list) is registered without an automatic mail.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email.parser
import email.policy
import hashlib
import logging
import re
import uuid
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot import MAX_MESSAGE_CHARS, detect_language
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
from handoff import do_give_case_number
from handoff.numbers import CASE_NUMBER
from handoff.tables import Case, CaseReservation

__all__ = [
    "EmailConfig",
    "TakeOutcome",
    "do_answer_mail",
    "do_answer_mails",
    "do_store_mail",
    "do_store_mails",
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
    to one address an hour; `lease` how long a worker holds a mail; `batch` and
    `answer_batch` how many mails a round of each step takes at once."""

    address: str
    attachment_limit: int = ATTACHMENT_LIMIT
    per_sender_hour: int = 5
    lease: dt.timedelta = dt.timedelta(seconds=30)
    batch: int = 8
    answer_batch: int = 4

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2] or "localhost"


@dataclass(frozen=True)
class TakeOutcome:
    """What became of a mail in a step: `acknowledged` (the bot's turn to come; `result`
    is None, nothing is registered yet), `done` (registered and answered, or joined a
    case), `skipped` (`reason`), or `later` (try again). `reply` is the outbox row's cause
    the step queued, or None with `reason` saying why not; `case_number` the number the
    mail was acknowledged with."""

    message_id: str
    status: str
    reason: str | None = None
    result: InboundResult | None = None
    reply: str | None = None
    case_number: str | None = None


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
    [stored] = await do_store_mails(db, [(raw, envelope_from)], now)
    return stored


async def do_store_mails(
    db: Database, mails: Sequence[tuple[bytes, str | None]], now: dt.datetime
) -> list[tuple[str, bool]]:
    """Keep received mails (raw, envelope sender) in one transaction: for each, its
    Message-ID and whether it is new (a second delivery, even within `mails`, is not)."""
    ids = [_message_id_of(raw) for raw, _ in mails]
    rows: dict[str, dict[str, Any]] = {}
    for (raw, envelope_from), message_id in zip(mails, ids, strict=True):
        rows.setdefault(
            message_id,
            {
                "message_id": message_id,
                "raw": raw,
                "envelope_from": None if envelope_from is None else envelope_from[:320],
                "status": "pending",
                "attempts": 0,
                "received_at": now,
            },
        )
    async with db.writing() as session, session.begin():
        dialect = (await session.connection()).dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        stored = set(
            await session.scalars(
                insert(MailIn)
                .values(list(rows.values()))
                .on_conflict_do_nothing(index_elements=["message_id"])
                .returning(MailIn.message_id)
            )
        )
    out = []
    for message_id in ids:
        out.append((message_id, message_id in stored))
        stored.discard(message_id)  # the same mail twice in `mails`: new once
    return out


async def _claim(
    db: Database,
    now: dt.datetime,
    lease: dt.timedelta,
    limit: int,
    *,
    waiting: str = "pending",
    working: str = "processing",
) -> list[MailIn]:
    """Claim up to `limit` mails `waiting` (or `working` on a claim that ran out), oldest
    first, in one transaction (on PostgreSQL the rows another worker is claiming are
    skipped, not waited for)."""
    due = or_(MailIn.status == waiting, MailIn.status == working)
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
        if rows:  # one statement for the round, not one per mail
            await session.execute(
                update(MailIn)
                .where(MailIn.message_id.in_([r.message_id for r in rows]))
                .values(status=working, claimed_until=now + lease, attempts=MailIn.attempts + 1)
                .execution_options(synchronize_session=False)
            )
        session.expunge_all()  # the rows as claimed, read by the steps (never flushed)
        for row in rows:
            row.status, row.claimed_until, row.attempts = working, now + lease, row.attempts + 1
    return rows


async def do_take_mails(services: Services, config: EmailConfig) -> list[TakeOutcome]:
    """One round of the first step: claim up to `config.batch` received mails and
    acknowledge them (the new ones in one transaction)."""
    rows = await _claim(services.db, services.clock(), config.lease, config.batch)
    return await _take(services, config, rows)


async def do_answer_mails(services: Services, config: EmailConfig) -> list[TakeOutcome]:
    """One round of the second step: claim up to `config.answer_batch` acknowledged mails,
    register each and let the bot answer it (together; the bot runs in its threads)."""
    rows = await _claim(
        services.db,
        services.clock(),
        config.lease,
        config.answer_batch,
        waiting="acknowledged",
        working="answering",
    )
    return list(await asyncio.gather(*(_answer_safely(services, config, r) for r in rows)))


async def _answer_safely(services: Services, config: EmailConfig, row: MailIn) -> TakeOutcome:
    try:
        return await do_answer_mail(services, config, row)
    except Exception:  # left claimed: taken up again when the lease runs out
        log.exception("mail %s could not be answered; it is tried again later", row.message_id)
        return TakeOutcome(row.message_id, "later", "error")


async def do_take_mail(services: Services, config: EmailConfig, row: MailIn) -> TakeOutcome:
    """The first step for one claimed mail (see `_take`)."""
    [outcome] = await _take(services, config, [row])
    return outcome


@dataclass(frozen=True)
class _New:
    """A new mail read and ready to be acknowledged."""

    row: MailIn
    parsed: ParsedMail
    lang: str
    no_reply: str | None


async def _take(services: Services, config: EmailConfig, rows: list[MailIn]) -> list[TakeOutcome]:
    """The first step for claimed mails: each is parsed and loops are kept out; a reply to
    an open case joins it and is acknowledged as added (`done`); the new ones are given
    their case numbers and their acknowledgements are queued, all in one transaction
    (`acknowledged`: the bot reads them in the second step). A mail that fails is left
    claimed and taken up again when its lease runs out."""
    outcomes: dict[str, TakeOutcome] = {}
    new: list[_New] = []
    for row in rows:
        try:
            found = await _read(services, config, row)
        except Exception:
            log.exception("mail %s could not be taken in; it is tried again later", row.message_id)
            found = TakeOutcome(row.message_id, "later", "error")
        if isinstance(found, _New):
            new.append(found)
        else:
            outcomes[row.message_id] = found
    if new:
        try:
            outcomes |= {o.message_id: o for o in await _acknowledge(services, config, new)}
        except Exception:
            log.exception("%d mails could not be acknowledged; tried again later", len(new))
            outcomes |= {
                n.row.message_id: TakeOutcome(n.row.message_id, "later", "error") for n in new
            }
    return [outcomes[row.message_id] for row in rows]


async def _read(services: Services, config: EmailConfig, row: MailIn) -> TakeOutcome | _New:
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
        conversation_id = await _thread(services, parsed, ref)
    except _NotYet:  # it answers a mail whose conversation the second step has not made
        later = services.clock() + _NOT_YET
        await _update(services.db, row.message_id, status="pending", claimed_until=later)
        return TakeOutcome(row.message_id, "later", "thread_not_yet")
    no_reply = "automatic:" + parsed.automatic if parsed.automatic in _NO_REPLY else None
    lang = _language(services, parsed, text)
    if conversation_id is not None:
        try:
            joined = await _join(
                services, config, row, parsed, ref, text, conversation_id, lang, no_reply
            )
        except RateLimited as exc:
            return await _later(services, row, exc, "pending")
        except (ChannelError, ConversationError) as exc:
            return await _skipped(services, row, parsed, getattr(exc, "code", "invalid"))
        if joined is not None:
            return joined
    return _New(row, parsed, lang, no_reply)


async def _acknowledge(
    services: Services, config: EmailConfig, new: list[_New]
) -> list[TakeOutcome]:
    """Numbers, acknowledgements and statuses of new mails, in one transaction (under the
    locks of their senders, for the per-sender limit)."""
    now = services.clock()
    year = services.handoffs.local_year(now)
    outcomes = []
    senders = sorted({n.parsed.from_addr for n in new if n.parsed.from_addr})
    async with contextlib.AsyncExitStack() as stack:
        for address in senders:  # in one order: two workers never wait for each other
            await stack.enter_async_context(services.chat.locks.hold(f"mail-to:{address}"))
        session = await stack.enter_async_context(services.db.writing())
        await stack.enter_async_context(session.begin())
        for row, parsed, lang, no_reply in ((n.row, n.parsed, n.lang, n.no_reply) for n in new):
            number = await do_give_case_number(session, year)
            reply = None
            if no_reply is None:
                body = say("acknowledgement", lang, case=number)
                reply, no_reply = await _add_mail(
                    session, config, parsed, "auto:", None, body, lang, number, now
                )
            await session.execute(
                update(MailIn)
                .where(MailIn.message_id == row.message_id)
                .values(
                    status="acknowledged",
                    case_number=number,
                    reason=no_reply,
                    from_addr=parsed.from_addr,
                    claimed_until=None,
                )
            )
            outcomes.append(
                TakeOutcome(row.message_id, "acknowledged", no_reply, None, reply, number)
            )
    for outcome in outcomes:
        if outcome.reason is not None:
            log.info(
                "mail %s taken in with no automatic mail: %s", outcome.message_id, outcome.reason
            )
    return outcomes


@contextlib.asynccontextmanager
async def _writing_to(services: Services, parsed: ParsedMail) -> AsyncIterator[AsyncSession]:
    """A write transaction under the lock of the mails to the mail's sender, so that
    counting their automatic mails (the per-sender limit) and adding one are one step."""
    assert parsed.from_addr is not None
    async with (
        services.chat.locks.hold(f"mail-to:{parsed.from_addr}"),
        services.db.writing() as session,
        session.begin(),
    ):
        yield session


async def _join(
    services: Services,
    config: EmailConfig,
    row: MailIn,
    parsed: ParsedMail,
    ref: str,
    text: str,
    conversation_id: str,
    lang: str,
    no_reply: str | None,
) -> TakeOutcome | None:
    """A reply continues its conversation and reaches a person (it is handed off first when
    no case is open); it is acknowledged as added to the case. None: it does not belong to
    the conversation after all (another customer's), so it starts one of its own."""
    try:
        await _to_a_person(services, conversation_id, parsed.message_id)
        result = await do_inbound(
            services,
            Inbound("email", (ref,), text, parsed.message_id, conversation_id, parsed.language),
        )
    except WrongCustomer:
        log.info("mail %s names another customer's conversation", parsed.message_id)
        return None
    number = result.case_number
    reply = None
    if no_reply is None:
        body = say("added", lang, case=number or "")
        now = services.clock()
        async with _writing_to(services, parsed) as session:
            reply, no_reply = await _add_mail(
                session, config, parsed, "auto:", result.conversation_id, body, lang, number, now
            )
    await _finish(services, row, parsed, result, no_reply, case_number=number)
    return TakeOutcome(row.message_id, "done", no_reply, result, reply, number)


async def do_answer_mail(services: Services, config: EmailConfig, row: MailIn) -> TakeOutcome:
    """The second step for one claimed mail: register it (`do_inbound`, once per
    Message-ID), keep its acknowledged number for its conversation before the bot reads
    it, and let the bot answer. The curated answer goes out
    when the bot is confident and the mail was acknowledged; otherwise the case has opened
    with the acknowledged number."""
    parsed = parse_mail(
        row.raw, attachment_limit=config.attachment_limit, envelope_from=row.envelope_from
    )
    assert parsed.from_addr is not None  # a mail without one was skipped
    inbound = Inbound(
        "email",
        (customer_ref("email", parsed.from_addr),),
        _text_of(parsed),
        parsed.message_id,
        None,
        parsed.language,
    )
    try:

        async def keep_number(conversation_id: str) -> None:
            await services.handoffs.do_reserve_number(conversation_id, row.case_number)

        result = await do_inbound(services, inbound, before_answer=keep_number)
    except RateLimited as exc:
        return await _later(services, row, exc, "acknowledged")
    except (ChannelError, ConversationError) as exc:  # the bot could not take it
        reason = f"not_answered:{getattr(exc, 'code', 'invalid')}"
        log.warning("mail %s was acknowledged but not answered: %s", row.message_id, exc)
        await _finish(services, row, parsed, None, reason, case_number=row.case_number)
        return TakeOutcome(row.message_id, "done", reason, None, None, row.case_number)
    number = row.case_number or result.case_number
    reply = None
    answer = next((r for r in result.replies if r.role == "bot" and r.decision), None)
    if row.reason is None and result.decision == "answer" and answer is not None:
        links = "".join(f"\n{link}" for link in answer.links if isinstance(link, str))
        lang = mail_language(answer.lang, _default_language(services))
        body = f"{answer.text}{links}\n\n{say('answer_footer', lang)}"
        async with services.db.writing() as session, session.begin():
            reply, _none = await _add_mail(
                session,
                config,
                parsed,
                "answer:",
                result.conversation_id,
                body,
                lang,
                number,
                services.clock(),
                limited=False,
            )
    await _finish(services, row, parsed, result, row.reason, case_number=number)
    return TakeOutcome(row.message_id, "done", row.reason, result, reply, number)


async def _later(services: Services, row: MailIn, exc: RateLimited, status: str) -> TakeOutcome:
    later = services.clock() + dt.timedelta(seconds=max(1, exc.retry_after))
    await _update(services.db, row.message_id, status=status, claimed_until=later)
    return TakeOutcome(row.message_id, "later", "rate_limited")


def _default_language(services: Services) -> str:
    return str(services.runner.bot.base.config.default_language)


def _language(services: Services, parsed: ParsedMail, text: str) -> str:
    """The language of an acknowledgement: the one the bot reads the mail in."""
    base = services.runner.bot.base
    detected = detect_language(
        text,
        page_lang=parsed.language,
        base_languages=base.languages,
        default=base.config.default_language,
    )
    return mail_language(detected.lang, parsed.language, base.config.default_language)


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


async def _thread(services: Services, parsed: ParsedMail, ref: str) -> str | None:
    """The conversation a reply continues: the one of a mail it answers (ours or the
    customer's), else the case whose number is in the subject (or the conversation the
    number is kept for); either only when the conversation is the sender's own (a
    stranger's reply starts a conversation of its own and touches nobody else's).

    Raises _NotYet when it answers one of the sender's mails (or names its number) that
    is acknowledged but not registered yet: it waits for its conversation."""
    numbers = [m.group(0) for m in CASE_NUMBER.finditer(parsed.subject)]
    if not parsed.thread_ids and not numbers:
        return None  # a new mail (most of a burst): nothing to look up
    async with services.db.reading() as session:
        if await _waiting_for(session, parsed, numbers):
            raise _NotYet
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
        if not numbers:
            return None
        own_numbers = (
            select(Case.conversation_id)
            .where(Case.number.in_(numbers), Case.conversation_id.in_(own))
            .union(
                select(CaseReservation.conversation_id).where(
                    CaseReservation.number.in_(numbers), CaseReservation.conversation_id.in_(own)
                )
            )
            .limit(1)
        )
        found_id = await session.scalar(own_numbers)
        return None if found_id is None else str(found_id)


class _NotYet(Exception):
    """The mail answers one that is acknowledged but not registered yet."""


#: How long a reply waits for the conversation of the mail it answers to be registered.
_NOT_YET = dt.timedelta(seconds=5)


async def _waiting_for(session: AsyncSession, parsed: ParsedMail, numbers: list[str]) -> bool:
    """Whether the mail answers one of its sender's acknowledged mails (ours to them, or
    theirs, or by its number) that has no conversation yet."""
    unregistered = MailIn.status.in_(("acknowledged", "answering"))
    sender = MailIn.from_addr == parsed.from_addr
    found = await session.scalar(
        select(MailIn.message_id)
        .where(
            unregistered,
            sender,
            or_(
                MailIn.message_id.in_(parsed.thread_ids),
                MailIn.case_number.in_(numbers),
                MailIn.message_id.in_(
                    select(MailOut.in_reply_to).where(
                        MailOut.message_id.in_(parsed.thread_ids),
                        MailOut.conversation_id.is_(None),
                    )
                ),
            ),
        )
        .limit(1)
    )
    return found is not None


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


async def _add_mail(
    session: AsyncSession,
    config: EmailConfig,
    parsed: ParsedMail,
    kind: str,
    conversation_id: str | None,
    body: str,
    lang: str,
    number: str | None,
    now: dt.datetime,
    *,
    limited: bool = True,
) -> tuple[str | None, str | None]:
    """Put one automatic mail of `kind` (`auto:` the acknowledgement, `answer:` the bot's
    answer) in the outbox, once, in the caller's transaction: (its cause, or None and why
    not). With `limited`, a sender who got `per_sender_hour` mails of the kind in the last
    hour gets none (the caller holds the sender's lock)."""
    assert parsed.from_addr is not None
    cause = kind + parsed.message_id
    if limited:
        sent = await session.scalar(
            select(func.count())
            .select_from(MailOut)
            .where(
                MailOut.to_addr == parsed.from_addr,
                MailOut.automatic.is_(True),
                MailOut.cause.startswith(kind, autoescape=True),
                MailOut.cause != cause,
                MailOut.created_at > now - dt.timedelta(hours=1),
            )
        )
        if (sent or 0) >= config.per_sender_hour:
            return None, "per_sender_limit"
    dialect = (await session.connection()).dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(
        insert(MailOut)
        .values(
            id=uuid.uuid4().hex,
            cause=cause,
            conversation_id=conversation_id,
            automatic=True,
            to_addr=parsed.from_addr,
            subject=mail_subject(parsed.subject, number, lang),
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
        .on_conflict_do_nothing(index_elements=["cause"])  # written before: once
    )
    return cause, None


async def _finish(
    services: Services,
    row: MailIn,
    parsed: ParsedMail,
    result: InboundResult | None,
    no_reply: str | None,
    *,
    case_number: str | None,
) -> None:
    """The mail is done: its attachments kept with its conversation, its acknowledgement
    linked to the conversation (so replies to it thread), the raw mail emptied; in one
    transaction."""
    now = services.clock()
    async with services.db.writing() as session, session.begin():
        values: dict[str, Any] = {
            "status": "done",
            "reason": no_reply,
            "case_number": case_number,
            "from_addr": parsed.from_addr,
            "claimed_until": None,
            "raw": b"",
            "done_at": now,
        }
        if result is not None:
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
                update(MailOut)
                .where(MailOut.cause == "auto:" + row.message_id, MailOut.conversation_id.is_(None))
                .values(conversation_id=result.conversation_id)
            )
            values["conversation_id"] = result.conversation_id
        await session.execute(
            update(MailIn).where(MailIn.message_id == row.message_id).values(**values)
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
