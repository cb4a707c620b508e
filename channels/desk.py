"""Phone and desk registration: an agent registers an inquiry from a template of the answer
base (decision 0123). It is an inquiry like every other (`inquiries`, with the channel, the
topic and the decision, so insights count it), in a conversation on the template's channel
for the customer's one visitor, with a case: resolved at once with the topic's curated
answer (which the agent sends by e-mail or as an SMS), or left open in the team's queue.

Everything one registration stores (the conversation, the customer's question, the case,
the agent's answer, the inquiry, the audit entry and the key that makes a retry find the
first registration) is one transaction: nothing half-written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot import mask_personal_data
from channels.customers import (
    CustomerHistory,
    customer_ref,
    do_find_customer,
    get_customer_history,
    guess_ref,
)
from channels.errors import BadRegistration, UnknownTemplate
from channels.tables import CustomerRef, InboundKey
from conversations.handoffs import CONVERSATION_STATUS
from conversations.messages import timestamp
from conversations.services import Services
from conversations.storage import (
    Conversation,
    Database,
    Message,
    NewInquiry,
    NewMessage,
    do_case_change,
    do_create_visitor,
    get_visitor,
)
from conversations.storage.records import new_id, new_message_id
from handoff import (
    REGISTERED,
    AgentInfo,
    Case,
    NewCase,
    Signals,
    check_can_see,
    do_assign,
    do_claim,
    do_open_case,
    do_record_agent_reply,
    do_resolve,
    get_case,
    get_urgency,
    is_open,
    parse_case_number,
    record_audit,
)
from knowledge import LANGUAGES, AnswerBase, Template

__all__ = [
    "REGISTERED",
    "Registered",
    "Registration",
    "do_register",
    "get_case_customer",
    "get_recent_customers",
    "template_json",
]

MAX_NOTE = 2000


@dataclass(frozen=True)
class Registration:
    """What the agent filled in: the template, `key` (the console's id of this
    registration: a retry with the same key finds the first one), the customer as typed or
    picked (an e-mail address, a phone number or the operator's id; None: not known), the
    customer's question or a note (None: the template's title), the values of the
    template's fields, whether to resolve at once, and the customer's language (None: the
    base's default)."""

    template_id: str
    key: str
    customer: str | None = None
    text: str | None = None
    fields: Mapping[str, str] = field(default_factory=dict)
    resolve: bool = False
    lang: str | None = None


@dataclass(frozen=True)
class Registered:
    """A registered inquiry: its conversation and channel, the decision (`answer` when
    resolved at once, else `handoff`), the topic, the case, the curated answer for the
    agent to send (when resolved at once), the customer's references, and whether the key
    was registered before."""

    conversation_id: str
    channel: str
    decision: str
    answer_id: str
    case: dict[str, Any]
    answer: dict[str, Any] | None
    refs: list[str]
    duplicate: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "channel": self.channel,
            "decision": self.decision,
            "answer_id": self.answer_id,
            "case": self.case,
            "answer": self.answer,
            "customer": {"refs": self.refs},
            "duplicate": self.duplicate,
        }


def template_json(base: AnswerBase, template: Template) -> dict[str, Any]:
    """A template as the console shows it: titles, topic, team, channel, fields with their
    labels and examples, and whether it is usually resolved at once."""
    topic = base.get(template.topic)
    fields = []
    for name, value in template.fields.items():
        spec = base.fields[name]
        fields.append(
            {"name": name, "labels": dict(spec.labels), "example": spec.example, "value": value}
        )
    return {
        "id": template.id,
        "titles": dict(template.titles),
        "topic": template.topic,
        "topic_title": topic.title if topic is not None else template.topic,
        "team": template.team,
        "team_name": base.config.team_names.get(template.team or "", template.team),
        "channel": template.channel,
        "fields": fields,
        "resolve_at_once": template.resolve_at_once,
    }


def _check(base: AnswerBase, registration: Registration) -> tuple[Template, str, str, list[Any]]:
    """(template, language, question, the case's fields); raises UnknownTemplate and
    BadRegistration saying what is wrong."""
    template = base.template(registration.template_id)
    if template is None:
        known = ", ".join(t.id for t in base.templates) or "(none: add templates.yaml)"
        raise UnknownTemplate(
            f"there is no template {registration.template_id[:60]!r}; templates: {known}"
        )
    lang = registration.lang or base.config.default_language
    if lang not in LANGUAGES:
        raise BadRegistration(f"unknown language {lang[:8]!r}; use one of {', '.join(LANGUAGES)}")
    key = registration.key.strip()
    if not 0 < len(key) <= 64:
        raise BadRegistration("key: the registration's id must be 1–64 characters")
    text = (registration.text or "").strip() or template.title_for(
        lang, base.config.default_language
    )
    if len(text) > MAX_NOTE:
        raise BadRegistration(
            f"the question or note has {len(text)} characters; at most {MAX_NOTE}"
        )
    unknown = sorted(set(registration.fields) - set(template.fields))
    if unknown:
        names = ", ".join(template.fields) or "none"
        raise BadRegistration(
            f"the template {template.id!r} has no field {unknown[0]!r}; its fields: {names}"
        )
    values = []
    for name, preset in template.fields.items():
        spec = base.fields[name]
        value = (registration.fields.get(name) or "").strip() or preset
        if value is not None and not spec.check_value(value):
            example = f" like {spec.example}" if spec.example else ""
            raise BadRegistration(f"{name}: {value[:60]!r} is not a valid {name}{example}")
        label = spec.labels.get(lang) or spec.labels.get(base.config.default_language) or name
        status = "not_given" if value is None else "given"
        values.append({"name": name, "label": label, "status": status, "value": value})
    return template, lang, text, values


