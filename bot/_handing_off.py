"""`Bot`'s hand-off methods: the `Escalate` (team, topic, question, what was tried), the
flow of the fields to collect first, and the note for the agent. A base class of `Bot`, so
`turn.py` stays short."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from bot import _history as history
from bot._handoff_note import fallback_summary
from bot.assisted import HandoffNote
from bot.conversation import PastTurn
from bot.replies import Collect, Escalate
from bot.texts import ESCALATE
from knowledge import Answer, AnswerBase
from retrieval import Ranking, Thresholds

if TYPE_CHECKING:
    from bot.assist import Assistant


def ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)


class HandingOff:
    base: AnswerBase
    thresholds: Thresholds
    assistant: Assistant | None

    if TYPE_CHECKING:  # defined by `Bot` and `Flowing`, of which this class is a base

        def _start_collect(
            self,
            escalate: Escalate,
            turns: Sequence[PastTurn],
            question: str | None,
            started: float,
        ) -> Escalate | Collect: ...

    # --- handing off --------------------------------------------------------------------

    def handoff_note(
        self, escalate: Escalate, *, turns: Sequence[PastTurn] = (), rule_urgency: str = "normal"
    ) -> HandoffNote:
        """A note for the agent who takes over: a summary and an urgency never below
        `rule_urgency` (the LLM may suggest a higher one). Without an LLM, or when it fails,
        the summary is the visitor's question and the answers tried."""
        question = escalate.question or ""
        if self.assistant is not None:
            return self.assistant.summarise(question, history=turns, rule_urgency=rule_urgency)
        lang = self.base.config.default_language
        summary = fallback_summary(lang, question, list(escalate.tried))
        return HandoffNote(summary, lang, rule_urgency, rule_urgency, None, False)

    def _escalation(
        self,
        reason: str,
        lang: str,
        turns: Sequence[PastTurn],
        question: str | None,
        started: float,
        **options: Any,
    ) -> Escalate | Collect:
        """The hand-off, or first a question for a field the topic needs (the flow its
        `handoff.collect` compiles to)."""
        escalate = self._handoff(reason, lang, turns, question, started, **options)
        return self._start_collect(escalate, turns, question, started)

    def _handoff(
        self,
        reason: str,
        lang: str,
        turns: Sequence[PastTurn],
        question: str | None,
        started: float,
        *,
        ranking: Ranking | None = None,
        confidence: float = 1.0,
        read_with: str | None = None,
        topic: str | None = None,
    ) -> Escalate:
        """The hand-off; `topic` (an answer id) when the caller knows it, else it is found."""
        answer = self.base.get(topic) if topic else self._topic(turns, ranking)
        handoff = answer.handoff if answer is not None else None
        return Escalate(
            lang,
            confidence,
            ranking.candidates if ranking is not None else (),
            ms_since(started),
            read_with=read_with,
            text=ESCALATE[reason][lang],
            reason=reason,
            team=(handoff.team if handoff else None) or self.base.config.default_team,
            question=question,
            tried=history.answers_given(turns),
            answer_id=answer.id if answer is not None else None,
            collect=handoff.collect if handoff else (),
        )

    def _topic(self, turns: Sequence[PastTurn], ranking: Ranking | None) -> Answer | None:
        """The answer most recently given, or the best ranked one where ranking is plausible."""
        topic_id = None
        if ranking is not None and ranking.candidates and ranking.top3 >= self.thresholds.clarify:
            topic_id = ranking.candidates[0].id
        topic_id = topic_id or history.last_topic(turns)
        return self.base.get(topic_id) if topic_id else None
