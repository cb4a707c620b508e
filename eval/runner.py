"""Running a suite against a bot: every case as one conversation, in one or more processes."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot import Bot, Escalate, Outcome, Page, PastTurn, count_failures
from eval._cases import Case, Turn
from eval._checks import failures_of, given_answer
from knowledge import URGENCY_LEVELS, AnswerBase
from retrieval import Ranking, Retriever
from retrieval.embeddings import Vectors

__all__ = ["CaseResult", "Progress", "TurnResult", "held_out_groups", "run_suite"]

#: Called with (cases done, cases in all) as the run goes.
Progress = Callable[[int, int], None]
# How urgent a hand-off is: (base, the visitor's texts so far, unresolved turns, topic, page)
# -> low | normal | high | urgent. Urgency belongs to the hand-off, which eval may not import,
# so the caller (`samsvar eval`) passes the hand-off's own rules in.
UrgencyJudge = Callable[[AnswerBase, Sequence[str], int, str | None, str | None], str]
WARM_UP = "Hei, hvor er pakken min?"


@dataclass(frozen=True, slots=True)
class TurnResult:
    """What the bot did with one turn, and every expectation it did not meet."""

    turn: Turn
    outcome: Outcome
    failures: tuple[str, ...]
    top3: float | None = None  # P(the right answer is among the first three), when known
    urgency: str | None = None  # of a hand-off, when a judge was given

    @property
    def passed(self) -> bool:
        return not self.failures


@dataclass(frozen=True, slots=True)
class CaseResult:
    case: Case
    turns: tuple[TurnResult, ...]

    @property
    def outcome(self) -> Outcome:
        """The last turn's outcome."""
        return self.turns[-1].outcome

    @property
    def passed(self) -> bool:
        return all(turn.passed for turn in self.turns)

    @property
    def ms(self) -> float:
        return round(sum(turn.outcome.ms for turn in self.turns), 2)


class _Recording(Retriever):
    """The same retriever, remembering the rankings it gives during a turn, so the run can
    read the top-3 confidence (which outcomes do not carry)."""

    def __init__(self, inner: Retriever) -> None:  # a view of `inner`, not a new fit
        vars(self).update(vars(inner))
        self.rankings: list[Ranking] = []

    def rank(self, text: str, vector: Vectors, k: int = 10) -> Ranking:
        ranking = super().rank(text, vector, k)
        self.rankings.append(ranking)
        return ranking


def _past(turn: Turn, outcome: Outcome, label: str | None) -> PastTurn:
    """The turn as `app` would store it for the next one."""
    offered = tuple(choice.answer_id for choice in getattr(outcome, "choices", ()))
    return PastTurn(
        text=label or turn.ask,
        lang=outcome.lang,
        decision=outcome.decision,
        answer_id=given_answer(outcome),
        offered=offered,
        pending=getattr(outcome, "pending", None),  # a collect carries its pending hand-off
    )


def _label(bot: Bot, past: Sequence[Outcome], answer_id: str) -> str:
    """What the visitor clicked: the choice's label when it was offered, else the title."""
    for outcome in reversed(past):
        for choice in getattr(outcome, "choices", ()):
            if choice.answer_id == answer_id:
                return str(choice.label)
    answer = bot.base.get(answer_id)
    return answer.title if answer is not None else answer_id


