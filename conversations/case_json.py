"""Cases and agents as clients see them (docs/agent-api.md "Objects", docs/api.md "Case")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.identity import public_visitor_id
from conversations.messages import timestamp
from handoff import AgentInfo, AuditEntry, Case, CaseEvent, CaseNote
from handoff.tables import Agent

__all__ = [
    "agent_json",
    "audit_json",
    "case_json",
    "case_rows",
    "display_names",
    "visitor_case_json",
]


def _time(value: dt.datetime | None) -> str | None:
    return timestamp(value) if value is not None else None


def agent_json(info: AgentInfo) -> dict[str, Any]:
    agent = info.agent
    return {
        "id": agent.id,
        "name": agent.name,
        "display_name": agent.display_name,
        "teams": list(info.teams),
        "admin": agent.is_admin,
        "status": agent.status,
        "max_chats": agent.max_chats,
        "load": info.load,
    }


async def display_names(session: AsyncSession, ids: Iterable[str | None]) -> dict[str, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    rows = await session.execute(select(Agent.id, Agent.display_name).where(Agent.id.in_(wanted)))
    return {agent_id: name for agent_id, name in rows.all()}


def case_row(case: Case, names: Mapping[str, str], now: dt.datetime) -> dict[str, Any]:
    agent = (
        {"id": case.agent_id, "display_name": names.get(case.agent_id, "")}
        if case.agent_id
        else None
    )
    return {
        "id": case.id,
        "number": case.number,
        "status": case.status,
        "team": case.team,
        "agent": agent,
        "urgency": case.urgency,
        "urgency_rules": [reason["rule"] for reason in case.urgency_reasons],
        "language": case.language,
        "question": case.question,
        "conversation_id": case.conversation_id,
        # Never the visitor's id: that is the visitor's credential (conversations.identity).
        "visitor": public_visitor_id(case.visitor_id),
        "customer_id": case.customer_id,
        "created_at": timestamp(case.created_at),
        "waiting_since": timestamp(case.waiting_since),
        "waiting_seconds": max(0, int((now - case.waiting_since).total_seconds())),
        "last_message_at": timestamp(case.last_message_at),
        "reopened": case.reopened > 0,
        "off_hours": case.off_hours,
    }


async def case_rows(
    session: AsyncSession, cases: Sequence[Case], now: dt.datetime
) -> list[dict[str, Any]]:
    names = await display_names(session, (c.agent_id for c in cases))
    return [case_row(case, names, now) for case in cases]


def case_json(
    case: Case,
    names: Mapping[str, str],
    now: dt.datetime,
    events: Sequence[CaseEvent],
    notes: Sequence[CaseNote],
    topic_title: str | None,
    attachments: Sequence[Mapping[str, Any]] = (),
) -> dict[str, Any]:
    """The case for agents; `attachments` are the files of its conversation's mails (the
    e-mail channel's, given by the caller: `Desk.attachments`)."""
    rating = None
    if case.rating is not None:
        rating = {"score": case.rating, "comment": case.rating_comment, "at": _time(case.rated_at)}
    return case_row(case, names, now) | {
        "page_url": case.page_url,
        "reason": case.reason,
        "topic": {"answer_id": case.topic, "title": topic_title} if case.topic else None,
        "tried": list(case.tried),
        "fields": list(case.fields),
        "path": list(case.path),
        "summary": case.summary,
        "urgency_reasons": list(case.urgency_reasons),
        "contact_email": case.contact_email,
        "assigned_at": _time(case.assigned_at),
        "first_response_at": _time(case.first_response_at),
        "resolved_at": _time(case.resolved_at),
        "rating": rating,
        "events": [
            {
                "kind": e.kind,
                "at": timestamp(e.created_at),
                "agent": {"id": e.agent_id, "display_name": names.get(e.agent_id, "")}
                if e.agent_id
                else None,
                "detail": dict(e.detail or {}),
            }
            for e in events
        ],
        "notes": [note_json(n, names) for n in notes],
        "attachments": [dict(a) for a in attachments],
    }


def note_json(note: CaseNote, names: Mapping[str, str]) -> dict[str, Any]:
    agent = {"id": note.agent_id, "display_name": names.get(note.agent_id or "", "")}
    return {
        "id": note.id,
        "agent": agent,
        "text": note.text,
        "created_at": timestamp(note.created_at),
    }


def visitor_case_json(
    case: Case,
    *,
    place: int | None,
    expected_wait: int | None,
    open_now: bool,
    opens_at: dt.datetime | None,
    agent_name: str | None,
    timezone: str | None = None,
) -> dict[str, Any]:
    resolved = case.status == "resolved"
    return {
        "number": case.number,
        "state": case.status,
        "place": place,
        "expected_wait_seconds": expected_wait if open_now else None,
        "open_now": open_now,
        "opens_at": _time(opens_at),
        "timezone": timezone,
        "lang": case.language,
        "ask_email": not open_now and case.contact_email is None and not resolved,
        "email_given": case.contact_email is not None,
        "agent_name": agent_name,
        "ask_rating": resolved and case.rating is None,
        "rating": case.rating,
    }


def audit_json(entry: AuditEntry) -> dict[str, Any]:
    """An audit log entry as the agent API and `samsvar audit --json` give it."""
    return {
        "id": entry.id,
        "at": timestamp(entry.at),
        "action": entry.action,
        "agent_id": entry.agent_id,
        "actor": entry.actor,
        "address": entry.address,
        "target": entry.target,
        "detail": dict(entry.detail or {}),
    }
