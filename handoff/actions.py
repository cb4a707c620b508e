"""Every change to cases and agents. Each `do_*` runs inside the caller's transaction (the
`AsyncSession` it is given; the caller commits), so `app` can store a conversation's messages
and the case change together, all or nothing.

Claims and assignments are conditional UPDATEs (`… WHERE status IN ('queued','reopened') AND
agent_id IS NULL`): of many at once exactly one changes the row, and nothing is assigned
twice. Case numbers come from a counter row per year that is incremented in the same
transaction as the case is inserted: unique and gapless on SQLite and PostgreSQL alike (a
number kept for a conversation before its case, `do_reserve_case_number`, counts as given).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from handoff._changes import check_holder, event, fresh, load, lock_agent, next_number, take
from handoff.errors import AgentExists, CaseConflict, UnknownAgent, UnknownTeam
from handoff.queries import AgentInfo, get_agent, get_agent_by_name, get_case, online_capacity
from handoff.records import NewCase, new_agent_id, new_case_id
from handoff.tables import (
    HELD,
    WAITING,
    Agent,
    AgentSignIn,
    AgentTeam,
    Case,
    CaseNote,
    CaseReservation,
)
from handoff.urgency import Urgency

__all__ = [
    "AGENT_STATUSES",
    "do_add_agent",
    "do_add_note",
    "do_assign",
    "do_claim",
    "do_fill",
    "do_give_case_number",
    "do_open_case",
    "do_rate",
    "do_record_agent_reply",
    "do_record_visitor_message",
    "do_requeue_unanswered",
    "do_reserve_case_number",
    "do_resolve",
    "do_set_agent_status",
    "do_set_contact_email",
    "do_set_summary",
    "do_set_totp",
    "do_set_urgency",
    "do_sign_in",
    "do_sign_out",
    "do_transfer",
    "do_use_totp_step",
]

AGENT_STATUSES = ("online", "away", "offline")


# --- agents ------------------------------------------------------------------------------


async def do_add_agent(
    session: AsyncSession,
    *,
    name: str,
    display_name: str,
    password_hash: str,
    teams: Sequence[str],
    now: dt.datetime,
    admin: bool = False,
    max_chats: int = 3,
) -> Agent:
    """A new agent (offline); raises AgentExists for a name in use."""
    key = name.strip().casefold()
    if await get_agent_by_name(session, key) is not None:
        raise AgentExists(f"an agent named {key!r} already exists")
    agent = Agent(
        id=new_agent_id(),
        name=key,
        display_name=display_name.strip() or name,
        password_hash=password_hash,
        is_admin=admin,
        max_chats=max_chats,
        status="offline",
        status_at=now,
        last_assigned_at=None,
        created_at=now,
    )
    session.add(agent)
    await session.flush()
    session.add_all([AgentTeam(agent_id=agent.id, team=team) for team in dict.fromkeys(teams)])
    return agent


async def do_sign_in(
    session: AsyncSession, agent_id: str, token_hash: str, now: dt.datetime, expires: dt.datetime
) -> None:
    session.add(
        AgentSignIn(token_hash=token_hash, agent_id=agent_id, created_at=now, expires_at=expires)
    )
    await session.execute(
        delete(AgentSignIn).where(AgentSignIn.agent_id == agent_id, AgentSignIn.expires_at <= now)
    )


async def do_set_totp(session: AsyncSession, agent_id: str, secret: str | None) -> None:
    """Enrol the agent in the second factor with `secret` (None: remove it)."""
    await session.execute(
        update(Agent).where(Agent.id == agent_id).values(totp_secret=secret, totp_last_step=None)
    )


async def do_use_totp_step(session: AsyncSession, agent_id: str, step: int) -> bool:
    """Mark the code of `step` used; False when it (or a later one) was used already, by a
    sign-in of another process meanwhile."""
    result = await session.execute(
        update(Agent)
        .where(
            Agent.id == agent_id,
            or_(Agent.totp_last_step.is_(None), Agent.totp_last_step < step),
        )
        .values(totp_last_step=step)
    )
    return bool(getattr(result, "rowcount", 0))


async def do_sign_out(
    session: AsyncSession, token_hash: str, now: dt.datetime | None = None
) -> str | None:
    """End a sign-in; returns the agent's id, or None when there was no such sign-in.

    With `now`, an agent left with no other sign-in still valid at `now` goes offline, so
    that no new case is assigned to someone who has left (another browser still signed in
    keeps the status)."""
    found = await session.get(AgentSignIn, token_hash)
    if found is None:
        return None
    await session.delete(found)
    await session.flush()
    if now is not None:
        others = await session.scalar(
            select(AgentSignIn.token_hash)
            .where(AgentSignIn.agent_id == found.agent_id, AgentSignIn.expires_at > now)
            .limit(1)
        )
        if others is None:
            await session.execute(
                update(Agent)
                .where(Agent.id == found.agent_id, Agent.status != "offline")
                .values(status="offline", status_at=now)
            )
    return found.agent_id


async def do_set_agent_status(
    session: AsyncSession, agent_id: str, status: str, now: dt.datetime
) -> AgentInfo:
    if status not in AGENT_STATUSES:
        raise ValueError(f"unknown status {status!r}; use one of {', '.join(AGENT_STATUSES)}")
    await session.execute(
        update(Agent).where(Agent.id == agent_id).values(status=status, status_at=now)
    )
    return await get_agent(session, agent_id)


# --- opening and assigning -----------------------------------------------------------------


async def do_give_case_number(session: AsyncSession, year: int) -> str:
    """The next case number of `year` (the caller's local year), given out now for a case
    to come: keep it for the conversation with `do_reserve_case_number`."""
    return await next_number(session, year)


async def do_reserve_case_number(
    session: AsyncSession,
    conversation_id: str,
    now: dt.datetime,
    year: int,
    number: str | None = None,
) -> str:
    """The case number the conversation's next case will have: the one kept for it before;
    else `number` (given out by `do_give_case_number`), or the next number of `year`, kept
    for it now. A `number` that a case already has is not kept again."""
    kept = await session.scalar(
        select(CaseReservation.number).where(CaseReservation.conversation_id == conversation_id)
    )
    if kept is not None:
        return str(kept)
    if number is not None and await session.scalar(select(Case.id).where(Case.number == number)):
        return number  # its case has opened already (a step done again)
    number = number or await next_number(session, year)
    dialect = (await session.connection()).dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    await session.execute(
        insert(CaseReservation)
        .values(conversation_id=conversation_id, number=number, created_at=now)
        .on_conflict_do_nothing(index_elements=["conversation_id"])
    )
    # Two at once: the one written first holds.
    found = await session.scalar(
        select(CaseReservation.number).where(CaseReservation.conversation_id == conversation_id)
    )
    return str(found)


async def _reserved_number(session: AsyncSession, conversation_id: str) -> str | None:
    """The number kept for the conversation, taken (the row goes with the transaction)."""
    number = await session.scalar(
        delete(CaseReservation)
        .where(CaseReservation.conversation_id == conversation_id)
        .returning(CaseReservation.number)
    )
    return None if number is None else str(number)


async def do_open_case(session: AsyncSession, new: NewCase, now: dt.datetime, year: int) -> Case:
    """A new queued case with the number kept for its conversation, if one was
    (`do_reserve_case_number`), else the next number of `year` (the caller's local year)."""
    number = await _reserved_number(session, new.conversation_id)
    case = Case(
        id=new_case_id(),
        number=number or await next_number(session, year),
        conversation_id=new.conversation_id,
        visitor_id=new.visitor_id,
        customer_id=new.customer_id,
        status="queued",
        team=new.team,
        agent_id=None,
        urgency=new.urgency.level,
        urgency_rank=new.urgency.rank,
        urgency_reasons=[r.to_plain() for r in new.urgency.reasons],
        reason=new.reason,
        question=new.question,
        language=new.language,
        page_url=new.page_url,
        topic=new.topic,
        tried=list(new.tried),
        fields=list(new.fields),
        path=list(new.path),
        failures=new.failures,
        attributes=dict(new.attributes),
        summary=new.summary,
        contact_email=None,
        off_hours=new.off_hours,
        reopened=0,
        created_at=now,
        waiting_since=now,
        last_message_at=now,
        updated_at=now,
    )
    session.add(case)
    await session.flush()
    event(session, case.id, "created", now, urgency=case.urgency, rules=new.urgency.rules)
    return case


async def do_assign(
    session: AsyncSession,
    case_id: str,
    now: dt.datetime,
    *,
    exclude: Sequence[str] = (),
    prefer: str | None = None,
) -> str | None:
    """Assign a waiting case to the least-loaded online agent of its team who is below
    max_chats (`prefer` first when they are such an agent); returns the agent id or None."""
    case = await get_case(session, case_id)
    if case.status not in WAITING or case.agent_id is not None:
        return None
    in_team = select(AgentTeam.agent_id).where(AgentTeam.team == case.team)
    candidates = list((await session.scalars(online_capacity().where(Agent.id.in_(in_team)))).all())
    candidates = [agent for agent in candidates if agent.id not in exclude]
    candidates.sort(key=lambda agent: agent.id != prefer)  # stable: keeps the load order
    for agent in candidates:
        locked = await lock_agent(session, agent.id)
        if locked is None or locked.status != "online":
            continue
        if await load(session, agent.id) >= locked.max_chats:
            continue
        if not await take(session, case_id, agent.id, now, status=WAITING):
            return None  # someone claimed it meanwhile
        locked.last_assigned_at = now
        event(session, case_id, "assigned", now, agent.id)
        await session.refresh(case)
        return str(agent.id)
    return None


async def do_fill(session: AsyncSession, agent_id: str, now: dt.datetime) -> list[str]:
    """Give an online agent waiting cases of their teams (urgent and oldest first) up to
    their max_chats; returns the case ids assigned."""
    agent = await lock_agent(session, agent_id)
    if agent is None or agent.status != "online":
        return []
    free = agent.max_chats - await load(session, agent_id)
    if free <= 0:
        return []
    teams = select(AgentTeam.team).where(AgentTeam.agent_id == agent_id)
    waiting = await session.scalars(
        select(Case.id)
        .where(Case.status.in_(WAITING), Case.agent_id.is_(None), Case.team.in_(teams))
        .order_by(Case.urgency_rank.desc(), Case.waiting_since, Case.number)
        .limit(free)
    )
    taken = []
    for case_id in waiting.all():
        if await take(session, case_id, agent_id, now, status=WAITING):
            event(session, case_id, "assigned", now, agent_id)
            taken.append(case_id)
    if taken:
        agent.last_assigned_at = now
    return taken


async def do_claim(session: AsyncSession, case_id: str, agent_id: str, now: dt.datetime) -> Case:
    """Take a waiting case by hand; raises CaseConflict (already_claimed, case_resolved)."""
    if not await take(session, case_id, agent_id, now, status=WAITING):
        case = await get_case(session, case_id)
        if case.agent_id == agent_id and case.status in HELD:
            return case
        if case.status == "resolved":
            raise CaseConflict(f"case {case.number} is resolved", code="case_resolved")
        holder = await session.get(Agent, case.agent_id) if case.agent_id else None
        who = holder.display_name if holder is not None else "another agent"
        raise CaseConflict(
            f"case {case.number} is already claimed by {who}", code="already_claimed"
        )
    event(session, case_id, "claimed", now, agent_id)
    return await fresh(session, case_id)


async def do_transfer(
    session: AsyncSession,
    case_id: str,
    by: AgentInfo,
    now: dt.datetime,
    *,
    teams: Sequence[str],
    team: str | None = None,
    to_agent: str | None = None,
) -> Case:
    """Move a case to another team (back to its queue, keeping its age) and/or to an agent.

    `teams` are the teams base.yaml lists (any team when empty). Raises UnknownTeam,
    UnknownAgent, CaseConflict (case_resolved, agent_unavailable, bad_transfer)."""
    case = await get_case(session, case_id)
    if team is None and to_agent is None:
        raise CaseConflict("name a team or an agent to transfer to", code="bad_transfer")
    if team is not None and teams and team not in teams:
        raise UnknownTeam(f"there is no team {team!r}; the teams are {', '.join(teams)}")
    if case.status == "resolved":
        raise CaseConflict(f"case {case.number} is resolved", code="case_resolved")
    target = await get_agent(session, to_agent) if to_agent is not None else None
    if target is not None and target.agent.status == "offline":
        raise CaseConflict(f"{target.agent.display_name} is offline", code="agent_unavailable")
    if target is not None and team is not None and team not in target.teams:
        raise UnknownAgent(f"{target.agent.display_name} is not in the team {team!r}")
    new_team = team or (
        case.team
        if target is None or case.team in target.teams
        else (target.teams[0] if target.teams else case.team)
    )
    if new_team == case.team and (target is None or target.id == case.agent_id):
        raise CaseConflict(f"case {case.number} is already there", code="bad_transfer")
    before = (case.team, case.agent_id)
    values: dict[str, Any] = {
        "team": new_team,
        "updated_at": now,
        "agent_id": None,
        "previous_agent_id": case.agent_id or case.previous_agent_id,
    }
    values |= (
        {"status": "assigned", "agent_id": target.id, "assigned_at": now, "answered_at": None}
        if target
        else {"status": "queued"}
    )
    result = await session.execute(
        update(Case)
        .where(Case.id == case_id, Case.status != "resolved")
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise CaseConflict(f"case {case.number} is resolved", code="case_resolved")
    event(
        session,
        case_id,
        "transferred",
        now,
        by.id,
        from_team=before[0],
        to_team=new_team,
        from_agent=before[1],
        to_agent=target.id if target else None,
    )
    return await fresh(session, case_id)


# --- the conversation goes on --------------------------------------------------------------


async def do_record_agent_reply(
    session: AsyncSession, case_id: str, agent: AgentInfo, now: dt.datetime
) -> Case:
    """The agent answered: the visitor's turn. Raises CaseConflict (not_assigned,
    case_resolved) so that the caller stores no message."""
    case = await get_case(session, case_id)
    check_holder(case, agent)
    if case.answered_at is None:
        event(session, case_id, "answered", now, agent.id)
    case.status, case.answered_at, case.last_message_at, case.updated_at = (
        "waiting_on_visitor",
        now,
        now,
        now,
    )
    case.first_response_at = case.first_response_at or now
    return case


async def do_record_visitor_message(
    session: AsyncSession,
    case_id: str,
    now: dt.datetime,
    *,
    reopen_within: dt.timedelta,
    window: dt.timedelta = dt.timedelta(0),
    continues: bool = True,
    question: str | None = None,
) -> tuple[Case, str | None]:
    """The visitor wrote: (the case, what changed: "reopened", "visitor_message", or None when
    a resolved case stays resolved and the bot takes the conversation back).

    A resolved case reopens when the message comes within `window` of the resolution, or
    when it `continues` the case (says it is not solved) within `reopen_within`. A reopened
    case's question becomes `question` (the message that reopened it), when given."""
    case = await get_case(session, case_id)
    if case.status == "resolved":
        if not _reopens(case, now, reopen_within, window, continues=continues):
            return case, None
        previous_question = case.question
        case.question = question or case.question
        case.previous_agent_id = case.agent_id or case.previous_agent_id
        case.status, case.agent_id, case.waiting_since, case.resolved_at = (
            "reopened",
            None,
            now,
            None,
        )
        case.reopened += 1
        case.rating = case.rating_comment = case.rated_at = None
        event(session, case_id, "reopened", now, previous_question=previous_question)
        change = "reopened"
    else:
        if case.status == "waiting_on_visitor":
            case.status = "assigned"
        change = "visitor_message"
    case.last_message_at = case.updated_at = now
    await session.flush()
    return case, change


def _reopens(
    case: Case, now: dt.datetime, within: dt.timedelta, window: dt.timedelta, *, continues: bool
) -> bool:
    if case.resolved_at is None:
        return False
    since = now - case.resolved_at
    return since <= window or (continues and since <= within)


async def do_resolve(
    session: AsyncSession, case_id: str, agent: AgentInfo, now: dt.datetime
) -> Case:
    case = await get_case(session, case_id)
    check_holder(case, agent, admin_ok=True)
    case.status, case.resolved_at, case.updated_at = "resolved", now, now
    case.previous_agent_id = case.agent_id
    event(session, case_id, "resolved", now, agent.id)
    await session.flush()
    return case


async def do_add_note(
    session: AsyncSession, case_id: str, agent: AgentInfo, text: str, now: dt.datetime
) -> CaseNote:
    await get_case(session, case_id)
    note = CaseNote(case_id=case_id, agent_id=agent.id, text=text, created_at=now)
    session.add(note)
    await session.flush()
    return note


async def do_rate(
    session: AsyncSession, case_id: str, score: int, comment: str | None, now: dt.datetime
) -> Case:
    """The visitor's rating (1–5) of a resolved case; raises CaseConflict (not_resolved,
    already_rated)."""
    if not 1 <= score <= 5:
        raise ValueError(f"a rating is 1 to 5, not {score}")
    case = await get_case(session, case_id)
    if case.status != "resolved":
        raise CaseConflict(f"case {case.number} is not resolved yet", code="not_resolved")
    if case.rating is not None:
        raise CaseConflict(f"case {case.number} is already rated", code="already_rated")
    case.rating, case.rating_comment, case.rated_at, case.updated_at = score, comment, now, now
    event(session, case_id, "rated", now, score=score)
    return case


async def do_set_contact_email(
    session: AsyncSession, case_id: str, email: str, now: dt.datetime
) -> Case:
    case = await get_case(session, case_id)
    case.contact_email, case.updated_at = email, now
    event(session, case_id, "email", now)
    return case


async def do_set_urgency(
    session: AsyncSession, case_id: str, urgency: Urgency, now: dt.datetime
) -> Case | None:
    """Raise the case's urgency (never lowers it); the case when it changed, else None."""
    case = await get_case(session, case_id)
    if urgency.rank <= case.urgency_rank:
        return None
    known = {reason["rule"] for reason in case.urgency_reasons}
    added = [r.to_plain() for r in urgency.reasons if r.rule not in known]
    event(
        session,
        case_id,
        "urgency",
        now,
        **{"from": case.urgency},
        to=urgency.level,
        rules=[r["rule"] for r in added],
    )
    case.urgency, case.urgency_rank, case.updated_at = urgency.level, urgency.rank, now
    case.urgency_reasons = [*case.urgency_reasons, *added]
    return case


async def do_set_summary(session: AsyncSession, case_id: str, summary: str) -> Case:
    case = await get_case(session, case_id)
    case.summary = summary
    return case


async def do_requeue_unanswered(
    session: AsyncSession, now: dt.datetime, timeout: dt.timedelta
) -> list[tuple[Case, str]]:
    """Put back in the queue every case assigned longer than `timeout` ago that its agent has
    not answered since; returns (case, the agent it was taken from)."""
    stale = await session.scalars(
        select(Case).where(
            Case.status == "assigned", Case.answered_at.is_(None), Case.assigned_at <= now - timeout
        )
    )
    requeued = []
    for case in stale.all():
        agent_id = case.agent_id
        result = await session.execute(
            update(Case)
            .where(
                Case.id == case.id,
                Case.status == "assigned",
                Case.agent_id == agent_id,
                Case.answered_at.is_(None),
            )
            .values(status="queued", agent_id=None, previous_agent_id=agent_id, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount and agent_id is not None:  # type: ignore[attr-defined]
            event(session, case.id, "requeued", now, agent_id, why="timeout")
            requeued.append((await fresh(session, case.id), agent_id))
    return requeued