_KIND_OF = {"email:": "email", "tel:": "phone", "id:": "id"}


def _ref(text: str) -> str:
    """A stored reference (`tel:+4791234567`, as the console suggests them) as it is, else a
    reference guessed from what was typed (an e-mail address, a phone number, an id)."""
    for prefix, kind in _KIND_OF.items():
        if text.startswith(prefix):
            return customer_ref(kind, text[len(prefix) :])
    return guess_ref(text)


async def do_register(
    services: Services, agent: AgentInfo, registration: Registration
) -> Registered:
    """Register an inquiry from a template for the agent (any signed-in agent may); raises
    UnknownTemplate, BadRegistration, BadCustomer."""
    base = services.handoffs.bot.base
    template, lang, text, values = _check(base, registration)
    # The key is the agent's own: another agent's key finds nothing of theirs.
    channel, key = template.channel, f"register:{agent.id}:{registration.key.strip()}"
    customer = (registration.customer or "").strip()
    refs = [_ref(customer)] if customer else []
    db, locks, now = services.db, services.chat.locks, services.clock()
    async with locks.hold(f"inbound:{channel}:{key}"):
        earlier = await _earlier(services, channel, key, refs)
        if earlier is not None:
            return earlier
        if refs:
            visitor_id = await do_find_customer(db, locks, refs, now)
        else:
            visitor_id = (await do_create_visitor(db, now)).id
        visitor = await get_visitor(db, visitor_id)
        try:
            return await _store(
                services, agent, registration, template, lang, text, values, visitor, key, refs
            )
        except IntegrityError:  # another process registered the key a moment ago
            found = await _earlier(services, channel, key, refs)
            if found is None:
                raise
            return found


async def _store(
    services: Services,
    agent: AgentInfo,
    registration: Registration,
    template: Template,
    lang: str,
    text: str,
    values: list[Any],
    visitor: Any,
    key: str,
    refs: list[str],
) -> Registered:
    base, config = services.handoffs.bot.base, services.handoffs.config
    now, channel = services.clock(), template.channel
    conversation_id, message_id = new_id(), new_message_id()
    client_id = registration.key.strip()
    masked = mask_personal_data(text)
    answer = base.get(template.topic)
    assert answer is not None  # the base checked the topic
    used, answer_text, _ = answer.text_for(lang, config.default_language)
    resolve = registration.resolve
    urgency = get_urgency(config.urgency, Signals([text], 0, template.topic))
    hours = config.business_hours
    year = services.handoffs.local_year(now)
    new_case = NewCase(
        conversation_id,
        visitor.id,
        template.team or config.default_team or (config.teams or ("support",))[0],
        REGISTERED,
        lang,
        urgency,
        question=masked,
        topic=template.topic,
        fields=values,
        off_hours=not is_open(hours, now),
        customer_id=visitor.customer_id,
    )

    async def change(session: AsyncSession) -> tuple[Case, list[NewMessage], str]:
        session.add(
            Conversation(
                id=conversation_id,
                visitor_id=visitor.id,
                status="bot",
                channel=channel,
                language=lang,
                page_url=None,
                last_seq=1,
                human_notice_sent=False,
                started_at=now,
                updated_at=now,
            )
        )
        await session.flush()
        session.add(
            Message(
                id=message_id,
                conversation_id=conversation_id,
                seq=1,
                role="visitor",
                kind="text",
                text=masked,
                lang=lang,
                client_id=client_id,
                flags={"registered_by": agent.id, "template": template.id},
                choices=[],
                links=[],
                created_at=now,
            )
        )
        session.add(
            InboundKey(
                channel=channel,
                key=key,
                conversation_id=conversation_id,
                client_id=client_id,
                created_at=now,
            )
        )
        await session.flush()
        case = await do_open_case(session, new_case, now, year)
        detail = {
            "case": case.number,
            "template": template.id,
            "channel": channel,
            "decision": "answer" if resolve else "handoff",
        }
        await record_audit(
            session,
            "register",
            now,
            agent_id=agent.id,
            actor=agent.agent.name,
            target=case.id,
            detail=detail,
        )
        if not resolve:
            await do_assign(session, case.id, now)
            await session.refresh(case)
            return case, [], CONVERSATION_STATUS[case.status]
        await do_claim(session, case.id, agent.id, now)
        await do_record_agent_reply(session, case.id, agent, now)
        done = await do_resolve(session, case.id, agent, now)
        reply = NewMessage(
            role="agent",
            text=answer_text,
            lang=used,
            reply_to=message_id,
            answer_id=answer.id,
            links=tuple(answer.links),
            flags={
                "agent_id": agent.id,
                "agent_name": agent.agent.display_name,
                "registered": True,
            },
        )
        return done, [reply], CONVERSATION_STATUS[done.status]

    inquiry = NewInquiry(
        text=text,
        language=lang,
        decision="answer" if resolve else "handoff",
        answer_id=template.topic,
        confidence=1.0,
        ms=0.0,
        page_url=None,
        channel=channel,
        kind="text",
    )
    case, stored = await do_case_change(
        services.db,
        conversation_id,
        now,
        change,
        inquiry=inquiry,
        inquiry_message_id=message_id,
        language=lang,
    )
    handoffs = services.handoffs
    await handoffs.publish_messages(case, stored, conversation_id)
    if resolve:  # the agent's own, done: no "new case" for anyone to take
        await handoffs.publish_case(case, "resolved")
    else:
        await handoffs.publish_case(case)
        if case.agent_id is not None:
            await handoffs.publish_case(case, "assigned")
    return Registered(
        conversation_id,
        channel,
        inquiry.decision,
        template.topic,
        _case_json(case),
        _answer_json(answer.id, answer.title, used, answer_text, answer.links) if resolve else None,
        refs,
    )


