"""Cases on a real database: numbers under concurrency, one winner among concurrent claims,
automatic assignment, time-outs, reopening, transfers."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
from sqlalchemy import update

from conversations.storage import Database, get_database_url, open_database
from conversations.storage.tables import Conversation, Visitor
from handoff import (
    METADATA,
    Case,
    CaseConflict,
    NewCase,
    UnknownTeam,
    Urgency,
    do_add_agent,
    do_assign,
    do_claim,
    do_fill,
    do_give_case_number,
    do_open_case,
    do_record_agent_reply,
    do_record_visitor_message,
    do_requeue_unanswered,
    do_reserve_case_number,
    do_resolve,
    do_set_agent_status,
    do_transfer,
    get_agent,
    get_case,
    get_place,
)

T = TypeVar("T")
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


CONVERSATIONS = 100  # the conversations conv0 … conv99 exist (a case belongs to one)


async def _open(url: str) -> Database:
    """The whole database (the hand-off's tables and the conversations' they refer to), with
    the conversations that `new_case(n)` opens cases in."""
    db = open_database(get_database_url(url, None))  # type: ignore[arg-type]
    async with db.engine.begin() as connection:
        await connection.run_sync(METADATA.create_all)
    async with db.writing() as session, session.begin():
        for n in range(CONVERSATIONS):
            session.add(Visitor(id=f"vis{n}", created_at=NOW, last_seen_at=NOW))
        await session.flush()
        for n in range(CONVERSATIONS):
            session.add(
                Conversation(id=f"conv{n}", visitor_id=f"vis{n}", started_at=NOW, updated_at=NOW)
            )
    return db


def run(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    async def main() -> T:
        db = await _open(url)
        try:
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(main())


async def write(db: Database, change: Callable[[Any], Awaitable[T]]) -> T:
    async with db.writing() as session, session.begin():
        return await change(session)


def new_case(n: int = 0, team: str = "payments") -> NewCase:
    return NewCase(f"conv{n}", f"vis{n}", team, "asked_for_human", "nb", Urgency("normal", ()))


async def agent(
    db: Database, name: str, teams: list[str], *, online: bool = True, max_chats: int = 2
) -> str:
    made = await write(
        db,
        lambda s: do_add_agent(
            s,
            name=name,
            display_name=name.title(),
            password_hash="x",
            teams=teams,
            now=NOW,
            max_chats=max_chats,
        ),
    )
    if online:
        await write(db, lambda s: do_set_agent_status(s, made.id, "online", NOW))
    return str(made.id)


def test_case_numbers_are_unique_and_gapless_under_concurrency(database_url: str) -> None:
    async def work(db: Database) -> list[str]:
        async def one(n: int) -> str:
            case = await write(db, lambda s: do_open_case(s, new_case(n), NOW, 2026))
            return str(case.number)

        return list(await asyncio.gather(*(one(n) for n in range(40))))

    numbers = run(database_url, work)
    assert sorted(numbers) == [f"S-2026-{n:06d}" for n in range(1, 41)]


def test_a_failed_transaction_leaves_no_gap(database_url: str) -> None:
    async def work(db: Database) -> list[str]:
        with pytest.raises(RuntimeError):

            async def fail(session: Any) -> None:
                await do_open_case(session, new_case(1), NOW, 2026)
                raise RuntimeError("the messages could not be stored")

            await write(db, fail)
        first = await write(db, lambda s: do_open_case(s, new_case(2), NOW, 2026))
        other_year = await write(db, lambda s: do_open_case(s, new_case(3), NOW, 2027))
        return [first.number, other_year.number]

    assert run(database_url, work) == ["S-2026-000001", "S-2027-000001"]


def test_a_kept_number_is_the_one_its_conversations_case_takes(database_url: str) -> None:
    """Numbers given out before a case (an e-mail's acknowledgement, decision 0124) come
    from the same counter; the conversation's first case takes its kept number, the
    next case a new one; a number a case already has is not kept again."""

    async def work(db: Database) -> list[str]:
        given = await write(db, lambda s: do_give_case_number(s, 2026))
        kept = await write(db, lambda s: do_reserve_case_number(s, "conv1", NOW, 2026, given))
        again = await write(db, lambda s: do_reserve_case_number(s, "conv1", NOW, 2026))
        fresh = await write(db, lambda s: do_reserve_case_number(s, "conv2", NOW, 2026))
        first = await write(db, lambda s: do_open_case(s, new_case(1), NOW, 2026))
        await write(  # resolved: the conversation may open another
            db,
            lambda s: s.execute(update(Case).where(Case.id == first.id).values(status="resolved")),
        )
        second = await write(db, lambda s: do_open_case(s, new_case(1), NOW, 2026))
        other = await write(db, lambda s: do_open_case(s, new_case(3), NOW, 2026))
        redone = await write(  # a step done again after its case opened keeps nothing
            db, lambda s: do_reserve_case_number(s, "conv1", NOW, 2026, first.number)
        )
        await write(
            db,
            lambda s: s.execute(update(Case).where(Case.id == second.id).values(status="resolved")),
        )
        third = await write(db, lambda s: do_open_case(s, new_case(1), NOW, 2026))
        return [
            given,
            kept,
            again,
            fresh,
            first.number,
            second.number,
            other.number,
            redone,
            third.number,
        ]

    numbers = run(database_url, work)
    assert numbers[:4] == ["S-2026-000001"] * 3 + ["S-2026-000002"]
    assert numbers[4:7] == ["S-2026-000001", "S-2026-000003", "S-2026-000004"]
    assert numbers[7] == "S-2026-000001" and numbers[8] == "S-2026-000005"


def test_many_agents_claiming_at_once_have_one_winner(database_url: str) -> None:
    async def work(db: Database) -> tuple[list[Any], str | None]:
        agents = [await agent(db, f"agent{n}", ["payments"], online=False) for n in range(12)]
        case = await write(db, lambda s: do_open_case(s, new_case(), NOW, 2026))

        async def claim(agent_id: str) -> Any:
            try:
                return (await write(db, lambda s: do_claim(s, case.id, agent_id, NOW))).agent_id
            except CaseConflict as exc:
                return exc.code

        results = await asyncio.gather(*(claim(a) for a in agents))
        async with db.reading() as session:
            stored = await get_case(session, case.id)
        return list(results), stored.agent_id

    results, holder = run(database_url, work)
    winners = [r for r in results if r != "already_claimed"]
    assert len(winners) == 1 and winners[0] == holder
    assert results.count("already_claimed") == 11


def test_assignment_goes_to_the_least_loaded_online_agent_under_max(database_url: str) -> None:
    async def work(db: Database) -> list[str | None]:
        kari = await agent(db, "kari", ["payments"], max_chats=1)
        ola = await agent(db, "ola", ["payments"], max_chats=2)
        await agent(db, "away", ["payments"], online=False)
        await agent(db, "other", ["returns"])
        got = []
        for n in range(4):
            case = await write(db, lambda s, n=n: do_open_case(s, new_case(n), NOW, 2026))
            got.append(await write(db, lambda s, c=case: do_assign(s, c.id, NOW)))
        names = {kari: "kari", ola: "ola", None: None}
        return [names[a] for a in got]

    # kari and ola both at 0: round robin; then only ola has room; then nobody
    result = run(database_url, work)
    assert sorted(result[:2]) == ["kari", "ola"] and result[2:] == ["ola", None]


def test_timeout_requeue_reopen_and_fill(database_url: str) -> None:
    async def work(db: Database) -> None:
        kari = await agent(db, "kari", ["payments"], max_chats=1)
        case = await write(db, lambda s: do_open_case(s, new_case(), NOW, 2026))
        assert await write(db, lambda s: do_assign(s, case.id, NOW)) == kari
        later = NOW + dt.timedelta(minutes=3)
        back = await write(db, lambda s: do_requeue_unanswered(s, later, dt.timedelta(minutes=2)))
        assert [(c.id, c.status, who) for c, who in back] == [(case.id, "queued", kari)]
        assert await write(db, lambda s: do_assign(s, case.id, later, exclude=[kari])) is None
        assert await write(db, lambda s: do_fill(s, kari, later)) == [case.id]
        info = await write(db, lambda s: get_agent(s, kari))
        answered = await write(db, lambda s: do_record_agent_reply(s, case.id, info, later))
        assert answered.status == "waiting_on_visitor"
        assert not await write(
            db,
            lambda s: do_requeue_unanswered(
                s, later + dt.timedelta(hours=1), dt.timedelta(minutes=2)
            ),
        )
        done = await write(db, lambda s: do_resolve(s, case.id, info, later))
        assert done.status == "resolved"
        week = dt.timedelta(days=7)
        again, change = await write(
            db,
            lambda s: do_record_visitor_message(
                s, case.id, later + dt.timedelta(days=6), reopen_within=week
            ),
        )
        assert (again.status, change, again.previous_agent_id) == ("reopened", "reopened", kari)
        async with db.reading() as session:
            assert await get_place(session, await get_case(session, case.id)) == 1
        with pytest.raises(UnknownTeam):
            await write(
                db,
                lambda s: do_transfer(s, case.id, info, later, teams=["payments"], team="nowhere"),
            )
        with pytest.raises(CaseConflict) as conflict:
            await write(db, lambda s: do_record_agent_reply(s, case.id, info, later))
        assert conflict.value.code == "not_assigned"

    run(database_url, work)
