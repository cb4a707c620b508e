"""Look-ups (`get_*`) and checks (`check_*`) on cases and agents, inside the caller's session."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.errors import NotAllowed, NotSignedIn, UnknownAgent, UnknownCase
from handoff.records import QueueFilter
from handoff.tables import HELD, WAITING, Agent, AgentSignIn, AgentTeam, Case, CaseEvent, CaseNote
from handoff.urgency import URGENCY_RANKS

__all__ = [
    "AgentInfo",
    "can_see",
    "check_can_see",
    "get_agent",
    "get_agent_by_name",
    "get_agents",
    "get_case",
    "get_case_events",
    "get_case_notes",
    "get_handle_seconds",
    "get_latest_case",
    "get_long_waiting",
    "get_open_case",
    "get_place",
    "get_queue",
    "get_signed_in_agent",
    "get_team_counts",
    "get_visitor_cases",
    "token_hash",
]


@dataclass(frozen=True)
class AgentInfo:
    """An agent with the teams they are in and their load now."""

    agent: Agent
    teams: tuple[str, ...]
    load: int

    @property
    def id(self) -> str:
        return self.agent.id


def token_hash(token: str) -> str:
    """What is stored of a sign-in cookie: its SHA-256 (hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _load() -> Any:
    return (
        select(func.count(Case.id))
        .where(Case.agent_id == Agent.id, Case.status.in_(HELD))
        .scalar_subquery()
    )


async def _info(session: AsyncSession, agents: Sequence[Agent]) -> list[AgentInfo]:
    ids = [agent.id for agent in agents]
    teams: dict[str, list[str]] = {agent_id: [] for agent_id in ids}
    for agent_id, team in await session.execute(
        select(AgentTeam.agent_id, AgentTeam.team).where(AgentTeam.agent_id.in_(ids))
    ):
        teams[agent_id].append(team)
    loads = dict(
        (
            await session.execute(
                select(Case.agent_id, func.count(Case.id))
                .where(Case.agent_id.in_(ids), Case.status.in_(HELD))
                .group_by(Case.agent_id)
            )
        ).all()
    )
    return [AgentInfo(a, tuple(sorted(teams[a.id])), int(loads.get(a.id, 0))) for a in agents]


async def get_agent(session: AsyncSession, agent_id: str) -> AgentInfo:
    agent = await session.get(Agent, agent_id)
    if agent is None:
        raise UnknownAgent(f"no agent with the id {agent_id!r}")
    return (await _info(session, [agent]))[0]


async def get_agent_by_name(session: AsyncSession, name: str) -> Agent | None:
    return await session.scalar(select(Agent).where(Agent.name == name.strip().casefold()))


async def get_agents(session: AsyncSession) -> list[AgentInfo]:
    agents = (await session.scalars(select(Agent).order_by(Agent.name))).all()
    return await _info(session, list(agents))


async def get_signed_in_agent(
    session: AsyncSession, token: str | None, now: dt.datetime
) -> tuple[AgentInfo, dt.datetime]:
    """The agent a sign-in cookie belongs to and when it expires; raises NotSignedIn."""
    if not token:
        raise NotSignedIn("sign in first: there is no sign-in cookie", code="not_signed_in")
    found = await session.get(AgentSignIn, token_hash(token))
    if found is None:
        raise NotSignedIn(
            "this sign-in is not valid (signed out, or not issued here); sign in again",
            code="sign_in_invalid",
        )
    if found.expires_at <= now:
        raise NotSignedIn("the sign-in has expired; sign in again", code="sign_in_expired")
    return await get_agent(session, found.agent_id), found.expires_at


async def get_case(session: AsyncSession, case_id: str) -> Case:
    case = await session.get(Case, case_id)
    if case is None:
        raise UnknownCase(f"no case with the id {case_id!r}")
    return case


async def get_open_case(session: AsyncSession, conversation_id: str) -> Case | None:
    return await session.scalar(
        select(Case).where(Case.conversation_id == conversation_id, Case.status != "resolved")
    )


async def get_latest_case(session: AsyncSession, conversation_id: str) -> Case | None:
    return await session.scalar(
        select(Case)
        .where(Case.conversation_id == conversation_id)
        .order_by(Case.created_at.desc())
        .limit(1)
    )


def can_see(agent: AgentInfo, team: str, agent_id: str | None) -> bool:
    """Whether the agent may see a case of `team` assigned to `agent_id`: it is in one of the
    agent's teams, it is theirs, or the agent is an admin. The one rule for reading a case and
    for the frames about it (`conversations.frames.Audience`)."""
    return (
        agent.agent.is_admin
        or team in agent.teams
        or (agent_id is not None and agent_id == agent.id)
    )


def check_can_see(agent: AgentInfo, case: Case) -> None:
    """Raises NotAllowed unless the agent may see the case (`can_see`)."""
    if can_see(agent, case.team, case.agent_id):
        return
    raise NotAllowed(
        f"case {case.number} belongs to the team {case.team!r}; you are in "
        f"{', '.join(agent.teams) or 'no team'}"
    )


def _queue_scope(query: QueueFilter) -> list[object]:
    """The filters beside status and urgency: teams (or the agent's own cases) and the agent."""
    where: list[object] = []
    if query.teams is not None:
        scope: Any = Case.team.in_(query.teams)
        if query.include_agent is not None:
            scope = or_(scope, Case.agent_id == query.include_agent)
        where.append(scope)
    if query.agent == "none":
        where.append(Case.agent_id.is_(None))
    elif query.agent is not None:
        where.append(Case.agent_id == query.agent)
    return where


def _queue_group(
    status: str, rank: int, scope: Sequence[object], limit: int
) -> Select[str, dt.datetime, str]:
    """The first `limit` cases of one status and urgency, in waiting order."""
    return (
        select(Case.id, Case.waiting_since, Case.number)
        .where(Case.status == status, Case.urgency_rank == rank, *scope)  # type: ignore[arg-type]
        .order_by(Case.waiting_since, Case.number)
        .limit(limit)
    )


async def get_queue(session: AsyncSession, query: QueueFilter) -> tuple[list[Case], int]:
    """One page of cases, urgent first, then the longest waiting, and how many match.

    A single `ORDER BY urgency DESC, waiting_since` over several statuses cannot be read from an
    index in order (SQLite then sorts every matching case: 40 ms for 10,000 waiting ones). So
    each (status, urgency) group is read on its own from `ix_cases_waiting`, already in waiting
    order and only as far as the page needs, and the groups are merged here. The count reads
    the same index and never the rows.
    """
    scope = _queue_scope(query)
    total = await session.scalar(
        select(func.count())
        .select_from(Case)
        .where(
            Case.status.in_(query.statuses),
            Case.urgency_rank >= query.min_rank,
            *scope,  # type: ignore[arg-type]
        )
    )
    wanted = query.offset + query.limit
    heads: list[tuple[int, dt.datetime, str, str]] = []
    for status in dict.fromkeys(query.statuses):
        for rank in range(max(URGENCY_RANKS.values()), query.min_rank - 1, -1):
            rows = await session.execute(_queue_group(status, rank, scope, wanted))
            heads.extend((-rank, waiting, number, case_id) for case_id, waiting, number in rows)
    page = [case_id for *_, case_id in sorted(heads)[query.offset : wanted]]
    if not page:
        return [], int(total or 0)
    found = {c.id: c for c in await session.scalars(select(Case).where(Case.id.in_(page)))}
    return [found[case_id] for case_id in page if case_id in found], int(total or 0)


async def get_place(session: AsyncSession, case: Case) -> int | None:
    """1 for the next case of its team to be taken; None when it is not waiting."""
    if case.status not in WAITING:
        return None
    ahead = await session.scalar(
        select(func.count(Case.id)).where(
            Case.team == case.team,
            Case.status.in_(WAITING),
            or_(
                Case.urgency_rank > case.urgency_rank,
                and_(
                    Case.urgency_rank == case.urgency_rank,
                    or_(
                        Case.waiting_since < case.waiting_since,
                        and_(Case.waiting_since == case.waiting_since, Case.number < case.number),
                    ),
                ),
            ),
        )
    )
    return int(ahead or 0) + 1


async def get_team_counts(session: AsyncSession) -> dict[str, tuple[int, int]]:
    """team → (waiting cases, online agents)."""
    waiting = dict(
        (
            await session.execute(
                select(Case.team, func.count(Case.id))
                .where(Case.status.in_(WAITING))
                .group_by(Case.team)
            )
        ).all()
    )
    online = dict(
        (
            await session.execute(
                select(AgentTeam.team, func.count(Agent.id))
                .join(Agent, Agent.id == AgentTeam.agent_id)
                .where(Agent.status == "online")
                .group_by(AgentTeam.team)
            )
        ).all()
    )
    teams = set(waiting) | set(online)
    return {team: (int(waiting.get(team, 0)), int(online.get(team, 0))) for team in teams}


async def get_handle_seconds(session: AsyncSession, team: str, limit: int = 20) -> float | None:
    """The mean time from assignment to resolution of the team's last `limit` cases, or None
    with fewer than 5 of them."""
    rows = await session.execute(
        select(Case.assigned_at, Case.resolved_at)
        .where(Case.team == team, Case.status == "resolved", Case.assigned_at.is_not(None))
        .order_by(Case.resolved_at.desc())
        .limit(limit)
    )
    spans = [(done - start).total_seconds() for start, done in rows.all() if start and done]
    return sum(spans) / len(spans) if len(spans) >= 5 else None


async def get_long_waiting(
    session: AsyncSession, since: dt.datetime, below_rank: int, limit: int = 500
) -> list[Case]:
    """Waiting cases in the queue since `since` or longer, below the urgency `below_rank`
    (those a `waiting_minutes` rule may raise), the longest waiting first."""
    rows = await session.scalars(
        select(Case)
        .where(
            Case.status.in_(WAITING),
            Case.waiting_since <= since,
            Case.urgency_rank < below_rank,
        )
        .order_by(Case.waiting_since)
        .limit(limit)
    )
    return list(rows.all())


async def get_case_events(session: AsyncSession, case_id: str) -> list[CaseEvent]:
    rows = await session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
    )
    return list(rows.all())


async def get_case_notes(session: AsyncSession, case_id: str) -> list[CaseNote]:
    rows = await session.scalars(
        select(CaseNote).where(CaseNote.case_id == case_id).order_by(CaseNote.id)
    )
    return list(rows.all())


async def get_visitor_cases(
    session: AsyncSession,
    visitor_id: str,
    exclude: Iterable[str] = (),
    limit: int = 10,
    *,
    customer_id: str | None = None,
) -> list[Case]:
    """The visitor's other cases, newest first; with a verified `customer_id`, the
    customer's cases from every device too."""
    whose = Case.visitor_id == visitor_id
    if customer_id is not None:
        whose = or_(whose, Case.customer_id == customer_id)
    rows = await session.scalars(
        select(Case)
        .where(whose, Case.id.not_in(list(exclude)))
        .order_by(Case.created_at.desc())
        .limit(limit)
    )
    return list(rows.all())


def online_capacity() -> Select[Any]:
    """Online agents below their max_chats, least loaded first, then the longest unassigned."""
    load = _load()
    return (
        select(Agent)
        .where(Agent.status == "online", load < Agent.max_chats)
        .order_by(load, Agent.last_assigned_at.is_not(None), Agent.last_assigned_at, Agent.id)
    )
