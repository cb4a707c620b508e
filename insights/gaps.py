"""The gaps: questions the bot did not answer, grouped by meaning, the largest first.

A question is *unanswered* when the bot abstained, handed off, offered choices the visitor did
not take (the next inquiry of the conversation is not a choice click), or answered and the
answer was marked unhelpful. Questions that an answer of the base now has (assigned from a
gap, or in a draft) are left out.

The questions' vectors are the ones the bot stored while answering (`inquiry_vectors`, same
encoder version), else embedded with the bot's encoder (once each: `VectorCache`), moved into the
retriever's language-centred space (a Danish and a Finnish wording of one question land
together) and grouped by a pass of threshold clustering: the most asked question starts a
group, each next one joins the group whose centre is nearest when it is at least
`threshold` alike, or starts a new one; then a few rounds move each question to its nearest
centre. That is linear in questions × groups, with no n × n matrix, so 20,000 questions fit
in memory. Each gap lists its examples, the languages,
and the answers the retriever ranks nearest.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import aliased

from conversations.storage import Database, Feedback, Inquiry, InquiryVector, Message
from insights._sql import inquiry_filter
from insights.period import Filters, Period
from insights.vectors import VectorCache
from knowledge import AnswerBase, get_question_owners, normalise_question

if TYPE_CHECKING:
    from retrieval import Retriever

__all__ = [
    "MAX_GAPS",
    "MAX_QUESTIONS",
    "THRESHOLD",
    "Gap",
    "GapQuestion",
    "find_gaps",
    "gap_json",
    "get_gap_questions",
    "get_gaps",
    "get_stored_vectors",
    "question_vectors",
]

MAX_QUESTIONS = 50_000  # distinct unanswered questions read for one period
MAX_GAPS = 50  # gaps returned, the largest first
THRESHOLD = 0.40  # cosine in the centred space (decision 0100: six languages, and CLINC150)
EXAMPLES = 5
NEAREST = 3
REFINE_ROUNDS = 3
BLOCK = 2048  # rows per similarity block while refining
KEPT_QUESTIONS = 200  # questions kept per gap for the actions


@dataclass(frozen=True)
class GapQuestion:
    """One unanswered question as written (spaces made single), how often, in which language
    mostly, and why it counts (`reasons`: abstain, handoff, clarify, unhelpful → count)."""

    text: str
    count: int
    language: str
    reasons: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Gap:
    """A group of unanswered questions alike in meaning: `size` inquiries, its `questions`
    (the most asked first), the languages (most first), the nearest answers, the reasons."""

    key: str
    size: int
    questions: tuple[GapQuestion, ...]
    languages: tuple[str, ...]
    nearest: tuple[str, ...]
    reasons: Mapping[str, int]

    @property
    def examples(self) -> list[str]:
        return [q.text for q in self.questions[:EXAMPLES]]


def gap_json(gap: Gap, *, questions: bool = False) -> dict[str, Any]:
    data: dict[str, Any] = {
        "key": gap.key,
        "size": gap.size,
        "examples": gap.examples,
        "nearest": list(gap.nearest),
        "languages": list(gap.languages),
        "reasons": dict(gap.reasons),
    }
    if questions:
        data["questions"] = [
            {"text": q.text, "count": q.count, "language": q.language} for q in gap.questions
        ]
    return data


async def get_gap_questions(
    db: Database,
    base: AnswerBase,
    period: Period,
    filters: Filters | None = None,
    *,
    limit: int = MAX_QUESTIONS,
) -> list[GapQuestion]:
    """The period's unanswered questions, grouped by their normalised text, the most asked
    first; those an answer of the base has now are left out."""
    start, end = period.bounds()
    reason = _reason()
    async with db.reading() as session:
        rows = (
            await session.execute(
                select(Inquiry.text, Inquiry.language, reason, func.count())
                .where(*inquiry_filter(start, end, filters or Filters(), base), reason.is_not(None))
                .group_by(Inquiry.text, Inquiry.language, reason)
                .order_by(func.count().desc())
                .limit(limit * 2)
            )
        ).all()
    owners = get_question_owners(base)
    merged: dict[str, dict[str, Any]] = {}
    for text, language, why, count in rows:
        key = normalise_question(str(text))
        if not key or key in owners:
            continue
        item = merged.setdefault(
            key, {"text": " ".join(str(text).split()), "langs": Counter(), "why": Counter()}
        )
        item["langs"][str(language)] += int(count)
        item["why"][str(why)] += int(count)
    questions = [
        GapQuestion(
            item["text"],
            sum(item["why"].values()),
            item["langs"].most_common(1)[0][0],
            dict(item["why"].most_common()),
        )
        for item in merged.values()
    ]
    questions.sort(key=lambda q: (-q.count, q.text))
    return questions[:limit]


def _reason() -> Any:
    """Why an inquiry is unanswered (abstain, handoff, clarify, unhelpful), or NULL."""
    later = aliased(Inquiry)
    following = (
        select(func.min(later.id))
        .where(later.conversation_id == Inquiry.conversation_id, later.id > Inquiry.id)
        .correlate(Inquiry)
        .scalar_subquery()
    )
    chose = aliased(Inquiry)
    took_a_choice = exists().where(chose.id == following, chose.kind == "choice")
    bot = aliased(Message)
    unhelpful = exists().where(
        bot.reply_to == Inquiry.message_id,
        Feedback.message_id == bot.id,
        Feedback.helpful.is_(False),
    )
    return case(
        (Inquiry.decision.in_(("abstain", "handoff")), Inquiry.decision),
        (and_(Inquiry.decision == "clarify", ~took_a_choice), "clarify"),
        (and_(Inquiry.decision == "answer", unhelpful), "unhelpful"),
        else_=None,
    ).label("reason")


# --- grouping -------------------------------------------------------------------------------


async def get_stored_vectors(
    db: Database, base: AnswerBase, period: Period, filters: Filters | None, model: str
) -> dict[str, bytes]:
    """The query vectors the bot stored with the period's unanswered questions
    (`inquiry_vectors`), by normalised question; only those of encoder version `model`."""
    start, end = period.bounds()
    async with db.reading() as session:
        rows = await session.execute(
            select(Inquiry.text, InquiryVector.vector)
            .join(InquiryVector, InquiryVector.inquiry_id == Inquiry.id)
            .where(
                *inquiry_filter(start, end, filters or Filters(), base),
                InquiryVector.model == model,
            )
        )
        stored: dict[str, bytes] = {}
        for text, vector in rows.all():
            stored.setdefault(normalise_question(str(text)), bytes(vector))
    return stored


def question_vectors(
    questions: Sequence[GapQuestion], cache: VectorCache, stored: Mapping[str, bytes]
) -> tuple[npt.NDArray[np.float32], int]:
    """The questions' query vectors (L2-normalised): the stored ones first, the rest from
    the cache (embedded when new); and how many came from the store."""
    found: dict[int, npt.NDArray[np.float32]] = {}
    for n, q in enumerate(questions):
        kept = stored.get(normalise_question(q.text))
        if kept is not None:
            found[n] = np.frombuffer(kept, dtype=np.float16).astype(np.float32)
    dims = {v.shape[0] for v in found.values()}
    if len(dims) > 1:
        found = {}  # mixed sizes cannot be one model's: embed them all
    rest = [n for n in range(len(questions)) if n not in found]
    rows, _ = cache.vectors([questions[n].text for n in rest])
    if found and rest and rows.shape[1] != next(iter(dims)):
        found, rest = {}, list(range(len(questions)))
        rows, _ = cache.vectors([q.text for q in questions])
    dim = rows.shape[1] if rest else next(iter(dims))
    out = np.zeros((len(questions), dim), dtype=np.float32)
    for n, row in found.items():
        out[n] = row / max(float(np.linalg.norm(row)), 1e-9)
    if rest:
        out[rest] = rows
    return out, len(found)


def find_gaps(
    questions: Sequence[GapQuestion],
    cache: VectorCache,
    retriever: Retriever,
    *,
    threshold: float = THRESHOLD,
    limit: int = MAX_GAPS,
    stored: Mapping[str, bytes] | None = None,
) -> list[Gap]:
    """The questions grouped by meaning, the largest group (by inquiries) first, at most
    `limit`; each with its nearest answers. `stored`: query vectors the bot kept with the
    questions (`get_stored_vectors`), used before the cache."""
    if not questions:
        return []
    raw, _ = question_vectors(questions, cache, stored or {})
    vectors = retriever.centred(raw)
    weights = np.array([q.count for q in questions], dtype=np.float64)
    labels = cluster(vectors, weights, threshold)
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(int(label), []).append(index)
    ranked = sorted(groups.values(), key=lambda members: (-weights[members].sum(), members[0]))
    gaps = [_gap([questions[i] for i in members]) for members in ranked[:limit]]
    # the retriever centres query vectors itself: it ranks the raw ones
    return _with_nearest(
        gaps, [raw[_most_asked(members, questions)] for members in ranked[:limit]], retriever
    )


def _most_asked(members: list[int], questions: Sequence[GapQuestion]) -> list[int]:
    return sorted(members, key=lambda i: (-questions[i].count, questions[i].text))[:NEAREST]


def cluster(
    vectors: npt.NDArray[np.float32], weights: npt.NDArray[np.float64], threshold: float
) -> npt.NDArray[np.int64]:
    """Leader clustering in the order given (the most asked first): a label per row. A row
    joins the group with the most similar centre (the weighted mean of its members,
    normalised) when the cosine is at least `threshold`, else it starts a group."""
    n, dim = vectors.shape
    sums = np.zeros((n, dim), dtype=np.float64)
    centres = np.zeros((n, dim), dtype=np.float32)
    labels = np.full(n, -1, dtype=np.int64)
    groups = 0
    for row in range(n):
        vector = vectors[row]
        best, score = -1, -1.0
        if groups:
            sims = centres[:groups] @ vector
            best = int(np.argmax(sims))
            score = float(sims[best])
        if score < threshold:
            best = groups
            groups += 1
        labels[row] = best
        sums[best] += weights[row] * vector
        norm = np.linalg.norm(sums[best])
        centres[best] = (sums[best] / max(norm, 1e-12)).astype(np.float32)
    return _refined(vectors, weights, labels, groups)


def _refined(
    vectors: npt.NDArray[np.float32],
    weights: npt.NDArray[np.float64],
    labels: npt.NDArray[np.int64],
    groups: int,
    rounds: int = REFINE_ROUNDS,
) -> npt.NDArray[np.int64]:
    """The leader pass depends on the order: a question met early may start a group that a
    later centre would have taken. A few rounds move each question to its nearest centre
    (as k-means does, with the groups found), then the centres are recomputed. Blocks of
    rows keep the similarity matrix small."""
    for _ in range(rounds):
        sums = np.zeros((groups, vectors.shape[1]), dtype=np.float64)
        np.add.at(sums, labels, vectors * weights[:, None])
        centres = (sums / np.maximum(np.linalg.norm(sums, axis=1, keepdims=True), 1e-12)).astype(
            np.float32
        )
        moved = labels.copy()
        for first in range(0, len(vectors), BLOCK):
            sims = vectors[first : first + BLOCK] @ centres.T
            moved[first : first + BLOCK] = np.argmax(sims, axis=1)
        if np.array_equal(moved, labels):
            break
        labels = moved
    _, dense = np.unique(labels, return_inverse=True)
    return dense.astype(np.int64)


def _gap(members: list[GapQuestion]) -> Gap:
    languages: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for q in members:
        languages[q.language] += q.count
        reasons.update(q.reasons)
    ordered = tuple(sorted(members, key=lambda q: (-q.count, q.text))[:KEPT_QUESTIONS])
    key = hashlib.sha1(normalise_question(ordered[0].text).encode()).hexdigest()[:12]
    return Gap(
        key=key,
        size=sum(q.count for q in members),
        questions=ordered,
        languages=tuple(lang for lang, _ in languages.most_common()),
        nearest=(),
        reasons=dict(reasons.most_common()),
    )


def _with_nearest(
    gaps: list[Gap], vectors: list[npt.NDArray[np.float32]], retriever: Retriever
) -> list[Gap]:
    """Each gap with the answers the retriever ranks nearest to its most asked questions
    (scores summed over up to three of them)."""
    out = []
    for gap, rows in zip(gaps, vectors, strict=True):
        texts = [q.text for q in gap.questions[: len(rows)]]
        scores: dict[str, float] = {}
        for ranking in retriever.rank_many(texts, rows, k=NEAREST):
            for candidate in ranking.candidates[:NEAREST]:
                scores[candidate.id] = scores.get(candidate.id, 0.0) + candidate.score
        best = sorted(scores.items(), key=lambda item: (-item[1], item[0]))[:NEAREST]
        nearest = tuple(answer_id for answer_id, _ in best)
        out.append(Gap(gap.key, gap.size, gap.questions, gap.languages, nearest, gap.reasons))
    return out


async def get_gaps(
    db: Database,
    base: AnswerBase,
    period: Period,
    filters: Filters | None,
    cache: VectorCache,
    retriever: Retriever,
    *,
    limit: int = MAX_GAPS,
) -> list[Gap]:
    """The period's gaps: its unanswered questions read from the database, then grouped in a
    worker thread (embedding and clustering are CPU work)."""
    questions = await get_gap_questions(db, base, period, filters)
    stored = await get_stored_vectors(db, base, period, filters, cache.encoder.model_version)
    return await asyncio.to_thread(
        find_gaps, questions, cache, retriever, limit=limit, stored=stored
    )
