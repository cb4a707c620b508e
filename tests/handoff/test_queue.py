"""The queue page on a real database: the order, the filters, the pages and the total, against
the same cases sorted in Python; and on SQLite, that a page is read from the index in order."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from typing import Any

import pytest
from sqlalchemy import select, text, update

from handoff import QueueFilter, Urgency, do_open_case, get_queue
from handoff.queries import _queue_group, _queue_scope
from handoff.tables import Case
from handoff.urgency import URGENCY_LEVELS
from tests.handoff.test_cases import NOW, agent, new_case, run, write

TEAMS = ("orders", "payments", "returns")


async def _seed(db: Any, count: int = 90) -> tuple[list[Case], dict[str, str]]:
    """Cases of three teams, every urgency and status; returns them and the agents' ids."""
    agents = {
        "agent-1": await agent(db, "ola", ["orders"], online=False),
        "agent-2": await agent(db, "kari", ["payments"], online=False),
    }
    rng = random.Random(7)
    for n in range(count):
        level = rng.choice(URGENCY_LEVELS)
        new = dataclasses.replace(new_case(n, TEAMS[n % len(TEAMS)]), urgency=Urgency(level, ()))
        # Some cases wait exactly as long as another, so the number decides between them.
        at = NOW - dt.timedelta(minutes=rng.randrange(0, 40))
        case = await write(db, lambda s, new=new, at=at: do_open_case(s, new, at, 2026))
        status, placeholder = rng.choice(
            [("queued", None)] * 3
            + [("reopened", None), ("reopened", "agent-1"), ("assigned", "agent-1")]
            + [("resolved", None), ("waiting_on_visitor", "agent-2")]
        )
        who = agents[placeholder] if placeholder else None

        async def change(session: Any, case: Case = case, s: str = status, a: Any = who) -> None:
            await session.execute(
                update(Case).where(Case.id == case.id).values(status=s, agent_id=a)
            )

        await write(db, change)
    async with db.reading() as session:
        return list(await session.scalars(select(Case))), agents


def _expected(cases: list[Case], query: QueueFilter) -> tuple[list[str], int]:
    def keep(c: Case) -> bool:
        if c.status not in query.statuses or c.urgency_rank < query.min_rank:
            return False
        outside = query.teams is not None and c.team not in query.teams
        if outside and (query.include_agent is None or c.agent_id != query.include_agent):
            return False
        if query.agent == "none":
            return c.agent_id is None
        return query.agent is None or c.agent_id == query.agent

    matching = sorted(
        (c for c in cases if keep(c)), key=lambda c: (-c.urgency_rank, c.waiting_since, c.number)
    )
    page = matching[query.offset : query.offset + query.limit]
    return [c.number for c in page], len(matching)


QUERIES = [
    QueueFilter(limit=10),
    QueueFilter(limit=10, offset=7),
    QueueFilter(limit=200),
    QueueFilter(limit=10, offset=500),
    QueueFilter(teams=("orders", "returns"), limit=10, offset=3),
    QueueFilter(teams=("payments",), include_agent="agent-1", limit=15),
    QueueFilter(agent="none", limit=25),
    QueueFilter(("queued", "reopened", "assigned", "waiting_on_visitor"), limit=40),
    QueueFilter(("assigned", "waiting_on_visitor"), agent="agent-1", limit=5),
    QueueFilter(min_rank=2, limit=10, offset=2),
    QueueFilter(("queued", "queued"), limit=10),
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: f"{q}")
def test_a_queue_page_matches_the_cases_sorted_by_urgency_then_waiting_time(
    database_url: str, query: QueueFilter
) -> None:
    async def check(db: Any) -> tuple[tuple[list[str], int], tuple[list[str], int]]:
        cases, agents = await _seed(db)
        # The queries name the agents by placeholder; the database knows them by id.
        real = dataclasses.replace(
            query,
            agent=agents.get(query.agent or "", query.agent),
            include_agent=agents.get(query.include_agent or "", query.include_agent),
        )
        async with db.reading() as session:
            page, total = await get_queue(session, real)
        return ([c.number for c in page], total), _expected(cases, real)

    got, expected = run(database_url, check)
    assert got == expected
    assert expected[1] > 0  # every filter above matches something in the seeded cases


def test_a_queue_group_is_read_from_the_index_in_order_on_sqlite(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the query plan checked is SQLite's")

    async def plan(db: Any) -> list[str]:
        scope = _queue_scope(QueueFilter(teams=TEAMS, include_agent="agent-1", agent="none"))
        statement = _queue_group("queued", 2, scope, 50)
        compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
        async with db.reading() as session:
            rows = await session.execute(text(f"EXPLAIN QUERY PLAN {compiled}"))
            return [str(row[-1]) for row in rows]

    steps = run(database_url, plan)
    assert any("ix_cases_waiting" in step for step in steps), steps
    assert not any("TEMP B-TREE" in step for step in steps), steps
