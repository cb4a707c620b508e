"""Reading which answer was right for a visitor's question out of the stored conversations.

Two stored facts say it:

- **helpful**: the visitor's "yes, this helped" (`feedback.helpful`) on a bot answer. The
  question is the visitor message that the answer replied to. An answer reached by clicking one
  of a clarification's choices takes the question the clarification replied to (what the
  visitor wrote, not the choice's label). An answer to a follow-up read with the previous
  question (`read_with`) or rewritten by the LLM is left out: the words alone are not the
  question.
- **agent**: an agent's message in a hand-off that contains the full curated text (of at least
  40 characters) of exactly one answer, in any of its languages; case and spacing do not count.
  The console's "insert" puts that text into the reply box, and nothing else is stored about
  it. The question is the case's: the visitor's own words for what was unresolved when the case
  opened (for an answer reached through a clarification, what the visitor wrote). When the case
  has none, it is the conversation's last inquiry before the agent's message that was a
  question (answered, clarified or abstained, and not rewritten).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from conversations.storage.records import LabelledQuestion
from conversations.storage.tables import Feedback, Inquiry, Message
from handoff import REGISTERED, Case
from knowledge import AnswerBase

__all__ = ["AnswerTexts", "read_agent_labels", "read_helpful_labels"]

QUESTION_DECISIONS = ("answer", "clarify", "abstain")
_KEY = 40  # characters of an answer text looked up before its whole text is compared; the
# shortest text looked for


def _flat(text: str) -> str:
    return " ".join(text.casefold().split())


def _followed_up(bot: Message) -> bool:
    flags = bot.flags or {}
    return bool(flags.get("read_with") or flags.get("rewritten"))


async def read_helpful_labels(session: AsyncSession, limit: int) -> list[LabelledQuestion]:
    """Questions the visitor said were answered, the most recent feedback first."""
    bot, asked = aliased(Message), aliased(Message)
    rows = (
        await session.execute(
            select(Feedback.answer_id, Feedback.created_at, bot, asked)
            .join(bot, bot.id == Feedback.message_id)
            .join(asked, asked.id == bot.reply_to)
            .where(
                Feedback.helpful.is_(True),
                Feedback.answer_id.is_not(None),
                asked.role == "visitor",
                asked.kind.in_(("text", "choice")),
            )
            .order_by(Feedback.created_at.desc(), Feedback.id.desc())
            .limit(limit)
        )
    ).all()
    clarified = await _clarified(session, [a for _, _, _, a in rows if a.kind == "choice"])
    labels = []
    for answer_id, at, answer, message in rows:
        if message.kind == "choice":
            found = clarified.get(message.id)
            if found is None:
                continue
            question, lang = found
        elif _followed_up(answer):
            continue
        else:
            question, lang = message.text, message.lang
        labels.append(LabelledQuestion(question, str(answer_id), "helpful", lang, at))
    return labels


async def _clarified(
    session: AsyncSession, choices: Sequence[Message]
) -> dict[str, tuple[str, str | None]]:
    """For each clicked choice: what the visitor wrote to the clarification that offered it."""
    if not choices:
        return {}
    offers = (
        await session.scalars(
            select(Message)
            .where(
                Message.conversation_id.in_({c.conversation_id for c in choices}),
                Message.role == "bot",
                Message.decision == "clarify",
            )
            .order_by(Message.seq.desc())
        )
    ).all()
    by_conversation: dict[str, list[Message]] = defaultdict(list)
    for offer in offers:
        by_conversation[offer.conversation_id].append(offer)
    offer_of: dict[str, Message] = {}
    for choice in choices:
        for offer in by_conversation[choice.conversation_id]:
            offered = {c.get("answer_id") for c in offer.choices or ()}
            if offer.seq < choice.seq and choice.answer_id in offered:
                offer_of[choice.id] = offer
                break
    asked = {o.reply_to for o in offer_of.values() if o.reply_to and not _followed_up(o)}
    typed = {
        m.id: m
        for m in await session.scalars(select(Message).where(Message.id.in_(asked)))
        if m.role == "visitor" and m.kind == "text"
    }
    return {
        choice_id: (typed[offer.reply_to].text, typed[offer.reply_to].lang)
        for choice_id, offer in offer_of.items()
        if offer.reply_to in typed
    }


class AnswerTexts:
    """Finds the one answer whose curated text a message contains.

    Texts shorter than `_KEY` characters are not looked for: an agent may well write "Ja,
    det går fint." in their own words.
    """

    def __init__(self, base: AnswerBase) -> None:
        self._by_key: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for answer in base.published():
            for text in answer.answer.values():
                flat = _flat(text)
                if len(flat) >= _KEY:
                    self._by_key[flat[:_KEY]].append((flat, answer.id))

    def find(self, message: str) -> str | None:
        """The id of the only answer whose text `message` contains, else None."""
        flat = _flat(message)
        found: set[str] = set()
        starts = [0] + [i + 1 for i, char in enumerate(flat) if char == " "]
        for start in starts:
            for text, answer_id in self._by_key.get(flat[start : start + _KEY], ()):
                if flat.startswith(text, start):
                    found.add(answer_id)
        return found.pop() if len(found) == 1 else None


async def read_agent_labels(
    session: AsyncSession, texts: AnswerTexts, limit: int
) -> list[LabelledQuestion]:
    """Questions an agent answered with a curated answer's text, the most recent first. An
    inquiry an agent registered (phone, desk: decision 0123) is left out: its question is the
    agent's note or the template's title, not the customer's own words."""
    rows = (
        await session.scalars(
            select(Message)
            .where(
                Message.role == "agent",
                Message.conversation_id.in_(
                    select(Case.conversation_id).where(Case.reason != REGISTERED)
                ),
            )
            .order_by(Message.created_at.desc(), Message.seq.desc())
            .limit(limit)
        )
    ).all()
    matched = [(m, answer_id) for m in rows if (answer_id := texts.find(m.text)) is not None]
    if not matched:
        return []
    conversations = {m.conversation_id for m, _ in matched}
    cases = await _cases(session, conversations)
    asked = await _questions(session, conversations)
    labels = []
    for message, answer_id in matched:
        case = _latest(cases.get(message.conversation_id, []), message.created_at)
        question, lang = (case[1], case[2]) if case is not None else (None, None)
        if not question:
            inquiry = _latest(asked.get(message.conversation_id, []), message.created_at)
            if inquiry is None:
                continue
            question, lang = inquiry[1], lang or inquiry[2]
        if not question:
            continue
        labels.append(LabelledQuestion(question, answer_id, "agent", lang, message.created_at))
    return labels


Row = tuple[dt.datetime, str | None, str | None]


async def _cases(session: AsyncSession, conversations: set[str]) -> dict[str, list[Row]]:
    rows = await session.execute(
        select(Case.conversation_id, Case.created_at, Case.question, Case.language).where(
            Case.conversation_id.in_(conversations)
        )
    )
    return _grouped(rows.all())


async def _questions(session: AsyncSession, conversations: set[str]) -> dict[str, list[Row]]:
    rows = await session.execute(
        select(Inquiry.conversation_id, Inquiry.created_at, Inquiry.text, Inquiry.language).where(
            Inquiry.conversation_id.in_(conversations),
            Inquiry.decision.in_(QUESTION_DECISIONS),
            Inquiry.rewritten.is_(None),
        )
    )
    return _grouped(rows.all())


def _grouped(rows: Sequence[Any]) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for conversation_id, at, text, lang in rows:
        grouped[conversation_id].append((at, text, lang))
    for items in grouped.values():
        items.sort(key=lambda item: item[0])
    return grouped


def _latest(rows: list[Row], until: dt.datetime) -> Row | None:
    """The last row at or before `until` (rows are in time order)."""
    earlier = [row for row in rows if row[0] <= until]
    return earlier[-1] if earlier else None
