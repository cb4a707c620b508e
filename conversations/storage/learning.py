"""Learning from real questions: the candidates for new phrasings, the content team's
decisions on them, and the labelled traffic for the ranking's fit.

Every visitor question is an inquiry. Those whose right answer is known (the visitor's "yes,
this helped", an agent's curated answer in a hand-off; see `conversations.storage._labels`) are
*labelled*. Grouped by question and answer they are the *candidates*: questions the content
team may accept as new phrasings of the answer (written into its file, so the answer base stays
the one source of truth) or reject. Either way the decision is recorded and the candidate is
not listed again. Until then, each labelled question also joins the ranking's fit
(`get_labelled_traffic`, passed to `retrieval.AnswerIndex.load_retriever`).

`samsvar answers learn` uses these operations, and the console's screen will too.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from conversations.storage.actions import do_record_question_decisions
from conversations.storage.database import Database
from conversations.storage.queries import get_labelled_questions, get_question_decisions
from conversations.storage.records import LabelledQuestion, NewQuestionDecision, question_key
from knowledge import AnswerBase, normalise_question

if TYPE_CHECKING:  # the answer files' writer only when questions are written or compared
    from knowledge import QuestionPlace

__all__ = [
    "MAX_TRAFFIC",
    "LearningCandidate",
    "QuestionChoice",
    "do_decide_questions",
    "get_labelled_traffic",
    "get_learning_candidates",
]

MAX_TRAFFIC = 2000  # labelled pairs for the fit, the most recent first
MAX_READ = 20_000  # labelled questions read for a listing, per source


@dataclass(frozen=True)
class LearningCandidate:
    """A question visitors asked whose right answer is known, and how often.

    `question` is its most recent spelling (whitespace made single spaces); `sources` counts
    each way it was known (`helpful`, `agent`); `language` is the one it was most often asked
    in (None when not known); `last_at` is when it was last labelled.
    """

    question: str
    answer_id: str
    count: int
    sources: Mapping[str, int] = field(default_factory=dict)
    language: str | None = None
    last_at: dt.datetime | None = None


@dataclass(frozen=True)
class QuestionChoice:
    """A question the content team accepts for, or rejects from, an answer; `sources` say
    where it came from (a candidate's sources, or `assigned` for one typed in)."""

    question: str
    answer_id: str
    sources: tuple[str, ...] = ()


def _clean(text: str) -> str:
    return " ".join(text.split())


def _open_labels(
    labels: Sequence[LabelledQuestion],
    base: AnswerBase,
    decisions: Mapping[tuple[str, str], str],
) -> list[LabelledQuestion]:
    """The labels that are neither a question of the base (of any answer) nor decided."""
    from knowledge import get_question_owners

    owners = get_question_owners(base)
    return [
        label
        for label in labels
        if normalise_question(label.question)
        and normalise_question(label.question) not in owners
        and (question_key(label.question), label.answer_id) not in decisions
    ]


async def get_learning_candidates(
    db: Database, base: AnswerBase, *, limit: int = MAX_READ
) -> list[LearningCandidate]:
    """The candidates: open labelled questions grouped by (normalised question, answer id),
    the most often asked first (then the most recent). Questions the base already has, in any
    answer, and those accepted or rejected before are left out."""
    labels = await get_labelled_questions(db, base, limit=limit)
    decisions = await get_question_decisions(db)
    groups: dict[tuple[str, str], list[LabelledQuestion]] = {}
    for label in _open_labels(labels, base, decisions):  # most recent first
        groups.setdefault((normalise_question(label.question), label.answer_id), []).append(label)
    candidates = [_candidate(members) for members in groups.values()]
    candidates.sort(
        key=lambda c: (-c.count, -(c.last_at.timestamp() if c.last_at else 0.0), c.answer_id)
    )
    return candidates


def _candidate(members: list[LabelledQuestion]) -> LearningCandidate:
    languages = Counter(m.language for m in members if m.language)
    return LearningCandidate(
        question=_clean(members[0].question),
        answer_id=members[0].answer_id,
        count=len(members),
        sources=dict(sorted(Counter(m.source for m in members).items())),
        language=languages.most_common(1)[0][0] if languages else None,
        last_at=members[0].at,
    )


async def get_labelled_traffic(
    db: Database, base: AnswerBase, *, limit: int = MAX_TRAFFIC
) -> list[tuple[str, str]]:
    """(question, answer id) pairs for `Retriever.fit(labelled=…)`, the most recent first, each
    once, at most `limit`: the open labelled questions (not a question of the base, not
    accepted or rejected: a rejection says not to learn from it); a question asked in several
    spellings comes once, in the latest."""
    labels = await get_labelled_questions(db, base, limit=limit)
    decisions = await get_question_decisions(db)
    pairs: dict[tuple[str, str], tuple[str, str]] = {}
    for label in _open_labels(labels, base, decisions):
        key = (normalise_question(label.question), label.answer_id)
        pairs.setdefault(key, (_clean(label.question), label.answer_id))
    return list(pairs.values())[:limit]


async def do_decide_questions(
    db: Database,
    answers_dir: str | os.PathLike[str],
    now: dt.datetime,
    *,
    accept: Sequence[QuestionChoice] = (),
    reject: Sequence[QuestionChoice] = (),
    expected: Mapping[str, str] | None = None,
) -> list[QuestionPlace]:
    """Accept and reject questions: the accepted ones are written into their answers' files
    (`knowledge.do_add_questions`, all or nothing), then every decision is recorded in one
    transaction. Returns where each accepted question is now.

    `expected` is the answer base's fingerprint when the questions were listed. Raises what
    `do_add_questions` raises (AnswerBaseChanged, AnswerBaseInvalid, QuestionsNotAdded); then
    nothing is written and nothing recorded.
    """
    from knowledge import do_add_questions

    additions = [(choice.question, choice.answer_id) for choice in accept]
    places: list[QuestionPlace] = []
    if additions or expected is not None:
        places = await asyncio.to_thread(
            do_add_questions, answers_dir, additions, expected=expected
        )
    decisions = [
        NewQuestionDecision(place.question, choice.answer_id, "accepted", choice.sources)
        for place, choice in zip(places, accept, strict=True)
    ]
    decisions += [
        NewQuestionDecision(_clean(choice.question), choice.answer_id, "rejected", choice.sources)
        for choice in reject
    ]
    await do_record_question_decisions(db, decisions, now)
    return places
