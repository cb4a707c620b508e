"""`samsvar agents add` and `samsvar agents list`: agents in the database, from the CLI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from app.migrate import on_database
from app.settings import Settings
from conversations.storage import Database
from handoff import (
    AgentInfo,
    UnknownTeam,
    check_password_strength,
    do_add_agent,
    get_agents,
    hash_password,
)
from knowledge import load_answer_base

__all__ = ["add_agent", "list_agents"]


def add_agent(
    settings: Settings,
    answers: object,
    name: str,
    password: str,
    teams: Sequence[str],
    *,
    admin: bool,
    max_chats: int,
    display_name: str | None,
) -> str:
    """Create an agent; raises ValueError (weak password), UnknownTeam, AgentExists."""
    check_password_strength(password)
    from app.engine import answers_path

    base = load_answer_base(answers_path(settings, answers))  # type: ignore[arg-type]
    known = base.config.teams
    for team in teams:
        if known and team not in known:
            raise UnknownTeam(f"there is no team {team!r}; base.yaml lists {', '.join(known)}")
    hashed = hash_password(password)

    async def add(db: Database) -> str:
        async with db.writing() as session, session.begin():
            agent = await do_add_agent(
                session,
                name=name,
                display_name=display_name or name,
                password_hash=hashed,
                teams=teams,
                now=dt.datetime.now(dt.UTC),
                admin=admin,
                max_chats=max_chats,
            )
            return str(agent.id)

    return on_database(settings, add)


def list_agents(settings: Settings) -> list[AgentInfo]:
    async def read(db: Database) -> list[AgentInfo]:
        async with db.reading() as session:
            return await get_agents(session)

    return on_database(settings, read)
