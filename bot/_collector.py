"""How `Bot` collects fields before a hand-off: the first question, each answer, skipping.

Every step returns a value: a `Collect` (ask, or ask again with what was wrong) or the
`Escalate` once every field is given, recognised, skipped or given up on.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from bot._collect_texts import COLLECT_INTRO, FIELD_NOT_GIVEN, SKIP_LABEL
from bot._collecting import (
    advance,
    check_answer,
    describe_problem,
    is_skip,
    label_of,
    may_be_question,
)
from bot.collect import MAX_FIELD_TRIES, CollectedField, PendingHandoff
from bot.conversation import PastTurn
from bot.replies import Collect, Escalate
from bot.texts import ESCALATE
from knowledge import AnswerBase


def pending_of(turns: Sequence[PastTurn]) -> PendingHandoff | None:
    """The hand-off waiting for a field, when the last turn asked for one."""
    if turns and turns[-1].decision == "collect":
        return turns[-1].pending
    return None


class Collector:
    def __init__(self, base: AnswerBase) -> None:
        self.base = base

    def first(
        self, escalate: Escalate, turns: Sequence[PastTurn], question: str | None
    ) -> Escalate | Collect:
        """Ask for the first field the topic needs that the visitor has not written yet."""
        if not escalate.collect:
            return escalate
        texts = [*(t.text for t in turns if t.text), *([question] if question else [])]
        asking, done = advance(escalate.collect, (), self.base.fields, texts)
        if asking is None:
            return dataclasses.replace(escalate, fields=done)
        pending = PendingHandoff(
            escalate.reason,
            escalate.team,
            escalate.question,
            escalate.answer_id,
            escalate.tried,
            escalate.collect,
            done,
            asking,
        )
        return self._ask(pending, escalate, COLLECT_INTRO[escalate.lang])

    def is_new_question(self, text: str, pending: PendingHandoff) -> bool:
        """Whether a reply to the field asked for gives no value and may be a new question
        (no digits; a question mark or a few words). A free-text field takes any reply."""
        field = self.base.fields.get(pending.asking)
        if field is None or is_skip(text) or check_answer(field, text) is not None:
            return False
        return may_be_question(text)

    def answer(
        self,
        text: str,
        pending: PendingHandoff,
        escalate: Escalate,
        turns: Sequence[PastTurn],
        *,
        skip: bool = False,
    ) -> Escalate | Collect:
        """The visitor's answer to the field asked for (or a skip). `escalate` is the
        hand-off to return when this was the last field (its fields are filled in here)."""
        lang, field = escalate.lang, self.base.fields.get(pending.asking)
        prefix = None
        if skip or is_skip(text) or field is None:
            result = CollectedField(pending.asking, "skipped")
        elif (value := check_answer(field, text)) is not None:
            result = CollectedField(pending.asking, "given", value)
        elif pending.tries + 1 < MAX_FIELD_TRIES:
            problem = describe_problem(field, text, lang, self.base.config.default_language)
            again = dataclasses.replace(pending, tries=pending.tries + 1)
            return self._ask(again, escalate, problem, problem=problem)
        else:
            result, prefix = CollectedField(pending.asking, "not_given"), FIELD_NOT_GIVEN[lang]
        texts = [*(t.text for t in turns if t.text), text]
        asking, done = advance(pending.collect, (*pending.fields, result), self.base.fields, texts)
        if asking is not None:
            following = dataclasses.replace(pending, fields=done, asking=asking, tries=0)
            return self._ask(following, escalate, prefix)
        closing = ESCALATE[pending.reason][lang]
        return dataclasses.replace(
            escalate, fields=done, text=f"{prefix} {closing}" if prefix else closing
        )

    def give_up(self, pending: PendingHandoff, escalate: Escalate) -> Escalate:
        """The visitor asked for a person while being asked: hand off with what there is."""
        done = list(pending.fields)
        done += [CollectedField(n, "skipped") for n in pending.collect if n not in _names(done)]
        return dataclasses.replace(escalate, fields=tuple(done))

    def _ask(
        self,
        pending: PendingHandoff,
        escalate: Escalate,
        before: str | None,
        *,
        problem: str | None = None,
    ) -> Collect:
        lang, field = escalate.lang, self.base.fields[pending.asking]
        default = self.base.config.default_language
        prompt = field.prompts.get(lang) or field.prompts[default]
        return Collect(
            lang,
            escalate.confidence,
            escalate.ranked,
            escalate.ms,
            read_with=escalate.read_with,
            text=f"{before} {prompt}" if before else prompt,
            field=field.name,
            label=label_of(field, lang, default),
            example=field.example,
            attempt=pending.tries + 1,
            max_attempts=MAX_FIELD_TRIES,
            problem=problem,
            skip_label=SKIP_LABEL[lang],
            pending=pending,
        )


def _names(results: Sequence[CollectedField]) -> set[str]:
    return {result.name for result in results}
