"""`Bot`'s guided flows (decision 0058): starting an answer's flow, or the flow a hand-off's
`handoff.collect` compiles to; reading each reply; recognising values already written; moving
on through decisions to the next question or an ending; leaving for a new question and coming
back. A base class of `Bot`, so `turn.py` stays short.

The state travels in the stored turns: every question is a `Collect` whose `pending` holds it.
Leaving is not stored: a flow was left when the reply to its question gave no value and the
bot answered it as a question instead (`interrupted`).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot import _flow_texts as texts
from bot import _history as history
from bot._collect_texts import COLLECT_INTRO, FIELD_NOT_GIVEN, SKIP_LABEL
from bot._collecting import is_skip, may_be_question, recognise
from bot._flowing import Stop, advance, case_fields
from bot._handing_off import ms_since
from bot._human import find_human_request
from bot._values import option_labels, read_value
from bot.collect import MAX_FIELD_TRIES, CollectedField, FlowState, PendingHandoff
from bot.conversation import PastTurn
from bot.replies import Collect, Escalate, Outcome, Reply
from bot.texts import ESCALATE, FALLBACK_NOTE
from knowledge import Answer, AnswerBase, Ending, Flow, Question

__all__ = ["Flowing", "Miss", "is_resume", "pending_of"]


@dataclass(frozen=True, slots=True)
class Miss:
    """A reply to a flow's question in which no value was found: what to say about it."""

    problem: str


def pending_of(turns: Sequence[PastTurn]) -> PendingHandoff | None:
    """The flow waiting for a reply, when the last turn asked its question."""
    if turns and turns[-1].decision == "collect":
        return turns[-1].pending
    return None


def is_resume(text: str) -> bool:
    """Whether the whole message means "go back to the questions" ("fortsett", "continue")."""
    return " ".join(text.casefold().strip(" .!?").split()) in texts.RESUME_WORDS


@dataclass(frozen=True, slots=True)
class _Asking:
    """A flow in progress as `Bot` sees it: its answer, the current flow, the state, and
    what the visitor wrote so far (`texts`, where values are recognised)."""

    answer: Answer
    flow: Flow
    pending: PendingHandoff
    lang: str
    texts: tuple[str, ...] = ()

    @property
    def state(self) -> FlowState:
        return self.pending.flow

    def moved(
        self,
        *,
        values: tuple[CollectedField, ...] | None = None,
        path: tuple[str, ...] | None = None,
    ) -> _Asking:
        """The same flow with the values or the path changed."""
        state = dataclasses.replace(
            self.state,
            values=self.state.values if values is None else values,
            path=self.state.path if path is None else path,
        )
        return dataclasses.replace(self, pending=dataclasses.replace(self.pending, flow=state))


