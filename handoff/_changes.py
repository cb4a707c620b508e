"""Private helpers of `handoff.actions`: events, case numbers, locking, the conditional
assignment UPDATE, and the holder check."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.errors import CaseConflict
from handoff.numbers import format_case_number
from handoff.queries import AgentInfo, get_case
from handoff.tables import HELD, Agent, Case, CaseCounter, CaseEvent


def event(
    session: AsyncSession,
    case_id: str,
    kind: str,
    now: dt.datetime,
    agent_id: str | None = None,
    **detail: Any,
) -> None:
    session.add(
        CaseEvent(case_id=case_id, kind=kind, agent_id=agent_id, detail=detail, created_at=now)
    )


async def next_number(session: AsyncSession, year: int) -> str:
    """The next number of `year`: the year's counter row made or incremented in one
    statement (the row stays locked until the transaction ends: gapless)."""
    dialect = (await session.connection()).dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    last = await session.scalar(
        insert(CaseCounter)
        .values(year=year, last=1)
        .on_conflict_do_update(index_elements=["year"], set_={"last": CaseCounter.last + 1})
        .returning(CaseCounter.last)
    )
    return format_case_number(year, int(last or 0))


async def lock_agent(session: AsyncSession, agent_id: str) -> Agent | None:
    """The agent's row, locked until the transaction ends on PostgreSQL (SQLite's writers
    take turns anyway), so two assignments cannot both see a free slot."""
    return await session.scalar(
        select(Agent)
        .where(Agent.id == agent_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def load(session: AsyncSession, agent_id: str) -> int:
    found = await session.scalars(
        select(Case.id).where(Case.agent_id == agent_id, Case.status.in_(HELD))
    )
    return len(found.all())


async def take(
    session: AsyncSession, case_id: str, agent_id: str, now: dt.datetime, *, status: Sequence[str]
) -> bool:
    """Give the case to the agent if it is still in `status` with no agent (one UPDATE)."""
    result = await session.execute(
        update(Case)
        .where(Case.id == case_id, Case.status.in_(status), Case.agent_id.is_(None))
        .values(
            status="assigned", agent_id=agent_id, assigned_at=now, answered_at=None, updated_at=now
        )
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def fresh(session: AsyncSession, case_id: str) -> Case:
    case = await get_case(session, case_id)
    await session.refresh(case)
    return case


def check_holder(case: Case, agent: AgentInfo, *, admin_ok: bool = False) -> None:
    if case.status == "resolved":
        raise CaseConflict(f"case {case.number} is resolved", code="case_resolved")
    if case.agent_id != agent.id and not (admin_ok and agent.agent.is_admin):
        raise CaseConflict(
            f"case {case.number} is not assigned to you; claim it first", code="not_assigned"
        )
