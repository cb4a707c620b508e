"""The conversation services in-process: a SQLite database, the local hub, a fixed clock, and a
bot over the shop's five answers (no server, no demo index).

- `in_services(scenario)`: run `scenario(services)` in a fresh event loop, with `Services`
  built by `build_services` as a server builds them on start (a fresh database each time).
- `Listener`: what one subscriber of a hub channel received.
- `agent(services, name, teams, admin=False)`: an agent in the database, as `AgentInfo`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import pathlib
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest

from app.migrate import do_upgrade
from bot import Bot
from conversations.frames import Frame
from conversations.handoffs import Timing
from conversations.hub import LocalHub
from conversations.services import Limits, Services, build_services
from conversations.storage import Database, get_database_url, open_database
from conversations.turns import BotRunner
from handoff import AgentInfo, do_add_agent, get_agent
from knowledge import load_answer_base
from retrieval import Retriever
from tests.bot.conftest import shop_encoder, shop_retriever
from tests.builders import write_base
from tests.retrieval.conftest import shop_answer_dicts
from tests.retrieval.encoders import CachedE5

__all__ = ["shop_encoder", "shop_retriever"]

# Tuesday 1 December 2026, 10:00 in Oslo: within the base's opening hours.
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
BASE = {
    "default_language": "nb",
    "teams": ["support", "returns"],
    "default_team": "support",
    "business_hours": {
        "timezone": "Europe/Oslo",
        "weekly": {day: "08:00-16:00" for day in ("mon", "tue", "wed", "thu", "fri")},
    },
}


class Clock:
    """A clock that stands still until a test moves it."""

    def __init__(self, now: dt.datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class Listener:
    """Everything published on one channel, as its subscriber received it."""

    def __init__(self) -> None:
        self.frames: list[Frame] = []

    def __call__(self, frame: Frame) -> None:
        self.frames.append(frame)

    def types(self) -> list[str]:
        return [frame.type for frame in self.frames]

    def bodies(self, kind: str) -> list[dict[str, Any]]:
        return [dict(frame.body) for frame in self.frames if frame.type == kind]


@pytest.fixture
def shop_bot(tmp_path: pathlib.Path, shop_retriever: Retriever, shop_encoder: CachedE5) -> Bot:
    root = write_base(tmp_path / "base", shop_answer_dicts(), base=BASE)
    return Bot(load_answer_base(root), shop_retriever, shop_encoder)


T = TypeVar("T")
InServices = Callable[[Callable[[Services], Awaitable[T]]], T]


@pytest.fixture
def in_services(tmp_path: pathlib.Path, shop_bot: Bot) -> InServices[Any]:
    def run(scenario: Callable[[Services], Awaitable[T]]) -> T:
        return asyncio.run(_with_services(tmp_path, shop_bot, scenario))

    return run


async def _with_services(
    tmp_path: pathlib.Path, bot: Bot, scenario: Callable[[Services], Awaitable[T]]
) -> T:
    db = open_database(get_database_url(f"sqlite:///{tmp_path / 'samsvar.db'}", tmp_path))
    await do_upgrade(db)
    built = services_on(db, bot, Clock())
    try:
        return await scenario(built)
    finally:
        await built.chat.drain()
        await asyncio.to_thread(built.runner.close)
        await db.close()


def services_on(db: Database, bot: Bot, clock: Clock) -> Services:
    """The services of one server process on `db` (another call: another process)."""
    timing = Timing(
        answer_timeout=dt.timedelta(minutes=5),
        reopen_within=dt.timedelta(days=7),
        reopen_window=dt.timedelta(minutes=10),
        handle_seconds=6.0,
    )
    limits = Limits(messages=20, seconds=60, idle_after=dt.timedelta(hours=4), sign_in_hours=8)
    runner = BotRunner(bot, workers=2)
    return build_services(db, runner, LocalHub(), timing=timing, limits=limits, clock=clock)


async def agent(
    services: Services, name: str, teams: list[str], *, admin: bool = False
) -> AgentInfo:
    """An agent (online) in the services' database."""
    now = services.clock()
    async with services.db.writing() as session, session.begin():
        made = await do_add_agent(
            session,
            name=name,
            display_name=name.title(),
            password_hash="not-used",
            teams=teams,
            now=now,
            admin=admin,
        )
        info = await get_agent(session, made.id)
    return await services.desk.do_status(info, "online")
