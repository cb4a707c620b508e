"""How `Bot` uses its optional `Assistant`: which answers ground a reply, and the `Reply` made
from what the assistant returned."""

from __future__ import annotations

from bot.assisted import Assisted
from bot.replies import Reply
from bot.texts import FALLBACK_NOTE, MACHINE_TRANSLATED_NOTE
from knowledge import AnswerBase
from retrieval import Candidate, Ranking

__all__ = ["GROUNDING_MAX", "GROUNDING_RELATIVE", "assisted_reply", "grounding_ids"]

GROUNDING_MAX = 3
GROUNDING_RELATIVE = 0.5  # another answer grounds the reply when it scores half the best one


def grounding_ids(ranking: Ranking) -> list[str]:
    """The answers a grounded reply may use: the best one and close runners-up."""
    best = ranking.candidates[0]
    floor = best.score * GROUNDING_RELATIVE
    return [c.id for c in ranking.candidates[:GROUNDING_MAX] if c.score >= floor or c is best]


def _links(base: AnswerBase, answer_ids: tuple[str, ...]) -> tuple[str, ...]:
    links: dict[str, None] = {}
    for answer_id in answer_ids:
        answer = base.get(answer_id)
        links.update(dict.fromkeys(answer.links if answer is not None else ()))
    return tuple(links)


def assisted_reply(
    base: AnswerBase,
    assisted: Assisted,
    lang: str,
    confidence: float,
    ranked: tuple[Candidate, ...],
    ms: float,
    *,
    read_with: str | None = None,
    rewritten: str | None = None,
    chosen: bool = False,
) -> Reply:
    """The `Reply` for what the assistant returned (its own text or the curated one)."""
    fallback = assisted.reply_lang != lang
    if assisted.machine_translated:
        note: str | None = MACHINE_TRANSLATED_NOTE[lang]
    else:
        note = FALLBACK_NOTE[lang] if fallback else None
    return Reply(
        lang,
        confidence,
        ranked,
        ms,
        assisted.answer_id,
        assisted.text,
        assisted.reply_lang,
        fallback,
        _links(base, assisted.citations or (assisted.answer_id,)),
        note,
        read_with=read_with,
        rewritten=rewritten,
        chosen=chosen,
        by_llm=assisted.by_llm,
        citations=assisted.citations,
        machine_translated=assisted.machine_translated,
        source_lang=assisted.source_lang,
        llm_fallback=assisted.fallback_reason,
        retracted=assisted.retracted,
    )
