"""One turn: language, retrieval, and the decision to answer, clarify or abstain."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from bot.errors import InvalidMessage
from bot.language import Detection, detect_language
from bot.replies import Abstain, Choice, Clarify, Outcome, Reply
from bot.texts import ABSTAIN, CLARIFY, FALLBACK_NOTE
from knowledge import AnswerBase
from retrieval import Encoder, Ranking, Retriever, Thresholds

__all__ = ["MAX_MESSAGE_CHARS", "Bot", "check_message"]

MAX_MESSAGE_CHARS = 2000
CLARIFY_MAX = 3
CLARIFY_RELATIVE = 0.35  # a choice must score at least this share of the best one


def check_message(text: str) -> str:
    """The message stripped; raises InvalidMessage when empty or too long."""
    stripped = text.strip()
    if not stripped:
        raise InvalidMessage("the message is empty: type a question", "empty_message")
    if len(stripped) > MAX_MESSAGE_CHARS:
        raise InvalidMessage(
            f"the message has {len(stripped):,} characters; the limit is {MAX_MESSAGE_CHARS:,}",
            "message_too_long",
        )
    return stripped


@dataclass(frozen=True)
class _Context:
    detection: Detection
    ranking: Ranking
    started: float

    def ms(self) -> float:
        return round((time.perf_counter() - self.started) * 1000, 2)


class Bot:
    """Answers from one answer base; build it once, call `turn` per message."""

    def __init__(
        self,
        base: AnswerBase,
        retriever: Retriever,
        encoder: Encoder,
        *,
        thresholds: Thresholds | None = None,
    ) -> None:
        self.base = base
        self.retriever = retriever
        self.encoder = encoder
        self.thresholds = thresholds or retriever.thresholds
        self._labels: dict[tuple[str, str], str] = {}

    def turn(
        self,
        text: str,
        *,
        page_lang: str | None = None,
        history_langs: Sequence[str] = (),
    ) -> Outcome:
        """Decide what to say to one visitor message."""
        started = time.perf_counter()
        question = check_message(text)
        detection = detect_language(
            question,
            page_lang=page_lang,
            history=history_langs,
            base_languages=self.base.languages,
            default=self.base.config.default_language,
        )
        vector = self.encoder.query_vectors([question])[0]
        ctx = _Context(detection, self.retriever.rank(question, vector), started)
        return self._decide(ctx)

    def _decide(self, ctx: _Context) -> Outcome:
        ranking = ctx.ranking
        if ranking.candidates and ranking.confidence >= self.thresholds.answer:
            return self._reply(ctx)
        choices = self._choices(ctx)
        if len(choices) >= 2 and ranking.top3 >= self.thresholds.clarify:
            lang = ctx.detection.lang
            return Clarify(
                lang, ranking.confidence, ranking.candidates, ctx.ms(), CLARIFY[lang], choices
            )
        lang = ctx.detection.lang
        return Abstain(lang, ranking.confidence, ranking.candidates, ctx.ms(), ABSTAIN[lang])

    def _reply(self, ctx: _Context) -> Reply:
        answer = self.base.get(ctx.ranking.candidates[0].id)
        assert answer is not None  # the index is built from this base
        lang = ctx.detection.lang
        used, text, fallback = answer.text_for(lang, self.base.config.default_language)
        return Reply(
            lang,
            ctx.ranking.confidence,
            ctx.ranking.candidates,
            ctx.ms(),
            answer.id,
            text,
            used,
            fallback,
            answer.links,
            FALLBACK_NOTE[lang] if fallback else None,
        )

    def _choices(self, ctx: _Context) -> tuple[Choice, ...]:
        candidates = ctx.ranking.candidates
        if not candidates:
            return ()
        floor = candidates[0].score * CLARIFY_RELATIVE
        picked = [c for c in candidates[:CLARIFY_MAX] if c.score >= floor]
        return tuple(Choice(c.id, self._label(c.id, ctx.detection.lang)) for c in picked)

    def _label(self, answer_id: str, lang: str) -> str:
        """A choice's label: the answer's first question in the visitor's language, else its
        title (titles are written for people, usually in one language)."""
        key = (answer_id, lang)
        if key not in self._labels:
            answer = self.base.get(answer_id)
            label = answer.title if answer is not None else answer_id
            for question in answer.questions if answer is not None else ():
                if detect_language(question, default=lang).lang == lang:
                    label = question
                    break
            self._labels[key] = label
        return self._labels[key]