class Flowing:
    base: AnswerBase
    today: Callable[[], datetime.date]

    # --- starting ---------------------------------------------------------------------

    def _start_flow(
        self,
        answer: Answer,
        lang: str,
        question: str | None,
        turns: Sequence[PastTurn],
        started: float,
    ) -> Outcome:
        """Start `answer`'s flow, introduced by the answer's text; or go back to where the
        visitor left it, when they left it in this conversation."""
        assert answer.flow is not None
        left = self.interrupted(turns)
        if left is not None and not left.collecting and left.answer_id == answer.id:
            return self._resume(left, turns, started)
        intro = answer.text_for(lang, self.base.config.default_language)[1]
        pending = PendingHandoff(
            "flow",
            (answer.handoff.team if answer.handoff else None) or self.base.config.default_team,
            question,
            answer.id,
            history.answers_given(turns),
            answer.flow.first.id,
            FlowState(answer.flow.digest),
        )
        asking = _Asking(answer, answer.flow, pending, lang, _texts(turns, question))
        return self._go(asking, answer.flow.first.id, started, intro)

    def _start_collect(
        self, escalate: Escalate, turns: Sequence[PastTurn], question: str | None, started: float
    ) -> Escalate | Collect:
        """A hand-off whose topic collects fields first (`handoff.collect`): its flow, from
        the first field the visitor has not written yet; the hand-off itself once every field
        is recognised. The outcome keeps the hand-off's ranking."""
        answer = self.base.get(escalate.answer_id) if escalate.answer_id else None
        flow = answer.handoff.flow if answer is not None and answer.handoff else None
        if answer is None or flow is None:
            return escalate
        pending = PendingHandoff(
            escalate.reason,
            escalate.team,
            escalate.question,
            escalate.answer_id,
            escalate.tried,
            flow.first.id,
            FlowState(flow.digest),
        )
        asking = _Asking(answer, flow, pending, escalate.lang, _texts(turns, question))
        outcome = self._go(asking, flow.first.id, started, None, intro=COLLECT_INTRO[escalate.lang])
        assert isinstance(outcome, Escalate | Collect)  # a collect flow ends in its hand-off
        return dataclasses.replace(
            outcome,
            confidence=escalate.confidence,
            ranked=escalate.ranked,
            read_with=escalate.read_with,
        )

    def _restart(self, asking: _Asking, started: float) -> Outcome:
        """The flow changed since the visitor started it: say so and start the new one."""
        flow = asking.flow
        pending = dataclasses.replace(
            asking.pending, asking=flow.first.id, tries=0, flow=FlowState(flow.digest)
        )
        fresh = dataclasses.replace(asking, pending=pending)
        return self._go(fresh, flow.first.id, started, texts.FLOW_CHANGED[asking.lang])

    def _resume(
        self, pending: PendingHandoff, turns: Sequence[PastTurn], started: float
    ) -> Outcome:
        asking = self._asking(pending, turns)
        if asking is None:
            raise ValueError("only a flow that still exists can be resumed")
        if asking.state.digest != asking.flow.digest:
            return self._restart(asking, started)
        question = asking.flow.step(pending.asking)
        assert isinstance(question, Question)
        return self._ask(asking, question, started, texts.FLOW_RESUMED[asking.lang])

    # --- the visitor replies ----------------------------------------------------------

    def _flow_reply(
        self, text: str, pending: PendingHandoff, turns: Sequence[PastTurn], started: float
    ) -> Outcome | Miss | None:
        """The reply to a flow's question: the next question or the ending (or the question
        again, when no value was found), or a `Miss` when the reply gives no value and may be
        a new question (the caller reads it as one). None: the flow is gone from the base,
        and the message is an ordinary turn; a hand-off whose topic no longer collects fields
        is made at once, since the visitor is waiting for a person."""
        asking = self._asking(pending, turns, text)
        if asking is None:
            if pending.collecting:
                return self._flow_give_up(pending, turns, started, pending.reason)
            return None
        if find_human_request(text) is not None:
            return self._flow_give_up(pending, turns, started, "asked_for_human")
        if asking.state.digest != asking.flow.digest:
            return self._restart(asking, started)
        question = asking.flow.step(pending.asking)
        assert isinstance(question, Question)  # the digest is the same, so is the step
        field = self.base.fields.get(question.field) if question.field else None
        reading = read_value(
            question,
            text,
            asking.lang,
            self.today(),
            field=field,
            default_language=self.base.config.default_language,
        )
        if is_skip(text) and not (question.type == "choice" and reading.value):  # "Vet ikke"
            return self._record(asking, CollectedField(question.id, "skipped"), started)
        if reading.value is None:
            miss = Miss(reading.problem or "")
            return (
                miss if may_be_question(text) else self._flow_missed(miss, pending, turns, started)
            )
        return self._record(asking, CollectedField(question.id, "given", reading.value), started)

    def _flow_missed(
        self, miss: Miss, pending: PendingHandoff, turns: Sequence[PastTurn], started: float
    ) -> Outcome:
        """No value in the reply: ask again with what was wrong, or after the last try go on
        without it."""
        asking = self._asking(pending, turns)
        assert asking is not None
        question = asking.flow.step(pending.asking)
        assert isinstance(question, Question)
        if pending.tries + 1 < MAX_FIELD_TRIES:
            again = dataclasses.replace(
                asking, pending=dataclasses.replace(pending, tries=pending.tries + 1)
            )
            return self._ask(again, question, started, miss.problem, problem=miss.problem)
        result = CollectedField(question.id, "not_given")
        return self._record(asking, result, started, FIELD_NOT_GIVEN[asking.lang])

    def _flow_skip(
        self, pending: PendingHandoff, turns: Sequence[PastTurn], started: float
    ) -> Outcome:
        asking = self._asking(pending, turns)
        if asking is None:
            return self._flow_give_up(pending, turns, started, "asked_for_human")
        return self._record(asking, CollectedField(pending.asking, "skipped"), started)

    def _flow_give_up(
        self, pending: PendingHandoff, turns: Sequence[PastTurn], started: float, reason: str
    ) -> Escalate:
        """The visitor asked for a person in the middle of a flow: hand off with the values
        so far, the question asked as skipped. A hand-off collecting fields keeps its own
        reason: it was decided before the questions."""
        lang = self._flow_lang(turns)
        asking = self._asking(pending, turns)
        state = pending.flow
        reason = pending.reason if pending.collecting else reason
        skipped = CollectedField(pending.asking, "skipped")
        return self._flow_escalate(
            asking, pending, lang, started, ESCALATE[reason][lang], reason, state, (skipped,)
        )

    def _instead_of_a_flow_value(
        self,
        outcome: Outcome,
        miss: Miss,
        pending: PendingHandoff,
        turns: Sequence[PastTurn],
        started: float,
    ) -> Outcome:
        """A reply to a flow's question that reads as a new question: the bot's answer (or
        choices, or another answer's flow) leaves the flow, which can be resumed; anything
        less is taken as a try at the value after all."""
        other_flow = isinstance(outcome, Collect) and (
            outcome.pending.answer_id,
            outcome.pending.collecting,
        ) != (pending.answer_id, pending.collecting)
        if outcome.decision in ("answer", "clarify") or other_flow:
            return self._flow_left(outcome)
        return self._flow_missed(miss, pending, turns, started)

    def _flow_left(self, outcome: Outcome) -> Outcome:
        """The answer to a new question in the middle of a flow, with how to go back to it."""
        if not isinstance(outcome, Reply):
            return outcome
        note = texts.RESUME_NOTE[outcome.lang]
        if outcome.note:
            note = f"{outcome.note} {note}"
        return dataclasses.replace(outcome, note=note)

    # --- leaving and coming back ------------------------------------------------------

    def interrupted(self, turns: Sequence[PastTurn]) -> PendingHandoff | None:
        """The flow the visitor left for another question, at the question they left, when
        it is the last flow of the conversation and was neither finished nor given up."""
        for index in range(len(turns) - 1, -1, -1):
            pending = turns[index].pending
            if pending is None:
                continue
            if index == len(turns) - 1:
                return None  # being asked now, not left
            after = turns[index + 1]
            if after.decision not in ("answer", "clarify") or self._was_a_value(
                after, pending, turns
            ):
                return None
            return pending
        return None

    def _was_a_value(
        self, after: PastTurn, pending: PendingHandoff, turns: Sequence[PastTurn]
    ) -> bool:
        asking = self._asking(pending, turns)
        if asking is None:
            return True  # the flow is gone: nothing to go back to
        question = asking.flow.step(pending.asking)
        if not isinstance(question, Question) or is_skip(after.text):
            return True
        reading = read_value(question, after.text, asking.lang, self.today())
        return reading.value is not None

    # --- moving on --------------------------------------------------------------------

    def _record(
        self, asking: _Asking, result: CollectedField, started: float, before: str | None = None
    ) -> Outcome:
        question = asking.flow.step(result.name)
        assert isinstance(question, Question)
        asking = asking.moved(values=_with(asking.state.values, result))
        return self._go(asking, question.next, started, before)

    def _go(
        self,
        asking: _Asking,
        step_id: str,
        started: float,
        before: str | None,
        *,
        intro: str | None = None,
    ) -> Outcome:
        """From `step_id` to the next question to ask (`intro` before it, when given) or to
        the ending. A question whose value the visitor already wrote is not asked: the value
        is recorded as recognised (decision 0054)."""
        while True:  # a valid flow has no loops: each question is passed once at most
            stop = advance(asking.flow, step_id, asking.state, self.today())
            asking = asking.moved(path=stop.path)
            if not isinstance(stop.step, Question):
                break
            value = self._recognised(asking, stop.step)
            if value is None:
                pending = dataclasses.replace(asking.pending, asking=stop.step.id, tries=0)
                asking = dataclasses.replace(asking, pending=pending)
                before = " ".join(text for text in (intro, before) if text) or None
                return self._ask(asking, stop.step, started, before)
            recognised = CollectedField(stop.step.id, "recognised", value)
            asking = asking.moved(values=_with(asking.state.values, recognised))
            step_id = stop.step.next
        if isinstance(stop.step, Ending):
            return self._end(asking, stop.step, started, before)
        return self._missing(asking, stop, started, before)

    def _recognised(self, asking: _Asking, question: Question) -> str | None:
        """The value of a question that uses a field of `fields.yaml` in what the visitor
        already wrote, unless another question has it."""
        field = self.base.fields.get(question.field) if question.field else None
        if field is None:
            return None
        taken = [v.value for v in asking.state.values if v.value]
        return recognise(field, asking.texts, taken)

    def _ask(
        self,
        asking: _Asking,
        question: Question,
        started: float,
        before: str | None,
        *,
        problem: str | None = None,
    ) -> Collect:
        lang, default = asking.lang, self.base.config.default_language
        prompt = (
            question.ask.get(lang) or question.ask.get(default) or next(iter(question.ask.values()))
        )
        options = (
            option_labels(question, lang, default) if question.type in ("choice", "yes_no") else ()
        )
        return Collect(
            lang,
            1.0,
            (),
            ms_since(started),
            text=f"{before} {prompt}" if before else prompt,
            field=question.id,
            label=asking.flow.label(question.id, lang, default),
            example=question.example,
            attempt=asking.pending.tries + 1,
            max_attempts=MAX_FIELD_TRIES,
            problem=problem,
            skip_label=SKIP_LABEL[lang],
            pending=asking.pending,
            options=options,
        )

    def _end(self, asking: _Asking, ending: Ending, started: float, before: str | None) -> Outcome:
        lang, default = asking.lang, self.base.config.default_language
        if ending.handoff:
            reason = asking.pending.reason  # `flow`, or why a collecting hand-off was made
            message = (
                ending.message.get(lang) or ending.message.get(default) or ESCALATE[reason][lang]
            )
            text = f"{before} {message}" if before else message
            return self._flow_escalate(
                asking,
                asking.pending,
                lang,
                started,
                text,
                reason,
                asking.state,
                urgency=ending.urgency,
                team=ending.team,
            )
        answer = self.base.get(ending.answer) if ending.answer else asking.answer
        assert answer is not None  # the base checks every answer an ending names
        if ending.answer:
            used, text, fallback = answer.text_for(lang, default)
        else:
            used, fallback = (lang, False) if lang in ending.message else (default, True)
            text = ending.message.get(used) or next(iter(ending.message.values()))
        return Reply(
            lang,
            1.0,
            (),
            ms_since(started),
            answer.id,
            f"{before} {text}" if before else text,
            used,
            fallback,
            answer.links,
            FALLBACK_NOTE[lang] if fallback else None,
        )

    def _missing(self, asking: _Asking, stop: Stop, started: float, before: str | None) -> Escalate:
        """A decision needs a value the visitor did not give: a person decides."""
        text = texts.FLOW_MISSING[asking.lang]
        state = dataclasses.replace(asking.state, path=stop.path)
        return self._flow_escalate(
            asking,
            asking.pending,
            asking.lang,
            started,
            f"{before} {text}" if before else text,
            "flow",
            state,
        )

    def _flow_escalate(
        self,
        asking: _Asking | None,
        pending: PendingHandoff,
        lang: str,
        started: float,
        text: str,
        reason: str,
        state: FlowState,
        also: Sequence[CollectedField] = (),
        *,
        urgency: str | None = None,
        team: str | None = None,
    ) -> Escalate:
        """The hand-off at the end of a flow, with every value. A collecting hand-off names
        the fields its topic collects and has no path: its questions are those fields."""
        default = self.base.config.default_language
        fields: tuple[CollectedField, ...] = ()
        labels: dict[str, str] = {}
        if asking is not None:
            fields = case_fields(asking.flow, state, default, also)
            for q in asking.flow.questions():
                labels[q.field or q.id] = asking.flow.label(q.id, lang, default)
        handoff = asking.answer.handoff if asking is not None else None
        collect = handoff.collect if pending.collecting and handoff is not None else ()
        return Escalate(
            lang,
            1.0,
            (),
            ms_since(started),
            text=text,
            reason=reason,
            team=team or pending.team,
            question=pending.question,
            tried=pending.tried,
            answer_id=pending.answer_id,
            collect=collect,
            fields=fields,
            urgency=urgency,
            path=() if pending.collecting else state.path,
            field_labels={
                name: labels[name] for name in (f.name for f in fields) if name in labels
            },
        )

    # --- small lookups ----------------------------------------------------------------

    def _asking(
        self, pending: PendingHandoff, turns: Sequence[PastTurn], text: str | None = None
    ) -> _Asking | None:
        """The flow in progress, when the base still has it: a published answer's flow, or
        the flow its topic's `handoff.collect` compiles to. `text` is the reply being read."""
        answer = self.base.get(pending.answer_id) if pending.answer_id else None
        if answer is None:
            return None
        if pending.collecting:
            flow = answer.handoff.flow if answer.handoff else None
        else:
            flow = answer.flow if answer.status == "published" else None
        if flow is None:
            return None
        return _Asking(answer, flow, pending, self._flow_lang(turns), _texts(turns, text))

    def _flow_lang(self, turns: Sequence[PastTurn]) -> str:
        for turn in reversed(turns):
            if turn.pending is not None:
                return turn.lang
        return turns[-1].lang if turns else self.base.config.default_language


def _texts(turns: Sequence[PastTurn], text: str | None) -> tuple[str, ...]:
    """What the visitor wrote, oldest first: the turns, then `text`."""
    return (*(turn.text for turn in turns if turn.text), *([text] if text else []))


def _with(values: tuple[CollectedField, ...], result: CollectedField) -> tuple[CollectedField, ...]:
    return (*(v for v in values if v.name != result.name), result)
