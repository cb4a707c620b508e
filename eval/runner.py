"""Running a suite against a bot: every case as one conversation, in one or more processes."""

from __future__ import annotations

import copy
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot import Bot, Outcome, page_language
from eval._cases import Case, Turn
from eval._checks import failures_of
from retrieval import Encoder, Retriever
from retrieval.embeddings import Vectors

__all__ = ["CaseResult", "Progress", "TurnResult", "held_out_groups", "run_suite"]

#: Called with (cases done, cases in all) as the run goes.
Progress = Callable[[int, int], None]
WARM_UP = "Hei, hvor er pakken min?"


@dataclass(frozen=True, slots=True)
class TurnResult:
    """What the bot did with one turn, and every expectation it did not meet."""

    turn: Turn
    outcome: Outcome
    failures: tuple[str, ...]
    top3: float | None = None  # P(the right answer is among the first three), when known

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


class _Recorder:
    """An `Encoder` in front of the bot's that keeps the query vectors of the current turn, so
    the run can read the ranking's top-3 confidence (which outcomes do not carry)."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.seen: list[tuple[str, Vectors]] = []

    @property
    def model_name(self) -> str:
        return self.inner.model_name

    @property
    def model_version(self) -> str:
        return self.inner.model_version

    def query_vectors(self, texts: Sequence[str]) -> Vectors:
        vectors = self.inner.query_vectors(texts)
        self.seen.extend(zip(texts, vectors, strict=True))
        return vectors

    def passage_vectors(self, texts: Sequence[str]) -> Vectors:
        return self.inner.passage_vectors(texts)


@dataclass
class Player:
    """Plays cases against one bot and against its held-out variants (built once each)."""

    bot: Bot
    recorder: _Recorder = field(init=False)
    _bots: dict[frozenset[str], Bot] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.recorder = _Recorder(self.bot.encoder)

    def _bot(self, held: frozenset[str]) -> Bot:
        """The bot, with the retriever as if `held` phrasings were never indexed.

        A shallow copy keeps everything else the bot was configured with."""
        if held not in self._bots:
            variant = copy.copy(self.bot)
            variant.encoder = self.recorder
            variant.retriever = self.bot.retriever.without_questions(held)
            self._bots[held] = variant
        return self._bots[held]

    def warm_up(self) -> None:
        """Load the models before anything is timed."""
        self.bot.turn(WARM_UP)

    def _top3(self, retriever: Retriever, outcome: Outcome) -> float | None:
        ids = [c.id for c in outcome.ranked]
        for text, vector in self.recorder.seen:
            ranking = retriever.rank(text, vector)
            if [c.id for c in ranking.candidates] == ids:
                return ranking.top3
        return None

    def play(self, case: Case, held: frozenset[str] = frozenset()) -> CaseResult:
        bot = self._bot(held)
        results: list[TurnResult] = []
        for turn in case.turns:
            self.recorder.seen.clear()
            langs = [r.outcome.lang for r in results]
            outcome = bot.turn(turn.ask, page_lang=page_language(turn.page), history_langs=langs)
            top3 = self._top3(bot.retriever, outcome)
            results.append(TurnResult(turn, outcome, failures_of(turn.expect, outcome), top3))
        return CaseResult(case, tuple(results))


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
) -> list[CaseResult]:
    """Play every case (a suite, or a sequence of cases) as a fresh conversation.

    `jobs` > 1 plays them in that many worker processes (the bot is CPU-bound); each worker
    rebuilds the bot from the base's folder, the fitted retriever and the thresholds.
    """
    cases: Sequence[Case] = getattr(suite_or_cases, "cases", suite_or_cases)
    held = held_out_groups(cases, bot.retriever)
    if jobs > 1 and len(cases) > 1:
        from eval._workers import run_in_processes

        return run_in_processes(cases, held, bot, jobs, on_progress)
    player = Player(bot)
    player.warm_up()
    results = []
    for done, (case, phrasings) in enumerate(zip(cases, held, strict=True), start=1):
        results.append(player.play(case, phrasings))
        if on_progress is not None:
            on_progress(done, len(cases))
    return results


def cpu_count() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