@dataclass
class Player:
    """Plays cases against one bot and against its held-out variants (built once each)."""

    bot: Bot
    judge: UrgencyJudge | None = None
    _bots: dict[frozenset[str], tuple[Bot, _Recording]] = field(init=False, default_factory=dict)

    def _bot(self, held: frozenset[str]) -> tuple[Bot, _Recording]:
        """The bot, with the retriever as if `held` phrasings were never indexed.

        A shallow copy keeps everything else the bot was configured with."""
        if held not in self._bots:
            variant = copy.copy(self.bot)
            recording = _Recording(self.bot.retriever.without_questions(held))
            variant.retriever = recording
            self._bots[held] = (variant, recording)
        return self._bots[held]

    def warm_up(self) -> None:
        """Load the models before anything is timed."""
        self.bot.turn(WARM_UP)

    def _urgency(
        self, bot: Bot, outcome: Outcome, texts: list[str], past: list[PastTurn], page: str | None
    ) -> str | None:
        """The hand-off's urgency from what the visitor wrote and the turns before it, counted
        as the server counts them (an abstain, a clarify, or an answer that did not help)."""
        if self.judge is None or not isinstance(outcome, Escalate):
            return None
        level = self.judge(bot.base, tuple(texts), count_failures(past), outcome.answer_id, page)
        if outcome.urgency is not None and level is not None:  # a flow's ending asks for it
            level = max(level, outcome.urgency, key=URGENCY_LEVELS.index)
        return level

    @staticmethod
    def _top3(recording: _Recording, outcome: Outcome) -> float | None:
        ids = [c.id for c in outcome.ranked]
        for ranking in reversed(recording.rankings):
            if ids and [c.id for c in ranking.candidates] == ids:
                return ranking.top3
        return None

    def _step(self, bot: Bot, turn: Turn, past: list[PastTurn], said: list[Outcome]) -> Any:
        lang = said[-1].lang if said else bot.base.config.default_language
        if turn.action == "choose":
            return bot.choose(str(turn.target), lang=lang, turns=past, page=_page(turn))
        if turn.action == "feedback":
            helpful = turn.target == "helpful"
            for i in range(len(past) - 1, -1, -1):  # the answer the feedback is about
                if past[i].decision == "answer":
                    past[i] = replace(past[i], helpful=helpful)
                    break
            return bot.feedback(helpful, lang=lang, turns=past)
        return bot.turn(turn.ask, turns=past, page=_page(turn))

    def play(self, case: Case, held: frozenset[str] = frozenset()) -> CaseResult:
        bot, recording = self._bot(held)
        results: list[TurnResult] = []
        past: list[PastTurn] = []
        said: list[Outcome] = []
        texts: list[str] = []
        for turn in case.turns:
            recording.rankings.clear()
            outcome = self._step(bot, turn, past, said)
            texts += [turn.ask] if turn.action == "ask" else []
            top3 = self._top3(recording, outcome) if turn.action == "ask" else None
            urgency = self._urgency(bot, outcome, texts, past, turn.page)
            failures = failures_of(turn.expect, outcome, urgency)
            results.append(TurnResult(turn, outcome, failures, top3, urgency))
            label = _label(bot, said, str(turn.target)) if turn.action == "choose" else None
            past.append(_past(turn, outcome, label))
            said.append(outcome)
        return CaseResult(case, tuple(results))


def _page(turn: Turn) -> Page | None:
    return Page(url=turn.page) if turn.page else None


def held_out_groups(cases: Sequence[Case], retriever: Retriever) -> list[frozenset[str]]:
    """For each case, the phrasings to remove from the index before it is asked.

    A held-out case removes its own question from every answer that has it. Cases are grouped
    so that no group removes two phrasings of one answer: the expected answer loses exactly
    the phrasing asked, as if each were held out in turn, while one rebuilt index serves a
    whole group (about as many groups as the largest answer has questions).
    """
    owners: dict[str, set[str]] = {}
    variants: dict[str, set[str]] = {}  # a stripped phrasing -> how the base spells it
    for entry in retriever.entries:
        for question in entry.questions:
            owners.setdefault(question.strip(), set()).add(entry.id)
            variants.setdefault(question.strip(), set()).add(question)
    taken: list[set[str]] = []  # answers that already lose a phrasing in each group
    members: list[set[str]] = []
    assigned: list[int | None] = []
    for case in cases:
        answers = owners.get(case.ask.strip()) if case.held_out else None
        if not answers:
            assigned.append(None)
            continue
        group = next((g for g, used in enumerate(taken) if not used & answers), len(taken))
        if group == len(taken):
            taken.append(set())
            members.append(set())
        taken[group] |= answers
        members[group].add(case.ask.strip())
        assigned.append(group)
    exact = [frozenset(v for m in member for v in variants[m]) for member in members]
    return [frozenset() if g is None else exact[g] for g in assigned]


def run_suite(
    suite_or_cases: Any,
    bot: Bot,
    *,
    jobs: int = 1,
    on_progress: Progress | None = None,
    judge: UrgencyJudge | None = None,
) -> list[CaseResult]:
    """Play every case (a suite, or a sequence of cases) as a fresh conversation.

    `jobs` > 1 plays them in that many worker processes (the bot is CPU-bound); each worker
    rebuilds the bot from the base's folder, the fitted retriever and the thresholds.
    """
    cases: Sequence[Case] = getattr(suite_or_cases, "cases", suite_or_cases)
    held = held_out_groups(cases, bot.retriever)
    if jobs > 1 and len(cases) > 1:
        from eval._workers import run_in_processes

        return run_in_processes(cases, held, bot, jobs, on_progress, judge)
    player = Player(bot, judge)
    player.warm_up()
    results = []
    for done, (case, phrasings) in enumerate(zip(cases, held, strict=True), start=1):
        results.append(player.play(case, phrasings))
        if on_progress is not None:
            on_progress(done, len(cases))
    return results


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
