"""LLM help for one turn, always grounded in curated answers, with the curated text as fallback.

`Assistant` offers four kinds of help, each safe to fail:

- `rewrite`: a follow-up ("and to Sweden?") as a standalone question for retrieval;
- `reply`: a reply written from the top curated answers, citing them, checked before the
  visitor sees it (`bot.grounding`), streamed part by part when asked to;
- `translate`: a curated answer the visitor's language lacks, marked machine-translated;
- `summarise`: a note for the agent at hand-off and a suggested urgency (never below the
  rule-based one).

Personal data is replaced by placeholders in everything sent (`bot.privacy`) and put back in
what comes back. Whatever goes wrong (the endpoint, a check, an injection attempt, the token
budget), the result is the curated answer word for word, and the reason is counted and logged.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence

from bot import _prompts as prompts
from bot._facts import allowed_values, personal_values
from bot._handoff_note import fallback_summary, higher_urgency, parse_summary
from bot.assisted import (
    URGENCIES,
    Assisted,
    AssistStats,
    Delta,
    HandoffNote,
    OnEvent,
    Retract,
    TurnLike,
)
from bot.errors import AssistError, UngroundedReply
from bot.grounding import Grounds, ReplyGate, check_facts, check_reply, check_translation
from bot.grounding import visible_text as _visible
from bot.injection import detect_injection
from bot.llm import FallbackCounter, LLMClient, Message
from bot.privacy import Redactor
from bot.tokens import Budget, fit_prompt, get_token_counter
from knowledge import Answer, AnswerBase

__all__ = ["REPLY_MODES", "Assistant"]

logger = logging.getLogger("samsvar.llm")

MAX_ANSWERS = 3
MAX_REWRITE_CHARS = 400
TRANSLATION_CACHE = 512
REPLY_MODES = ("grounded", "translate", "curated")


class Assistant:
    """LLM help over one answer base; thread-safe, build it once per process."""

    def __init__(
        self,
        client: LLMClient,
        base: AnswerBase,
        *,
        redact: bool = True,
        replies: str = "grounded",
        stream: bool = True,
        agent_lang: str | None = None,
    ) -> None:
        if replies not in REPLY_MODES:
            raise ValueError(f"replies must be one of {', '.join(REPLY_MODES)}, not {replies!r}")
        config = client.config
        self.client, self.base = client, base
        self.redact, self.replies, self.stream = redact, replies, stream
        self.agent_lang = agent_lang or base.config.default_language
        self.counter = get_token_counter(config.model, config.tokenizer)
        self.budget = Budget(config.context_tokens, config.max_reply_tokens)
        self.fallbacks = FallbackCounter()
        self._translations: Counter[tuple[str, str]] = Counter()
        self._cache: OrderedDict[tuple[str, str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    # -- bookkeeping ---------------------------------------------------------------------

    def stats(self) -> AssistStats:
        with self._lock:
            translations: dict[str, dict[str, int]] = {}
            for (answer_id, lang), count in sorted(self._translations.items()):
                translations.setdefault(answer_id, {})[lang] = count
        return AssistStats(self.fallbacks.snapshot(), translations, self.client.breaker.state)

    def _failed(self, task: str, error: AssistError, answer_id: str | None = None) -> str:
        self.fallbacks.add(task, error.code)
        detail = Redactor().redact(str(error))  # the detail may quote the model's text
        logger.warning("LLM %s not used (%s): %s [answer %s]", task, error.code, detail, answer_id)
        return error.code

    def _answer(self, answer_id: str) -> Answer:
        answer = self.base.get(answer_id)
        if answer is None:
            raise ValueError(f"the answer base has no answer {answer_id!r}")
        return answer

    def _curated(self, answer: Answer, lang: str, reason: str | None) -> Assisted:
        used, text, _ = answer.text_for(lang, self.base.config.default_language)
        return Assisted(text, answer.id, (), used, False, fallback_reason=reason)

    def _history_lines(self, history: Sequence[TurnLike], redactor: Redactor) -> list[str]:
        lines: list[str] = []
        for turn in history:
            lines.append(f"Visitor: {redactor.redact(turn.text)}")
            answer = self.base.get(turn.answer_id) if turn.answer_id else None
            if answer is not None and turn.decision == "answer":
                lines.append(f"Assistant: answered with [{answer.id}] ({answer.title})")
            else:
                lines.append(f"Assistant: ({turn.decision})")
        return lines

    # -- grounded replies ----------------------------------------------------------------

    def reply(
        self,
        question: str,
        *,
        lang: str,
        answer_ids: Sequence[str],
        history: Sequence[TurnLike] = (),
        on_event: OnEvent | None = None,
    ) -> Assisted:
        """A reply to `question` from these answers (best first), or the first one's text.

        With `on_event` (and streaming on), checked parts are passed to it as they are
        released, and a `Retract` if a later part fails.
        """
        answers = [self._answer(i) for i in answer_ids[:MAX_ANSWERS]]
        primary = answers[0]
        if self.replies == "curated":
            return self._curated(primary, lang, None)
        if self.replies == "translate":
            if lang in primary.answer:
                return self._curated(primary, lang, None)
            return self.translate(primary.id, lang)
        try:
            return self._grounded(question, lang, answers, history, on_event)
        except AssistError as error:
            retracted = isinstance(error, _Retracted)
            cause = error.cause if isinstance(error, _Retracted) else error
            reason = self._failed("reply", cause, primary.id)
            result = self._curated(primary, lang, reason)
            return dataclasses.replace(result, retracted=True) if retracted else result

    def _grounded(
        self,
        question: str,
        lang: str,
        answers: list[Answer],
        history: Sequence[TurnLike],
        on_event: OnEvent | None,
    ) -> Assisted:
        kind = detect_injection(question)
        if kind is not None:
            raise AssistError(f"the message looks like a prompt injection ({kind})", "injection")
        redactor = Redactor(enabled=self.redact)
        messages, grounds = self._grounded_prompt(question, lang, answers, history, redactor)
        if on_event is not None and self.stream:
            text, cited = self._streamed(messages, grounds, redactor, on_event)
        else:
            raw = self.client.complete(messages)
            cited = check_reply(raw, grounds)
            text = redactor.restore(_visible(raw).strip())
        source = next((self._answer(c) for c in cited if lang not in self._answer(c).answer), None)
        used = None if source is None else source.text_for(lang, self.base.config.default_language)
        return Assisted(
            text,
            cited[0],
            cited,
            lang,
            True,
            machine_translated=source is not None,
            source_lang=used[0] if used else None,
        )

    def _grounded_prompt(
        self,
        question: str,
        lang: str,
        answers: list[Answer],
        history: Sequence[TurnLike],
        redactor: Redactor,
    ) -> tuple[list[Message], Grounds]:
        """The messages (fitted into the context) and what the reply is checked against."""
        rules = prompts.grounded_rules(self.base.config.name, lang, answers[0].id)
        elements = [self._answer_element(a, lang) for a in answers]
        lines = self._history_lines(history, redactor)
        tail = prompts.visitor_element(redactor.redact(question))
        fitted = fit_prompt(self.counter, self.budget, [rules, tail], elements, lines)
        system = "\n\n".join([rules, *elements[: fitted.answers]])
        kept = lines[len(lines) - fitted.history :]
        user = "\n\n".join([prompts.history_element(kept), tail])
        texts = "\n".join([question, *(turn.text for turn in history)])
        grounds = Grounds(
            {a.id: a for a in answers[: fitted.answers]},
            lang,
            rules,
            personal_values(texts) if self.redact else frozenset(),
            redactor.placeholders,
        )
        return [Message("system", system), Message("user", user)], grounds

    def _answer_element(self, answer: Answer, lang: str) -> str:
        used, text, _ = answer.text_for(lang, self.base.config.default_language)
        return prompts.answer_element(answer.id, answer.title, used, text)

    def _streamed(
        self, messages: list[Message], grounds: Grounds, redactor: Redactor, on_event: OnEvent
    ) -> tuple[str, tuple[str, ...]]:
        gate = ReplyGate(grounds)
        try:
            with contextlib.closing(self.client.stream(messages)) as pieces:
                for piece in pieces:
                    visible = gate.feed(piece)
                    if visible:
                        on_event(Delta(redactor.restore(visible)))
            rest, cited = gate.finish()
        except AssistError as error:
            if gate.released:
                on_event(Retract(error.code))
                raise _Retracted(error) from error
            raise
        if rest:
            on_event(Delta(redactor.restore(rest)))
        return redactor.restore(gate.released), cited

    # -- translation ---------------------------------------------------------------------

    def translate(self, answer_id: str, lang: str) -> Assisted:
        """The answer in `lang`: its own text when it has one, else a checked translation."""
        answer = self._answer(answer_id)
        if lang in answer.answer:
            return self._curated(answer, lang, None)
        source_lang, source_text, _ = answer.text_for(lang, self.base.config.default_language)
        key = (answer.id, answer.content_hash, lang)
        try:
            text = self._cached(key) or self._translated(answer, source_lang, source_text, lang)
        except AssistError as error:
            return self._curated(answer, lang, self._failed("translate", error, answer.id))
        with self._lock:
            self._translations[(answer.id, lang)] += 1
            self._cache[key] = text
            self._cache.move_to_end(key)
            while len(self._cache) > TRANSLATION_CACHE:
                self._cache.popitem(last=False)
        return Assisted(
            text,
            answer.id,
            (answer.id,),
            lang,
            True,
            machine_translated=True,
            source_lang=source_lang,
        )

    def _cached(self, key: tuple[str, str, str]) -> str | None:
        with self._lock:
            return self._cache.get(key)

    def _translated(self, answer: Answer, source_lang: str, source_text: str, lang: str) -> str:
        element = prompts.answer_element(answer.id, answer.title, source_lang, source_text)
        messages = [
            Message("system", prompts.translate_rules(source_lang, lang)),
            Message("user", element),
        ]
        raw = self.client.complete(messages).strip()
        check_translation(raw, answer, source_lang, Grounds({answer.id: answer}, lang))
        return raw

    # -- follow-ups ----------------------------------------------------------------------

    def rewrite(self, question: str, *, lang: str, history: Sequence[TurnLike]) -> str | None:
        """`question` as a standalone question, from the conversation; None if not possible."""
        if not history:
            return None
        try:
            return self._rewritten(question, lang, history)
        except AssistError as error:
            self._failed("rewrite", error)
            return None

    def _rewritten(self, question: str, lang: str, history: Sequence[TurnLike]) -> str:
        kind = detect_injection(question)
        if kind is not None:
            raise AssistError(f"the message looks like a prompt injection ({kind})", "injection")
        redactor = Redactor(enabled=self.redact)
        rules = prompts.rewrite_rules(lang)
        lines = self._history_lines(history, redactor)
        tail = prompts.visitor_element(redactor.redact(question))
        fitted = fit_prompt(self.counter, self.budget, [rules, tail], [], lines)
        kept = lines[len(lines) - fitted.history :]
        user = "\n\n".join([prompts.history_element(kept), tail])
        raw = self.client.complete([Message("system", rules), Message("user", user)])
        line = next((s.strip() for s in raw.strip().splitlines() if s.strip()), "")
        line = line.strip("\"'“”«»„ ")
        if not line or len(line) > MAX_REWRITE_CHARS or "<" in line:
            raise UngroundedReply("the rewrite is empty, too long or not a question", "empty_reply")
        if redactor.unknown(line):
            raise UngroundedReply("the rewrite uses a placeholder never issued", "invented_fact")
        return redactor.restore(line)

    # -- hand-off ------------------------------------------------------------------------

    def summarise(
        self,
        question: str,
        *,
        history: Sequence[TurnLike] = (),
        rule_urgency: str = "normal",
    ) -> HandoffNote:
        """A note for the agent in the agent's language, and the urgency to use."""
        if rule_urgency not in URGENCIES:
            raise ValueError(f"rule_urgency must be one of {', '.join(URGENCIES)}")
        try:
            summary, suggested = self._summarised(question, history)
        except AssistError as error:
            return HandoffNote(
                self._fallback_summary(question, history),
                self.agent_lang,
                rule_urgency,
                rule_urgency,
                None,
                False,
                self._failed("summary", error),
            )
        return HandoffNote(
            summary,
            self.agent_lang,
            higher_urgency(rule_urgency, suggested),
            rule_urgency,
            suggested,
            True,
        )

    def _summarised(self, question: str, history: Sequence[TurnLike]) -> tuple[str, str]:
        texts = [*(turn.text for turn in history), question]
        if any(detect_injection(text) for text in texts):
            raise AssistError("the conversation has a prompt-injection attempt", "injection")
        redactor = Redactor(enabled=self.redact)
        lines = [*self._history_lines(history, redactor), f"Visitor: {redactor.redact(question)}"]
        rules = prompts.summary_rules(self.base.config.name, self.agent_lang)
        fitted = fit_prompt(self.counter, self.budget, [rules], [], lines)
        user = prompts.history_element(lines[len(lines) - fitted.history :])
        raw = self.client.complete([Message("system", rules), Message("user", user)])
        summary, urgency = parse_summary(raw)
        if redactor.unknown(summary):
            raise UngroundedReply("the summary uses a placeholder never issued", "invented_fact")
        allowed = allowed_values(self._conversation_texts(history, redactor, question))
        check_facts(summary, self.agent_lang, allowed, frozenset())
        return redactor.restore(summary), urgency

    def _conversation_texts(
        self, history: Sequence[TurnLike], redactor: Redactor, question: str
    ) -> Iterable[tuple[str, str | None]]:
        yield redactor.redact(question), None
        for turn in history:
            yield redactor.redact(turn.text), None
            answer = self.base.get(turn.answer_id) if turn.answer_id else None
            if answer is not None:
                yield from ((text, lang) for lang, text in answer.answer.items())

    def _fallback_summary(self, question: str, history: Sequence[TurnLike]) -> str:
        tried = [t.answer_id for t in history if t.answer_id and t.decision == "answer"]
        return fallback_summary(self.agent_lang, question, tried)


class _Retracted(AssistError):
    """A failure after streamed parts were shown (they have been withdrawn)."""

    def __init__(self, cause: AssistError) -> None:
        super().__init__(str(cause), cause.code)
        self.cause = cause
