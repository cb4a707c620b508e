"""A conversation turn by turn: answer, clarify, abstain or hand off; choices, feedback, offers.

`Bot` holds no conversation state. `app` passes the turns so far (`PastTurn`) and the page
(`Page`) on every call, and stores what comes back.
"""

from __future__ import annotations

import dataclasses
import datetime
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from bot import _history as history
from bot._assisting import assisted_reply, grounding_ids
from bot._flow_turns import Flowing, Miss, is_resume, pending_of
from bot._followup import may_follow, prefer_combined, with_previous
from bot._handing_off import HandingOff, ms_since
from bot._human import find_human_request
from bot._labels import Labels
from bot._proactive import Proactivity, to_proactive
from bot._vectors import QueryVectors
from bot.assist import Assistant
from bot.assisted import OnEvent
from bot.conversation import Page, PastTurn, VisitorContext
from bot.errors import InvalidChoice, InvalidMessage, NotCollecting
from bot.language import Detection, detect_language, normalise_language_tag, page_language
from bot.replies import (
    ESCALATE_REASONS,
    Abstain,
    Acknowledge,
    Choice,
    Clarify,
    Collect,
    Escalate,
    Outcome,
    Proactive,
    Reply,
)
from bot.texts import ABSTAIN, CLARIFY, FALLBACK_NOTE, SORRY, THANKS
from knowledge import LANGUAGES, Answer, AnswerBase
from retrieval import Candidate, Encoder, Ranking, Retriever, Thresholds

__all__ = ["MAX_MESSAGE_CHARS", "Bot", "check_message"]

MAX_MESSAGE_CHARS = 2000
CLARIFY_MAX = 3
CLARIFY_RELATIVE = 0.45  # a choice must score at least this share of the best one
# The scorer's own probability that the best answer is the right one. Below it, a confident-
# looking ranking only means that the other answers fit even worse ("Jeg har et spørsmål om en
# vare" ranks wrong-item far ahead at 0.42), so the bot does not answer. A threshold set by the
# operator (CHAT_ANSWER_THRESHOLD) is taken as it is.
MIN_ANSWER_SCORE = 0.5


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
    question: str
    detection: Detection
    ranking: Ranking
    started: float
    read_with: str | None = None
    rewritten: str | None = None
    turns: tuple[PastTurn, ...] = ()
    on_event: OnEvent | None = None

    def ms(self) -> float:
        return ms_since(self.started)


