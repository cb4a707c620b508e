"""Stored traffic for the insights tests, built through the storage actions and the hand-off
actions as the server stores it (no server, SQLite in `tmp_path`).

- `Shop(db)`: visitors asking questions, feedback, hand-offs with agent replies, resolutions,
  ratings and reopenings, each at a given time.
- `shop_answers(tmp_path)`: an answer base with three answers, two teams and targets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from conversations.storage import (
    Database,
    Message,
    NewInquiry,
    NewMessage,
    do_add_message,
    do_create_conversation,
    do_create_visitor,
    do_record_feedback,
    do_store_replies,
)
from handoff import (
    AgentInfo,
    NewCase,
    Urgency,
    do_add_agent,
    do_claim,
    do_open_case,
    do_rate,
    do_record_agent_reply,
    do_record_visitor_message,
    do_resolve,
    get_agent,
)
from knowledge import load_answer_base
from retrieval import Retriever, entries_from_base, get_probe_langs, get_probes
from tests.bot.conftest import shop_encoder
from tests.builders import make_answer_dict, write_base
from tests.retrieval.encoders import CachedE5

__all__ = ["shop_encoder"]

# Monday 7 December 2026, 09:00 in Oslo.
MONDAY = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)
BASE = {
    "default_language": "nb",
    "teams": ["payments", "logistics"],
    "default_team": "payments",
    "business_hours": {
        "timezone": "Europe/Oslo",
        "weekly": {day: "08:00-16:00" for day in ("mon", "tue", "wed", "thu", "fri")},
    },
    "targets": {"widget": {"first_reply": "60s", "resolution": "1h"}},
}


def shop_answers(tmp_path: Path, **base: Any) -> Path:
    return write_base(
        tmp_path,
        [
            make_answer_dict(handoff={"team": "payments"}),
            make_answer_dict(
                id="order-tracking",
                title="Sporing av pakke",
                questions=["Hvor er pakken min?", "Where is my parcel?"],
                answer={"nb": "Du finner sporingen under Mine ordre."},
                handoff={"team": "logistics"},
            ),
            make_answer_dict(
                id="returns",
                title="Retur",
                questions=["Hvordan returnerer jeg en vare?"],
                answer={"nb": "Skriv ut returetiketten under Mine ordre."},
                handoff={"team": "logistics"},
                review_by="2026-12-10",
            ),
        ],
        base=BASE | base,
    )


@dataclass
class Shop:
    """Visitors and their conversations, stored through the actions; times given by the
    test (aware UTC)."""

    db: Database
    agents: dict[str, AgentInfo] = field(default_factory=dict)

    async def visitor(self, at: dt.datetime, channel: str = "widget") -> tuple[str, str]:
        """A new visitor's (visitor id, conversation id), the conversation on `channel`."""
        visitor = await do_create_visitor(self.db, at)
        conversation = await do_create_conversation(self.db, visitor.id, at, channel=channel)
        return visitor.id, conversation.id

    async def conversation(self, visitor_id: str, at: dt.datetime) -> str:
        return (await do_create_conversation(self.db, visitor_id, at)).id

    async def ask(
        self,
        who: tuple[str, str],
        text: str,
        decision: str,
        at: dt.datetime,
        answer_id: str | None = None,
        *,
        lang: str = "nb",
        channel: str = "widget",
        kind: str = "text",
    ) -> Message:
        """The visitor writes (or clicks) and the bot decides; returns the bot's message."""
        visitor_id, conversation_id = who
        asked, _, _ = await do_add_message(
            self.db,
            visitor_id,
            conversation_id,
            NewMessage(
                "visitor", text, kind=kind, answer_id=answer_id if kind == "choice" else None
            ),
            at,
        )
        reply = NewMessage(
            "bot", "…", lang=lang, reply_to=asked.id, decision=decision, answer_id=answer_id
        )
        inquiry = NewInquiry(
            text, lang, decision, answer_id, 0.8, 4.0, None, channel=channel, kind=kind
        )
        [bot] = await do_store_replies(
            self.db,
            conversation_id,
            [reply],
            at,
            inquiry=inquiry,
            inquiry_message_id=asked.id,
            language=lang,
        )
        return bot

    async def feedback(
        self, who: tuple[str, str], bot: Message, helpful: bool, at: dt.datetime
    ) -> None:
        await do_record_feedback(self.db, who[1], bot, helpful, at)

    async def agent(self, name: str, team: str) -> AgentInfo:
        if name not in self.agents:
            async with self.db.writing() as session, session.begin():
                made = await do_add_agent(
                    session,
                    name=name,
                    display_name=name.title(),
                    password_hash="not-used",
                    teams=[team],
                    now=MONDAY - dt.timedelta(days=60),
                )
                self.agents[name] = await get_agent(session, made.id)
        return self.agents[name]

    async def case(
        self,
        who: tuple[str, str],
        at: dt.datetime,
        *,
        team: str = "payments",
        topic: str | None = None,
        reply_after: float | None = None,
        resolve_after: float | None = None,
        rating: int | None = None,
        reopen_after: float | None = None,
        lang: str = "nb",
        reason: str = "unresolved",
    ) -> str:
        """A hand-off at `at` (or another case, by its `reason`); an agent's first reply,
        the resolution and the reopening `…_after` seconds after it."""
        new = NewCase(who[1], who[0], team, reason, lang, Urgency("normal", ()), topic=topic)
        agent = await self.agent(f"agent-{team}", team)
        async with self.db.writing() as session, session.begin():
            case = await do_open_case(session, new, at, at.year)
            if reply_after is not None:
                later = at + dt.timedelta(seconds=reply_after)
                await do_claim(session, case.id, agent.id, later)
                await do_record_agent_reply(session, case.id, agent, later)
            if resolve_after is not None:
                done = at + dt.timedelta(seconds=resolve_after)
                await do_resolve(session, case.id, agent, done)
                if rating is not None:
                    await do_rate(session, case.id, rating, None, done)
            if reopen_after is not None:
                await do_record_visitor_message(
                    session,
                    case.id,
                    at + dt.timedelta(seconds=reopen_after),
                    reopen_within=dt.timedelta(days=7),
                )
            return case.id


@pytest.fixture(scope="session")
def gap_retriever(shop_encoder: CachedE5, tmp_path_factory: pytest.TempPathFactory) -> Retriever:
    """A retriever over the shop's answers with each language's centre (from 10 off-topic
    probes per language), as the server's retriever has them."""
    root = shop_answers(tmp_path_factory.mktemp("gap-base"))
    probes, langs = get_probes(), get_probe_langs()
    chosen = [
        i
        for lang in sorted(set(langs))
        for i in [n for n, other in enumerate(langs) if other == lang][:10]
    ]
    return Retriever.fit(
        entries_from_base(load_answer_base(root)),
        shop_encoder,
        probes=[probes[i] for i in chosen],
        probe_langs=[langs[i] for i in chosen],
    )
