"""`samsvar agents add`, `list` and `totp`, and `samsvar audit`: agents and the audit log in
the database, from the CLI. What the commands change is in the audit log too."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from app.migrate import on_database
from app.settings import Settings
from conversations.storage import Database
from handoff import (
    AgentInfo,
    AuditEntry,
    UnknownAgent,
    UnknownTeam,
    check_password_strength,
    do_add_agent,
    do_set_totp,
    get_agent_by_name,
    get_agents,
    get_audit,
    hash_password,
    new_totp_secret,
    record_audit,
    totp_uri,
)
from knowledge import load_answer_base

__all__ = ["add_agent", "enrol_totp", "list_agents", "read_audit"]


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
            await record_audit(
                session,
                "agent_added",
                dt.datetime.now(dt.UTC),
                actor="cli",
                target=agent.id,
                detail={"name": name, "teams": list(teams), "admin": admin},
            )
            return str(agent.id)

    return on_database(settings, add)


def list_agents(settings: Settings) -> list[AgentInfo]:
    async def read(db: Database) -> list[AgentInfo]:
        async with db.reading() as session:
            return await get_agents(session)

    return on_database(settings, read)


def enrol_totp(settings: Settings, name: str, *, remove: bool = False) -> str | None:
    """Give the agent a new second-factor secret (the old one stops working): the
    `otpauth://` URI for the agent's authenticator app. With `remove`, take the second
    factor away (None). Raises UnknownAgent."""
    secret = None if remove else new_totp_secret()

    async def enrol(db: Database) -> str | None:
        async with db.writing() as session, session.begin():
            agent = await get_agent_by_name(session, name)
            if agent is None:
                raise UnknownAgent(f"there is no agent {name!r} (samsvar agents list)")
            await do_set_totp(session, agent.id, secret)
            await record_audit(
                session,
                "totp_removed" if remove else "totp_enrolled",
                dt.datetime.now(dt.UTC),
                actor="cli",
                target=agent.id,
                detail={"name": agent.name},
            )
            return totp_uri(secret, agent.name) if secret else None

    return on_database(settings, enrol)


def read_audit(settings: Settings, *, limit: int, action: str | None = None) -> list[AuditEntry]:
    """The newest entries of the audit log first."""

    async def read(db: Database) -> list[AuditEntry]:
        async with db.reading() as session:
            return await get_audit(session, limit=limit, action=action)

    return on_database(settings, read)