class Bot(HandingOff, Flowing):
    """Answers from one answer base; build it once, call `turn` per message.

    With an `assistant` (an LLM endpoint is configured), answers are written by the LLM from
    the top curated answers and checked, follow-ups that retrieval cannot place are rewritten,
    and missing languages are translated; every failure gives the curated text instead.

    An answer with a flow is given by starting its flow (decision 0058); `today` (default:
    the machine's date) dates what visitors write ("i fjor") and the flows' decisions.
    """

    def __init__(
        self,
        base: AnswerBase,
        retriever: Retriever,
        encoder: Encoder,
        *,
        thresholds: Thresholds | None = None,
        assistant: Assistant | None = None,
        today: Callable[[], datetime.date] | None = None,
    ) -> None:
        self.base = base
        self.today = today or datetime.date.today
        self.retriever = retriever
        self.encoder = encoder
        self.thresholds = thresholds or retriever.thresholds
        self.assistant = assistant
        self._labels = Labels(base)
        self._proactive = Proactivity(base, self._labels)
        self._vectors = QueryVectors(encoder)

    # --- the visitor writes -------------------------------------------------------------

    def turn(
        self,
        text: str,
        *,
        page_lang: str | None = None,
        history_langs: Sequence[str] | None = None,
        turns: Sequence[PastTurn] = (),
        page: Page | None = None,
        on_event: OnEvent | None = None,
    ) -> Outcome:
        """Decide what to say to one visitor message, given the conversation so far.

        `history_langs` defaults to the languages of `turns`; `page_lang` to the language of
        `page` (its `lang`, else what its URL shows). `on_event` receives the checked parts
        of an LLM-written reply as they stream (`Delta`, and `Retract` if a later part
        fails); the returned `Reply` holds the final text either way. An unanswered
        question's outcome carries its query vector (`query_vector`), the one this turn
        computed: nothing is embedded for it.
        """
        outcome = self._turn(text, page_lang, history_langs, turns, page, on_event)
        if not isinstance(outcome, Clarify | Abstain | Escalate):  # the ones that can be gaps
            return outcome
        vector = self._vectors.peek(check_message(text))
        if vector is None:
            return outcome
        return dataclasses.replace(
            outcome,
            query_vector=np.asarray(vector, dtype=np.float16).tobytes(),
            vector_model=self.encoder.model_version,
        )

    def _turn(
        self,
        text: str,
        page_lang: str | None,
        history_langs: Sequence[str] | None,
        turns: Sequence[PastTurn],
        page: Page | None,
        on_event: OnEvent | None,
    ) -> Outcome:
        started = time.perf_counter()
        question = check_message(text)
        turns = tuple(turns)
        pending = pending_of(turns)
        miss: Miss | None = None
        if pending is not None:
            reply = self._flow_reply(question, pending, turns, started)
            if not isinstance(reply, Miss) and reply is not None:
                return reply
            pending, miss = (None, None) if reply is None else (pending, reply)
        elif is_resume(question) and (left := self.interrupted(turns)):
            return self._resume(left, turns, started)
        langs = [t.lang for t in turns] if history_langs is None else list(history_langs)
        page_lang = page_lang or _page_lang(page)
        detection = detect_language(
            question,
            page_lang=page_lang,
            history=langs,
            base_languages=self.base.languages,
            default=self.base.config.default_language,
        )
        request = find_human_request(question)
        if request is not None:
            lang = self._request_lang(detection.lang, request.langs, [page_lang, *langs[::-1]])
            ranking = self._rank(request.question) if request.question else None
            asked = self._asked(question, ranking, turns)
            return self._escalation("asked_for_human", lang, turns, asked, started, ranking=ranking)
        ctx = self._read(question, detection, turns, started)
        ctx = self._rewrite(dataclasses.replace(ctx, turns=turns, on_event=on_event))
        if miss is not None and pending is not None:
            return self._instead_of_a_flow_value(self._decide(ctx), miss, pending, turns, started)
        return self._unless_unresolved(self._decide(ctx), ctx, turns)

    def _asked(self, text: str, ranking: Ranking | None, turns: tuple[PastTurn, ...]) -> str | None:
        """The question of a request for a person: the request itself when it says what it is
        about (its content words rank plausibly, or nothing was asked before), else the last
        question the visitor asked before it."""
        earlier = history.last_unresolved_question(turns)
        if ranking is None:
            return earlier
        if earlier is None or ranking.top3 >= self.thresholds.clarify:
            return text
        return earlier

    def choose(
        self,
        answer_id: str,
        *,
        lang: str,
        turns: Sequence[PastTurn] = (),
        page: Page | None = None,
    ) -> Outcome:
        """The visitor clicked a quick reply: give that answer (confidence 1.0), or start its
        flow.

        Raises InvalidChoice (code `unknown_answer`) for an id the base does not have or an
        answer that is not published.
        """
        started = time.perf_counter()
        answer = self._published(answer_id)
        lang = self._lang(lang)
        if answer.flow is not None:
            return self._start_flow(answer, lang, None, tuple(turns), started)
        if self.assistant is not None and lang not in answer.answer:
            assisted = self.assistant.translate(answer.id, lang)
            return assisted_reply(
                self.base, assisted, lang, 1.0, (), ms_since(started), chosen=True
            )
        return self._reply(answer, lang, 1.0, (), started, chosen=True)

    def feedback(
        self,
        helpful: bool,
        *,
        lang: str,
        turns: Sequence[PastTurn] = (),
        answer_id: str | None = None,
    ) -> Acknowledge | Escalate | Collect:
        """The visitor said whether the answer (`answer_id`, default the last one) helped.

        Helpful: thanks. Not helpful: sorry and an offer of a person, or a hand-off when
        that makes two unresolved turns in a row.
        """
        started = time.perf_counter()
        lang = self._lang(lang)
        turns = tuple(turns)
        about = answer_id or next(
            (t.answer_id for t in reversed(turns) if t.decision == "answer" and t.answer_id), None
        )
        if helpful:
            return Acknowledge(
                lang, 1.0, (), ms_since(started), text=THANKS[lang], helpful=True, answer_id=about
            )
        upto = _up_to_unhelpful(turns, about)
        if history.unresolved_run(upto) >= 2:
            asked = history.last_unresolved_question(upto)
            return self._escalation(
                "unresolved", lang, turns, asked, started, topic=about or history.last_topic(upto)
            )
        return Acknowledge(
            lang,
            1.0,
            (),
            ms_since(started),
            text=SORRY[lang],
            helpful=False,
            answer_id=about,
            offer_human=True,
        )

    def answer_or_hand_off(
        self,
        text: str,
        *,
        page_lang: str | None = None,
        turns: Sequence[PastTurn] = (),
    ) -> Reply | Escalate:
        """One message on a channel without a dialogue (e-mail, the channel API, a phone
        platform): the curated answer, word for word, when the bot is confident enough to
        give it; otherwise a hand-off (reason `unanswered`) to the topic's team, with the
        question, never a choice, a question back or a field to fill in (decision 0120)."""
        started = time.perf_counter()
        outcome = self.turn(text, page_lang=page_lang, turns=turns)
        if isinstance(outcome, Reply) and outcome.decision == "answer":
            return outcome
        if isinstance(outcome, Escalate):  # "I want a person" in the mail: as it was asked
            return dataclasses.replace(outcome, collect=())
        topic = getattr(outcome, "answer_id", None)
        if topic is None and isinstance(outcome, Clarify) and outcome.choices:
            topic = outcome.choices[0].answer_id
        escalate = self._handoff(
            "unanswered",
            outcome.lang,
            turns,
            check_message(text),
            started,
            confidence=outcome.confidence,
            read_with=outcome.read_with,
            topic=topic,
        )
        return dataclasses.replace(
            escalate,
            ranked=outcome.ranked,
            collect=(),
            query_vector=outcome.query_vector,
            vector_model=outcome.vector_model,
        )

    def escalate(
        self, *, lang: str, turns: Sequence[PastTurn] = (), reason: str = "asked_for_human"
    ) -> Escalate | Collect:
        """The visitor clicked "talk to a person" (`accepted_offer` when the bot offered it).

        While the bot asks a flow's question, this hands off at once with what it has."""
        if reason not in ESCALATE_REASONS:
            raise ValueError(f"unknown reason {reason!r}; use one of {', '.join(ESCALATE_REASONS)}")
        started = time.perf_counter()
        turns = tuple(turns)
        pending = pending_of(turns)
        if pending is not None:
            return self._flow_give_up(pending, turns, started, reason)
        asked = history.last_unresolved_question(turns)
        return self._escalation(reason, self._lang(lang), turns, asked, started)

    def skip(self, *, turns: Sequence[PastTurn] = ()) -> Outcome:
        """The visitor skipped the field the bot asks for: the next one, or the hand-off.

        Raises NotCollecting (code `not_collecting`) when the bot asks for no field."""
        started = time.perf_counter()
        turns = tuple(turns)
        pending = pending_of(turns)
        if pending is None:
            raise NotCollecting("the bot is not asking for anything to skip")
        return self._flow_skip(pending, turns, started)

    def search(self, text: str) -> Ranking:
        """The retrieval the bot uses, for people (an agent's search of the answer base)."""
        return self._rank(check_message(text))

    # --- before the visitor writes ------------------------------------------------------

    def greet(
        self,
        page: Page,
        visitor: VisitorContext,
        *,
        lang: str | None = None,
        now: datetime.datetime | None = None,
    ) -> Proactive | None:
        """A proactive offer for this page and visitor, or None.

        The language is `lang` when given (the conversation's), else the page's. `now`
        (timezone-aware) keeps a "welcome back" to conversations of the last 30 days.
        """
        started = time.perf_counter()
        lang = normalise_language_tag(lang) or _page_lang(page) or self.base.config.default_language
        offer = self._proactive.offer(page, visitor, lang, now)
        if offer is None:
            return None
        return to_proactive(offer, self._proactive.choices(offer, lang), lang, ms_since(started))

    def timers(self, page: Page) -> tuple[int, ...]:
        """Seconds on this page at which an operator rule may fire, still ahead, ascending."""
        return self._proactive.timers(page)

    # --- reading and deciding -----------------------------------------------------------

    def _rank(self, question: str) -> Ranking:
        return self.retriever.rank(question, self._vectors.get([question])[0])

    def _read(
        self, question: str, detection: Detection, turns: tuple[PastTurn, ...], started: float
    ) -> _Context:
        previous = history.previous_question(turns)
        if previous is None or not may_follow(question, previous):
            return _Context(question, detection, self._rank(question), started)
        vectors = self._vectors.get([question, previous.text.strip()])
        alone = self.retriever.rank(question, vectors[0])
        both = self.retriever.rank(question, with_previous(vectors[0], vectors[1]))
        if prefer_combined(alone, both, previous, self.thresholds.answer):
            return _Context(question, detection, both, started, previous.text.strip())
        return _Context(question, detection, alone, started)

    def _rewrite(self, ctx: _Context) -> _Context:
        """An unconfident message after earlier turns: rank the LLM's standalone rewrite too,
        and keep it when it reaches the answer threshold."""
        if (
            self.assistant is None
            or not ctx.turns
            or ctx.ranking.confidence >= self.thresholds.answer
        ):
            return ctx
        lang = ctx.detection.lang
        text = self.assistant.rewrite(ctx.question, lang=lang, history=ctx.turns)
        if text is None or text.casefold() == ctx.question.casefold():
            return ctx
        ranking = self._rank(text)
        if (
            ranking.confidence < self.thresholds.answer
            or ranking.confidence <= ctx.ranking.confidence
        ):
            return ctx
        return dataclasses.replace(ctx, ranking=ranking, rewritten=text, read_with=None)

    def _decide(self, ctx: _Context) -> Outcome:
        ranking = ctx.ranking
        lang = ctx.detection.lang
        if (
            ranking.candidates
            and ranking.confidence >= self.thresholds.answer
            and (
                ranking.candidates[0].score >= MIN_ANSWER_SCORE
                or self.thresholds.source == "settings"
            )
        ):
            answer = self._published(ranking.candidates[0].id)
            if answer.flow is not None:
                return self._start_flow(answer, lang, ctx.question, ctx.turns, ctx.started)
            if self.assistant is not None:
                return self._assisted(ctx)
            return self._reply(
                answer, lang, ranking.confidence, ranking.candidates, ctx.started, ctx.read_with
            )
        choices = self._choices(ranking, lang)
        if len(choices) >= 2 and ranking.top3 >= self.thresholds.clarify:
            return Clarify(
                lang,
                ranking.confidence,
                ranking.candidates,
                ctx.ms(),
                CLARIFY[lang],
                choices,
                read_with=ctx.read_with,
                rewritten=ctx.rewritten,
            )
        return Abstain(
            lang,
            ranking.confidence,
            ranking.candidates,
            ctx.ms(),
            ABSTAIN[lang],
            read_with=ctx.read_with,
            rewritten=ctx.rewritten,
        )

    def _unless_unresolved(
        self, outcome: Outcome, ctx: _Context, turns: tuple[PastTurn, ...]
    ) -> Outcome:
        """Two unresolved turns in a row hand the conversation to a person."""
        run = history.unresolved_run(turns)
        if (isinstance(outcome, Abstain) and run >= 1) or (
            isinstance(outcome, Clarify) and run >= 2
        ):
            return self._escalation(
                "unresolved",
                ctx.detection.lang,
                turns,
                ctx.question,
                ctx.started,
                ranking=ctx.ranking,
                confidence=ctx.ranking.confidence,
                read_with=ctx.read_with,
            )
        return outcome

    def _assisted(self, ctx: _Context) -> Reply:
        assert self.assistant is not None
        assisted = self.assistant.reply(
            ctx.question,
            lang=ctx.detection.lang,
            answer_ids=grounding_ids(ctx.ranking),
            history=ctx.turns,
            on_event=ctx.on_event,
        )
        return assisted_reply(
            self.base,
            assisted,
            ctx.detection.lang,
            ctx.ranking.confidence,
            ctx.ranking.candidates,
            ctx.ms(),
            read_with=ctx.read_with,
            rewritten=ctx.rewritten,
        )

    def _reply(
        self,
        answer: Answer,
        lang: str,
        confidence: float,
        ranked: tuple[Candidate, ...],
        started: float,
        read_with: str | None = None,
        *,
        chosen: bool = False,
    ) -> Reply:
        used, text, fallback = answer.text_for(lang, self.base.config.default_language)
        return Reply(
            lang,
            confidence,
            ranked,
            ms_since(started),
            answer.id,
            text,
            used,
            fallback,
            answer.links,
            FALLBACK_NOTE[lang] if fallback else None,
            read_with=read_with,
            chosen=chosen,
        )

    def _choices(self, ranking: Ranking, lang: str) -> tuple[Choice, ...]:
        candidates = ranking.candidates
        if not candidates:
            return ()
        floor = candidates[0].score * CLARIFY_RELATIVE
        picked = [c for c in candidates[:CLARIFY_MAX] if c.score >= floor]
        return tuple(Choice(c.id, self._labels.get(c.id, lang)) for c in picked)

    # --- small lookups ------------------------------------------------------------------

    def _published(self, answer_id: str) -> Answer:
        answer = self.base.get(answer_id)
        if answer is None:
            raise InvalidChoice(answer_id, "the answer base has no answer with this id")
        if answer.status != "published":
            raise InvalidChoice(answer_id, f"the answer is {answer.status}")
        return answer

    def _lang(self, lang: str | None) -> str:
        return normalise_language_tag(lang) or self.base.config.default_language

    def _request_lang(
        self, detected: str, hinted: frozenset[str], preferred: Sequence[str | None]
    ) -> str:
        """The detected language, unless the request's own words say otherwise ("talk to a
        human" is English whatever a short text's statistics say); then the page's, the
        conversation's or the base's language among those the words allow."""
        if not hinted or detected in hinted:
            return detected
        for lang in (*preferred, self.base.config.default_language):
            if lang in hinted:
                return lang
        return next(lang for lang in LANGUAGES if lang in hinted)


def _page_lang(page: Page | None) -> str | None:
    if page is None:
        return None
    return normalise_language_tag(page.lang) or page_language(page.url)


def _up_to_unhelpful(turns: tuple[PastTurn, ...], answer_id: str | None) -> tuple[PastTurn, ...]:
    """The turns up to the answer the feedback is about, with that answer marked unhelpful."""
    for index in range(len(turns) - 1, -1, -1):
        turn = turns[index]
        if turn.decision == "answer" and (answer_id is None or turn.answer_id == answer_id):
            marked = PastTurn(
                turn.text, turn.lang, turn.decision, turn.answer_id, turn.offered, False
            )
            return (*turns[:index], marked)
    return turns
