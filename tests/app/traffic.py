"""Stored conversations with evidence of the right answer, for the learning tests: built
through the storage actions, as the server stores them."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.migrate import do_upgrade
from conversations.storage import (
    Database,
    NewInquiry,
    NewMessage,
    do_add_message,
    do_case_change,
    do_create_conversation,
    do_create_visitor,
    do_record_feedback,
    do_store_replies,
    get_database_url,
    open_database,
)
from handoff import NewCase, Urgency, do_open_case
from tests.builders import make_answer_dict, write_base

__all__ = ["CARD_TEXT", "NOW", "Talk", "shop_base", "traffic", "with_database"]

T = TypeVar("T")
NOW = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
CARD_TEXT = "Hvis kortet blir avvist, sjekk at kortet er gyldig og har dekning."


def with_database(url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    async def run() -> T:
        db = open_database(get_database_url(url, Path("unused")))
        try:
            await do_upgrade(db)
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(run())


def shop_base(tmp_path: Path) -> Path:
    return write_base(
        tmp_path,
        [
            make_answer_dict(answer={"nb": CARD_TEXT, "en": "Check that the card is valid."}),
            make_answer_dict(
                id="order-tracking",
                title="Sporing av pakke",
                questions=["Hvor er pakken min?", "Where is my parcel?"],
                answer={"nb": "Du finner sporingen under Mine ordre."},
            ),
            make_answer_dict(
                id="returns",
                title="Retur",
                questions=["Hvordan returnerer jeg en vare?"],
                answer={
                    "nb": "Skriv ut returetiketten under Mine ordre og lever pakken på posten."
                },
            ),
        ],
    )


@dataclass
class Talk:
    """One visitor's conversation, built through the storage actions as the server does."""

    db: Database
    visitor_id: str
    conversation_id: str
    at: dt.datetime

    @classmethod
    async def start(cls, db: Database, minutes: int) -> Talk:
        at = NOW + dt.timedelta(minutes=minutes)
        visitor = await do_create_visitor(db, at)
        conversation = await do_create_conversation(db, visitor.id, at)
        return cls(db, visitor.id, conversation.id, at)

    async def turn(
        self,
        text: str,
        decision: str,
        answer_id: str | None = None,
        *,
        kind: str = "text",
        chosen: str | None = None,
        choices: tuple[str, ...] = (),
        flags: dict[str, Any] | None = None,
    ) -> Any:
        """The visitor says `text` and the bot decides; returns the bot's message."""
        self.at += dt.timedelta(seconds=10)
        asked, _, _ = await do_add_message(
            self.db,
            self.visitor_id,
            self.conversation_id,
            NewMessage("visitor", text, kind=kind, answer_id=chosen),
            self.at,
        )
        reply = NewMessage(
            "bot",
            "…",
            lang="nb",
            reply_to=asked.id,
            decision=decision,
            answer_id=answer_id,
            choices=tuple({"answer_id": c, "label": c} for c in choices),
            flags=flags or {},
        )
        inquiry = NewInquiry(text, "nb", decision, answer_id, 0.9, 5.0, None)
        [bot] = await do_store_replies(
            self.db,
            self.conversation_id,
            [reply],
            self.at,
            inquiry=inquiry,
            inquiry_message_id=asked.id,
            language="nb",
        )
        return bot

    async def helpful(self, bot: Any, helpful: bool = True) -> None:
        self.at += dt.timedelta(seconds=10)
        await do_record_feedback(self.db, self.conversation_id, bot, helpful, self.at)

    async def hand_off(self, question: str | None) -> None:
        self.at += dt.timedelta(seconds=10)
        new = NewCase(
            self.conversation_id,
            self.visitor_id,
            "payments",
            "unresolved",
            "nb",
            Urgency("normal", ()),
            question=question,
        )

        async def change(session: AsyncSession) -> tuple[None, list[NewMessage], str]:
            await do_open_case(session, new, self.at, 2026)
            return None, [], "waiting_human"

        await do_case_change(self.db, self.conversation_id, self.at, change)

    async def agent_says(self, text: str) -> None:
        self.at += dt.timedelta(seconds=10)

        async def change(session: AsyncSession) -> tuple[None, list[NewMessage], str]:
            return None, [NewMessage("agent", text, lang="nb")], "with_human"

        await do_case_change(self.db, self.conversation_id, self.at, change)


async def traffic(db: Database) -> None:
    """Stored conversations with every kind of evidence, and some that are none."""
    first = await Talk.start(db, 0)
    await first.helpful(await first.turn("hvor er pakka mi nå?", "answer", "order-tracking"))
    second = await Talk.start(db, 5)
    await second.helpful(await second.turn("Hvor er  pakka mi nå", "answer", "order-tracking"))
    # not evidence: "did not help", a follow-up read with the previous question, a question the
    # base has already (ignoring case and punctuation)
    await second.helpful(await second.turn("og til Sverige?", "answer", "returns"), False)
    followed = await second.turn("og i morgen?", "answer", "returns", flags={"read_with": "x"})
    await second.helpful(followed)
    await second.helpful(await second.turn("HVOR ER PAKKEN MIN", "answer", "order-tracking"))
    # an answer reached through a clarification: the visitor's own words count, not the label
    third = await Talk.start(db, 10)
    await third.turn(
        "kan jeg sende tilbake en jakke", "clarify", choices=("returns", "order-tracking")
    )
    chosen = await third.turn("Retur", "answer", "returns", kind="choice", chosen="returns")
    await third.helpful(chosen)
    # a hand-off in which the agent sent the curated text of payment-declined
    fourth = await Talk.start(db, 15)
    await fourth.turn("kortet mitt virker ikke", "abstain")
    await fourth.hand_off("kortet mitt virker ikke i kassa")
    await fourth.agent_says(f"Hei! {CARD_TEXT.upper()}\n\nHilsen Kari")
    # a hand-off without a question: the last question before the agent's answer
    fifth = await Talk.start(db, 20)
    await fifth.turn("får jeg pengene tilbake for returen", "abstain")
    await fifth.hand_off(None)
    await fifth.agent_says("Skriv ut returetiketten under Mine ordre og lever pakken på posten.")
    await fifth.agent_says("Takk for at du ventet!")  # no curated text: not evidence
