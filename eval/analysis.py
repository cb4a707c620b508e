"""Confusions and gaps: what a content team should sharpen, merge, test or review.

* confusions: answers that rank first for another answer's questions (directed pairs);
* near-duplicate answers: pairs whose questions (or texts) are about as alike as two
  phrasings of one answer, by the retriever's own embeddings;
* shared questions: one phrasing listed under two answers;
* answers without a passing case: untested (no case expects them) or failing;
* review dates: `review_by` passed, or within the next 30 days.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from eval.metrics import Point
from knowledge import AnswerBase
from retrieval import Retriever

__all__ = ["NEAR_DUPLICATE", "confusions", "gaps", "near_duplicates"]

#: Similarity (see `Retriever.similarities`) from which two answers are near-duplicates. On the
#: demo base the closest distinct pair is 0.81 (missed-delivery, missing-package) by questions
#: and 0.78 by texts; paraphrased copies of one answer score above 0.9.
NEAR_DUPLICATE = {"questions": 0.85, "texts": 0.9}
REVIEW_SOON_DAYS = 30


def confusions(points: Sequence[Point]) -> list[dict[str, Any]]:
    """(expected, ranked first) pairs over points expecting an answer, most frequent first."""
    pairs: dict[tuple[str, str], list[Point]] = defaultdict(list)
    for p in points:
        wanted = p.expect.answer_id
        ranked = p.outcome.ranked
        if wanted is not None and ranked and ranked[0].id != wanted:
            pairs[(wanted, ranked[0].id)].append(p)
    rows = [
        {
            "expected": expected,
            "ranked_first": first,
            "count": len(found),
            "answered": sum(p.outcome.decision == "answer" for p in found),
            "cases": sorted({p.case.id for p in found}),
        }
        for (expected, first), found in pairs.items()
    ]
    return sorted(
        rows, key=lambda r: (-r["count"], -r["answered"], r["expected"], r["ranked_first"])
    )


def near_duplicates(retriever: Retriever) -> list[dict[str, Any]]:
    """Pairs of answers at least `NEAR_DUPLICATE` alike by questions or texts, closest first."""
    ids, q_sims, t_sims = retriever.similarities()
    rows = []
    for i in range(len(ids)):
        for j in range(i + 1, len(ids)):
            q, t = float(q_sims[i, j]), float(t_sims[i, j])
            if q >= NEAR_DUPLICATE["questions"] or t >= NEAR_DUPLICATE["texts"]:
                rows.append(
                    {"answers": [ids[i], ids[j]], "questions": round(q, 3), "texts": round(t, 3)}
                )
    return sorted(rows, key=lambda r: -max(r["questions"], r["texts"]))


def most_similar(retriever: Retriever, top: int = 10) -> list[dict[str, Any]]:
    """The `top` most alike pairs by questions, for context next to the near-duplicates."""
    ids, q_sims, t_sims = retriever.similarities()
    pairs = [
        (float(q_sims[i, j]), float(t_sims[i, j]), ids[i], ids[j])
        for i in range(len(ids))
        for j in range(i + 1, len(ids))
    ]
    pairs.sort(reverse=True)
    return [
        {"answers": [a, b], "questions": round(q, 3), "texts": round(t, 3)}
        for q, t, a, b in pairs[:top]
    ]


def _shared_questions(retriever: Retriever) -> list[dict[str, Any]]:
    owners: dict[str, list[str]] = defaultdict(list)
    for entry in retriever.entries:
        for question in dict.fromkeys(q.strip().casefold() for q in entry.questions):
            owners[question].append(entry.id)
    return [
        {"question": question, "answers": answers}
        for question, answers in sorted(owners.items())
        if len(answers) > 1
    ]


def _review(base: AnswerBase, today: datetime.date) -> tuple[list[Any], list[Any]]:
    soon = today + datetime.timedelta(days=REVIEW_SOON_DAYS)
    overdue, due = [], []
    for answer in base.published():
        if answer.review_by is None:
            continue
        row = {"id": answer.id, "review_by": answer.review_by.isoformat(), "owner": answer.owner}
        if answer.review_by < today:
            overdue.append(row)
        elif answer.review_by <= soon:
            due.append(row)
    return overdue, due


def gaps(
    base: AnswerBase, retriever: Retriever, points: Sequence[Point], today: datetime.date
) -> dict[str, Any]:
    """What the base lacks or should look at, as lists of answer ids and rows."""
    expected: dict[str, list[Point]] = defaultdict(list)
    for p in points:
        if p.expect.answer_id is not None:
            expected[p.expect.answer_id].append(p)
    published = [a.id for a in base.published()]
    overdue, due = _review(base, today)
    return {
        "untested": [a for a in published if a not in expected],
        "failing": [
            a
            for a in published
            if expected.get(a) and not any(p.result.passed for p in expected[a])
        ],
        "near_duplicates": near_duplicates(retriever),
        "most_similar": most_similar(retriever),
        "shared_questions": _shared_questions(retriever),
        "review_overdue": overdue,
        "review_soon": due,
    }