def _case_json(case: Case) -> dict[str, Any]:
    return {
        "id": case.id,
        "number": case.number,
        "status": case.status,
        "team": case.team,
        "agent_id": case.agent_id,
    }


def _answer_json(
    answer_id: str, title: str, lang: str, text: str, links: Sequence[str]
) -> dict[str, Any]:
    """The curated answer for the agent to send: as it is, and as one SMS text."""
    sms = "\n".join([text, *links])
    return {
        "answer_id": answer_id,
        "title": title,
        "lang": lang,
        "text": text,
        "links": list(links),
        "sms": sms,
    }


async def _earlier(
    services: Services, channel: str, key: str, refs: list[str]
) -> Registered | None:
    """The registration stored with this key before, as it is now (a retry gets it)."""
    db, base = services.db, services.handoffs.bot.base
    async with db.reading() as session:
        known = await session.get(InboundKey, (channel, key))
        if known is None:
            return None
        case = await session.scalar(
            select(Case)
            .where(Case.conversation_id == known.conversation_id)
            .order_by(Case.created_at.desc())
            .limit(1)
        )
        reply = await session.scalar(
            select(Message).where(
                Message.conversation_id == known.conversation_id, Message.role == "agent"
            )
        )
    assert case is not None  # stored in the same transaction as the key
    answer = None
    if reply is not None and reply.answer_id:
        topic = base.get(reply.answer_id)
        title = topic.title if topic is not None else reply.answer_id
        answer = _answer_json(
            reply.answer_id, title, reply.lang or "", reply.text, list(reply.links or [])
        )
    return Registered(
        known.conversation_id,
        channel,
        "answer" if answer is not None else "handoff",
        case.topic or "",
        _case_json(case),
        answer,
        refs,
        duplicate=True,
    )


async def get_recent_customers(
    db: Database, agent: AgentInfo, *, limit: int = 10
) -> list[dict[str, Any]]:
    """The references of the customers of the latest cases the agent may see (their teams'
    and their own; every case for an admin), most recent first: the console suggests them."""
    last = func.max(Case.created_at).label("last")
    query = (
        select(CustomerRef.ref, last)
        .join(Case, Case.visitor_id == CustomerRef.visitor_id)
        .group_by(CustomerRef.ref)
        .order_by(last.desc(), CustomerRef.ref)
        .limit(limit)
    )
    if not agent.agent.is_admin:
        query = query.where(or_(Case.team.in_(agent.teams), Case.agent_id == agent.id))
    async with db.reading() as session:
        rows = (await session.execute(query)).all()
    return [{"ref": ref, "last_at": timestamp(at)} for ref, at in rows]


async def get_case_customer(db: Database, agent: AgentInfo, case_ref: str) -> CustomerHistory:
    """The customer of a case (by number, `S-2026-000123`, or id) across channels, for an
    agent who may see the case; raises UnknownCase, NotAllowed."""
    async with db.reading() as session:
        try:
            parse_case_number(case_ref)
        except ValueError:
            case = await get_case(session, case_ref)
        else:
            found = await session.scalar(select(Case.id).where(Case.number == case_ref.strip()))
            case = await get_case(session, found or case_ref)
    check_can_see(agent, case)
    # With a case the agent may see, the customer's whole history, every team's cases too,
    # as the case view's `earlier` cases are (a lookup by reference alone is team-scoped).
    return await get_customer_history(db, case.visitor_id)
